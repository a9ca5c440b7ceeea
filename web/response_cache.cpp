#include "web/response_cache.h"

namespace dangan::web {

std::optional<std::string> ResponseCache::Find(const std::string& key, uint64_t stamp) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.stamp != stamp || std::chrono::steady_clock::now() - it->second.made > max_age_) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.body;
}

void ResponseCache::Put(const std::string& key, uint64_t stamp, std::string body) {
  std::lock_guard<std::mutex> lock(mu_);
  // Whole-cache eviction keeps this simple; refilling costs one render per answer asked again.
  if (entries_.size() >= capacity_ && entries_.find(key) == entries_.end()) entries_.clear();
  entries_[key] = Entry{stamp, std::chrono::steady_clock::now(), std::move(body)};
}

}  // namespace dangan::web
