// Helpers shared by the libFuzzer targets in this folder: a scratch directory of this process's
// own (under $TMPDIR, removed at exit), emptied between inputs, and small file utilities.
// Fuzz targets run one input at a time; none of this is thread-safe.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "archive/scheme.h"

namespace dangan::fuzz {

// The process's scratch directory, created on first use and removed when the process exits
// normally (a crash leaves it behind; scripts/fuzz.sh points $TMPDIR at a folder it cleans).
inline std::string& ScratchRootStorage() {
  static std::string root;
  return root;
}

inline const std::string& ScratchRoot() {
  std::string& root = ScratchRootStorage();
  if (root.empty()) {
    const char* tmp = getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/dangan-fuzz-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) {
      std::perror("mkdtemp");
      abort();
    }
    root = templ;
    atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(ScratchRootStorage(), ec);
    });
  }
  return root;
}

// An invariant of the code under test does not hold: report it as a crash, with the reason.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what.c_str());
  std::fflush(stderr);
  abort();
}

// The scratch folder cannot be set up: the machine, not the code under test, is at fault.
[[noreturn]] inline void ScratchError(const std::string& what) {
  std::fprintf(stderr, "fuzz scratch folder: %s: %s\n", what.c_str(), std::strerror(errno));
  std::fflush(stderr);
  abort();
}

// Removes everything inside the open directory `dir` (symbolic links are removed, not followed).
// With getdents64 and the *at() calls instead of std::filesystem::remove_all, which opens a DIR
// (a 32 KiB buffer, quarantined by ASan) per folder and stats every entry: multipart runs about
// 20% faster for it, bagit and tar a little. `path` is for messages.
inline void EmptyDirAt(int dir, const std::string& path) {
  static char buf[8192];  // reused: a subfolder's scan overwrites it, so the parent rescans
  for (;;) {
    if (::lseek(dir, 0, SEEK_SET) < 0) ScratchError("cannot rewind " + path);
    bool removed = false, rescan = false;
    ssize_t n = 0;
    while (!rescan && (n = ::getdents64(dir, buf, sizeof buf)) > 0) {
      for (ssize_t off = 0; off < n && !rescan;) {
        const auto* e = reinterpret_cast<const struct dirent64*>(buf + off);
        off += e->d_reclen;
        const std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        bool is_dir = e->d_type == DT_DIR;
        struct stat st;
        if (e->d_type == DT_UNKNOWN && ::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
          is_dir = S_ISDIR(st.st_mode);
        if (is_dir) {
          int sub = ::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub < 0) ScratchError("cannot open " + path + "/" + name);
          EmptyDirAt(sub, path + "/" + name);
          ::close(sub);
          rescan = true;
        }
        if (::unlinkat(dir, name.c_str(), is_dir ? AT_REMOVEDIR : 0) != 0)
          ScratchError("cannot remove " + path + "/" + name);
        removed = true;
      }
    }
    if (n < 0 && !rescan) ScratchError("cannot read " + path);
    if (!removed) return;
  }
}

// `ScratchRoot()/name`, emptied (created if needed).
inline std::string FreshDir(const std::string& name) {
  std::string dir = ScratchRoot() + "/" + name;
  if (::mkdir(dir.c_str(), 0755) == 0) return dir;
  int fd =
      errno == EEXIST ? ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
  if (fd < 0) ScratchError("cannot create " + dir);
  EmptyDirAt(fd, dir);
  ::close(fd);
  return dir;
}

// Writes `bytes` to `path` (replacing it), creating the folders above it if needed.
inline void WriteBytes(const std::string& path, const std::string& bytes) {
  const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    fd = ::open(path.c_str(), flags, 0644);
  }
  if (fd < 0) ScratchError("cannot write " + path);
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ScratchError("cannot write " + path);
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

inline std::string AsString(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// With DANGAN_FUZZ_VERBOSE set, says what became of an input (for checking seeds and crashes:
// `DANGAN_FUZZ_VERBOSE=1 build-fuzz/fuzz/tar_fuzz FILE...`).
inline void Note(const std::string& what) {
  static const bool verbose = getenv("DANGAN_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "%s\n", what.c_str());
}

// The builtin classification scheme, loaded once (a target that cannot load it is broken).
inline const ClassificationScheme& BuiltinScheme() {
  static const ClassificationScheme* scheme = [] {
    auto s = ClassificationScheme::LoadBuiltin();
    if (!s.ok()) Fail("the builtin scheme does not load: " + s.status().ToString());
    return new ClassificationScheme(std::move(s).value());
  }();
  return *scheme;
}

}  // namespace dangan::fuzz
