// FairGate: lets at most `capacity` holders in at a time, first come first served. The catalogue
// uses one slot for its write transactions (WriteGate: SQLite allows one writer, and writers that
// find the lock taken would sleep in the busy handler, 1 to 100 ms at a time, so an unlucky
// filing could wait seconds behind later ones); the server uses a few for searches, so that a
// burst of them queues in order instead of sharing two cores fifty ways.
// Thread-safe. A Turn may end on another thread than the one that entered.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

namespace dangan {

class FairGate {
 public:
  explicit FairGate(uint64_t capacity = 1) : capacity_(capacity < 1 ? 1 : capacity) {}
  FairGate(const FairGate&) = delete;
  FairGate& operator=(const FairGate&) = delete;

  // A place inside, held until destroyed or Release()d.
  class Turn {
   public:
    Turn() = default;
    explicit Turn(FairGate* gate) : gate_(gate) {}
    Turn(Turn&& other) noexcept : gate_(other.gate_) { other.gate_ = nullptr; }
    Turn& operator=(Turn&& other) noexcept {
      if (this != &other) {
        Release();
        gate_ = other.gate_;
        other.gate_ = nullptr;
      }
      return *this;
    }
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn() { Release(); }
    void Release() {
      if (gate_) gate_->Leave();
      gate_ = nullptr;
    }

   private:
    FairGate* gate_ = nullptr;
  };

  // Waits until every earlier caller is inside and a place is free. A place that frees is
  // handed to the longest waiter, which alone is woken.
  Turn Enter() {
    std::unique_lock<std::mutex> lock(mu_);
    if (inside_ < capacity_ && waiting_.empty()) {
      ++inside_;
      return Turn(this);
    }
    Waiter me;
    waiting_.push_back(&me);
    me.admitted.wait(lock, [&] { return me.in; });
    return Turn(this);
  }

  uint64_t capacity() const { return capacity_; }
  // Callers waiting for a place now.
  size_t waiting() {
    std::lock_guard<std::mutex> lock(mu_);
    return waiting_.size();
  }

 private:
  struct Waiter {
    std::condition_variable admitted;
    bool in = false;
  };
  void Leave() {
    std::lock_guard<std::mutex> lock(mu_);
    if (waiting_.empty()) {
      --inside_;
      return;
    }
    Waiter* next = waiting_.front();
    waiting_.pop_front();
    next->in = true;  // the place passes on: inside_ stays
    next->admitted.notify_one();
  }

  const uint64_t capacity_;
  std::mutex mu_;
  std::deque<Waiter*> waiting_;  // in arrival order; each lives on its waiting thread's stack
  uint64_t inside_ = 0;
};

// The catalogue's write transactions in this process: one at a time, in arrival order.
using WriteGate = FairGate;

}  // namespace dangan
