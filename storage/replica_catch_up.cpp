#include "storage/replica_catch_up.h"

#include <Poco/JSON/Object.h>

#include <set>
#include <sstream>

namespace dangan {

namespace {

struct Lag {
  std::string reference, root, since;
};

// Drops the lag; with `event`, logs it in the same transaction, only if this call removed it.
Result<bool> Drop(SqlTables& catalogue, const Lag& lag, const AuditEvent* event) {
  bool removed = false;
  Status st = catalogue.WriteTables([&](SqlSession& db) -> Status {
    auto gone = db.Run("DELETE FROM lagging_copies WHERE reference=$1 AND root=$2 RETURNING root",
                       {lag.reference, lag.root});
    if (!gone.ok()) return gone.status();
    removed = !gone->empty();
    if (!removed || event == nullptr) return Status::Ok();
    auto logged = db.Log(*event);
    return logged.ok() ? Status::Ok() : logged.status();
  });
  if (!st.ok()) return st;
  return removed;
}

}  // namespace

Result<int64_t> CountLaggingCopies(SqlTables& catalogue) {
  int64_t n = 0;
  Status st = catalogue.ReadTables([&](SqlSession& db) -> Status {
    auto rows = db.Run("SELECT count(*) FROM lagging_copies");
    if (!rows.ok()) return rows.status();
    n = rows->empty() ? 0 : rows->Int(0, 0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return n;
}

Result<CatchUpResult> CatchUpLaggingCopies(RecordCatalogue& catalogue, PackageStore& packages,
                                           const std::string& actor,
                                           const std::function<std::string()>& clock, int limit,
                                           UnknownRoots unknown) {
  std::vector<Lag> lagging;
  Status read = catalogue.ReadTables([&](SqlSession& db) -> Status {
    auto rows = db.Run(
        "SELECT reference, root, since FROM lagging_copies ORDER BY since, reference LIMIT $1",
        {static_cast<int64_t>(limit)});
    if (!rows.ok()) return rows.status();
    for (size_t i = 0; i < rows->size(); ++i)
      lagging.push_back({rows->Text(i, 0), rows->Text(i, 1), rows->Text(i, 2)});
    return Status::Ok();
  });
  if (!read.ok()) return read;
  CatchUpResult done;
  const auto& roots = packages.copy_roots();
  std::set<std::string> failing;  // roots that refused a copy in this call
  for (const auto& lag : lagging) {
    if (failing.count(lag.root)) continue;
    auto rec = catalogue.GetRecord(lag.reference);
    if (!rec.ok()) return rec.status();
    size_t target = roots.size();
    for (size_t i = 1; i < roots.size(); ++i)
      if (roots[i] == lag.root) target = i;
    if (*rec && target == roots.size() && unknown == UnknownRoots::kLeave) continue;
    if (!*rec || target == roots.size()) {
      // The record is gone or the replica is no longer configured: nothing left to catch up.
      auto dropped = Drop(catalogue, lag, nullptr);
      if (!dropped.ok()) return dropped.status();
      continue;
    }
    const Record& r = **rec;
    size_t source = roots.size();
    for (size_t i = 0; i < roots.size() && source == roots.size(); ++i)
      if (i != target && packages.VerifyCopy(i, r.package_path, r.package_sha256, r.files).ok)
        source = i;
    Status st = source == roots.size() ? Status::Corruption("no copy matches the catalogue")
                                       : packages.RepairCopy(target, source, r.package_path);
    if (st.ok() && !packages.VerifyCopy(target, r.package_path, r.package_sha256, r.files).ok)
      st = Status::Corruption("the written copy does not match the catalogue");
    if (!st.ok()) {
      // Left listed: the replica may be unmounted or full for now.
      done.failed.push_back(r.reference + " → " + lag.root + ": " + st.ToString());
      failing.insert(lag.root);
      continue;
    }
    // Destroyed while copied: the copy goes again (the destruction removed the others).
    auto still = catalogue.GetRecord(lag.reference);
    if (!still.ok()) return still.status();
    if (!*still) {
      DANGAN_RETURN_IF_ERROR(packages.Remove(r.package_path));
      auto dropped = Drop(catalogue, lag, nullptr);
      if (!dropped.ok()) return dropped.status();
      continue;
    }
    AuditEvent e;
    e.at = clock();
    e.actor = actor;
    e.reference = lag.reference;
    e.action = "replica-catch-up";
    Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
    detail.set("copy", static_cast<int64_t>(target));
    detail.set("root", lag.root);
    detail.set("from", static_cast<int64_t>(source));
    detail.set("lagging_since", lag.since);
    std::ostringstream text;
    detail.stringify(text);
    e.detail = text.str();
    auto logged = Drop(catalogue, lag, &e);
    if (!logged.ok()) return logged.status().WithContext("recording a catch-up");
    if (*logged) ++done.caught_up;
  }
  return done;
}

}  // namespace dangan
