#include "storage/user_registry.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <Poco/JSON/Object.h>

#include <cerrno>
#include <sstream>

namespace dangan {

Status UserRegistry::Add(const std::string& name, const std::string& role,
                         const AccessPolicy& policy, const std::string& actor,
                         const std::string& now, const std::string& password_hash) {
  if (name.empty() || name.size() > 100 || name.find_first_of("\n\t") != std::string::npos)
    return Status::InvalidArgument("a user name is 1-100 characters without tabs or newlines");
  if (!policy.FindRole(role)) {
    std::string known;
    for (const auto& r : policy.roles()) known += (known.empty() ? "" : ", ") + r.code;
    return Status::InvalidArgument("unknown role '" + role + "' (" + known + ")");
  }
  return catalogue_.WriteTables([&](SqlSession& db) -> Status {
    auto count = db.Run("SELECT COUNT(*) FROM users");
    if (!count.ok()) return count.status();
    if (count->Int(0, 0) == 0 && role != "admin")
      return Status::InvalidArgument("the first user must be an administrator (--role admin)");
    auto ins = db.Run(
        "INSERT INTO users(name, role, created_by, created_at, password_hash)"
        " VALUES($1,$2,$3,$4,$5) ON CONFLICT(name) DO NOTHING",
        {name, role, actor, now,
         password_hash.empty() ? SqlValue(nullptr) : SqlValue(password_hash)});
    if (!ins.ok()) return ins.status();
    if (ins->changed == 0) return Status::Conflict("user " + name + " exists");
    AuditEvent e;
    e.at = now;
    e.actor = actor;
    e.action = "user-add";
    Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
    detail.set("user", name);
    detail.set("role", role);
    std::ostringstream json;
    detail.stringify(json);
    e.detail = json.str();
    auto appended = db.Log(e);
    return appended.ok() ? Status::Ok() : appended.status();
  });
}

Status UserRegistry::SetPassword(const std::string& name, const std::string& password_hash,
                                 const std::string& actor, const std::string& now) {
  if (password_hash.empty()) return Status::InvalidArgument("no password given");
  return catalogue_.WriteTables([&](SqlSession& db) -> Status {
    auto up = db.Run("UPDATE users SET password_hash=$1 WHERE name=$2", {password_hash, name});
    if (!up.ok()) return up.status();
    if (up->changed == 0) return Status::NotFound("no user " + name);
    // Whoever knew the old password may be signed in with it.
    auto end = db.Run("DELETE FROM sessions WHERE \"user\"=$1", {name});
    if (!end.ok()) return end.status();
    AuditEvent e;
    e.at = now;
    e.actor = actor;
    e.action = "user-password";
    Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
    detail.set("user", name);
    std::ostringstream json;
    detail.stringify(json);
    e.detail = json.str();
    auto appended = db.Log(e);
    return appended.ok() ? Status::Ok() : appended.status();
  });
}

Result<std::vector<UserEntry>> UserRegistry::List() {
  std::vector<UserEntry> out;
  Status st = catalogue_.ReadTables([&](SqlSession& db) -> Status {
    auto q = db.Run("SELECT name, role, created_by, created_at FROM users ORDER BY name");
    if (!q.ok()) return q.status();
    for (size_t i = 0; i < q->size(); ++i)
      out.push_back({q->Text(i, 0), q->Text(i, 1), q->Text(i, 2), q->Text(i, 3)});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::optional<std::string>> RoleOfUser(const std::string& path, const std::string& name,
                                              int64_t* users) {
  *users = 0;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    // Only a catalogue that is not there means "nobody registered"; one that is there but
    // cannot be opened (a directory, unreadable) must not open the archive to everyone.
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR))
      return std::optional<std::string>();
    return Status::IOError("reading the users of " + path + ": " + why);
  }
  sqlite3_busy_timeout(db, 5000);
  std::optional<std::string> role;
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db,
                              "SELECT (SELECT COUNT(*) FROM users), role FROM users WHERE name=?1"
                              " UNION ALL SELECT COUNT(*), NULL FROM users LIMIT 1",
                              -1, &st, nullptr);
  Status failed;
  if (rc != SQLITE_OK) {
    // Only a catalogue from before the users table means "nobody registered": any other error
    // must not open the archive to everyone.
    const std::string why = sqlite3_errmsg(db);
    if (why.find("no such table") == std::string::npos)
      failed = Status::IOError("reading the users of " + path + ": " + why);
  } else {
    sqlite3_bind_text(st, 1, name.c_str(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      *users = sqlite3_column_int64(st, 0);
      if (sqlite3_column_type(st, 1) != SQLITE_NULL)
        role = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
    } else if (rc != SQLITE_DONE) {
      failed = Status::IOError("reading the users of " + path + ": " + sqlite3_errmsg(db));
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (!failed.ok()) return failed;
  return role;
}

}  // namespace dangan
