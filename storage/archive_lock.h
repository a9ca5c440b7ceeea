// ArchiveLock: a flock on <root>/archive.lock held by every process that opens the archive.
// Only a process that finds no other holder gets it exclusively, and only then may it clean up
// what a crash left (staged temporaries, pending packages, uploads): with another process open,
// an uncommitted filing of theirs would look like debris. Owned by the session; not copyable.
#pragma once

#include <memory>
#include <string>

#include "archive/status.h"

namespace dangan {

class ArchiveLock {
 public:
  // Takes the lock exclusively if nobody else holds it, else shared (waiting only while another
  // process is recovering).
  static Result<std::unique_ptr<ArchiveLock>> Acquire(const std::string& root);
  ~ArchiveLock();
  ArchiveLock(const ArchiveLock&) = delete;
  ArchiveLock& operator=(const ArchiveLock&) = delete;

  bool exclusive() const { return exclusive_; }
  // Lets other processes in once recovery is done.
  Status Share();

 private:
  ArchiveLock(int fd, bool exclusive) : fd_(fd), exclusive_(exclusive) {}
  int fd_;
  bool exclusive_;
};

}  // namespace dangan
