#include "storage/secret_key.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "storage/digest.h"
#include "storage/env.h"

namespace dangan {

Result<std::string> LoadOrCreateSecret(const std::string& root) {
  const std::string path = root + "/secret.key";
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      std::string key(32, '\0');
      ssize_t n = ::read(fd, key.data(), key.size());
      ::close(fd);
      if (n != 32) return Status::Corruption(path + " is not a 32-byte key");
      return key;
    }
    if (errno != ENOENT) return PosixError(path, errno);
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) return Status::Internal("no random bytes");
    // Write under a private name, then link: two processes racing both end up with one key.
    std::string tmp = path + ".tmp.XXXXXX";
    int out = ::mkstemp(tmp.data());  // unique per call: threads of one process race here too
    if (out < 0) return PosixError(tmp, errno);
    ::fchmod(out, 0600);
    bool ok = ::write(out, bytes, sizeof bytes) == static_cast<ssize_t>(sizeof bytes) &&
              ::fsync(out) == 0;
    ::close(out);
    if (!ok) {
      ::unlink(tmp.c_str());
      return Status::IOError("cannot write " + tmp);
    }
    int rc = ::link(tmp.c_str(), path.c_str());
    int err = errno;
    ::unlink(tmp.c_str());
    if (rc != 0 && err != EEXIST) return PosixError(path, err);
    if (rc == 0) {
      // Receipts and certificate codes depend on this key surviving a crash.
      int dir = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir >= 0) {
        int synced = ::fsync(dir);
        ::close(dir);
        if (synced != 0) return PosixError(root, errno);
      }
    }
  }
  return Status::Internal("cannot create " + path);
}

std::string HmacSha256Hex(const std::string& key, const std::string& message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &len);
  return HexEncode(out, len);
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace dangan
