// UserRegistry: the people who act on the archive, each with one role of the access policy,
// kept in the catalogue's `users` table (either backend); adding one is an audit event. Once any
// user exists, every `dangan` command names a registered --actor whose role allows it.
// Thread-safe as the catalogue is.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "archive/access_policy.h"
#include "archive/status.h"
#include "storage/sql_tables.h"

namespace dangan {

struct UserEntry {
  std::string name, role, created_by, created_at;
};

class UserRegistry {
 public:
  explicit UserRegistry(SqlTables& catalogue) : catalogue_(catalogue) {}
  // The first user must be an administrator (so someone can add the rest).
  // `password_hash` (storage/password_hash.h) lets the user sign in to the web workbench; empty:
  // the command line only.
  Status Add(const std::string& name, const std::string& role, const AccessPolicy& policy,
             const std::string& actor, const std::string& now,
             const std::string& password_hash = "");
  // Sets or replaces a user's password hash and ends the user's sessions (a `user-password`
  // event). kNotFound for an unknown user.
  Status SetPassword(const std::string& name, const std::string& password_hash,
                     const std::string& actor, const std::string& now);
  Result<std::vector<UserEntry>> List();

 private:
  SqlTables& catalogue_;
};

// Looks `name` up in the catalogue file at `path` without opening the archive (read-only; a
// catalogue from before users existed has none). Sets *users to how many there are.
Result<std::optional<std::string>> RoleOfUser(const std::string& catalogue_path,
                                              const std::string& name, int64_t* users);

}  // namespace dangan
