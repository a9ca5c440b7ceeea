// RateLimiter: token buckets keyed by a client identity (an address, an API key), so that one
// client cannot take the service from the others. Memory is bounded: idle buckets are dropped and
// at most `max_keys` are kept. Thread-safe (sharded mutexes).
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace dangan::web {

class RateLimiter {
 public:
  // `per_second` sustained, up to `burst` at once; per_second <= 0 lets everything through.
  RateLimiter(double per_second, double burst, size_t max_keys = 100000);

  // True if `key` may make a request now (taking a token). When false, `retry_after` (if not
  // null) gets the seconds until a token is available.
  bool Allow(const std::string& key, double* retry_after = nullptr);

  bool enabled() const { return rate_ > 0; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  static constexpr size_t kShards = 16;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
  };
  double rate_;
  double burst_;
  size_t max_per_shard_;
  Shard shards_[kShards];
};

}  // namespace dangan::web
