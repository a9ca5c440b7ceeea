#include "storage/archive_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "storage/env.h"

namespace dangan {

Result<std::unique_ptr<ArchiveLock>> ArchiveLock::Acquire(const std::string& root) {
  const std::string path = root + "/archive.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return PosixError(path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0)
    return std::unique_ptr<ArchiveLock>(new ArchiveLock(fd, true));
  if (errno != EWOULDBLOCK) {
    int err = errno;
    ::close(fd);
    return PosixError(path, err);
  }
  while (::flock(fd, LOCK_SH) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    return PosixError(path, err);
  }
  return std::unique_ptr<ArchiveLock>(new ArchiveLock(fd, false));
}

ArchiveLock::~ArchiveLock() { ::close(fd_); }

Status ArchiveLock::Share() {
  if (!exclusive_) return Status::Ok();
  if (::flock(fd_, LOCK_SH) != 0) return PosixError("archive.lock", errno);
  exclusive_ = false;
  return Status::Ok();
}

}  // namespace dangan
