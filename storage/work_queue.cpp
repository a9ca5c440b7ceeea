#include "storage/work_queue.h"

namespace dangan {

Result<int64_t> WorkQueue::Enqueue(const std::string& kind, const std::string& payload,
                                   const std::string& key, int max_attempts) {
  if (kind.empty()) return Status::InvalidArgument("a job needs a kind");
  if (max_attempts < 1) return Status::InvalidArgument("max_attempts must be at least 1");
  auto db = catalogue_->Borrow();
  if (!db.ok()) return db.status();
  std::optional<std::string> k = key.empty() ? std::nullopt : std::optional<std::string>(key);
  auto id = (*db)->Value(
      "INSERT INTO jobs(kind, payload, key, max_attempts) VALUES($1, $2, $3, $4)"
      " ON CONFLICT (key) DO NOTHING RETURNING id",
      {kind, payload, k, std::to_string(max_attempts)});
  if (!id.ok()) return id.status();
  if (!*id) {
    id = (*db)->Value("SELECT id FROM jobs WHERE key=$1", {k});
    if (!id.ok()) return id.status();
    if (!*id) return Status(ErrorCode::kUnavailable, "job " + key + " vanished; enqueue again");
  }
  return std::stoll(**id);
}

Result<std::optional<Job>> WorkQueue::Claim(const std::string& worker,
                                            const std::vector<std::string>& kinds,
                                            int lease_seconds) {
  if (worker.empty()) return Status::InvalidArgument("a worker needs a name");
  if (lease_seconds < 1) return Status::InvalidArgument("the lease must be at least 1 s");
  auto db = catalogue_->Borrow();
  if (!db.ok()) return db.status();
  // A job whose worker died on every attempt (a scan that crashes the OCR engine, say) is given
  // up, not handed to the next worker to crash it too.
  DANGAN_RETURN_IF_ERROR((*db)->Run(
      "UPDATE jobs SET state='failed', finished_at=now(), lease_until=NULL,"
      " error='its worker stopped during each of ' || attempts || ' attempts'"
      " WHERE state='running' AND lease_until < now() AND attempts >= max_attempts"
      " AND kind = ANY($1::text[])",
      {PgTextArray(kinds)}));
  // The oldest job that is queued or whose worker stopped renewing its lease. SKIP LOCKED: a
  // job another worker is claiming this instant is passed over, not waited for.
  auto rows = (*db)->Query(
      "UPDATE jobs SET state='running', worker=$1, attempts=attempts+1,"
      " lease_until=now() + make_interval(secs => $2::integer)"
      " WHERE id = (SELECT id FROM jobs WHERE kind = ANY($3::text[]) AND"
      "  ((state='queued' AND not_before <= now()) OR (state='running' AND lease_until < now() AND attempts < max_attempts))"
      "  ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
      " RETURNING id, kind, payload, attempts",
      {worker, std::to_string(lease_seconds), PgTextArray(kinds)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Job>();
  return std::optional<Job>(
      Job{rows->Int(0, 0), rows->Text(0, 1), rows->Text(0, 2), static_cast<int>(rows->Int(0, 3))});
}

Status WorkQueue::Heartbeat(const Job& job, const std::string& worker, int lease_seconds) {
  auto db = catalogue_->Borrow();
  if (!db.ok()) return db.status();
  auto rows = (*db)->Query(
      "UPDATE jobs SET lease_until=now() + make_interval(secs => $3::integer)"
      " WHERE id=$1 AND worker=$2 AND state='running' AND attempts=$4",
      {std::to_string(job.id), worker, std::to_string(lease_seconds),
       std::to_string(job.attempts)});
  if (!rows.ok()) return rows.status();
  if (rows->Affected() == 0)
    return Status::Conflict("job " + std::to_string(job.id) + " is no longer held by " + worker);
  return Status::Ok();
}

Status WorkQueue::Finish(const Job& job, const std::string& worker, const std::string& update,
                         const std::vector<std::optional<std::string>>& values,
                         const std::function<Status(PgDb&)>& effects) {
  auto db = catalogue_->Borrow();
  if (!db.ok()) return db.status();
  DANGAN_RETURN_IF_ERROR((*db)->Exec("BEGIN"));
  auto attempt = [&]() -> Status {
    // The job's row first: while this transaction holds it, no one else can finish it, and a
    // lease that ran out and was taken meanwhile shows as a changed attempt count.
    PgParams params{std::to_string(job.id), worker, std::to_string(job.attempts)};
    auto held = (*db)->Query(
        "SELECT 1 FROM jobs WHERE id=$1 AND worker=$2 AND state='running' AND attempts=$3"
        " FOR UPDATE",
        params);
    if (!held.ok()) return held.status();
    if (held->empty())
      return Status::Conflict("job " + std::to_string(job.id) + " is no longer held by " + worker);
    if (effects) DANGAN_RETURN_IF_ERROR(effects(**db));
    params.insert(params.end(), values.begin(), values.end());
    DANGAN_RETURN_IF_ERROR((*db)->Run(update, params));
    return (*db)->Exec("COMMIT");
  };
  Status st = attempt();
  if (!st.ok() && (*db)->InTransaction()) (*db)->Exec("ROLLBACK");
  return st;
}

Status WorkQueue::Complete(const Job& job, const std::string& worker, const std::string& result,
                           const std::function<Status(PgDb&)>& effects) {
  return Finish(job, worker,
                "UPDATE jobs SET state='done', result=$4, error=NULL, lease_until=NULL,"
                " finished_at=now() WHERE id=$1 AND worker=$2 AND attempts=$3",
                {result}, effects);
}

Status WorkQueue::Fail(const Job& job, const std::string& worker, const std::string& error,
                       int retry_seconds) {
  return Finish(job, worker,
                "UPDATE jobs SET error=$4, lease_until=NULL,"
                " state = CASE WHEN attempts < max_attempts AND $5 >= 0 THEN 'queued'"
                "  ELSE 'failed' END,"
                " not_before = now() + make_interval(secs => greatest($5, 0)),"
                " finished_at = CASE WHEN attempts < max_attempts AND $5 >= 0 THEN NULL"
                "  ELSE now() END"
                " WHERE id=$1 AND worker=$2 AND attempts=$3",
                {error, std::to_string(retry_seconds)}, nullptr);
}

Result<WorkQueue::Counts> WorkQueue::Count(const std::string& kind) {
  auto db = catalogue_->Borrow();
  if (!db.ok()) return db.status();
  auto rows = (*db)->Query(
      "SELECT state, count(*) FROM jobs WHERE $1 = '' OR kind = $1 GROUP BY state", {kind});
  if (!rows.ok()) return rows.status();
  Counts c;
  for (int i = 0; i < rows->size(); ++i) {
    const std::string s = rows->Text(i, 0);
    int64_t n = rows->Int(i, 1);
    if (s == "queued")
      c.queued = n;
    else if (s == "running")
      c.running = n;
    else if (s == "done")
      c.done = n;
    else if (s == "failed")
      c.failed = n;
  }
  return c;
}

}  // namespace dangan
