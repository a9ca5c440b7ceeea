// Env: the file-system calls that durability depends on, behind a small interface so tests can
// inject ENOSPC, EIO, short writes and failing fsync (after LevelDB's Env). Env::Default() is the
// POSIX implementation; it lives for the whole program and is thread-safe. A WritableFile is used
// by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "archive/status.h"

namespace dangan {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(const void* data, size_t n) = 0;
  virtual Status Sync() = 0;   // fdatasync: the bytes are durable when it returns OK
  virtual Status Close() = 0;  // idempotent
};

// An exclusive lock on a file, held until destroyed. Released by the kernel when the holding
// process dies, so a crashed holder never keeps it.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;
  static Env* Default();

  // Creates (truncating) a file; parent directories must exist.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Atomically replaces `to` with `from` (same file system).
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Makes a directory's entries (creations, renames, removals) durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status CreateDirs(const std::string& path) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // Names (not paths) of the entries of a directory, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  // Creates `path` if absent and locks it exclusively (flock), against other processes and other
  // calls in this one; waits up to `wait` for the holder, then Unavailable. If the holder removes
  // the file meanwhile, the lock taken is on the file then at `path`, never on a removed one.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path,
                                                     std::chrono::milliseconds wait) = 0;
};

// Status for a failed system call: NoSpace for ENOSPC/EDQUOT, NotFound for ENOENT, else IOError.
Status PosixError(const std::string& context, int err);

}  // namespace dangan
