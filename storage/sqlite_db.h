// SqliteDb and Statement: a thin RAII layer over the SQLite C API that turns result codes into
// Status values. A SqliteDb is one connection: use it, and the statements it prepared, from one
// thread at a time. Prepared statements are kept per connection and handed out again for the same
// SQL (reset, bindings cleared), so a hot query is compiled once per connection, not per call.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "archive/status.h"

namespace dangan {

// The statements a connection keeps for reuse. Shared with the statements handed out, so one
// that outlives its connection is finalized instead of kept.
struct StatementShelf {
  static constexpr size_t kMaxKept = 64;  // distinct SQL texts per connection
  bool open = true;
  size_t kept = 0;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> by_sql;
  void Keep(sqlite3_stmt* s);  // or finalizes it
};

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* s, std::shared_ptr<StatementShelf> shelf = nullptr)
      : db_(db), s_(s), shelf_(std::move(shelf)) {}
  Statement(Statement&& o) noexcept : db_(o.db_), s_(o.s_), shelf_(std::move(o.shelf_)) {
    o.s_ = nullptr;
  }
  Statement& operator=(Statement&& o) noexcept;
  ~Statement() { Finish(); }

  Statement& Bind(int i, const std::string& v);
  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Statement& Bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  Statement& BindNull(int i);
  Statement& BindBlob(int i, const std::string& v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // Binds an empty string as NULL (optional columns).
  Statement& BindOptional(int i, const std::string& v) {
    return v.empty() ? BindNull(i) : Bind(i, v);
  }

  // Advances: true with a row, false when done; errors go to `status`.
  bool Step(Status* status);
  // Runs to completion (for statements without rows).
  Status Run();
  Statement& Reset();

  std::string Text(int col) const;
  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  double Real(int col) const { return sqlite3_column_double(s_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  int Columns() const { return sqlite3_column_count(s_); }
  bool ReadOnly() const { return sqlite3_stmt_readonly(s_) != 0; }
  sqlite3* db() const { return db_; }
  bool IsBlob(int col) const { return sqlite3_column_type(s_, col) == SQLITE_BLOB; }
  std::string Blob(int col) const {
    const void* b = sqlite3_column_blob(s_, col);
    return b ? std::string(static_cast<const char*>(b),
                           static_cast<size_t>(sqlite3_column_bytes(s_, col)))
             : std::string();
  }

 private:
  void Finish();  // back on the shelf, or finalized
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
  std::shared_ptr<StatementShelf> shelf_;
};

class SqliteDb {
 public:
  // Opens (creating if `create`) a database file with WAL, foreign keys and a busy timeout.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool create);
  ~SqliteDb();

  Status Exec(const std::string& sql);
  Result<Statement> Prepare(const std::string& sql);
  sqlite3* handle() { return db_; }
  // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
  int Changes() const { return sqlite3_changes(db_); }
  Status Error(const std::string& context) const;
  // Statements on the shelf, ready for reuse.
  size_t kept_statements() const { return shelf_->kept; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db), shelf_(std::make_shared<StatementShelf>()) {}
  sqlite3* db_;
  std::shared_ptr<StatementShelf> shelf_;
};

Status SqliteStatus(sqlite3* db, int rc, const std::string& context);

}  // namespace dangan
