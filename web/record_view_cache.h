// RecordViewCache: rendered record views (the JSON of GET /api/v1/records/{档号}) kept for a
// short time, so that a much-read record is not re-read and re-rendered on every request.
// An entry is served only while the catalogue's generation is unchanged (nothing was filed,
// checked or recorded by this process) and it is younger than `max_age`, which bounds how stale a
// view can be after a change made by another process. Thread-safe; owns its copies.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace dangan::web {

class RecordViewCache {
 public:
  RecordViewCache(size_t capacity, std::chrono::milliseconds max_age)
      : capacity_(capacity), max_age_(max_age) {}

  std::optional<std::string> Find(const std::string& key, uint64_t generation);
  void Put(const std::string& key, uint64_t generation, std::string body);

 private:
  struct Entry {
    uint64_t generation;
    std::chrono::steady_clock::time_point made;
    std::string body;
  };
  const size_t capacity_;
  const std::chrono::milliseconds max_age_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace dangan::web
