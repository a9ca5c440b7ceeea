// The audit chain's anchor: the chain's head (seq, hash, the event's time, when it was anchored)
// kept outside the catalogue, in a small text file `audit-head` signed with the archive secret, in
// the archive root and in every replica root. A chain cut short at its end, or rewritten whole with
// recomputed hashes, no longer holds the anchored event: CheckAnchors says so. Free functions over
// values and files; thread-safe, but two writers of one root must not race on the same head.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "archive/audit_chain.h"
#include "archive/status.h"
#include "storage/env.h"

namespace dangan {

class RecordCatalogue;

inline constexpr const char* kAuditAnchorFile = "audit-head";
// The anchor of a PostgreSQL catalogue's chain, beside the embedded one's in the shared roots
// (a root keeps its embedded catalogue, with a chain of its own, when it joins one).
inline constexpr const char* kSharedAuditAnchorFile = "audit-head-postgresql";

struct AuditAnchor {
  int64_t seq = 0;
  std::string hash;         // the event's hash, hex SHA-256
  std::string event_at;     // the event's own time
  std::string anchored_at;  // when the anchor was first written for this event
};

// One root's anchor file as read: absent (an archive from before anchoring, or never anchored),
// valid, or not to be trusted (edited, forged, unreadable) with `problem` saying why.
struct AnchorFile {
  enum class State { kMissing, kValid, kInvalid };
  std::string path;
  State state = State::kMissing;
  AuditAnchor anchor;   // when kValid
  std::string problem;  // when kInvalid
};

// The file's text: one "name: value" line per field, then the HMAC-SHA256 (under `secret`) of
// everything before it, so any edit shows.
std::string FormatAnchor(const AuditAnchor& anchor, const std::string& secret);
AnchorFile ParseAnchor(const std::string& path, const std::string& text, const std::string& secret);

AnchorFile ReadAnchor(const std::string& root, const std::string& secret,
                      const char* name = kAuditAnchorFile);
// Replaces <root>/audit-head atomically and durably (temporary file, sync, rename, sync of the
// directory): after a failure the previous anchor is still there, whole.
Status WriteAnchor(Env* env, const std::string& root, const AuditAnchor& anchor,
                   const std::string& secret, const char* name = kAuditAnchorFile);

// What the anchors say about a chain (`events` in seq order, already found intact link by link).
struct AnchorVerdict {
  std::vector<std::string> problems;  // each a break, in words; empty when all is well
  std::optional<AuditAnchor> newest;  // the newest valid anchor (highest seq), if any
  std::string newest_path;
};
AnchorVerdict CheckAnchors(const std::vector<AuditEvent>& events,
                           const std::vector<AnchorFile>& files);

// What anchoring does with an anchor already there that the chain no longer holds.
enum class AnchorMismatch {
  kRefuse,   // keep it as evidence: write nothing (the normal case)
  kReplace,  // replace it: the chain was accepted as it is (`dangan audit reanchor`)
};

// Anchors `head`, read from `catalogue` before this call, in every root. First makes what was
// read durable (RecordCatalogue::SyncCommitted), so an anchor never names an event a power loss
// could take back. With kRefuse, refuses (kCorruption, writing nothing) when an anchor already
// there does not match the chain, so the evidence of a cut or rewritten chain is never overwritten,
// and leaves a root whose anchor is as new or newer; with kReplace, writes `head` in every root.
// Returns the anchor now in force.
// `name` is the anchor file's name in each root.
Result<AuditAnchor> AnchorChainHead(RecordCatalogue& catalogue, Env* env,
                                    const std::vector<std::string>& roots,
                                    const std::string& secret, const AuditEvent& head,
                                    const std::string& now,
                                    AnchorMismatch mismatch = AnchorMismatch::kRefuse,
                                    const char* name = kAuditAnchorFile);

}  // namespace dangan
