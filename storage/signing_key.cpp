#include "storage/signing_key.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dangan {

struct SigningKey::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

struct SignatureStream::State {
  EVP_MD_CTX* ctx = nullptr;
  bool signing = false;
  bool failed = false;
  ~State() { EVP_MD_CTX_free(ctx); }
};

SignatureStream::SignatureStream(std::unique_ptr<State> s) : s_(std::move(s)) {}
SignatureStream::SignatureStream(SignatureStream&&) noexcept = default;
SignatureStream::~SignatureStream() = default;

void SignatureStream::Update(const void* data, size_t n) {
  if (s_->failed) return;
  int rc = s_->signing ? EVP_DigestSignUpdate(s_->ctx, data, n)
                       : EVP_DigestVerifyUpdate(s_->ctx, data, n);
  if (rc != 1) s_->failed = true;
}

Result<std::string> SignatureStream::Sign() {
  if (!s_->signing || s_->failed) return Status::Internal("the signature could not be computed");
  size_t n = 0;
  if (EVP_DigestSignFinal(s_->ctx, nullptr, &n) != 1) return Status::Internal("SM2 signing failed");
  std::string sig(n, '\0');
  if (EVP_DigestSignFinal(s_->ctx, reinterpret_cast<unsigned char*>(sig.data()), &n) != 1)
    return Status::Internal("SM2 signing failed");
  sig.resize(n);
  return sig;
}

bool SignatureStream::Verify(const std::string& signature) {
  if (s_->signing || s_->failed) return false;
  return EVP_DigestVerifyFinal(s_->ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                               signature.size()) == 1;
}

SigningKey::~SigningKey() = default;
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;

namespace {

std::string PublicPem(EVP_PKEY* k) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, k);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

}  // namespace

Result<SignatureStream> SigningKey::Start(bool signing) const {
  EVP_PKEY* pkey = key_->pkey;
  auto state = std::make_unique<SignatureStream::State>();
  state->ctx = EVP_MD_CTX_new();
  state->signing = signing;
  int rc = signing ? EVP_DigestSignInit(state->ctx, nullptr, EVP_sm3(), nullptr, pkey)
                   : EVP_DigestVerifyInit(state->ctx, nullptr, EVP_sm3(), nullptr, pkey);
  if (rc != 1) return Status::Internal("SM2 with SM3 is not available in this OpenSSL");
  return SignatureStream(std::move(state));
}

Result<SignatureStream> SigningKey::StartSigning() const { return Start(true); }
Result<SignatureStream> SigningKey::StartVerifying() const { return Start(false); }

Result<SigningKey> SigningKey::FromPublicPem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* k = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!k) return Status::InvalidArgument("not a PEM public key");
  SigningKey key;
  key.key_ = std::make_unique<Key>();
  key.key_->pkey = k;
  key.public_pem_ = PublicPem(k);
  return key;
}

Result<SigningKey> SigningKey::LoadOrCreate(const std::string& root) {
  const std::string path = root + "/" + kFileName;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
      EVP_PKEY* k = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
      std::fclose(f);
      if (!k) return Status::Corruption(path + " is not a PEM private key");
      SigningKey key;
      key.key_ = std::make_unique<Key>();
      key.key_->pkey = k;
      key.public_pem_ = PublicPem(k);
      return key;
    }
    EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2");
    if (!k) return Status::Internal("cannot generate an SM2 key");
    // Written under a private name, then linked: two processes racing end up with one key.
    std::string tmp = path + ".tmp.XXXXXX";
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) {
      EVP_PKEY_free(k);
      return Status::IOError("cannot create " + tmp + ": " + std::strerror(errno));
    }
    ::fchmod(fd, 0600);
    FILE* f = ::fdopen(fd, "wb");
    bool ok = f && PEM_write_PrivateKey(f, k, nullptr, nullptr, 0, nullptr, nullptr) == 1 &&
              std::fflush(f) == 0 && ::fsync(fd) == 0;
    if (f) std::fclose(f);
    EVP_PKEY_free(k);
    if (!ok) {
      ::unlink(tmp.c_str());
      return Status::IOError("cannot write " + tmp);
    }
    int rc = ::link(tmp.c_str(), path.c_str());
    int err = errno;
    ::unlink(tmp.c_str());
    if (rc != 0 && err != EEXIST)
      return Status::IOError("cannot create " + path + ": " + std::strerror(err));
    int dir = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
  }
  return Status::Internal("cannot create " + path);
}

}  // namespace dangan
