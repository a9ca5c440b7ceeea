// Catalogue: the archive's index in SQLite (WAL): records, their files, the audit chain, fixity
// results, and a full-text index over title, metadata and text using the dangan_cjk FTS5
// tokenizer (1- and 2-character Chinese queries hit the index; ID numbers hit a B-tree).
// Thread-safe: each call borrows a connection from a small pool (WAL lets readers run beside the
// writer); each filing opens its own connection and holds SQLite's write lock (BEGIN IMMEDIATE)
// until it commits, which serialises 件号 allocation across threads and processes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "archive/filing.h"
#include "storage/fair_gate.h"
#include "storage/record_catalogue.h"
#include "storage/search_facets.h"
#include "storage/sqlite_db.h"
#include "storage/text_codec.h"
#include "storage/wal_checkpointer.h"

namespace dangan {

class Catalogue : public RecordCatalogue {
 public:
  // Up to this many matches are ranked by relevance (bm25); more are listed newest first, which
  // the index streams without looking at every match.
  static constexpr int64_t kRankCap = 1000;

  // Opens (and with `create`, creates) the catalogue at `path`, applying pending migrations.
  // `reference_shape` recognises 档号 in search text (may be null).
  static Result<std::unique_ptr<Catalogue>> Open(
      const std::string& path, bool create, const ReferenceTemplate* reference_shape = nullptr);

  Result<std::optional<FiledCase>> FindCase(const std::string& source,
                                            const std::string& case_id) override;
  Result<std::unique_ptr<FilingTransaction>> BeginFiling() override;

  Result<std::optional<Record>> GetRecord(const std::string& reference) override;
  Result<std::vector<Record>> ListRecords(const std::vector<std::string>& references) override;
  Result<std::vector<std::string>> References() override;
  // Up to `limit` records filed after row `after_id`, as (row id, 档号), in filing order.
  Result<std::vector<std::pair<int64_t, std::string>>> ReferencesAfter(int64_t after_id, int limit);
  // The fixity audit's bookkeeping (cursor, cycle times): "" when never set.
  Result<std::string> AuditState(const std::string& name);
  Status SetAuditState(const std::vector<std::pair<std::string, std::string>>& values);

  Result<bool> HasPackage(const std::string& rel_path) override;
  Result<int64_t> CountRecords() override;
  Result<SearchPage> Search(const SearchSpec& spec) override;

  Result<std::vector<AuditEvent>> Events(const std::string& reference = "", int newest = 0,
                                         EventKinds kinds = EventKinds::kAll) override;
  Result<int64_t> CountEvents(const std::string& reference,
                              EventKinds kinds = EventKinds::kAll) override;
  Result<std::optional<AuditEvent>> LastEvent() override;
  Result<std::optional<AuditEvent>> EventAt(int64_t seq) override;
  // Makes every transaction committed so far durable, kRelaxed ones included: fdatasync of the
  // write-ahead log and of its directory entry. Whatever was read before this call cannot be
  // taken back by a power loss once it returns OK.
  Status SyncCommitted() override;
  Status RemoveRecord(SqlSession& in, int64_t id) override;
  // Appends an event outside filing (verify, export, view…), linked to the chain's head.
  // kRelaxed skips the fsync at commit: access events then become durable with the next synced
  // commit.
  Result<AuditEvent> AppendEvent(const AuditEvent& draft,
                                 Durability durability = Durability::kSynced);
  Result<AuditEvent> AppendEvents(const std::vector<AuditEvent>& drafts,
                                  Durability durability) override;
  // A full audit writes one row per record, all in one transaction.
  Status RecordFixity(const std::vector<FixityResult>& results) override;
  Result<std::optional<FixityResult>> LastFixity(const std::string& reference) override;

  // Runs `fn` with a pooled connection, for modules above storage that need their own SQL
  // (statistics, reports). `fn` must leave no transaction open on it.
  Status WithConnection(const std::function<Status(SqliteDb&)>& fn);
  Status WriteTables(const std::function<Status(SqlSession&)>& fn) override;
  Status ReadTables(const std::function<Status(SqlSession&)>& fn) override;

  int schema_version() const override { return schema_version_; }
  // Changes whenever this process commits anything but accesses (a filing, an event, a fixity
  // result): what was read before may be stale. Writes by other processes do not move it.
  // For a long-running server: the write-ahead log is copied back by a background thread
  // instead of by whichever commit finds it long (see WalCheckpointer). Call once, before the
  // catalogue is shared between threads.
  Status CheckpointInBackground(int interval_ms = 500);
  // Background checkpoints done and failed so far (0, 0 without CheckpointInBackground).
  std::pair<uint64_t, uint64_t> BackgroundCheckpoints() const {
    return checkpointer_ ? std::make_pair(checkpointer_->checkpoints(), checkpointer_->failures())
                         : std::make_pair(uint64_t{0}, uint64_t{0});
  }

  uint64_t generation() const { return generation_.load(); }
  // A number that changes whenever what a search can find changes: the newest record's id and
  // the newest destruction's, read from the file, so filings and destructions by other
  // processes count (records are otherwise only added).
  Result<int64_t> HoldingsStamp();
  // The newest destruction's id (0 when none): what a cached view of one record depends on.
  Result<int64_t> DestructionStamp();

  // Runs `fn` inside one write transaction (the write lock, BEGIN IMMEDIATE … COMMIT, all or
  // nothing), for lifecycle changes made above this class (appraisal, holds, destruction).
  // Events appended through the sink join the same transaction and the audit chain.
  using EventSink = std::function<Result<AuditEvent>(const AuditEvent& draft)>;
  Status Transact(const std::function<Status(SqliteDb&, const EventSink&)>& fn);

  // Maintenance (`dangan catalogue optimize`): merges each full-text index into one segment, then
  // hands free pages back to the file system. Catalogues created by this release keep free pages
  // apart for that (incremental auto-vacuum); `vacuum` converts an older file by rewriting it
  // whole, which blocks every other user of the catalogue meanwhile. Takes the write lock like a
  // filing.
  struct OptimizeReport {
    int64_t bytes_before = 0;
    int64_t bytes_after = 0;
    int64_t free_bytes_left = 0;  // free pages still in the file (older files without vacuum)
    bool incremental = false;     // the file hands back free pages without a full vacuum
  };
  Result<OptimizeReport> Optimize(bool vacuum);
  const std::string& path() const { return path_; }

  // The connection pool: connections open, and the page cache they hold (each measured when it
  // was last returned to the pool), for /metrics.
  struct PoolStats {
    int64_t connections = 0;
    int64_t cache_bytes = 0;
  };
  PoolStats Pool();

 private:
  // A pooled connection, returned to the pool when the lease ends.
  class Lease {
   public:
    Lease(Catalogue* owner, std::unique_ptr<SqliteDb> db) : owner_(owner), db_(std::move(db)) {}
    Lease(Lease&&) = default;
    ~Lease();
    SqliteDb* operator->() { return db_.get(); }
    SqliteDb& operator*() { return *db_; }

   private:
    Catalogue* owner_;
    std::unique_ptr<SqliteDb> db_;
  };
  Result<Lease> Borrow();
  // The first column of the one row an aggregate query without parameters yields.
  Result<int64_t> ScalarInt(const char* sql);

  Catalogue(std::string path, std::unique_ptr<SqliteDb> db, const ReferenceTemplate* shape)
      : path_(std::move(path)), shape_(shape) {
    idle_.push_back(std::move(db));
  }
  std::string path_;
  std::mutex mu_;         // guards idle_ and text_dictionary_
  WriteGate write_gate_;  // this process's write transactions, one at a time, in arrival order
  std::vector<std::unique_ptr<SqliteDb>> idle_;
  int64_t connections_ = 1;                         // guarded by mu_
  std::map<const SqliteDb*, int64_t> cache_bytes_;  // guarded by mu_; see Pool()
  const ReferenceTemplate* shape_;
  int schema_version_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> background_checkpoints_{false};
  SearchFacets facets_;
  // What new text columns are compressed with (text_dictionaries.h); null until one is trained.
  std::shared_ptr<const TextDictionary> text_dictionary_;
  static constexpr int64_t kDictionaryCheckEvery = 500;
  std::atomic<int64_t> inserts_since_dictionary_check_{kDictionaryCheckEvery};
  std::unique_ptr<WalCheckpointer> checkpointer_;  // last: stopped before the rest goes
};

// Opens a connection on which the catalogue's tables can be used (tokenizer and the
// dangan_record_body function registered).
Result<std::unique_ptr<SqliteDb>> OpenCatalogueConnection(const std::string& path, bool create);

// The records columns RecordFromRow reads, in its order, for callers with their own WHERE clause
// (reports): "SELECT " + kRecordColumns + " FROM records WHERE …".
extern const char* const kRecordColumns;
// A record from such a row, without its files and text (those live in other rows).
Result<Record> RecordFromRow(const Statement& row);

}  // namespace dangan
