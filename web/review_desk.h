// ReviewDesk: what the workbench's review queue needs from capture: the queue, and filing or
// rejecting a queued document as a named archivist (both teach the classifier). The `dangan`
// program implements it (archive/cli wires capture to filing); the server borrows it.
// Implementations must be safe to call from several request threads at once.
#pragma once

#include <cstdint>
#include <string>

#include "archive/status.h"
#include "storage/review_queue.h"

namespace dangan::web {

class ReviewDesk {
 public:
  virtual ~ReviewDesk() = default;
  virtual ReviewQueue& queue() = 0;
  // Files the queued document as `item` (empty: the suggestion), optionally with another title
  // or date (YYYY-MM-DD); returns its 档号. kConflict when it was decided already.
  virtual Result<std::string> Accept(int64_t id, const std::string& item, const std::string& title,
                                     const std::string& formed_on, const std::string& actor) = 0;
  virtual Status Reject(int64_t id, const std::string& reason, const std::string& actor) = 0;
};

}  // namespace dangan::web
