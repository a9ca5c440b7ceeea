// PgDb and PgRows: a thin RAII layer over libpq that turns results into Status values, for the
// PostgreSQL catalogue (storage/pg_catalogue.h) and the work queue. A PgDb is one connection:
// use it from one thread at a time. Parameters travel as text, separate from the SQL, so no value
// is ever spliced into a statement.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/status.h"

struct pg_conn;
struct pg_result;

namespace dangan {

// A statement's parameters ($1, $2 …) in text form; nullopt is SQL NULL.
using PgParams = std::vector<std::optional<std::string>>;

// The rows a statement returned. Owns its PGresult.
class PgRows {
 public:
  explicit PgRows(pg_result* r);
  PgRows(PgRows&&) noexcept;
  PgRows& operator=(PgRows&&) noexcept;
  ~PgRows();

  int size() const;
  int columns() const;
  bool empty() const { return size() == 0; }
  std::string Text(int row, int col) const;
  int64_t Int(int row, int col) const;
  bool IsNull(int row, int col) const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  int64_t Affected() const;

 private:
  pg_result* r_;
};

class PgDb {
 public:
  // Connects with a libpq connection string or URI ("postgresql://user@host:port/db"). Fails
  // with kUnavailable when the server cannot be reached.
  static Result<std::unique_ptr<PgDb>> Connect(const std::string& url);
  ~PgDb();
  PgDb(const PgDb&) = delete;
  PgDb& operator=(const PgDb&) = delete;

  // One or more statements without parameters (schema changes, BEGIN, COMMIT).
  Status Exec(const std::string& sql);
  // One statement with parameters. Errors carry the server's message; a unique or exclusion
  // violation is kConflict, a lost connection kUnavailable.
  Result<PgRows> Query(const std::string& sql, const PgParams& params = {});
  Status Run(const std::string& sql, const PgParams& params = {});
  // The single value of a one-row, one-column query (nullopt for no row or NULL).
  Result<std::optional<std::string>> Value(const std::string& sql, const PgParams& params = {});

  // Whether a transaction is open (or failed and waiting for ROLLBACK) on this connection.
  bool InTransaction() const;
  // Whether the connection is still usable; a broken one should be dropped, not pooled.
  bool Healthy() const;

 private:
  explicit PgDb(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
};

// Quotes `s` as a lexeme for a tsquery ('it''s' with backslashes doubled), so user text is never
// read as query syntax.
std::string TsQueryLexeme(const std::string& s);

// Literal of a text array for a parameter ("{"a","b\"c"}"), for `$1::text[]`.
std::string PgTextArray(const std::vector<std::string>& items);

}  // namespace dangan
