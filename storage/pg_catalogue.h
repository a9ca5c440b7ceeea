// PgCatalogue: the catalogue on PostgreSQL, for many servers and workers sharing one index
// (archive.catalogue=postgresql://…); the embedded default stays SQLite (storage/catalogue.h).
// Same behaviour as the SQLite backend, with the locking done by the server: 件号 come from a
// counter row per series locked until commit (unique and gap-free across servers), a case's
// idempotency key and the audit chain's head from transaction-scoped advisory locks. Chinese
// full text: each record's Han bigrams, edge and single characters and ASCII words (the
// dangan_cjk tokenizer's tokens) as a tsvector under a GIN index, so 1- and 2-character queries
// hit the index; longer phrases are then checked against the text itself.
// Thread-safe: each call borrows a connection from a pool.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "archive/reference_number.h"
#include "storage/pg_db.h"
#include "storage/record_catalogue.h"

namespace dangan {

class PgCatalogue : public RecordCatalogue {
 public:
  // Connects to `url` (a libpq URI; its `options=-csearch_path=…` picks a schema) and applies
  // pending migrations, one server at a time. `reference_shape` recognises 档号 in search text
  // (may be null).
  static Result<std::unique_ptr<PgCatalogue>> Open(const std::string& url,
                                                   const ReferenceTemplate* reference_shape);

  Result<std::optional<FiledCase>> FindCase(const std::string& source,
                                            const std::string& case_id) override;
  Result<std::unique_ptr<FilingTransaction>> BeginFiling() override;
  Result<std::optional<Record>> GetRecord(const std::string& reference) override;
  Result<std::vector<Record>> ListRecords(const std::vector<std::string>& references) override;
  Result<std::vector<std::string>> References() override;
  Result<int64_t> CountRecords() override;
  Result<bool> HasPackage(const std::string& rel_path) override;
  Result<SearchPage> Search(const SearchSpec& spec) override;
  Result<std::vector<AuditEvent>> Events(const std::string& reference = "", int newest = 0,
                                         EventKinds kinds = EventKinds::kAll) override;
  Result<int64_t> CountEvents(const std::string& reference,
                              EventKinds kinds = EventKinds::kAll) override;
  Result<std::optional<AuditEvent>> LastEvent() override;
  Result<std::optional<AuditEvent>> EventAt(int64_t seq) override;
  Result<AuditEvent> AppendEvents(const std::vector<AuditEvent>& drafts,
                                  Durability durability) override;
  Status RecordFixity(const std::vector<FixityResult>& results) override;
  Result<std::optional<FixityResult>> LastFixity(const std::string& reference) override;
  int schema_version() const override { return schema_version_; }
  // A synchronous commit that writes: it waits for the log to be flushed up to its own record,
  // past every relaxed commit before it.
  Status SyncCommitted() override;
  Status RemoveRecord(SqlSession& in, int64_t id) override;
  Status WriteTables(const std::function<Status(SqlSession&)>& fn) override;
  Status ReadTables(const std::function<Status(SqlSession&)>& fn) override;

  // How Search finds a text query's newest matches (see Search): by cost (the default), or always
  // by walking the records newest first where the text allows. The answers are the same; tests
  // force the walk, which small archives never pick, to compare them.
  enum class SearchPlan { kCosted, kWalk };
  void set_search_plan(SearchPlan plan) { search_plan_ = plan; }

  // A connection from the pool, given back when the lease ends (dropped if it broke or was left
  // inside a transaction).
  class Lease {
   public:
    Lease(Lease&&) = default;
    ~Lease();
    PgDb* operator->() { return db_.get(); }
    PgDb& operator*() { return *db_; }

   private:
    friend class PgCatalogue;  // only Borrow makes one: each counts against the cap
    Lease(PgCatalogue* owner, std::unique_ptr<PgDb> db) : owner_(owner), db_(std::move(db)) {}
    PgCatalogue* owner_;
    std::unique_ptr<PgDb> db_;
  };
  Result<Lease> Borrow();
  // At most `n` connections at once (default 32); a caller finding all of them leased waits up
  // to `wait` for one, in arrival order, then fails with kUnavailable.
  void SetMaxConnections(size_t n, std::chrono::milliseconds wait = std::chrono::seconds(10));

 private:
  PgCatalogue(std::string url, const ReferenceTemplate* shape)
      : url_(std::move(url)), shape_(shape) {}
  std::string url_;
  const ReferenceTemplate* shape_;
  int schema_version_ = 0;
  std::atomic<SearchPlan> search_plan_{SearchPlan::kCosted};
  // The highest search partition (record id / its width) seen committed: filings below it need
  // not ask whether theirs exists.
  std::atomic<int64_t> search_partitions_known_{-1};
  std::mutex mu_;  // guards the rest
  std::condition_variable freed_;
  std::vector<std::unique_ptr<PgDb>> idle_;
  size_t open_ = 0;  // connections made and not closed: idle or leased
  // Callers waiting for a connection, by ticket, first come first served: a caller that just
  // gave one back must not overtake them.
  std::deque<uint64_t> waiting_;
  uint64_t next_ticket_ = 0;
  size_t max_connections_ = 32;
  std::chrono::milliseconds connection_wait_{10000};
};

// Links `drafts` to the chain's head and inserts them, inside a transaction open on `db`: takes
// the chain's advisory lock (held to commit), so appenders on every server queue up behind it.
Result<AuditEvent> AppendPgEvents(PgDb& db, const std::vector<AuditEvent>& drafts);

}  // namespace dangan
