// ApiKeyStore: the API keys of business systems and readers, kept hashed (SHA-256 of a key with
// 256 random bits) in <root>/api_keys, one line per key. A key is shown once, at creation.
// Thread-safe: the file is re-read when it changes, under a mutex.
#pragma once

#include <ctime>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "archive/status.h"

namespace dangan::web {

enum class ApiRole { kIntake, kReader };

// Who made a request: an API key (a business system or a reader), or a person signed in to the
// web workbench (`user` set, with a role of the access policy).
struct ApiPrincipal {
  std::string key_id;  // public part of the key, safe to log; empty for a person
  std::string source;  // the business system (intake) or reader name; empty for a person
  ApiRole role = ApiRole::kIntake;
  std::string user;       // the signed-in person's name
  std::string user_role;  // and role (archive/scheme/roles.json)
  bool person() const { return !user.empty(); }
  // The actor of audit events and access logs.
  std::string Actor() const { return person() ? user : "api:" + source + ":" + key_id; }
};

class ApiKeyStore {
 public:
  explicit ApiKeyStore(std::string root);

  // Adds a key and returns it in clear ("dk_<id>_<secret>"); only its hash is stored.
  Result<std::string> Create(const std::string& source, ApiRole role);
  // The principal a presented key belongs to, or nullopt.
  std::optional<ApiPrincipal> Authenticate(const std::string& presented);

 private:
  struct Entry {
    ApiPrincipal principal;
    std::string hash;
  };
  Status ReloadIfChanged();
  std::string path_;
  std::mutex mu_;
  std::vector<Entry> entries_;
  struct timespec mtime_ {};
  off_t size_ = -1;
};

const char* RoleName(ApiRole role);
// The role of archive/access_policy.h a key of this kind acts in ("intake", "reader").
inline std::string PolicyRole(ApiRole role) {
  return role == ApiRole::kReader ? "reader" : "intake";
}
inline std::string PolicyRole(const ApiPrincipal& who) {
  return who.person() ? who.user_role : PolicyRole(who.role);
}

}  // namespace dangan::web
