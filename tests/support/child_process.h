// ChildProcess: a `dangan` process a test starts in the background (a worker, a server), its
// stdout and stderr in one log file; killed with SIGKILL if still running when the object goes.
// Use from the thread that made it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace dangan::testing {

class ChildProcess {
 public:
  // Runs DANGAN_BINARY with `args`; started() tells whether it could be.
  ChildProcess(std::vector<std::string> args, const std::string& log);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void Kill();
  // Sends SIGTERM (the graceful stop) and waits up to `seconds`; the exit code, -1 on timeout.
  int Stop(int seconds);
  // The exit code, waiting up to `seconds`; -1 on timeout (128 when killed by a signal).
  int Wait(int seconds);
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// The whole file at `path` ("" when it cannot be read).
std::string Slurp(const std::string& path);

}  // namespace dangan::testing
