#include "storage/sqlite_db.h"

#include <mutex>

namespace dangan {
namespace {

// Process-wide SQLite settings, applied once before the library initialises. Debian's SQLite keeps
// allocation statistics under one global mutex and has no lookaside allocator, so every small
// allocation of every connection met at that mutex: under 16 server threads it cost more than the
// queries. Nothing here reads those statistics. SQLITE_MISUSE means the library was initialised
// already (another component opened a database first); the setting is then simply not applied,
// which changes speed, never results.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

Status SqliteStatus(sqlite3* db, int rc, const std::string& context) {
  std::string msg = context + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return Status::NoSpace(msg);
    case SQLITE_IOERR:
      return Status::IOError(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(msg);
    case SQLITE_CONSTRAINT:
      return Status::Conflict(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(ErrorCode::kUnavailable, msg);
    case SQLITE_CANTOPEN:
      return Status::IOError(msg);
    default:
      return Status::Internal(msg);
  }
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    Finish();
    db_ = o.db_;
    s_ = o.s_;
    shelf_ = std::move(o.shelf_);
    o.s_ = nullptr;
  }
  return *this;
}

void Statement::Finish() {
  if (s_ && shelf_) {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    shelf_->Keep(s_);
  } else {
    sqlite3_finalize(s_);
  }
  s_ = nullptr;
  shelf_.reset();
}

void StatementShelf::Keep(sqlite3_stmt* s) {
  const char* sql = sqlite3_sql(s);
  if (!open || !sql || kept >= kMaxKept) {
    sqlite3_finalize(s);
    return;
  }
  by_sql[sql].push_back(s);
  ++kept;
}

Statement& Statement::Bind(int i, const std::string& v) {
  sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int i, int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}

Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

bool Statement::Step(Status* status) {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE && status) *status = SqliteStatus(db_, rc, "query");
  return false;
}

Status Statement::Run() {
  Status st;
  while (Step(&st)) {
  }
  sqlite3_reset(s_);
  return st;
}

Statement& Statement::Reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
  return *this;
}

std::string Statement::Text(int col) const {
  const unsigned char* t = sqlite3_column_text(s_, col);
  if (!t) return "";
  return std::string(reinterpret_cast<const char*>(t),
                     static_cast<size_t>(sqlite3_column_bytes(s_, col)));
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, bool create) {
  ConfigureSqliteOnce();
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status st = SqliteStatus(db, rc, "opening " + path);
    sqlite3_close(db);
    return st;
  }
  std::unique_ptr<SqliteDb> out(new SqliteDb(db));
  sqlite3_busy_timeout(db, 60000);
  sqlite3_extended_result_codes(db, 1);
  // WAL keeps readers off the writer's back; synchronous=FULL makes a commit durable on return,
  // which the promise "a 201 means it is kept" needs.
  // 8 KiB pages fit the catalogue's wide rows better than 4 KiB (less slack per leaf); it only
  // takes effect on a new file. A 16 MiB cache per connection keeps index inserts off the disk.
  // Incremental auto-vacuum keeps the pages a merge frees apart, so maintenance can hand them
  // back to the file system (Catalogue::Optimize); like the page size it only takes on a new file.
  if (create) DANGAN_RETURN_IF_ERROR(out->Exec("PRAGMA page_size=8192; PRAGMA auto_vacuum=2;"));
  DANGAN_RETURN_IF_ERROR(
      out->Exec("PRAGMA cache_size=-16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                "PRAGMA foreign_keys=ON;"
                " PRAGMA temp_store=MEMORY;"));
  return out;
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, kept] : shelf_->by_sql)
    for (sqlite3_stmt* s : kept) sqlite3_finalize(s);
  shelf_->by_sql.clear();
  shelf_->open = false;  // statements still out are finalized when they end
  sqlite3_close_v2(db_);
}

Status SqliteDb::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    Status st = SqliteStatus(nullptr, rc, msg);
    return Status(st.code(), msg);
  }
  return Status::Ok();
}

Result<Statement> SqliteDb::Prepare(const std::string& sql) {
  if (auto it = shelf_->by_sql.find(sql); it != shelf_->by_sql.end() && !it->second.empty()) {
    sqlite3_stmt* kept = it->second.back();
    it->second.pop_back();
    --shelf_->kept;
    return Statement(db_, kept, shelf_);
  }
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(db_, rc, "preparing SQL");
  // Kept for reuse only when the text is the whole statement, so that it is found again by it.
  const char* compiled = s ? sqlite3_sql(s) : nullptr;
  const bool whole = compiled && sql == compiled;
  return Statement(db_, s, whole ? shelf_ : nullptr);
}

Status SqliteDb::Error(const std::string& context) const {
  return SqliteStatus(db_, sqlite3_errcode(db_), context);
}

}  // namespace dangan
