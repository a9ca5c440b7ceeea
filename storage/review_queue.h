// ReviewQueue: captured documents the classifier was unsure of, waiting for an archivist, and the
// archivists' decisions (confirmed or corrected items) that the classifier learns from. Rows live
// in the catalogue, embedded or PostgreSQL (storage/sql_tables.h); the staged files (original,
// text, access PDF) under `<root>/review/`. Thread-safe; borrows the catalogue.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "archive/status.h"
#include "storage/sql_tables.h"

namespace dangan {

struct ReviewItem {
  int64_t id = 0;
  std::string content_sha256;  // of the scanned file: the same scan is never queued twice
  std::string file_name;
  std::string staged_dir;  // relative to the archive root
  std::string draft_json;  // what capture proposes: case fields, classification, evidence
  std::string suggested_item;
  double confidence = 0;
  std::string created_at;
  std::string state = "pending";  // pending | filed | rejected
  std::string decided_at, decided_by, decided_item, reference, reason;
};

struct ClassifierExample {
  std::string content_sha256;
  std::string predicted_item, confirmed_item;  // "0000" = not a business record
  std::string text;
  std::string at, actor;
};

class ReviewQueue {
 public:
  // `now_unix` (default: the system clock) times claims.
  explicit ReviewQueue(SqlTables& catalogue, std::function<int64_t()> now_unix = nullptr);

  // Queues a document, with its `queue-review` event by `actor`; a scan already queued (same
  // content) keeps its row and its id is returned, and no event is added.
  Result<int64_t> Add(const ReviewItem& item, const std::string& actor);
  Result<std::optional<ReviewItem>> Find(int64_t id);
  Result<std::optional<ReviewItem>> FindByContent(const std::string& content_sha256);
  // Oldest first; `state` empty = all.
  Result<std::vector<ReviewItem>> List(const std::string& state, int limit);
  // Holds a pending item for `seconds` while one decision on it is in progress (filing it takes
  // a while, and other servers may be deciding too); returns the claim to decide with.
  // kConflict when it was decided already or someone else holds it; kNotFound when unknown.
  Result<std::string> Claim(int64_t id, int64_t seconds);
  // Gives a claim back (the decision failed); a claim that is not this one is left alone.
  Status Release(int64_t id, const std::string& claim);
  // Decides a pending item, recording the example the classifier learns from and the decision's
  // event (`review` naming the record filed, or `review-reject`) in the same transaction.
  // kConflict when the item was decided already, or someone else holds it (`claim` is this
  // decision's own, or empty).
  Status Decide(int64_t id, const std::string& state, const std::string& item,
                const std::string& reference, const std::string& reason, const std::string& actor,
                const std::string& at, const ClassifierExample& example,
                const std::string& claim = "");
  Result<std::vector<ClassifierExample>> Examples();

 private:
  SqlTables& catalogue_;
  std::function<int64_t()> now_unix_;
};

}  // namespace dangan
