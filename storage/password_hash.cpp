#include "storage/password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/NumberParser.h>
#include <Poco/StringTokenizer.h>

#include <sstream>
#include <vector>

namespace dangan {

namespace {

constexpr const char* kScheme = "pbkdf2-sha256";
constexpr size_t kSaltBytes = 16, kHashBytes = 32;

std::string Base64(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << bytes;
  enc.close();
  return out.str();
}

bool Unbase64(const std::string& text, std::string* bytes) {
  try {
    std::istringstream in(text);
    Poco::Base64Decoder dec(in);
    std::ostringstream out;
    out << dec.rdbuf();
    *bytes = out.str();
    return !dec.bad();
  } catch (...) {
    return false;
  }
}

bool Derive(const std::string& password, const std::string& salt, int iterations,
            std::string* out) {
  out->assign(kHashBytes, '\0');
  return PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                           reinterpret_cast<const unsigned char*>(salt.data()),
                           static_cast<int>(salt.size()), iterations, EVP_sha256(),
                           static_cast<int>(kHashBytes),
                           reinterpret_cast<unsigned char*>(out->data())) == 1;
}

}  // namespace

Result<std::string> HashPassword(const std::string& password, int iterations) {
  if (password.size() < 8) return Status::InvalidArgument("a password has at least 8 characters");
  if (password.size() > 1024) return Status::InvalidArgument("a password has at most 1024 bytes");
  if (iterations < 1) return Status::InvalidArgument("iterations must be positive");
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), kSaltBytes) != 1)
    return Status::Internal("no random bytes for a salt");
  std::string hash;
  if (!Derive(password, salt, iterations, &hash)) return Status::Internal("PBKDF2 failed");
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" + Base64(salt) + "$" +
         Base64(hash);
}

bool PasswordMatches(const std::string& password, const std::string& stored) {
  Poco::StringTokenizer parts(stored, "$");
  if (parts.count() != 4 || parts[0] != kScheme || password.size() > 1024) return false;
  int iterations = 0;
  if (!Poco::NumberParser::tryParse(parts[1], iterations) || iterations < 1 ||
      iterations > 100000000)
    return false;
  std::string salt, want, got;
  if (!Unbase64(parts[2], &salt) || !Unbase64(parts[3], &want) || want.size() != kHashBytes)
    return false;
  if (!Derive(password, salt, iterations, &got)) return false;
  return CRYPTO_memcmp(got.data(), want.data(), kHashBytes) == 0;
}

}  // namespace dangan
