#include "storage/review_queue.h"

#include <functional>

namespace dangan {

namespace {

const char* const kColumns =
    "id, content_sha256, file_name, staged_dir, draft_json, suggested_item, confidence,"
    " created_at, state, coalesce(decided_at,''), coalesce(decided_by,''),"
    " coalesce(decided_item,''), coalesce(reference,''), coalesce(reason,'')";

ReviewItem ReadItem(Statement& st) {
  ReviewItem r;
  r.id = st.Int(0);
  r.content_sha256 = st.Text(1);
  r.file_name = st.Text(2);
  r.staged_dir = st.Text(3);
  r.draft_json = st.Text(4);
  r.suggested_item = st.Text(5);
  r.confidence = st.Real(6);
  r.created_at = st.Text(7);
  r.state = st.Text(8);
  r.decided_at = st.Text(9);
  r.decided_by = st.Text(10);
  r.decided_item = st.Text(11);
  r.reference = st.Text(12);
  r.reason = st.Text(13);
  return r;
}

Result<std::vector<ReviewItem>> Query(Catalogue* catalogue, const std::string& where,
                                      const std::function<void(Statement&)>& bind) {
  std::vector<ReviewItem> out;
  Status st = catalogue->WithConnection([&](SqliteDb& db) {
    auto q = db.Prepare(std::string("SELECT ") + kColumns + " FROM capture_review " + where);
    if (!q.ok()) return q.status();
    bind(*q);
    Status err;
    while (q->Step(&err)) out.push_back(ReadItem(*q));
    return err;
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace

Result<int64_t> ReviewQueue::Add(const ReviewItem& item) {
  int64_t id = 0;
  Status st = catalogue_->WithConnection([&](SqliteDb& db) {
    auto ins = db.Prepare(
        "INSERT INTO capture_review(content_sha256, file_name, staged_dir, draft_json,"
        " suggested_item, confidence, created_at) VALUES(?1,?2,?3,?4,?5,?6,?7)"
        " ON CONFLICT(content_sha256) DO NOTHING");
    if (!ins.ok()) return ins.status();
    ins->Bind(1, item.content_sha256).Bind(2, item.file_name).Bind(3, item.staged_dir);
    ins->Bind(4, item.draft_json).Bind(5, item.suggested_item).Bind(6, item.confidence);
    ins->Bind(7, item.created_at);
    DANGAN_RETURN_IF_ERROR(ins->Run());
    auto q = db.Prepare("SELECT id FROM capture_review WHERE content_sha256=?1");
    if (!q.ok()) return q.status();
    q->Bind(1, item.content_sha256);
    Status err;
    if (!q->Step(&err)) return err.ok() ? Status::Internal("queued row vanished") : err;
    id = q->Int(0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return id;
}

Result<std::optional<ReviewItem>> ReviewQueue::Find(int64_t id) {
  auto rows = Query(catalogue_, "WHERE id=?1", [id](Statement& s) { s.Bind(1, id); });
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<ReviewItem>();
  return std::optional<ReviewItem>(std::move(rows->front()));
}

Result<std::optional<ReviewItem>> ReviewQueue::FindByContent(const std::string& sha) {
  auto rows =
      Query(catalogue_, "WHERE content_sha256=?1", [&sha](Statement& s) { s.Bind(1, sha); });
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<ReviewItem>();
  return std::optional<ReviewItem>(std::move(rows->front()));
}

Result<std::vector<ReviewItem>> ReviewQueue::List(const std::string& state, int limit) {
  std::string where = state.empty() ? "" : "WHERE state=?1";
  where += " ORDER BY id LIMIT " + std::to_string(limit);
  return Query(catalogue_, where, [&state](Statement& s) {
    if (!state.empty()) s.Bind(1, state);
  });
}

Status ReviewQueue::Decide(int64_t id, const std::string& state, const std::string& item,
                           const std::string& reference, const std::string& reason,
                           const std::string& actor, const std::string& at,
                           const ClassifierExample& example) {
  if (state != "filed" && state != "rejected")
    return Status::InvalidArgument("a review ends filed or rejected, not " + state);
  return catalogue_->WithConnection([&](SqliteDb& db) {
    DANGAN_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    auto up = db.Prepare(
        "UPDATE capture_review SET state=?2, decided_item=?3, reference=?4, reason=?5,"
        " decided_by=?6, decided_at=?7 WHERE id=?1 AND state='pending'");
    Status st = up.status();
    if (st.ok()) {
      up->Bind(1, id).Bind(2, state).Bind(3, item).Bind(4, reference).Bind(5, reason);
      up->Bind(6, actor).Bind(7, at);
      st = up->Run();
    }
    if (st.ok() && db.Changes() != 1)
      st = Status::Conflict("review item " + std::to_string(id) + " is not pending");
    if (st.ok()) {
      auto ex = db.Prepare(
          "INSERT INTO classifier_examples(content_sha256, predicted_item, confirmed_item, text,"
          " at, actor) VALUES(?1,?2,?3,?4,?5,?6)");
      st = ex.status();
      if (st.ok()) {
        ex->Bind(1, example.content_sha256).Bind(2, example.predicted_item);
        ex->Bind(3, example.confirmed_item).Bind(4, example.text).Bind(5, example.at);
        ex->Bind(6, example.actor);
        st = ex->Run();
      }
    }
    if (st.ok()) st = db.Exec("COMMIT");
    if (!st.ok()) db.Exec("ROLLBACK");
    return st;
  });
}

Result<std::vector<ClassifierExample>> ReviewQueue::Examples() {
  std::vector<ClassifierExample> out;
  Status st = catalogue_->WithConnection([&](SqliteDb& db) {
    auto q = db.Prepare(
        "SELECT content_sha256, predicted_item, confirmed_item, text, at, actor"
        " FROM classifier_examples ORDER BY id");
    if (!q.ok()) return q.status();
    Status err;
    while (q->Step(&err))
      out.push_back({q->Text(0), q->Text(1), q->Text(2), q->Text(3), q->Text(4), q->Text(5)});
    return err;
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace dangan
