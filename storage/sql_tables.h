// SqlSession and SqlRows: the tables other stores keep in the catalogue (users and sign-in
// sessions, the capture review queue so far) reached the same way on either backend, so one store's
// code serves the embedded SQLite file and a PostgreSQL server alike. Statements are written in the
// SQL both take: $1, $2 … for parameters, "user" quoted. A session is one connection; use it from
// the thread that was handed it, inside the call that handed it.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "archive/audit_chain.h"
#include "archive/status.h"

namespace dangan {

// A statement parameter: NULL, a whole number, a real number or text.
using SqlValue = std::variant<std::nullptr_t, int64_t, double, std::string>;

// What a statement returned: its rows as text (nullopt for NULL) and how many rows an INSERT,
// UPDATE or DELETE changed (for a SELECT the backends differ: read only the rows).
struct SqlRows {
  std::vector<std::vector<std::optional<std::string>>> rows;
  int64_t changed = 0;

  bool empty() const { return rows.empty(); }
  size_t size() const { return rows.size(); }
  bool IsNull(size_t row, size_t col) const { return !rows[row][col].has_value(); }
  // "" for NULL.
  std::string Text(size_t row, size_t col) const { return rows[row][col].value_or(""); }
  // 0 for NULL or text that is no number.
  int64_t Int(size_t row, size_t col) const {
    return rows[row][col] ? std::strtoll(rows[row][col]->c_str(), nullptr, 10) : 0;
  }
  // 0 for NULL or text that is no number.
  double Real(size_t row, size_t col) const {
    return rows[row][col] ? std::strtod(rows[row][col]->c_str(), nullptr) : 0;
  }
};

class SqlSession {
 public:
  virtual ~SqlSession() = default;
  // Runs one statement to its end.
  virtual Result<SqlRows> Run(const std::string& sql, const std::vector<SqlValue>& params = {}) = 0;
  // Appends an audit event, linked to the chain's head, in this session's transaction; refused
  // (kInternal) outside WriteTables.
  virtual Result<AuditEvent> Log(const AuditEvent& draft) = 0;
  // Makes the rest of this write transaction the only one, on any server, to hold `name` (for
  // example a register's numbering: read the last number, insert the next). Released at commit
  // or rollback. Refused (kInternal) outside WriteTables.
  virtual Status Serialize(const std::string& name) = 0;
};

// What a catalogue backend offers those stores (RecordCatalogue implements it).
class SqlTables {
 public:
  virtual ~SqlTables() = default;
  // `fn` in one write transaction: its statements and the events it logs commit together, or
  // none of them does.
  virtual Status WriteTables(const std::function<Status(SqlSession&)>& fn) = 0;
  // `fn` on a connection outside any transaction: for reads, and for a single statement whose
  // change needs no event.
  virtual Status ReadTables(const std::function<Status(SqlSession&)>& fn) = 0;
};

}  // namespace dangan
