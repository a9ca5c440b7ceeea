#include "storage/pg_db.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>

namespace dangan {
namespace {

Status ResultStatus(PGconn* conn, PGresult* r, const std::string& what) {
  ExecStatusType t = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK || t == PGRES_EMPTY_QUERY) return Status::Ok();
  std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string code = state ? state : "";
  if (PQstatus(conn) != CONNECTION_OK)
    return Status(ErrorCode::kUnavailable, what + ": connection lost: " + msg);
  // 23505 unique_violation, 23P01 exclusion_violation: someone else holds this identity.
  if (code == "23505" || code == "23P01") return Status::Conflict(what + ": " + msg);
  // 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available (lock
  // timeout), 57014 query_canceled, 25P03 idle-in-transaction timeout: retry may work.
  if (code == "40001" || code == "40P01" || code == "55P03" || code == "57014" || code == "25P03")
    return Status(ErrorCode::kUnavailable, what + ": " + msg);
  // 22021 character_not_in_repertoire: text that is not valid UTF-8.
  if (code == "22021") return Status::InvalidArgument(what + ": text is not valid UTF-8: " + msg);
  return Status::Internal(what + ": " + msg + (code.empty() ? "" : " (SQLSTATE " + code + ")"));
}

// The first words of a statement, to say which one failed without quoting values.
std::string Describe(const std::string& sql) {
  std::string head = sql.substr(0, 60);
  for (auto& c : head)
    if (c == '\n') c = ' ';
  return "PostgreSQL (" + head + (sql.size() > 60 ? "…" : "") + ")";
}

}  // namespace

PgRows::PgRows(pg_result* r) : r_(r) {}
PgRows::PgRows(PgRows&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
PgRows& PgRows::operator=(PgRows&& o) noexcept {
  if (this != &o) {
    if (r_) PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}
PgRows::~PgRows() {
  if (r_) PQclear(r_);
}
int PgRows::size() const { return r_ ? PQntuples(r_) : 0; }
int PgRows::columns() const { return r_ ? PQnfields(r_) : 0; }
std::string PgRows::Text(int row, int col) const {
  return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
}
int64_t PgRows::Int(int row, int col) const {
  return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10);
}
bool PgRows::IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
int64_t PgRows::Affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : "";
  return *n ? std::strtoll(n, nullptr, 10) : 0;
}

Result<std::unique_ptr<PgDb>> PgDb::Connect(const std::string& url) {
  // TCP keepalives find a peer that vanished; the URL's own settings win over these defaults.
  const char* keys[] = {"keepalives",       "keepalives_idle", "keepalives_interval",
                        "keepalives_count", "dbname",          nullptr};
  const char* values[] = {"1", "30", "10", "3", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!conn) return Status(ErrorCode::kUnavailable, "PostgreSQL: out of memory connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(conn);
    return Status(ErrorCode::kUnavailable, "cannot connect to PostgreSQL: " + msg);
  }
  std::unique_ptr<PgDb> db(new PgDb(conn));
  // Notices (for example "relation already exists, skipping") are not errors; keep them off
  // stderr, where they would look like one.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  // A client that vanishes inside a transaction (power, network) must not hold its locks (a
  // series' 件号 counter, the chain's head) until TCP gives up hours later; a lock not granted
  // within a minute is an error to retry, not a wait without end.
  DANGAN_RETURN_IF_ERROR(
      db->Exec("SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC';"
               " SET idle_in_transaction_session_timeout = '10min'; SET lock_timeout = '60s'"));
  return db;
}

PgDb::~PgDb() {
  if (conn_) PQfinish(conn_);
}

Status PgDb::Exec(const std::string& sql) {
  // With several statements PQexec returns the last result, or the error that stopped them.
  PGresult* r = PQexec(conn_, sql.c_str());
  PgRows rows(r);
  DANGAN_RETURN_IF_ERROR(ResultStatus(conn_, r, Describe(sql)));
  // COMMIT of a transaction an earlier statement failed "succeeds" as a ROLLBACK.
  if (sql == "COMMIT" && std::strcmp(PQcmdStatus(r), "COMMIT") != 0)
    return Status(ErrorCode::kUnavailable,
                  "PostgreSQL rolled the transaction back: an earlier statement in it failed");
  return Status::Ok();
}

Result<PgRows> PgDb::Query(const std::string& sql, const PgParams& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& p = params[i];
    // Sent as C strings: a NUL would cut the value short without a word. PostgreSQL's text
    // cannot hold one anyway.
    if (p && p->find('\0') != std::string::npos)
      return Status::InvalidArgument(Describe(sql) + ": value $" + std::to_string(i + 1) +
                                     " holds a NUL character, which PostgreSQL text cannot store");
    values.push_back(p ? p->c_str() : nullptr);
  }
  PGresult* r = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                             values.data(), nullptr, nullptr, 0);
  PgRows rows(r);
  Status st = ResultStatus(conn_, r, Describe(sql));
  if (!st.ok()) return st;
  return rows;
}

Status PgDb::Run(const std::string& sql, const PgParams& params) {
  auto r = Query(sql, params);
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::optional<std::string>> PgDb::Value(const std::string& sql, const PgParams& params) {
  auto r = Query(sql, params);
  if (!r.ok()) return r.status();
  if (r->empty() || r->IsNull(0, 0)) return std::optional<std::string>();
  return std::optional<std::string>(r->Text(0, 0));
}

bool PgDb::InTransaction() const {
  PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

bool PgDb::Healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

std::string TsQueryLexeme(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "''";
    else if (c == '\\')
      out += "\\\\";
    else
      out += c;
  }
  return out + "'";
}

std::string PgTextArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace dangan
