#include "storage/wal_checkpointer.h"

#include <sqlite3.h>

#include <chrono>

namespace dangan {

namespace {
// Readers hold a snapshot for milliseconds; one that takes longer is waited for on a later round,
// not while this process's writers are held back. Set before the thread starts using the
// connection.
std::unique_ptr<SqliteDb> WithShortBusyTimeout(std::unique_ptr<SqliteDb> db) {
  sqlite3_busy_timeout(db->handle(), 1000);
  return db;
}
}  // namespace

WalCheckpointer::WalCheckpointer(std::unique_ptr<SqliteDb> db, int interval_ms, WriteGate* gate,
                                 int restart_frames)
    : db_(WithShortBusyTimeout(std::move(db))),
      interval_ms_(interval_ms),
      gate_(gate),
      restart_frames_(restart_frames),
      thread_([this] { Loop(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // The last copy on the way out, so the log does not wait for the next open.
  sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
}

void WalCheckpointer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    int log_frames = 0, copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             &log_frames, &copied);
    // BUSY: another checkpoint is running (an opener's recovery); the next round catches up.
    if (rc == SQLITE_OK)
      ++checkpoints_;
    else if (rc != SQLITE_BUSY)
      ++failures_;
    if (rc == SQLITE_OK && gate_ && log_frames >= restart_frames_) {
      WriteGate::Turn turn = gate_->Enter();
      const int t = sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE,
                                              nullptr, nullptr);
      if (t == SQLITE_OK)
        ++truncations_;
      else if (t != SQLITE_BUSY)
        ++failures_;
    }
    lock.lock();
  }
}

}  // namespace dangan
