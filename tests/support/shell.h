// Running the real `dangan` binary (or any command line) from tests: exit status, stdout and
// stderr captured. Not thread-safe (scratch file names come from a plain counter).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace dangan::testing {

// Single-quotes `s` for /bin/sh.
std::string Quote(const std::string& s);

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};
std::ostream& operator<<(std::ostream& os, const RunResult& r);

// Runs a shell command line, capturing its stdout (stderr goes where the command line sends it).
RunResult Run(const std::string& cmdline);

// Runs a shell command line in `cwd`, capturing stdout and stderr in files under `scratch`.
RunResult Shell(const std::string& cwd, const std::string& scratch, const std::string& cmdline);

bool Contains(const std::string& haystack, const std::string& needle);
// The non-empty lines of `text`.
std::vector<std::string> Lines(const std::string& text);

}  // namespace dangan::testing
