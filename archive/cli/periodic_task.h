// PeriodicTask: a task a long-running command (`dangan serve`, `dangan worker`) runs every
// period from a thread of its own, beside its real work: anchoring the audit chain's head,
// sweeping a shared root. Owns its thread; Start and Stop from the thread that owns the object.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "archive/status.h"

namespace dangan::cli {

// Runs `task` every `period`, and once more at Start() or Stop() as `also` says: requests and
// jobs never wait for it. A failure is reported on stderr, naming `what`, when it starts and
// when it ends, not every period.
class PeriodicTask {
 public:
  enum class Also { kAtStart, kAtStop };
  PeriodicTask(std::string what, std::function<Status()> task, std::chrono::seconds period,
               Also also)
      : what_(std::move(what)), task_(std::move(task)), period_(period), also_(also) {}
  ~PeriodicTask() { Stop(); }
  void Start() {
    if (also_ == Also::kAtStart) RunOnce();
    thread_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
        lock.unlock();
        RunOnce();
        lock.lock();
      }
    });
  }
  // Stops the thread, then (kAtStop) runs the task once more: anchoring what the last requests
  // appended, when called after the server stopped.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (also_ == Also::kAtStop) RunOnce();
  }

 private:
  void RunOnce() {
    Status result = task_();
    // The message names what moves on (an event, a file); the kind of failure is what repeats.
    std::optional<ErrorCode> failure;
    if (!result.ok()) failure = result.code();
    if (failure == last_failure_) return;
    if (failure)
      std::cerr << "dangan: " << what_ << ": " << result.message() << "\n";
    else
      std::cerr << "dangan: " << what_ << ": working again\n";
    last_failure_ = failure;
  }

  const std::string what_;
  std::function<Status()> task_;
  const std::chrono::seconds period_;
  const Also also_;
  // Only Start() before the thread, the thread, then Stop() after the join, touch it.
  std::optional<ErrorCode> last_failure_;
  bool stopping_ = false;
  std::mutex mu_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace dangan::cli
