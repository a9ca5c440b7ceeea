// RecordCatalogue: what every catalogue backend offers (the embedded SQLite file, Catalogue, and
// PostgreSQL for many servers, PgCatalogue): filing, records, search, the audit chain and fixity
// results, with the same behaviour, checked by one test suite run against both. Implementations
// are thread-safe; the caller owns the object and what it returns.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "archive/audit_chain.h"
#include "archive/filing.h"
#include "archive/record.h"
#include "storage/sql_tables.h"

namespace dangan {

struct SearchSpec {
  std::string text;  // free text; 档号 and identifiers are recognised
  std::string class_code;
  std::string item;
  std::string retention;
  int year = 0;
  std::string person_id;  // exact 公民身份号码
  std::string unit_code;  // exact 统一社会信用代码
  int offset = 0;
  int limit = 20;
  bool facets = false;  // count matches by class, year and retention
  // Hits as someone without the right to personal data sees them: the person's name and
  // 公民身份号码 masked in titles and snippets (archive/record_masking.h).
  bool mask_personal = false;
};

struct SearchHit {
  std::string reference;
  std::string title;
  int year = 0;
  std::string class_code;
  std::string item;
  std::string retention;
  std::string formed_on;
  std::string snippet;  // matched text with [ ] around hits, ID numbers masked; empty without text
};

struct SearchPage {
  int64_t total = 0;  // matches, counted up to kCountCap
  bool total_is_lower_bound = false;
  std::vector<SearchHit> hits;
  // facet name ("class", "year", "retention") → value → count, over the newest kFacetSample
  // matches (all of them unless facets_are_sample).
  std::map<std::string, std::map<std::string, int64_t>> facets;
  bool facets_are_sample = false;
};

struct FixityResult {
  std::string reference;
  std::string checked_at;
  bool ok = false;
  std::string detail;
};

class RecordCatalogue : public CataloguePort, public SqlTables {
 public:
  static constexpr int64_t kCountCap = 10000;
  static constexpr int64_t kFacetSample = 2000;

  virtual Result<std::optional<Record>> GetRecord(const std::string& reference) = 0;
  // The records named, in the order given (repeats repeated), without their files: the rows of a
  // listing such as the 归档文件目录, read in a few statements rather than one per record. A
  // reference not filed (or destroyed since it was listed) is left out.
  virtual Result<std::vector<Record>> ListRecords(const std::vector<std::string>& references) = 0;
  virtual Result<std::vector<std::string>> References() = 0;  // all filed, in filing order
  virtual Result<int64_t> CountRecords() = 0;
  virtual Result<bool> HasPackage(const std::string& rel_path) = 0;
  virtual Result<SearchPage> Search(const SearchSpec& spec) = 0;

  // Audit events about one record (or all events when `reference` is empty), in chain order.
  // With `newest` > 0, only that many of the latest events (still in chain order).
  // kHistory leaves out accesses (views, downloads): what was done to the record, not who read it.
  enum class EventKinds { kAll, kHistory };
  virtual Result<std::vector<AuditEvent>> Events(const std::string& reference, int newest,
                                                 EventKinds kinds) = 0;
  virtual Result<int64_t> CountEvents(const std::string& reference, EventKinds kinds) = 0;
  // The chain's head (nullopt while it is empty), and the event numbered `seq`.
  virtual Result<std::optional<AuditEvent>> LastEvent() = 0;
  virtual Result<std::optional<AuditEvent>> EventAt(int64_t seq) = 0;
  // Appends events outside filing (verify, export, view…), linked to the chain's head, in one
  // transaction, in order (all or none); returns the last. kRelaxed lets a backend skip waiting
  // for the disk at commit: for access events on hot read paths, which a crash may lose (never a
  // filing, never the chain's integrity).
  enum class Durability { kSynced, kRelaxed };
  virtual Result<AuditEvent> AppendEvents(const std::vector<AuditEvent>& drafts,
                                          Durability durability) = 0;
  // Keeps fixity results, all in one transaction.
  virtual Status RecordFixity(const std::vector<FixityResult>& results) = 0;
  virtual Result<std::optional<FixityResult>> LastFixity(const std::string& reference) = 0;
  // Makes every transaction committed so far durable, kRelaxed ones included: whatever was read
  // before this call cannot be taken back by a power loss once it returns OK.
  virtual Status SyncCommitted() = 0;
  // Removes the record numbered `id` (its rows and search entries) inside `in`, a WriteTables
  // transaction of this catalogue: destruction, once its tombstone is kept. Events stay.
  virtual Status RemoveRecord(SqlSession& in, int64_t id) = 0;
  virtual int schema_version() const = 0;
};

// Views, downloads and searches: events that read, not change, the archive.
bool IsAccessAction(const std::string& action);

}  // namespace dangan
