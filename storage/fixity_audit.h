// FixityAudit: re-hashes every copy of every package (the primary root and each replica) against
// the digest the catalogue recorded at filing, repairs a damaged or missing copy from a copy that
// still matches, and records detection and repair as audit events and fixity results. Damage with
// no good copy left is reported and left as it is: the catalogue is never "fixed" to match. Files
// in the packages folders that belong to no record are reported too.
// Borrows the catalogue and the store; one audit runs at a time (not thread-safe itself).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "storage/catalogue.h"
#include "storage/package_store.h"
#include "storage/replica_catch_up.h"

namespace dangan {

struct CopyFinding {
  size_t copy = 0;   // 0 primary, 1… replicas (PackageStore::copy_roots order)
  std::string what;  // "missing", "changed"
  std::string detail;
  bool repaired = false;
  size_t repaired_from = 0;
};

struct RecordAudit {
  std::string reference;
  std::vector<CopyFinding> findings;  // empty: every copy intact
  bool unrepairable = false;          // damaged, and no copy matched the catalogue
  bool destroyed = false;             // destroyed while checked (still_filed): copies removed
  uint64_t bytes = 0;
};

// A file in a copy's packages folder that is no record's package (a copy left by hand, a restore
// gone wrong, a failed removal). Reported, never removed: only a person can say what it is.
struct StrayFile {
  size_t copy = 0;
  std::string path;  // relative to the copy's root
  uint64_t bytes = 0;
};

struct AuditSummary {
  int64_t records = 0;
  int64_t copies_checked = 0;
  int64_t damaged_copies = 0;
  int64_t repaired_copies = 0;
  int64_t unrepairable_records = 0;
  uint64_t bytes = 0;
  bool complete = false;                  // false when stopped early (limit or stop flag)
  std::vector<std::string> unrepairable;  // 档号, for the report
  std::vector<StrayFile> strays;          // found when this run completed a cycle
};

// Running totals since the audit object was made, for /metrics; readable from any thread.
struct AuditCounters {
  std::atomic<int64_t> records{0};
  std::atomic<int64_t> copies_checked{0};
  std::atomic<int64_t> damaged_copies{0};
  std::atomic<int64_t> repaired_copies{0};
  std::atomic<int64_t> unrepairable_records{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<int64_t> cycles_completed{0};
  std::atomic<int64_t> stray_files{0};
  std::atomic<int64_t> caught_up_copies{0};
  std::atomic<int64_t> checks_failed{0};  // records failing the preservation-stage checks
};

struct CopyCheckOptions {
  std::string actor;
  std::function<std::string()> clock;      // ISO 8601 timestamps for the events
  std::function<void(uint64_t)> throttle;  // told the bytes read after each copy (may be null)
  // Asked once copies were repaired: false when the record was destroyed meanwhile. A
  // destruction removes packages after its commit, so a repair racing it would bring one back;
  // the copies are removed again instead. May be null (never asked).
  std::function<Result<bool>()> still_filed;
};

// Checks every copy of one record against the catalogue's digest and repairs each damaged one
// from a copy that matches (re-hashed after writing). The events that tell what was found and
// done (fixity-damage, fixity-repair, fixity-repair-failed, fixity-unrepairable) go to `events`
// for the caller to append: FixityAudit at once, a worker with its job's completion. Thread-safe
// as far as PackageStore is; two checkers repairing one copy at once both write good bytes.
RecordAudit CheckRecordCopies(PackageStore& packages, const Record& record,
                              const CopyCheckOptions& options, std::vector<AuditEvent>* events);

class FixityAudit {
 public:
  struct Options {
    // Hashing budget in bytes per second over the whole audit (0: unlimited), so that a running
    // service keeps its disks for requests.
    double max_bytes_per_second = 0;
    std::string actor = "fixity-audit";
    std::function<std::string()> clock;  // ISO 8601 timestamps for events and results
    // Run on each record after its copies are checked and repaired, e.g. the preservation-stage
    // four-property checks; returns whether the record passed (a failure is counted; the hook
    // keeps its own evidence). An error stops the run like any other.
    std::function<Result<bool>(const Record&)> after_record;
  };

  FixityAudit(Catalogue& catalogue, PackageStore& packages, Options options);

  // Checks (and repairs) every copy of one record.
  Result<RecordAudit> CheckRecord(const Record& record);

  // Walks the holdings in filing order from where the previous pass stopped (kept in the
  // catalogue, so a restarted server resumes), wrapping round once; stops after `limit` records
  // (0: all) or when `stop` becomes true. Reaching the end completes a cycle: every copy of
  // every record was checked since the cycle began. A fixity result is kept for each record
  // with findings (intact ones only move the cycle's bookkeeping: the fixity table must not
  // grow by the whole holdings every cycle).
  Result<AuditSummary> Run(int64_t limit = 0, const std::atomic<bool>* stop = nullptr);

  // CatchUpLaggingCopies (storage/replica_catch_up.h) as this audit's actor, counted. The
  // server calls it every minute, `dangan audit run` before its pass.
  using CatchUpResult = ::dangan::CatchUpResult;
  Result<CatchUpResult> CatchUp(int limit = 1000);

  // Lists every copy's packages folder for files that belong to no record (and to no filing in
  // flight) and appends a `fixity-stray` event for each. Run() calls it when a cycle completes.
  Result<std::vector<StrayFile>> FindStrays();

  const AuditCounters& counters() const { return counters_; }

 private:
  void Throttle(uint64_t bytes);

  Catalogue& catalogue_;
  PackageStore& packages_;
  Options options_;
  uint64_t throttled_bytes_ = 0;
  double throttle_start_ = 0;
  AuditCounters counters_;
};

}  // namespace dangan
