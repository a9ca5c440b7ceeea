// WriteGate: lets this process's catalogue write transactions in one at a time, first come first
// served. SQLite allows one writer; without the gate, writers that find the lock taken sleep in
// the busy handler (1 to 100 ms at a time), so the lock sits idle while they sleep and an unlucky
// filing can wait seconds behind later ones. Other processes still meet SQLite's busy handler.
// Thread-safe. A Turn may end on another thread than the one that entered.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace dangan {

class WriteGate {
 public:
  // The right to write, held until destroyed or Release()d.
  class Turn {
   public:
    Turn() = default;
    explicit Turn(WriteGate* gate) : gate_(gate) {}
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
    WriteGate* gate_ = nullptr;
  };

  // Waits for every earlier caller's turn to end.
  Turn Enter() {
    std::unique_lock<std::mutex> lock(mu_);
    const uint64_t ticket = next_ticket_++;
    turn_changed_.wait(lock, [&] { return serving_ == ticket; });
    return Turn(this);
  }

 private:
  void Leave() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++serving_;
    }
    turn_changed_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable turn_changed_;
  uint64_t next_ticket_ = 0;
  uint64_t serving_ = 0;
};

}  // namespace dangan
