#include "tests/support/shell.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace dangan::testing {

namespace fs = std::filesystem;

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::ostream& operator<<(std::ostream& os, const RunResult& r) {
  return os << "exit " << r.code << "\n--- stdout ---\n" << r.out << "--- stderr ---\n" << r.err;
}

RunResult Run(const std::string& cmdline) {
  RunResult r;
  FILE* p = popen(cmdline.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs a shell command line in `cwd`, capturing stdout and stderr in files under `scratch`.
RunResult Shell(const std::string& cwd, const std::string& scratch, const std::string& cmdline) {
  static int counter = 0;
  ++counter;
  const std::string out = scratch + "/out-" + std::to_string(counter);
  const std::string err = scratch + "/err-" + std::to_string(counter);
  const std::string cmd = "cd " + Quote(cwd) + " && env -u DANGAN_CONFIG LC_ALL=C.UTF-8 " +
                          cmdline + " >" + Quote(out) + " 2>" + Quote(err) + " </dev/null";
  int status = std::system(cmd.c_str());
  RunResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace dangan::testing
