#include "archive/audit_chain.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

namespace dangan {
namespace {
// Length-prefixed fields, so no choice of field contents can make two events hash alike.
void Field(Poco::SHA2Engine& h, const std::string& s) {
  std::string len = std::to_string(s.size()) + ":";
  h.update(len);
  h.update(s);
}
}  // namespace

std::string ComputeEventHash(const AuditEvent& e) {
  // Events are small and few; Poco's SHA-256 keeps archive/ free of OpenSSL.
  Poco::SHA2Engine h(Poco::SHA2Engine::SHA_256);
  Field(h, "dangan-audit/1");
  Field(h, std::to_string(e.seq));
  Field(h, e.at);
  Field(h, e.actor);
  Field(h, e.action);
  Field(h, e.reference);
  Field(h, e.detail);
  Field(h, e.prev_hash);
  return Poco::DigestEngine::digestToHex(h.digest());
}

AuditEvent ChainEvent(AuditEvent draft, const AuditEvent* previous) {
  draft.seq = previous ? previous->seq + 1 : 1;
  draft.prev_hash = previous ? previous->hash : kGenesisHash;
  draft.hash = ComputeEventHash(draft);
  return draft;
}

std::optional<size_t> FindBrokenLink(const std::vector<AuditEvent>& events,
                                     const std::string& expected_prev, int64_t expected_first_seq,
                                     std::string* why) {
  std::string prev = expected_prev;
  int64_t seq = expected_first_seq;
  for (size_t i = 0; i < events.size(); ++i) {
    const AuditEvent& e = events[i];
    if (e.seq != seq) {
      if (why)
        *why = "event " + std::to_string(seq) + " is missing (found " + std::to_string(e.seq) + ")";
      return i;
    }
    if (e.prev_hash != prev) {
      if (why) *why = "event " + std::to_string(e.seq) + " does not link to the event before it";
      return i;
    }
    if (ComputeEventHash(e) != e.hash) {
      if (why) *why = "event " + std::to_string(e.seq) + " was altered after it was written";
      return i;
    }
    prev = e.hash;
    ++seq;
  }
  return std::nullopt;
}

}  // namespace dangan
