// ResponseCache: rendered JSON answers (a record view, a page of search results) kept for a short
// time, so that a much-asked question is not answered from the catalogue again on every request.
// An entry is served only while the stamp it was made under still holds (the caller says what
// that is: the catalogue's generation for a record view, its newest record id for a search) and
// while it is younger than `max_age`, which bounds how stale an answer can be after a change the
// stamp does not see (one made by another process). Access is logged by the caller on every
// request, hit or miss. Thread-safe; owns its copies.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace dangan::web {

class ResponseCache {
 public:
  ResponseCache(size_t capacity, std::chrono::milliseconds max_age)
      : capacity_(capacity), max_age_(max_age) {}

  std::optional<std::string> Find(const std::string& key, uint64_t stamp);
  void Put(const std::string& key, uint64_t stamp, std::string body);

 private:
  struct Entry {
    uint64_t stamp;
    std::chrono::steady_clock::time_point made;
    std::string body;
  };
  const size_t capacity_;
  const std::chrono::milliseconds max_age_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace dangan::web
