// The audit chain: an append-only sequence of events in which each event's hash covers its own
// fields and the previous event's hash, so editing, inserting or deleting any event breaks every
// later link. Pure functions over values; thread-safe. Storage decides where events live.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dangan {

struct AuditEvent {
  int64_t seq = 0;        // 1, 2, 3 … without gaps
  std::string at;         // ISO 8601 with offset
  std::string actor;      // user, API source, or "system"
  std::string action;     // e.g. "file", "verify", "export", "view"
  std::string reference;  // 档号 the event is about (may be empty)
  std::string detail;     // JSON text; never personal data in clear
  std::string prev_hash;  // hex SHA-256 of the previous event; 64 zeros for the first
  std::string hash;       // hex SHA-256 over all of the above
};

inline const std::string kGenesisHash(64, '0');

// Fills seq, prev_hash and hash of `draft` so that it follows `previous` (nullptr: first event).
AuditEvent ChainEvent(AuditEvent draft, const AuditEvent* previous);

// The hash an event should carry, computed from its fields.
std::string ComputeEventHash(const AuditEvent& e);

// Walks `events` (in seq order, starting at `expected_first_seq` with `expected_prev`) and returns
// the index of the first event whose link is broken, or nullopt if the chain holds. `why` names
// the break.
std::optional<size_t> FindBrokenLink(const std::vector<AuditEvent>& events,
                                     const std::string& expected_prev, int64_t expected_first_seq,
                                     std::string* why);

}  // namespace dangan
