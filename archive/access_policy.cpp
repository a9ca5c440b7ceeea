#include "archive/access_policy.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace dangan {

Result<AccessPolicy> AccessPolicy::Parse(const std::string& json) {
  AccessPolicy p;
  try {
    Poco::JSON::Parser parser;
    auto root = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
    auto perms = root ? root->getObject("permissions") : nullptr;
    auto roles = root ? root->getArray("roles") : nullptr;
    if (!perms || !roles)
      return Status::InvalidArgument("roles: 'permissions' and 'roles' are required");
    for (const auto& [name, description] : *perms) p.permissions_[name] = description.toString();
    for (size_t i = 0; i < roles->size(); ++i) {
      auto o = roles->getObject(i);
      if (!o) return Status::InvalidArgument("roles: each role is an object");
      Role r;
      r.code = o->optValue<std::string>("code", "");
      r.name = o->optValue<std::string>("name", "");
      if (r.code.empty() || r.name.empty())
        return Status::InvalidArgument("roles[" + std::to_string(i) + "] needs a code and a name");
      if (p.FindRole(r.code)) return Status::InvalidArgument("role " + r.code + " is listed twice");
      auto list = o->getArray("permissions");
      for (size_t j = 0; list && j < list->size(); ++j) {
        std::string perm = list->get(j).toString();
        if (!p.permissions_.count(perm))
          return Status::InvalidArgument("role " + r.code + " names unknown permission " + perm);
        r.permissions.insert(perm);
      }
      p.roles_.push_back(std::move(r));
    }
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("roles: " + e.displayText());
  }
  return p;
}

Result<AccessPolicy> AccessPolicy::LoadBuiltin() { return Parse(BuiltinRolesJson()); }

Result<AccessPolicy> AccessPolicy::LoadWithLocal(const std::string& json,
                                                 const std::string& origin) {
  auto builtin = LoadBuiltin();
  if (!builtin.ok() || json.empty()) return builtin;
  auto local = Parse(json);
  if (!local.ok()) return local.status().WithContext(origin);
  for (const auto& [name, description] : builtin->permissions())
    if (!local->permissions_.count(name))
      return Status::InvalidArgument("permission " + name + " (" + description +
                                     ") is missing; every permission the program checks must be "
                                     "declared")
          .WithContext(origin);
  for (const char* code : {"intake", "reader", "public"})
    if (!local->FindRole(code))
      return Status::InvalidArgument(std::string("role ") + code +
                                     " is missing; API keys and the public are given it")
          .WithContext(origin);
  bool admin = false;
  for (const auto& r : local->roles_) admin |= r.permissions.count("admin") > 0;
  if (!admin)
    return Status::InvalidArgument("no role holds the admin permission").WithContext(origin);
  return local;
}

const AccessPolicy::Role* AccessPolicy::FindRole(const std::string& code) const {
  for (const auto& r : roles_)
    if (r.code == code) return &r;
  return nullptr;
}

Status AccessPolicy::Check(const std::string& role, const std::string& permission) const {
  if (permission.empty()) return Status::Ok();
  const Role* r = FindRole(role);
  if (!r) return Status(ErrorCode::kForbidden, "unknown role '" + role + "' may do nothing");
  if (r->permissions.count(permission)) return Status::Ok();
  auto what = permissions_.find(permission);
  return Status(ErrorCode::kForbidden,
                "the role " + r->name + " (" + r->code + ") may not " +
                    (what == permissions_.end() ? permission : what->second));
}

}  // namespace dangan
