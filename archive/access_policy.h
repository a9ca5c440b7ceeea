// AccessPolicy: which role may do what, loaded from data (archive/scheme/roles.json) and
// enforced in one place: the `dangan` commands and the HTTP routes each name the permission they
// need and ask Check(). Immutable after loading; safe to share across threads.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "archive/status.h"

namespace dangan {

class AccessPolicy {
 public:
  struct Role {
    std::string code;  // "archivist"
    std::string name;  // 档案管理员
    std::set<std::string> permissions;
  };

  static Result<AccessPolicy> Parse(const std::string& json);
  static Result<AccessPolicy> LoadBuiltin();
  // An archive's own roles (roles.local.json) in place of the built-in ones; empty `json`: the
  // built-in ones. It must declare every permission the program checks and keep the roles the
  // program assigns itself (intake, reader, public), and some role must hold `admin`, so that a
  // slip in the file cannot leave a route unguarded or lock everyone out. `origin` names the
  // file in errors.
  static Result<AccessPolicy> LoadWithLocal(const std::string& json, const std::string& origin);

  // OK, or Forbidden naming the role and what it may not do. An unknown role may do nothing.
  // An empty permission is public: everyone may.
  Status Check(const std::string& role, const std::string& permission) const;
  bool Allows(const std::string& role, const std::string& permission) const {
    return Check(role, permission).ok();
  }
  const Role* FindRole(const std::string& code) const;
  const std::vector<Role>& roles() const { return roles_; }
  const std::map<std::string, std::string>& permissions() const { return permissions_; }

 private:
  std::vector<Role> roles_;
  std::map<std::string, std::string> permissions_;  // name → description
};

const char* BuiltinRolesJson();

}  // namespace dangan
