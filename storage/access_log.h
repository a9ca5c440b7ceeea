// AccessLog: records access events (views, downloads, searches) in the catalogue's audit chain in
// batches, from a writer thread, so a read costs a queue push instead of a write transaction.
// Thread-safe. Borrows the catalogue (either backend), which must outlive it; the destructor writes
// what is queued.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "archive/audit_chain.h"
#include "archive/status.h"

namespace dangan {

class RecordCatalogue;

// A search's question (words, person, unit) as an access event keeps it: keyed with the
// archive's secret, since there are few enough 公民身份号码 for a plain digest to be reversed by
// trying them all. Whoever holds the key can still tell whether a given number was asked for.
std::string KeyedSearchQuestion(const std::string& secret, const std::string& text,
                                const std::string& person_id, const std::string& unit_code);

class AccessLog {
 public:
  struct Options {
    int max_delay_ms = 25;       // an event reaches the catalogue at most this late (no crash)
    size_t max_batch = 2000;     // events per write transaction
    size_t max_backlog = 50000;  // past this, accesses are refused rather than left unlogged
  };
  AccessLog(RecordCatalogue* catalogue, Options options);
  explicit AccessLog(RecordCatalogue* catalogue) : AccessLog(catalogue, Options()) {}
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Queues one event. Fails (kUnavailable) when the backlog is full or the last write failed:
  // an access that cannot be logged must not be served.
  Status Record(AuditEvent draft);
  // Writes everything queued so far before returning.
  Status Flush();

  uint64_t written() const;
  uint64_t failed_writes() const;

 private:
  void Run();
  Status WriteBatch(std::unique_lock<std::mutex>& lock);

  RecordCatalogue* catalogue_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;     // the writer: work arrived, or stop
  std::condition_variable written_;  // flushers: a batch finished
  std::deque<AuditEvent> queue_;
  uint64_t enqueued_ = 0, done_ = 0;  // events queued / written or given up, ever
  uint64_t failed_writes_ = 0;
  Status last_error_;
  bool writing_ = false;
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace dangan
