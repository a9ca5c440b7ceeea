// FaultInjectionEnv: wraps a real Env and fails one chosen operation (the Nth of a kind, or the
// Nth of all write-side calls) with ENOSPC, EIO, a short write or a failing fsync, after LevelDB's
// fault_injection_test. Counts are atomic; the wrapper is as thread-safe as the Env it wraps.
#pragma once

#include <atomic>
#include <string>

#include "storage/env.h"

namespace dangan::testing {

enum class Fault { kNone, kNoSpace, kIOError, kShortWrite, kSyncFails };

class FaultInjectionEnv : public Env {
 public:
  explicit FaultInjectionEnv(Env* base = Env::Default()) : base_(base) {}

  // Fails the `n`-th (1-based) write-side call from now on: NewWritableFile, Append, Sync,
  // Close, RenameFile, SyncDir, LockFile. n = 0 disables.
  void FailAt(int n, Fault fault) {
    count_ = 0;
    fail_at_ = n;
    fault_ = fault;
  }
  int calls() const { return count_; }
  bool fired() const { return fired_; }

  // Called by the file wrappers; true if this call must fail.
  bool Tick() {
    int n = ++count_;
    if (fail_at_ > 0 && n == fail_at_) {
      fired_ = true;
      return true;
    }
    return false;
  }
  Fault fault() const { return fault_; }
  Status Injected(const std::string& what) const;

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  Status CreateDirs(const std::string& path) override { return base_->CreateDirs(path); }
  bool FileExists(const std::string& path) override { return base_->FileExists(path); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  Result<uint64_t> FileSize(const std::string& path) override { return base_->FileSize(path); }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                             std::chrono::milliseconds wait) override;

 private:
  Env* base_;
  std::atomic<int> count_{0};
  std::atomic<int> fail_at_{0};
  std::atomic<bool> fired_{false};
  Fault fault_ = Fault::kNone;
};

}  // namespace dangan::testing
