#include "storage/session_store.h"

#include <openssl/rand.h>

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Object.h>

#include <chrono>
#include <sstream>

#include "storage/digest.h"
#include "storage/password_hash.h"

namespace dangan {

namespace {

Result<std::string> RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    return Status::Internal("no random bytes for a session");
  return HexEncode(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string UserDetail(const std::string& name) {
  Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
  detail.set("user", name);
  std::ostringstream json;
  detail.stringify(json);
  return json.str();
}

// A hash no password matches, computed as slowly as a real one: an unknown name costs the same.
const std::string& DecoyHash() {
  static const std::string decoy = [] {
    auto h = HashPassword("decoy password nobody has");
    return h.ok() ? *h : std::string();
  }();
  return decoy;
}

bool UsableToken(const std::string& token) {
  if (token.size() != 64) return false;
  for (char c : token)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

SessionStore::SessionStore(SqlTables& catalogue, Options options)
    : catalogue_(catalogue), options_(std::move(options)) {
  if (!options_.now_unix)
    options_.now_unix = [] {
      return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
    };
  if (!options_.now_iso)
    options_.now_iso = [] {
      return Poco::DateTimeFormatter::format(Poco::DateTime(),
                                             Poco::DateTimeFormat::ISO8601_FORMAT);
    };
}

Result<std::string> SessionStore::Confirm(const std::string& name, const std::string& password) {
  auto checked = Check(name, password);
  if (!checked.ok()) return checked.status();
  return checked->role;
}

Result<SessionStore::Checked> SessionStore::Check(const std::string& name,
                                                  const std::string& password) {
  const Status refused(ErrorCode::kUnauthorized, "the name or the password is wrong");
  if (name.empty() || name.size() > 100 || password.size() > 1024) return refused;
  std::optional<std::pair<std::string, std::string>> user;  // role, password hash
  Status st = catalogue_.ReadTables([&](SqlSession& db) -> Status {
    auto q = db.Run("SELECT role, password_hash FROM users WHERE name=$1", {name});
    if (!q.ok()) return q.status();
    if (!q->empty()) user.emplace(q->Text(0, 0), q->Text(0, 1));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  const std::string& stored = user && !user->second.empty() ? user->second : DecoyHash();
  bool matches = PasswordMatches(password, stored);
  if (!user || user->second.empty() || !matches) return refused;
  return Checked{user->first, user->second};
}

Result<NewSession> SessionStore::SignIn(const std::string& name, const std::string& password) {
  auto checked = Check(name, password);
  if (!checked.ok()) return checked.status();
  auto token = RandomHex(32);
  if (!token.ok()) return token.status();
  auto csrf = RandomHex(32);
  if (!csrf.ok()) return csrf.status();
  const int64_t now = options_.now_unix();
  Status st = catalogue_.WriteTables([&](SqlSession& db) -> Status {
    // Sessions long over are swept here rather than by a timer: sign-ins are rare enough.
    auto sweep = db.Run("DELETE FROM sessions WHERE seen_at < $1 OR created_at < $2",
                        {now - options_.idle_seconds, now - options_.lifetime_seconds});
    if (!sweep.ok()) return sweep.status();
    // Only while the password checked is still the user's: a new one set meanwhile (on any
    // server) ends every session, this one included.
    auto ins = db.Run(
        "INSERT INTO sessions(token_sha256, \"user\", csrf, created_at, seen_at)"
        " SELECT $1,$2,$3,$4,$4 WHERE EXISTS"
        " (SELECT 1 FROM users WHERE name=$2 AND password_hash=$5)",
        {Digest::OfString(*token), name, *csrf, now, checked->password_hash});
    if (!ins.ok()) return ins.status();
    if (ins->changed == 0)
      return Status(ErrorCode::kUnauthorized, "the name or the password is wrong");
    AuditEvent e;
    e.at = options_.now_iso();
    e.actor = name;
    e.action = "sign-in";
    e.detail = UserDetail(name);
    auto appended = db.Log(e);
    return appended.ok() ? Status::Ok() : appended.status();
  });
  if (!st.ok()) return st;
  return NewSession{*token, {name, checked->role, *csrf}};
}

Result<std::optional<SignedInUser>> SessionStore::Find(const std::string& token) {
  std::optional<SignedInUser> found;
  if (!UsableToken(token)) return found;
  const int64_t now = options_.now_unix();
  const std::string key = Digest::OfString(token);
  int64_t seen_at = 0;
  Status st = catalogue_.ReadTables([&](SqlSession& db) -> Status {
    auto q = db.Run(
        "SELECT s.\"user\", u.role, s.csrf, s.seen_at FROM sessions s"
        " JOIN users u ON u.name=s.\"user\""
        " WHERE s.token_sha256=$1 AND s.seen_at >= $2 AND s.created_at >= $3",
        {key, now - options_.idle_seconds, now - options_.lifetime_seconds});
    if (!q.ok()) return q.status();
    if (!q->empty()) {
      found = SignedInUser{q->Text(0, 0), q->Text(0, 1), q->Text(0, 2)};
      seen_at = q->Int(0, 3);
    }
    // The idle clock moves at most once a minute: a write per request would serialise reads.
    if (found && now - seen_at >= 60) {
      auto u = db.Run("UPDATE sessions SET seen_at=$1 WHERE token_sha256=$2", {now, key});
      if (!u.ok()) return u.status();
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return found;
}

Status SessionStore::SignOut(const std::string& token) {
  if (!UsableToken(token)) return Status::Ok();
  const std::string key = Digest::OfString(token);
  return catalogue_.WriteTables([&](SqlSession& db) -> Status {
    auto q = db.Run("DELETE FROM sessions WHERE token_sha256=$1 RETURNING \"user\"", {key});
    if (!q.ok()) return q.status();
    if (q->empty()) return Status::Ok();
    const std::string user = q->Text(0, 0);
    AuditEvent e;
    e.at = options_.now_iso();
    e.actor = user;
    e.action = "sign-out";
    e.detail = UserDetail(user);
    auto appended = db.Log(e);
    return appended.ok() ? Status::Ok() : appended.status();
  });
}

}  // namespace dangan
