#include "storage/digest.h"

#include <memory>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace dangan {

Digest::Digest(const std::string& algorithm) {
  md_ = EVP_get_digestbyname(algorithm.c_str());
  if (!md_) return;
  ctx_ = EVP_MD_CTX_new();
  if (ctx_ && EVP_DigestInit_ex(ctx_, md_, nullptr) != 1) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = nullptr;
  }
}

Digest::~Digest() {
  if (ctx_) EVP_MD_CTX_free(ctx_);
}

void Digest::Update(const void* data, size_t n) {
  if (ctx_ && n) EVP_DigestUpdate(ctx_, data, n);
}

std::string Digest::HexFinal() {
  if (!ctx_) return "";
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, buf, &len);
  EVP_DigestInit_ex(ctx_, md_, nullptr);
  return HexEncode(buf, len);
}

Result<std::string> Digest::OfFile(const std::string& path, const std::string& algorithm,
                                   uint64_t* bytes_read) {
  auto digests = OfFile(path, std::vector<std::string>{algorithm}, bytes_read);
  if (!digests.ok()) return digests.status();
  return std::move(digests->front());
}

Result<std::vector<std::string>> Digest::OfFile(const std::string& path,
                                                const std::vector<std::string>& algorithms,
                                                uint64_t* bytes_read) {
  std::vector<std::unique_ptr<Digest>> digests;
  for (const auto& algorithm : algorithms) {
    digests.push_back(std::make_unique<Digest>(algorithm));
    if (!digests.back()->valid())
      return Status::InvalidArgument("unknown digest algorithm " + algorithm);
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": " + std::strerror(err));
  }
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  std::vector<char> buf(64 << 10);  // as fast as 1 MiB, and reused by the allocator
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::IOError(path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    for (auto& d : digests) d->Update(buf.data(), static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
  }
  ::close(fd);
  if (bytes_read) *bytes_read = total;
  std::vector<std::string> hex;
  for (auto& d : digests) hex.push_back(d->HexFinal());
  return hex;
}

std::string Digest::OfString(std::string_view s, const std::string& algorithm) {
  Digest d(algorithm);
  d.Update(s);
  return d.HexFinal();
}

std::string HexEncode(const unsigned char* data, size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 15];
  }
  return out;
}

}  // namespace dangan
