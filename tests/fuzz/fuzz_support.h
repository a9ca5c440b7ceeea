// Helpers shared by the libFuzzer targets in this folder: a scratch directory of this process's
// own (under $TMPDIR, removed at exit), emptied between inputs, and small file utilities.
// Fuzz targets run one input at a time; none of this is thread-safe.
#pragma once

#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
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

// `ScratchRoot()/name`, emptied (created if needed).
inline std::string FreshDir(const std::string& name) {
  std::string dir = ScratchRoot() + "/" + name;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "cannot create %s: %s\n", dir.c_str(), ec.message().c_str());
    abort();
  }
  return dir;
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    abort();
  }
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

// An invariant of the code under test does not hold: report it as a crash, with the reason.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what.c_str());
  std::fflush(stderr);
  abort();
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
