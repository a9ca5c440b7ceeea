#include "tests/support/fault_env.h"

#include <cerrno>

namespace dangan::testing {

Status FaultInjectionEnv::Injected(const std::string& what) const {
  switch (fault_) {
    case Fault::kNoSpace:
      return PosixError(what + " (injected)", ENOSPC);
    case Fault::kShortWrite:
      return PosixError(what + " (injected short write)", EIO);
    case Fault::kSyncFails:
      return PosixError(what + " (injected fsync failure)", EIO);
    default:
      return PosixError(what + " (injected)", EIO);
  }
}

namespace {

class FaultyFile : public WritableFile {
 public:
  FaultyFile(FaultInjectionEnv* env, std::unique_ptr<WritableFile> base, std::string path)
      : env_(env), base_(std::move(base)), path_(std::move(path)) {}

  Status Append(const void* data, size_t n) override {
    if (env_->Tick()) {
      if (env_->fault() == Fault::kShortWrite && n > 1) {
        // Half the bytes reach the file, then the device reports an error.
        Status st = base_->Append(data, n / 2);
        if (!st.ok()) return st;
      }
      return env_->Injected("write " + path_);
    }
    return base_->Append(data, n);
  }
  Status Sync() override {
    if (env_->Tick()) return env_->Injected("fsync " + path_);
    return base_->Sync();
  }
  Status Close() override {
    if (closed_) return Status::Ok();
    closed_ = true;
    Status real = base_->Close();
    if (env_->Tick()) return env_->Injected("close " + path_);
    return real;
  }

 private:
  FaultInjectionEnv* env_;
  std::unique_ptr<WritableFile> base_;
  std::string path_;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(const std::string& path) {
  if (Tick()) return Injected("create " + path);
  auto f = base_->NewWritableFile(path);
  if (!f.ok()) return f.status();
  return std::unique_ptr<WritableFile>(new FaultyFile(this, std::move(*f), path));
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  if (Tick()) return Injected("rename " + from);
  return base_->RenameFile(from, to);
}

// Taking a lock creates its file, so it can meet a full or failing disk like any create.
Result<std::unique_ptr<FileLock>> FaultInjectionEnv::LockFile(const std::string& path,
                                                              std::chrono::milliseconds wait) {
  if (Tick()) return Injected("lock " + path);
  return base_->LockFile(path, wait);
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  if (Tick()) return Injected("fsync dir " + dir);
  return base_->SyncDir(dir);
}

}  // namespace dangan::testing
