#include "storage/file_sample.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dangan {

namespace {

Status ReadAt(int fd, uint64_t offset, size_t n, std::string* out, const std::string& path) {
  out->resize(n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, &(*out)[got], n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Status::IOError("reading " + path + ": " + std::strerror(errno));
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  out->resize(got);
  return Status::Ok();
}

}  // namespace

Result<std::pair<std::string, std::string>> SampleFile(const std::string& path, size_t bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("file not found: " + path);
    return Status::IOError("opening " + path + ": " + std::strerror(errno));
  }
  struct stat st;
  std::pair<std::string, std::string> sample;
  Status s;
  if (::fstat(fd, &st) != 0) {
    s = Status::IOError("stat " + path + ": " + std::strerror(errno));
  } else {
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    s = ReadAt(fd, 0, bytes, &sample.first, path);
    if (s.ok()) {
      uint64_t tail_at = size > bytes ? size - bytes : 0;
      s = ReadAt(fd, tail_at, bytes, &sample.second, path);
    }
  }
  ::close(fd);
  if (!s.ok()) return s;
  return sample;
}

}  // namespace dangan
