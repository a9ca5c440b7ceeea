#include "storage/fixity_audit.h"

#include "storage/replica_catch_up.h"

#include <chrono>
#include <filesystem>
#include <thread>

namespace dangan {
namespace {

constexpr int kBatch = 200;
constexpr const char* kCursor = "cursor";               // last row id checked in this cycle
constexpr const char* kCycleStarted = "cycle_started";  // when the current cycle began
constexpr const char* kLastCycle = "last_cycle_completed";

double Seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

FixityAudit::FixityAudit(Catalogue& catalogue, PackageStore& packages, Options options)
    : catalogue_(catalogue), packages_(packages), options_(std::move(options)) {
  if (!options_.clock) options_.clock = [] { return std::string("1970-01-01T00:00:00+00:00"); };
}

void FixityAudit::Throttle(uint64_t bytes) {
  if (options_.max_bytes_per_second <= 0) return;
  if (throttled_bytes_ == 0) throttle_start_ = Seconds();
  throttled_bytes_ += bytes;
  double due = throttle_start_ + throttled_bytes_ / options_.max_bytes_per_second;
  double now = Seconds();
  if (due > now) std::this_thread::sleep_for(std::chrono::duration<double>(due - now));
}

RecordAudit CheckRecordCopies(PackageStore& packages, const Record& r,
                              const CopyCheckOptions& options, std::vector<AuditEvent>* events) {
  RecordAudit out;
  out.reference = r.reference;
  const size_t copies = packages.copy_roots().size();
  std::vector<bool> good(copies, false);
  for (size_t i = 0; i < copies; ++i) {
    PackageCheck check = packages.VerifyCopy(i, r.package_path, r.package_sha256, r.files);
    out.bytes += check.bytes_read;
    if (options.throttle) options.throttle(check.bytes_read);
    if (check.ok) {
      good[i] = true;
      continue;
    }
    bool missing = !check.problems.empty() && check.problems[0].what == "missing";
    out.findings.push_back({i, missing ? "missing" : "changed", check.Describe(), false, 0});
  }
  if (out.findings.empty()) return out;

  size_t source = copies;
  for (size_t i = 0; i < copies && source == copies; ++i)
    if (good[i]) source = i;
  auto event = [&](const std::string& action, const std::string& detail) {
    AuditEvent e;
    e.at = options.clock();
    e.actor = options.actor;
    e.action = action;
    e.reference = r.reference;
    e.detail = detail;
    events->push_back(std::move(e));
  };
  for (auto& f : out.findings) {
    const std::string root = JsonString(packages.copy_roots()[f.copy]);
    event("fixity-damage", "{\"copy\":" + std::to_string(f.copy) + ",\"root\":" + root +
                               ",\"problem\":" + JsonString(f.what) +
                               ",\"detail\":" + JsonString(f.detail) + "}");
    if (source == copies) continue;
    Status st = packages.RepairCopy(f.copy, source, r.package_path);
    // A repair counts only once the repaired copy itself hashes to the catalogue's digest.
    if (st.ok()) {
      PackageCheck again = packages.VerifyCopy(f.copy, r.package_path, r.package_sha256, {});
      out.bytes += again.bytes_read;
      if (!again.ok) st = Status::IOError("the repaired copy still differs: " + again.Describe());
    }
    if (st.ok()) {
      f.repaired = true;
      f.repaired_from = source;
      event("fixity-repair", "{\"copy\":" + std::to_string(f.copy) + ",\"root\":" + root +
                                 ",\"from\":" + std::to_string(source) + "}");
    } else {
      event("fixity-repair-failed", "{\"copy\":" + std::to_string(f.copy) + ",\"root\":" + root +
                                        ",\"error\":" + JsonString(st.ToString()) + "}");
    }
  }
  bool wrote = false;
  for (const auto& f : out.findings) wrote = wrote || f.repaired;
  if (wrote && options.still_filed) {
    auto filed = options.still_filed();
    if (filed.ok() && !*filed) {
      Status removed = packages.Remove(r.package_path);
      out.destroyed = true;
      event("fixity-repair-withdrawn",
            "{\"note\":\"the record was destroyed meanwhile; its repaired copies were removed\"" +
                (removed.ok() ? std::string() : ",\"error\":" + JsonString(removed.ToString())) +
                "}");
    }
  }
  if (source == copies) {
    out.unrepairable = true;
    event("fixity-unrepairable",
          "{\"copies\":" + std::to_string(copies) +
              ",\"note\":\"no copy matches the catalogue; nothing was changed\"}");
  }
  return out;
}

Result<RecordAudit> FixityAudit::CheckRecord(const Record& r) {
  std::vector<AuditEvent> events;
  CopyCheckOptions options{options_.actor, options_.clock,
                           [this](uint64_t bytes) { Throttle(bytes); },
                           [this, &r]() -> Result<bool> {
                             auto still = catalogue_.GetRecord(r.reference);
                             if (!still.ok()) return still.status();
                             return still->has_value();
                           }};
  RecordAudit out = CheckRecordCopies(packages_, r, options, &events);
  if (!events.empty()) {
    auto logged = catalogue_.AppendEvents(events, Catalogue::Durability::kSynced);
    if (!logged.ok()) return logged.status().WithContext("recording fixity events");
  }
  return out;
}

Result<FixityAudit::CatchUpResult> FixityAudit::CatchUp(int limit) {
  auto done = CatchUpLaggingCopies(catalogue_, packages_, options_.actor, options_.clock, limit);
  if (!done.ok()) return done.status();
  counters_.caught_up_copies += done->caught_up;
  return done;
}

Result<std::vector<StrayFile>> FixityAudit::FindStrays() {
  std::vector<StrayFile> strays;
  std::vector<AuditEvent> events;
  for (size_t copy = 0; copy < packages_.copy_roots().size(); ++copy) {
    auto files = packages_.ListCopy(copy);
    if (!files.ok()) return files.status();
    for (const std::string& rel : *files) {
      // In this order: a filing renames its package into place after writing its marker and
      // removes the marker after its row commits, so a file seen here with neither is no filing's.
      if (packages_.InFlight(rel)) continue;
      auto known = catalogue_.HasPackage(rel);
      if (!known.ok()) return known.status();
      if (*known) continue;
      std::error_code ec;
      const auto bytes = std::filesystem::file_size(packages_.CopyPath(copy, rel), ec);
      if (ec) continue;  // gone meanwhile (a discarded filing)
      strays.push_back({copy, rel, static_cast<uint64_t>(bytes)});
      AuditEvent e;
      e.at = options_.clock();
      e.actor = options_.actor;
      e.action = "fixity-stray";
      e.detail = "{\"copy\":" + std::to_string(copy) +
                 ",\"root\":" + JsonString(packages_.copy_roots()[copy]) +
                 ",\"path\":" + JsonString(rel) + ",\"bytes\":" + std::to_string(bytes) +
                 ",\"note\":\"belongs to no record; left in place\"}";
      events.push_back(std::move(e));
    }
  }
  if (!events.empty()) {
    auto logged = catalogue_.AppendEvents(events, Catalogue::Durability::kSynced);
    if (!logged.ok()) return logged.status().WithContext("recording stray files");
  }
  counters_.stray_files += static_cast<int64_t>(strays.size());
  return strays;
}

Result<AuditSummary> FixityAudit::Run(int64_t limit, const std::atomic<bool>* stop) {
  AuditSummary sum;
  throttled_bytes_ = 0;  // the rate holds within a run, not across idle time between runs
  auto cursor_text = catalogue_.AuditState(kCursor);
  if (!cursor_text.ok()) return cursor_text.status();
  const int64_t start = cursor_text->empty() ? 0 : std::stoll(*cursor_text);
  if (start == 0) {
    auto started = catalogue_.AuditState(kCycleStarted);
    if (!started.ok()) return started.status();
    if (started->empty())
      DANGAN_RETURN_IF_ERROR(catalogue_.SetAuditState({{kCycleStarted, options_.clock()}}));
  }
  int64_t cursor = start;
  bool wrapped = false;
  for (;;) {
    auto batch = catalogue_.ReferencesAfter(cursor, kBatch);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) {
      // The end of the holdings: the cycle is complete; begin the next one at the start.
      const std::string now = options_.clock();
      DANGAN_RETURN_IF_ERROR(
          catalogue_.SetAuditState({{kCursor, "0"}, {kLastCycle, now}, {kCycleStarted, now}}));
      ++counters_.cycles_completed;
      auto strays = FindStrays();
      if (!strays.ok()) return strays.status().WithContext("looking for stray files");
      sum.strays = std::move(*strays);
      cursor = 0;
      // A sliced run (a limit: the server's loop) reports the end of the cycle so that its
      // caller can rest; only a whole run goes round to where it began. Going round in slices
      // too started each new cycle at once, and the server audited without pause.
      if (wrapped || start == 0 || limit > 0) {
        sum.complete = true;
        return sum;
      }
      wrapped = true;
      continue;
    }
    std::vector<FixityResult> results;
    for (const auto& [id, ref] : *batch) {
      if (wrapped && id > start) {
        sum.complete = true;
        break;
      }
      if ((limit > 0 && sum.records >= limit) || (stop && stop->load())) break;
      auto rec = catalogue_.GetRecord(ref);
      if (!rec.ok()) return rec.status();
      cursor = id;
      if (!*rec) continue;
      auto audit = CheckRecord(**rec);
      if (!audit.ok()) return audit.status().WithContext(ref);
      ++sum.records;
      const auto copies = static_cast<int64_t>(packages_.copy_roots().size());
      sum.copies_checked += copies;
      sum.bytes += audit->bytes;
      ++counters_.records;
      counters_.copies_checked += copies;
      counters_.bytes += audit->bytes;
      std::string detail = "intact";
      bool damaged_now = false;
      for (const auto& f : audit->findings) {
        ++sum.damaged_copies;
        ++counters_.damaged_copies;
        if (f.repaired) ++sum.repaired_copies;
        if (f.repaired) ++counters_.repaired_copies;
        damaged_now = damaged_now || !f.repaired;
      }
      if (!audit->findings.empty()) {
        detail = std::to_string(audit->findings.size()) + " damaged cop" +
                 (audit->findings.size() == 1 ? "y" : "ies");
        detail += damaged_now ? (audit->unrepairable ? ", no good copy left" : ", repair failed")
                              : ", repaired";
      }
      if (audit->unrepairable) {
        ++sum.unrepairable_records;
        ++counters_.unrepairable_records;
        sum.unrepairable.push_back(ref);
      }
      if (!audit->findings.empty())
        results.push_back({ref, options_.clock(), !damaged_now, detail});
      if (options_.after_record) {
        auto passed = options_.after_record(**rec);
        if (!passed.ok()) return passed.status().WithContext(ref);
        if (!*passed) ++counters_.checks_failed;
      }
    }
    if (!results.empty()) DANGAN_RETURN_IF_ERROR(catalogue_.RecordFixity(results));
    DANGAN_RETURN_IF_ERROR(catalogue_.SetAuditState({{kCursor, std::to_string(cursor)}}));
    if (sum.complete || (limit > 0 && sum.records >= limit) || (stop && stop->load())) return sum;
  }
}

}  // namespace dangan
