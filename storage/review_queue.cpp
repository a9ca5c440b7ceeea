#include "storage/review_queue.h"

#include <openssl/rand.h>

#include <chrono>

#include "storage/digest.h"

namespace dangan {

namespace {

const char* const kColumns =
    "id, content_sha256, file_name, staged_dir, draft_json, suggested_item, confidence,"
    " created_at, state, coalesce(decided_at,''), coalesce(decided_by,''),"
    " coalesce(decided_item,''), coalesce(reference,''), coalesce(reason,'')";

ReviewItem ReadItem(const SqlRows& rows, size_t i) {
  ReviewItem r;
  r.id = rows.Int(i, 0);
  r.content_sha256 = rows.Text(i, 1);
  r.file_name = rows.Text(i, 2);
  r.staged_dir = rows.Text(i, 3);
  r.draft_json = rows.Text(i, 4);
  r.suggested_item = rows.Text(i, 5);
  r.confidence = rows.Real(i, 6);
  r.created_at = rows.Text(i, 7);
  r.state = rows.Text(i, 8);
  r.decided_at = rows.Text(i, 9);
  r.decided_by = rows.Text(i, 10);
  r.decided_item = rows.Text(i, 11);
  r.reference = rows.Text(i, 12);
  r.reason = rows.Text(i, 13);
  return r;
}

Result<std::vector<ReviewItem>> Query(SqlTables& catalogue, const std::string& where,
                                      const std::vector<SqlValue>& params) {
  std::vector<ReviewItem> out;
  Status st = catalogue.ReadTables([&](SqlSession& db) -> Status {
    auto rows = db.Run(std::string("SELECT ") + kColumns + " FROM capture_review " + where, params);
    if (!rows.ok()) return rows.status();
    for (size_t i = 0; i < rows->size(); ++i) out.push_back(ReadItem(*rows, i));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::optional<ReviewItem>> First(Result<std::vector<ReviewItem>> rows) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<ReviewItem>();
  return std::optional<ReviewItem>(std::move(rows->front()));
}

}  // namespace

ReviewQueue::ReviewQueue(SqlTables& catalogue, std::function<int64_t()> now_unix)
    : catalogue_(catalogue), now_unix_(std::move(now_unix)) {
  if (!now_unix_)
    now_unix_ = [] {
      return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
    };
}

Result<int64_t> ReviewQueue::Add(const ReviewItem& item, const std::string& actor) {
  int64_t id = 0;
  Status st = catalogue_.WriteTables([&](SqlSession& db) -> Status {
    auto ins = db.Run(
        "INSERT INTO capture_review(content_sha256, file_name, staged_dir, draft_json,"
        " suggested_item, confidence, created_at) VALUES($1,$2,$3,$4,$5,$6,$7)"
        " ON CONFLICT(content_sha256) DO NOTHING",
        {item.content_sha256, item.file_name, item.staged_dir, item.draft_json, item.suggested_item,
         item.confidence, item.created_at});
    if (!ins.ok()) return ins.status();
    auto q = db.Run("SELECT id FROM capture_review WHERE content_sha256=$1", {item.content_sha256});
    if (!q.ok()) return q.status();
    if (q->empty()) return Status::Internal("queued row vanished");
    id = q->Int(0, 0);
    if (ins->changed == 0) return Status::Ok();  // queued before, with its event then
    AuditEvent e;
    e.at = item.created_at;
    e.actor = actor;
    e.action = "queue-review";
    e.detail = "{\"review_id\":" + std::to_string(id) + "}";
    auto logged = db.Log(e);
    return logged.ok() ? Status::Ok() : logged.status();
  });
  if (!st.ok()) return st;
  return id;
}

Result<std::optional<ReviewItem>> ReviewQueue::Find(int64_t id) {
  return First(Query(catalogue_, "WHERE id=$1", {id}));
}

Result<std::optional<ReviewItem>> ReviewQueue::FindByContent(const std::string& sha) {
  return First(Query(catalogue_, "WHERE content_sha256=$1", {sha}));
}

Result<std::vector<ReviewItem>> ReviewQueue::List(const std::string& state, int limit) {
  const std::string order = " ORDER BY id LIMIT " + std::to_string(limit);
  if (state.empty()) return Query(catalogue_, order, {});
  return Query(catalogue_, "WHERE state=$1" + order, {state});
}

Result<std::string> ReviewQueue::Claim(int64_t id, int64_t seconds) {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) return Status::Internal("no random bytes for a claim");
  const std::string claim = HexEncode(raw, sizeof raw);
  const int64_t now = now_unix_();
  Status st = catalogue_.ReadTables([&](SqlSession& db) -> Status {
    auto up = db.Run(
        "UPDATE capture_review SET claim=$2, claim_until=$3 WHERE id=$1 AND state='pending'"
        " AND (claim IS NULL OR claim_until < $4)",
        {id, claim, now + seconds, now});
    if (!up.ok()) return up.status();
    if (up->changed == 1) return Status::Ok();
    auto row = db.Run("SELECT state FROM capture_review WHERE id=$1", {id});
    if (!row.ok()) return row.status();
    if (row->empty()) return Status::NotFound("no review item " + std::to_string(id));
    if (row->Text(0, 0) != "pending")
      return Status::Conflict("review item " + std::to_string(id) + " is already " +
                              row->Text(0, 0));
    return Status::Conflict("review item " + std::to_string(id) +
                            " is being decided by someone else just now");
  });
  if (!st.ok()) return st;
  return claim;
}

Status ReviewQueue::Release(int64_t id, const std::string& claim) {
  return catalogue_.ReadTables([&](SqlSession& db) -> Status {
    auto up =
        db.Run("UPDATE capture_review SET claim=NULL, claim_until=NULL WHERE id=$1 AND claim=$2",
               {id, claim});
    return up.ok() ? Status::Ok() : up.status();
  });
}

Status ReviewQueue::Decide(int64_t id, const std::string& state, const std::string& item,
                           const std::string& reference, const std::string& reason,
                           const std::string& actor, const std::string& at,
                           const ClassifierExample& example, const std::string& claim) {
  if (state != "filed" && state != "rejected")
    return Status::InvalidArgument("a review ends filed or rejected, not " + state);
  return catalogue_.WriteTables([&](SqlSession& db) -> Status {
    auto up = db.Run(
        "UPDATE capture_review SET state=$2, decided_item=$3, reference=$4, reason=$5,"
        " decided_by=$6, decided_at=$7, claim=NULL, claim_until=NULL"
        " WHERE id=$1 AND state='pending' AND (claim IS NULL OR claim=$8 OR claim_until < $9)",
        {id, state, item, reference, reason, actor, at, claim, now_unix_()});
    if (!up.ok()) return up.status();
    if (up->changed != 1)
      return Status::Conflict("review item " + std::to_string(id) +
                              " is not pending, or someone else is deciding it just now");
    auto ex = db.Run(
        "INSERT INTO classifier_examples(content_sha256, predicted_item, confirmed_item, text,"
        " at, actor) VALUES($1,$2,$3,$4,$5,$6)",
        {example.content_sha256, example.predicted_item, example.confirmed_item, example.text,
         example.at, example.actor});
    if (!ex.ok()) return ex.status();
    AuditEvent e;
    e.at = at;
    e.actor = actor;
    const std::string review_id = "{\"review_id\":" + std::to_string(id);
    if (state == "filed") {
      e.action = "review";
      e.reference = reference;
      e.detail = review_id + ",\"suggested\":\"" + example.predicted_item + "\",\"confirmed\":\"" +
                 item + "\"}";
    } else {
      e.action = "review-reject";
      e.detail = review_id + "}";
    }
    auto logged = db.Log(e);
    return logged.ok() ? Status::Ok() : logged.status();
  });
}

Result<std::vector<ClassifierExample>> ReviewQueue::Examples() {
  std::vector<ClassifierExample> out;
  Status st = catalogue_.ReadTables([&](SqlSession& db) -> Status {
    auto rows = db.Run(
        "SELECT content_sha256, predicted_item, confirmed_item, text, at, actor"
        " FROM classifier_examples ORDER BY id");
    if (!rows.ok()) return rows.status();
    for (size_t i = 0; i < rows->size(); ++i)
      out.push_back({rows->Text(i, 0), rows->Text(i, 1), rows->Text(i, 2), rows->Text(i, 3),
                     rows->Text(i, 4), rows->Text(i, 5)});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace dangan
