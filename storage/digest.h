// Streaming message digests (SHA-256 by default) through OpenSSL's EVP interface, which is several
// times faster than Poco's own SHA-2. A Digest object is single-threaded; make one per stream.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "archive/status.h"

namespace dangan {

class Digest {
 public:
  // `algorithm` is an OpenSSL name: "sha256", "sha512", "sha1", "md5", "sm3".
  explicit Digest(const std::string& algorithm = "sha256");
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  bool valid() const { return ctx_ != nullptr; }
  void Update(const void* data, size_t n);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  // Lower-case hex of the digest; the object is reset and may be reused.
  std::string HexFinal();

  // Hex digest of a whole file, read in large blocks. Fails with IOError or NotFound.
  static Result<std::string> OfFile(const std::string& path,
                                    const std::string& algorithm = "sha256",
                                    uint64_t* bytes_read = nullptr);
  // Several digests of a file in one read, in the order of `algorithms`.
  static Result<std::vector<std::string>> OfFile(const std::string& path,
                                                 const std::vector<std::string>& algorithms,
                                                 uint64_t* bytes_read = nullptr);
  static std::string OfString(std::string_view s, const std::string& algorithm = "sha256");

 private:
  EVP_MD_CTX* ctx_ = nullptr;
  const EVP_MD* md_ = nullptr;
};

// Lower-case hex of raw bytes.
std::string HexEncode(const unsigned char* data, size_t n);

}  // namespace dangan
