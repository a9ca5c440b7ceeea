// SessionStore: who is signed in to the web workbench. A session is a random token the browser
// keeps in an HttpOnly cookie; the catalogue keeps only the token's SHA-256 (a copy of the
// catalogue signs no one in), the user, a CSRF token, and when it began and was last used.
// Sessions end after `idle_seconds` unused or `lifetime_seconds` in all; the user's role is read
// afresh on every use, so a change of role applies at once. Kept in either catalogue backend, so
// any server of a shared PostgreSQL catalogue knows every session. Thread-safe as the catalogue is.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "archive/status.h"
#include "storage/sql_tables.h"

namespace dangan {

struct SignedInUser {
  std::string name, role, csrf;
};

struct NewSession {
  std::string token;  // the cookie's value; shown once, never stored
  SignedInUser user;
};

class SessionStore {
 public:
  struct Options {
    int64_t idle_seconds = 2 * 3600;
    int64_t lifetime_seconds = 12 * 3600;
    std::function<int64_t()> now_unix;     // default: the system clock
    std::function<std::string()> now_iso;  // for audit events; default: UTC
  };

  SessionStore(SqlTables& catalogue, Options options);

  // kUnauthorized with the same words for an unknown name, a user without a password and a
  // wrong password (and after the same slow hash), so neither answers nor timing tell which.
  // A successful sign-in is a `sign-in` audit event.
  Result<NewSession> SignIn(const std::string& name, const std::string& password);
  // Checks a password without starting a session (a second person confirming an act, such as
  // a 监销人 of a destruction); returns the user's role. Refused as SignIn refuses.
  Result<std::string> Confirm(const std::string& name, const std::string& password);
  // The signed-in user of a token, or nullopt when it is unknown, expired or its user is gone.
  Result<std::optional<SignedInUser>> Find(const std::string& token);
  // Ends the session (a `sign-out` event); an unknown token is not an error.
  Status SignOut(const std::string& token);

 private:
  struct Checked {
    std::string role, password_hash;
  };
  // The user's role and the hash the password matched; refused as SignIn refuses.
  Result<Checked> Check(const std::string& name, const std::string& password);
  SqlTables& catalogue_;
  Options options_;
};

}  // namespace dangan
