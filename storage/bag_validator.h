// BagValidator: checks an unpacked BagIt bag on disk against RFC 8493 (versions 1.0 and 0.97),
// strictly enough to accept bags from other institutions' tools only when they are sound. It reads
// the bag and never changes it; it keeps no state, so concurrent calls on any bags are safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dangan {

struct BagReport {
  bool valid = false;               // no errors
  std::vector<std::string> errors;  // each makes the bag invalid; names the file and what is wrong
  std::vector<std::string> warnings;  // legal but doubtful: weak digests, unlisted tag files, ...
  uint64_t payload_bytes = 0;         // sum of the sizes of the regular files under data/
  uint64_t payload_files = 0;
};

class BagValidator {
 public:
  // Validates the bag rooted at `bag_dir`. With `check_digests` false only structure, listings and
  // Payload-Oxum are checked, which reads no payload bytes. Never throws; I/O problems are errors.
  static BagReport Validate(const std::string& bag_dir, bool check_digests = true);
};

}  // namespace dangan
