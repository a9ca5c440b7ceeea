// WalCheckpointer: copies the catalogue's write-ahead log back into the database from a thread of
// its own, so that commits never do it. With SQLite's automatic checkpoint, the commit that takes
// the log past 1000 pages copies it (and fsyncs the database) before it returns, holding up every
// writer queued behind it for as long: the soak saw 0.4–0.9 s stalls of all intake.
// Passive copies never wait for readers, but the log only starts over when a copy was complete
// and no reader still needs it, which steady reads and writes rarely allow: the soak saw it grow
// to 4 GB (20 MB/s) beside a 230 MB catalogue, every read slower for it. So past `restart_frames`
// it takes the catalogue's write gate (this process's writers wait, readers do not) and truncates
// the log, waiting at most a moment for readers of an older snapshot.
// Owns its thread and its connection; the connections of the catalogue it serves must have
// `wal_autocheckpoint=0`. Thread-safe (Stop may be called from any thread, once).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "storage/fair_gate.h"
#include "storage/sqlite_db.h"

namespace dangan {

class WalCheckpointer {
 public:
  // Starts checkpointing through `db` every `interval_ms` (passive: never waits for, or blocks,
  // readers and writers).
  // `gate`, when given, is taken to truncate a log longer than `restart_frames`; it must outlive
  // this object.
  WalCheckpointer(std::unique_ptr<SqliteDb> db, int interval_ms, WriteGate* gate = nullptr,
                  int restart_frames = 4096);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  uint64_t checkpoints() const { return checkpoints_.load(); }
  uint64_t failures() const { return failures_.load(); }
  uint64_t truncations() const { return truncations_.load(); }

 private:
  void Loop();

  std::unique_ptr<SqliteDb> db_;
  const int interval_ms_;
  WriteGate* gate_;
  const int restart_frames_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<uint64_t> checkpoints_{0};
  std::atomic<uint64_t> failures_{0};
  std::atomic<uint64_t> truncations_{0};
  std::thread thread_;  // last: started when everything it uses exists
};

}  // namespace dangan
