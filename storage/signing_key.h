// SigningKey: the archive's SM2 key pair (GM/T 0003, signatures with SM3) in <root>/signing-sm2.pem
// (mode 0600), created on first use. It signs transfer packages (EEP 电子签名 and 锁定签名); the
// receiver checks them with the public key the package carries. Also verifies signatures with a
// given public key. Immutable once loaded; Sign/Verify objects are per call, so it is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "archive/status.h"

namespace dangan {

// A streaming SM2-with-SM3 signature or verification: feed bytes, then finish.
class SignatureStream {
 public:
  ~SignatureStream();
  SignatureStream(SignatureStream&&) noexcept;
  void Update(const void* data, size_t n);
  void Update(const std::string& s) { Update(s.data(), s.size()); }
  // The signature (DER), for a signing stream.
  Result<std::string> Sign();
  // True if `signature` signs what was fed, for a verifying stream.
  bool Verify(const std::string& signature);

 private:
  friend class SigningKey;
  struct State;
  explicit SignatureStream(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

class SigningKey {
 public:
  static constexpr const char* kFileName = "signing-sm2.pem";
  static constexpr const char* kAlgorithm = "SM2withSM3";

  static Result<SigningKey> LoadOrCreate(const std::string& root);
  // A key that can only verify, from a PEM public key.
  static Result<SigningKey> FromPublicPem(const std::string& pem);
  ~SigningKey();
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;

  const std::string& public_pem() const { return public_pem_; }
  Result<SignatureStream> StartSigning() const;
  Result<SignatureStream> StartVerifying() const;

 private:
  SigningKey() = default;
  Result<SignatureStream> Start(bool signing) const;
  struct Key;
  std::unique_ptr<Key> key_;
  std::string public_pem_;
};

}  // namespace dangan
