#include "web/rate_limiter.h"

#include <algorithm>
#include <functional>

namespace dangan::web {

RateLimiter::RateLimiter(double per_second, double burst, size_t max_keys)
    : rate_(per_second),
      burst_(std::max(1.0, burst)),
      max_per_shard_(std::max<size_t>(1, max_keys / kShards)) {}

bool RateLimiter::Allow(const std::string& key, double* retry_after) {
  if (rate_ <= 0) return true;
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  const Clock::time_point now = Clock::now();
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) {
      // Full: drop the buckets that have refilled (their clients are idle); a full bucket and a
      // missing one behave alike. If none has, drop one: a flood of new identities must not grow
      // memory, and a dropped bucket only ever errs towards letting a client through.
      for (auto b = shard.buckets.begin(); b != shard.buckets.end();) {
        double refilled =
            b->second.tokens + std::chrono::duration<double>(now - b->second.last).count() * rate_;
        b = refilled >= burst_ ? shard.buckets.erase(b) : std::next(b);
      }
      if (shard.buckets.size() >= max_per_shard_) shard.buckets.erase(shard.buckets.begin());
    }
    it = shard.buckets.emplace(key, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  b.tokens =
      std::min(burst_, b.tokens + std::chrono::duration<double>(now - b.last).count() * rate_);
  b.last = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  if (retry_after) *retry_after = (1 - b.tokens) / rate_;
  return false;
}

}  // namespace dangan::web
