// WorkQueue: jobs (fixity checks, captures) kept in the PostgreSQL catalogue, which any number of
// `dangan worker` processes on any machines take with SELECT … FOR UPDATE SKIP LOCKED, so no two
// take the same job and none waits for another's. A job is leased: its worker heartbeats to keep
// it, and a lease that runs out (the worker died or hangs) frees the job for another. Only the
// lease holder can finish a job, and a job's own catalogue writes commit in the same transaction
// that finishes it: however often a job is run, its effects land once.
// Thread-safe; borrows the catalogue's connection pool (the catalogue must outlive the queue).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "storage/pg_catalogue.h"

namespace dangan {

struct Job {
  int64_t id = 0;
  std::string kind;
  std::string payload;
  int attempts = 0;  // this run included
};

class WorkQueue {
 public:
  explicit WorkQueue(PgCatalogue* catalogue) : catalogue_(catalogue) {}

  // Adds a job; with a `key`, a job already there under that key is kept instead (its id is
  // returned). `max_attempts` runs before it is given up as failed.
  Result<int64_t> Enqueue(const std::string& kind, const std::string& payload,
                          const std::string& key = "", int max_attempts = 5);
  // Takes the oldest job of one of `kinds` that is queued, or whose lease ran out, for
  // `lease_seconds`. nullopt when there is none.
  Result<std::optional<Job>> Claim(const std::string& worker, const std::vector<std::string>& kinds,
                                   int lease_seconds);
  // Extends the lease. kConflict when `worker` no longer holds the job (its lease ran out and
  // another worker took it): the caller should drop the job without finishing it.
  Status Heartbeat(const Job& job, const std::string& worker, int lease_seconds);
  // Marks the job done with `result`, after running `effects` in the same transaction (nothing
  // of either commits unless both succeed). kConflict, with nothing written, when `worker` no
  // longer holds the job.
  Status Complete(const Job& job, const std::string& worker, const std::string& result,
                  const std::function<Status(PgDb&)>& effects = nullptr);
  // Gives the job back after an error: queued again (after `retry_seconds`) while attempts are
  // left, then failed with `error` kept; kGiveUp fails it at once (input that cannot succeed).
  // kConflict when `worker` no longer holds it.
  static constexpr int kGiveUp = -1;
  Status Fail(const Job& job, const std::string& worker, const std::string& error,
              int retry_seconds = 5);

  struct Counts {
    int64_t queued = 0, running = 0, done = 0, failed = 0;
  };
  Result<Counts> Count(const std::string& kind = "");

 private:
  Status Finish(const Job& job, const std::string& worker, const std::string& update,
                const std::vector<std::optional<std::string>>& values,
                const std::function<Status(PgDb&)>& effects);
  PgCatalogue* catalogue_;
};

}  // namespace dangan
