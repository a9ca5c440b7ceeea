#include "web/api_keys.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "storage/digest.h"
#include "storage/env.h"
#include "storage/secret_key.h"

namespace dangan::web {

const char* RoleName(ApiRole role) { return role == ApiRole::kIntake ? "intake" : "reader"; }

ApiKeyStore::ApiKeyStore(std::string root) : path_(std::move(root) + "/api_keys") {}

Result<std::string> ApiKeyStore::Create(const std::string& source, ApiRole role) {
  static const std::regex kSource("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  if (!std::regex_match(source, kSource))
    return Status::InvalidArgument("--source must be 1-64 letters, digits, '_', '.' or '-'");
  unsigned char id[4], secret[32];
  if (RAND_bytes(id, sizeof id) != 1 || RAND_bytes(secret, sizeof secret) != 1)
    return Status::Internal("no random bytes");
  std::string key_id = HexEncode(id, sizeof id);
  std::string key = "dk_" + key_id + "_" + HexEncode(secret, sizeof secret);
  std::string line =
      key_id + "\t" + source + "\t" + RoleName(role) + "\t" + Digest::OfString(key) + "\n";
  // Appends are serialised with flock so two `apikey create` runs cannot interleave lines.
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return PosixError(path_, errno);
  ::flock(fd, LOCK_EX);
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return PosixError(path_, err);
  return key;
}

Status ApiKeyStore::ReloadIfChanged() {
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) {
    entries_.clear();
    size_ = -1;
    return errno == ENOENT ? Status::Ok() : PosixError(path_, errno);
  }
  if (st.st_size == size_ && st.st_mtim.tv_sec == mtime_.tv_sec &&
      st.st_mtim.tv_nsec == mtime_.tv_nsec)
    return Status::Ok();
  std::ifstream in(path_);
  std::vector<Entry> entries;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, source, role, hash;
    if (!std::getline(fields, id, '\t') || !std::getline(fields, source, '\t') ||
        !std::getline(fields, role, '\t') || !std::getline(fields, hash, '\t'))
      continue;
    ApiPrincipal principal;
    principal.key_id = id;
    principal.source = source;
    principal.role = role == "reader" ? ApiRole::kReader : ApiRole::kIntake;
    entries.push_back({principal, hash});
  }
  entries_ = std::move(entries);
  mtime_ = st.st_mtim;
  size_ = st.st_size;
  return Status::Ok();
}

std::optional<ApiPrincipal> ApiKeyStore::Authenticate(const std::string& presented) {
  static const std::regex kShape("dk_([0-9a-f]{8})_[0-9a-f]{64}");
  std::smatch m;
  if (!std::regex_match(presented, m, kShape)) return std::nullopt;
  std::string hash = Digest::OfString(presented);
  std::lock_guard<std::mutex> lock(mu_);
  if (!ReloadIfChanged().ok()) return std::nullopt;
  for (const auto& e : entries_)
    if (e.principal.key_id == m[1].str() && ConstantTimeEquals(e.hash, hash)) return e.principal;
  return std::nullopt;
}

}  // namespace dangan::web
