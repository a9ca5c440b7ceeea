// WalCheckpointer: copies the catalogue's write-ahead log back into the database from a thread of
// its own, so that commits never do it. With SQLite's automatic checkpoint, the commit that takes
// the log past 1000 pages copies it (and fsyncs the database) before it returns, holding up every
// writer queued behind it for as long: the soak saw 0.4–0.9 s stalls of all intake.
// Owns its thread and its connection; the connections of the catalogue it serves must have
// `wal_autocheckpoint=0`. Thread-safe (Stop may be called from any thread, once).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "storage/sqlite_db.h"

namespace dangan {

class WalCheckpointer {
 public:
  // Starts checkpointing through `db` every `interval_ms` (passive: never waits for, or blocks,
  // readers and writers).
  WalCheckpointer(std::unique_ptr<SqliteDb> db, int interval_ms);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  uint64_t checkpoints() const { return checkpoints_.load(); }
  uint64_t failures() const { return failures_.load(); }

 private:
  void Loop();

  std::unique_ptr<SqliteDb> db_;
  const int interval_ms_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<uint64_t> checkpoints_{0};
  std::atomic<uint64_t> failures_{0};
  std::thread thread_;  // last: started when everything it uses exists
};

}  // namespace dangan
