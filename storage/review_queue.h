// ReviewQueue: captured documents the classifier was unsure of, waiting for an archivist, and the
// archivists' decisions (confirmed or corrected items) that the classifier learns from. Rows live
// in the catalogue, embedded or PostgreSQL (storage/sql_tables.h); the staged files (original,
// text, access PDF) under `<root>/review/`. Thread-safe; borrows the catalogue.
#pragma once

#include <cstdint>
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
  explicit ReviewQueue(SqlTables& catalogue) : catalogue_(catalogue) {}

  // Queues a document, with its `queue-review` event by `actor`; a scan already queued (same
  // content) keeps its row and its id is returned, and no event is added.
  Result<int64_t> Add(const ReviewItem& item, const std::string& actor);
  Result<std::optional<ReviewItem>> Find(int64_t id);
  Result<std::optional<ReviewItem>> FindByContent(const std::string& content_sha256);
  // Oldest first; `state` empty = all.
  Result<std::vector<ReviewItem>> List(const std::string& state, int limit);
  // Decides a pending item, recording the example the classifier learns from and the decision's
  // event (`review` naming the record filed, or `review-reject`) in the same transaction.
  // kConflict when the item was decided already.
  Status Decide(int64_t id, const std::string& state, const std::string& item,
                const std::string& reference, const std::string& reason, const std::string& actor,
                const std::string& at, const ClassifierExample& example);
  Result<std::vector<ClassifierExample>> Examples();

 private:
  SqlTables& catalogue_;
};

}  // namespace dangan
