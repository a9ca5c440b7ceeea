// `dangan worker`: a process that takes jobs from the work queue in the PostgreSQL catalogue
// (storage/work_queue.h), on any number of machines that mount the archive's storage roots at
// the same paths. A job is leased and heartbeated while it runs; a worker that dies loses its
// lease and another takes the job. Jobs:
//   ingest   a closed case (the JSON `dangan ingest` reads) filed through the one Filing path;
//   capture  a scanned document recognised, classified and filed when the classifier is sure;
//   fixity   every copy of one record's package checked, damage repaired from a good copy.
// Filing is idempotent on the case, so a job run twice files once; what a job writes to the
// catalogue besides (events, fixity results) commits with the job's completion, so it lands once.
#include <signal.h>
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <variant>

#include "archive/case_submission.h"
#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/capture_filing.h"
#include "archive/cli/commands.h"
#include "archive/cli/periodic_task.h"
#include "capture/document_capture.h"
#include "storage/digest.h"
#include "storage/fixity_audit.h"
#include "storage/pg_catalogue.h"
#include "storage/work_queue.h"
#include "web/http_json.h"

namespace dangan::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kWorkerUsage = R"(usage:
  dangan worker run --catalogue URL [--kinds ingest,capture,fixity] [--name NAME]
                    [--lease-seconds N] [--pace-ms N] [--threshold X] [--exit-when-idle]
      take jobs until stopped (SIGTERM or SIGINT: the job in hand is finished first). The
      archive's directory (--root: archive.properties, the scheme, the storage roots) must be
      the same on every machine; the catalogue is the PostgreSQL server at URL.
        --pace-ms N       each job lasts at least N ms (to spare shared disks)
        --threshold X     capture confidence below which a document waits for review (0.5)
        --exit-when-idle  stop once no job is queued or running
  dangan worker enqueue ingest CASE.json|DIR…   one job per case file
  dangan worker enqueue capture SCAN|DIR…       one job per scanned document (once per scan)
  dangan worker enqueue fixity [--cycle NAME]   one job per record (once per cycle; default:
                                                today's date)
  dangan worker status --catalogue URL          jobs by state

URL is a PostgreSQL connection URI (postgresql://user@host:port/db), also taken from
$DANGAN_CATALOGUE. Paths in jobs are absolute, as every machine sees them.
)";

const std::vector<std::string> kAllKinds = {"ingest", "capture", "fixity"};

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop = true; }

Result<std::string> CatalogueUrl(const Arguments& args) {
  auto url = SharedCatalogueUrl(args.Get("--catalogue"), true);
  if (url.ok() && url->empty())
    return Status::InvalidArgument("--catalogue URL (or $DANGAN_CATALOGUE) is required");
  return url;
}

Result<std::unique_ptr<PgCatalogue>> OpenQueueCatalogue(const Arguments& args,
                                                        const ReferenceTemplate* shape) {
  auto url = CatalogueUrl(args);
  if (!url.ok()) return url.status();
  return PgCatalogue::Open(*url, shape);
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find(',', i);
    if (j == std::string::npos) j = text.size();
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Renews the lease of the job in hand every third of the lease, until stopped. A renewal that
// finds the job taken (the lease ran out meanwhile) changes nothing: the job's completion is
// then refused, and its result dropped.
class LeaseKeeper {
 public:
  LeaseKeeper(WorkQueue& queue, const Job& job, const std::string& worker, int lease_seconds)
      : thread_([&queue, job, worker, lease_seconds, this] {
          std::unique_lock<std::mutex> lock(mu_);
          while (!done_) {
            if (cv_.wait_for(lock, std::chrono::milliseconds(lease_seconds * 1000 / 3),
                             [this] { return done_; }))
              break;
            lock.unlock();
            Status st = queue.Heartbeat(job, worker, lease_seconds);
            // Lost (kConflict) shows at completion; anything else is said now and retried.
            if (!st.ok() && st.code() != ErrorCode::kConflict)
              std::cerr << "dangan: worker " << worker << ": renewing job " << job.id << ": "
                        << st.ToString() << "\n";
            lock.lock();
          }
        }) {}
  ~LeaseKeeper() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// What a job came to: a line for the log and the job's result, and what it writes to the
// catalogue with its completion.
struct Outcome {
  std::string summary;
  std::optional<FixityResult> fixity;
  std::vector<AuditEvent> events;
  // An action the record should have once: its events are left out if the chain has one already.
  std::string once_per_record;
};

// A job that cannot succeed however often it runs (bad input) is given up at once.
struct JobError {
  Status status;
  bool permanent = false;
};

std::string PayloadField(const Job& job, const char* field, Status* error) {
  try {
    Poco::JSON::Parser parser;
    auto object = parser.parse(job.payload).extract<Poco::JSON::Object::Ptr>();
    std::string v = object->optValue<std::string>(field, "");
    if (v.empty()) *error = Status::InvalidArgument(std::string("job payload has no ") + field);
    return v;
  } catch (const Poco::Exception& e) {
    *error = Status::InvalidArgument("job payload is not a JSON object: " + e.displayText());
    return "";
  }
}

bool IsPermanent(const Status& st) {
  switch (st.code()) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kMalformed:
    case ErrorCode::kUnsupportedMediaType:
    case ErrorCode::kNotFound:
    case ErrorCode::kConflict:
    case ErrorCode::kFailedCheck:
    case ErrorCode::kTooLarge:
    case ErrorCode::kCorruption:
      return true;
    default:
      return false;
  }
}

// The machinery a worker process runs its jobs with, made once.
class JobRunner {
 public:
  JobRunner(std::string root, ArchiveRules rules, PgCatalogue& catalogue, std::string actor)
      : root_(std::move(root)),
        rules_(std::move(rules)),
        catalogue_(catalogue),
        actor_(std::move(actor)),
        packages_(root_, rules_.settings.organization, Env::Default(), rules_.settings.replicas) {
    packages_.SetQuorum(static_cast<size_t>(rules_.settings.replica_quorum));
  }

  Status Init(const std::set<std::string>& kinds, double threshold) {
    threshold_ = threshold;
    auto filing = MakeFiling(rules_.settings, *rules_.scheme, *rules_.reference_template,
                             *rules_.checks, catalogue_, packages_);
    if (!filing.ok()) return filing.status();
    filing_ = std::move(*filing);
    if (kinds.count("capture")) {
      capture_ = std::make_unique<CaptureFiling>(
          CaptureArchive{root_, rules_.settings.organization, rules_.scheme.get(), &catalogue_,
                         filing_.get()},
          actor_);
      // The scheme's vocabulary and what archivists taught it so far, as at this worker's start.
      auto classifier = LoadCaptureClassifier(*rules_.scheme, &capture_->queue());
      if (!classifier.ok()) return classifier.status();
      classifier_ = std::make_unique<capture::DocumentClassifier>(std::move(*classifier));
      auto pool = capture::OcrEnginePool::Open(1, capture::OcrOptions{});
      if (!pool.ok()) return pool.status();
      pool_ = std::move(*pool);
      pipeline_ = std::make_unique<capture::DocumentCapture>(*rules_.scheme, *classifier_, *pool_,
                                                             capture::CaptureOptions{});
    }
    return Status::Ok();
  }

  std::variant<Outcome, JobError> Run(const Job& job) {
    if (job.kind == "ingest") return Ingest(job);
    if (job.kind == "capture") return Capture(job);
    if (job.kind == "fixity") return Fixity(job);
    return JobError{Status::InvalidArgument("unknown job kind " + job.kind), true};
  }

  PackageStore& packages() { return packages_; }

 private:
  std::variant<Outcome, JobError> Ingest(const Job& job) {
    Status bad;
    const std::string path = PayloadField(job, "case", &bad);
    if (!bad.ok()) return JobError{bad, true};
    std::ifstream in(path, std::ios::binary);
    if (!in) return JobError{Status::NotFound(path + ": cannot read the case"), true};
    std::stringstream text;
    text << in.rdbuf();
    CaseDecodeOptions options;
    options.base_dir = fs::path(path).parent_path().string();
    auto c = DecodeCaseJson(text.str(), *rules_.scheme, options);
    if (!c.ok()) return JobError{c.status().WithContext(path), true};
    auto receipt = filing_->File(*c, "business", actor_);
    if (!receipt.ok()) return JobError{receipt.status(), IsPermanent(receipt.status())};
    Outcome out;
    out.summary = receipt->reference + (receipt->already_filed ? " (filed before)" : "");
    return out;
  }

  std::variant<Outcome, JobError> Capture(const Job& job) {
    Status bad;
    const std::string path = PayloadField(job, "scan", &bad);
    if (!bad.ok()) return JobError{bad, true};
    if (!pipeline_) return JobError{Status::Internal("this worker takes no capture jobs"), false};
    auto sha = Digest::OfFile(path);
    if (!sha.ok()) return JobError{sha.status(), IsPermanent(sha.status())};
    Outcome out;
    // A scan queued before (this job redone after its worker died, or the same scan sent twice)
    // keeps its place in the review queue and whatever an archivist decided about it.
    auto queued = capture_->queue().FindByContent(*sha);
    if (!queued.ok()) return JobError{queued.status(), false};
    if (*queued) {
      out.summary =
          "review " + std::to_string((*queued)->id) + ": queued before (" + (*queued)->state + ")";
      return out;
    }
    auto doc = pipeline_->Capture(path);
    if (!doc.ok()) return JobError{doc.status(), IsPermanent(doc.status())};
    const auto& cls = doc->classification;
    std::string reason = CaptureReviewReason(cls, threshold_);
    if (reason.empty()) {
      auto receipt = FileCapture(*filing_, *rules_.scheme, root_, rules_.settings.organization,
                                 actor_, *doc, *sha);
      if (receipt.ok()) {
        AuditEvent e;
        e.at = NowIso8601();
        e.actor = actor_;
        e.action = "classify";
        e.reference = receipt->reference;
        e.detail = CaptureClassifyDetail(*doc);
        // Also when it was filed before: a worker that died between the filing and its job's
        // completion left the record without it. The completion adds it only if it is missing.
        out.events.push_back(std::move(e));
        out.once_per_record = "classify";
        out.summary = receipt->reference + " " + cls.item_code + " " +
                      std::to_string(cls.confidence).substr(0, 4);
        return out;
      }
      if (receipt.status().code() != ErrorCode::kInvalidArgument)
        return JobError{receipt.status(), IsPermanent(receipt.status())};
      reason = receipt.status().message();
    }
    // Filed before, when the classifier was surer (a scan enqueued again): it stays filed.
    auto filed = catalogue_.FindCase("capture", *sha);
    if (!filed.ok()) return JobError{filed.status(), false};
    if (*filed) {
      out.summary = (*filed)->reference + " (filed before)";
      return out;
    }
    // Unsure: staged under the shared root's review/ and queued, for an archivist on any server.
    auto queued_now = capture_->Queue(*doc, *sha, reason);
    if (!queued_now.ok()) return JobError{queued_now.status(), IsPermanent(queued_now.status())};
    out.summary = "review " + std::to_string(queued_now->review_id) + ": " + reason;
    return out;
  }

  std::variant<Outcome, JobError> Fixity(const Job& job) {
    Status bad;
    const std::string reference = PayloadField(job, "reference", &bad);
    if (!bad.ok()) return JobError{bad, true};
    auto record = catalogue_.GetRecord(reference);
    if (!record.ok()) return JobError{record.status(), false};
    Outcome out;
    if (!*record) {  // destroyed since the job was queued: nothing to check
      out.summary = reference + ": gone";
      return out;
    }
    CopyCheckOptions options{actor_, NowIso8601, nullptr, [&]() -> Result<bool> {
                               auto still = catalogue_.GetRecord(reference);
                               if (!still.ok()) return still.status();
                               return still->has_value();
                             }};
    RecordAudit audit = CheckRecordCopies(packages_, **record, options, &out.events);
    if (audit.destroyed) {
      out.summary = reference + ": destroyed while checked";
      return out;
    }
    int repaired = 0;
    for (const auto& f : audit.findings) repaired += f.repaired ? 1 : 0;
    FixityResult r;
    r.reference = reference;
    r.checked_at = NowIso8601();
    r.ok = audit.findings.empty() ||
           (!audit.unrepairable && repaired == static_cast<int>(audit.findings.size()));
    r.detail = audit.findings.empty() ? "intact"
                                      : std::to_string(audit.findings.size()) + " damaged cop" +
                                            (audit.findings.size() == 1 ? "y" : "ies") + ", " +
                                            std::to_string(repaired) + " repaired" +
                                            (audit.unrepairable ? ", no good copy left" : "");
    out.summary = reference + ": " + r.detail;
    out.fixity = std::move(r);
    return out;
  }

  std::string root_;
  ArchiveRules rules_;
  PgCatalogue& catalogue_;
  std::string actor_;
  PackageStore packages_;
  std::unique_ptr<Filing> filing_;
  double threshold_ = 0.5;
  std::unique_ptr<CaptureFiling> capture_;  // files sure captures, queues the rest
  std::unique_ptr<capture::DocumentClassifier> classifier_;
  std::unique_ptr<capture::OcrEnginePool> pool_;
  std::unique_ptr<capture::DocumentCapture> pipeline_;
};

int RunJobs(const Context& ctx, const Arguments& args) {
  auto lease = ParseInt("--lease-seconds", args.Get("--lease-seconds", "30"), 1, 3600);
  if (!lease.ok()) return Fail(lease.status().message(), 2);
  auto pace = ParseInt("--pace-ms", args.Get("--pace-ms", "0"), 0, 3600000);
  if (!pace.ok()) return Fail(pace.status().message(), 2);
  auto threshold = ParseCaptureThreshold(args.Get("--threshold", "0.5"));
  if (!threshold.ok()) return Fail(threshold.status().message(), 2);
  std::vector<std::string> kinds = SplitList(args.Get("--kinds", "ingest,capture,fixity"));
  for (const auto& k : kinds)
    if (std::find(kAllKinds.begin(), kAllKinds.end(), k) == kAllKinds.end())
      return Fail("unknown job kind '" + k + "' (ingest, capture, fixity)", 2);
  if (kinds.empty()) return Fail("--kinds names no job kind", 2);
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  const std::string name =
      args.Get("--name", std::string(host) + ":" + std::to_string(static_cast<long>(getpid())));

  if (auto url = CatalogueUrl(args); !url.ok()) return Fail(url.status().ToString(), 2);
  auto rules = LoadArchiveRules(ctx.root);
  if (!rules.ok()) return Fail(rules.status().ToString(), 1);
  // The worker itself recovers nothing: what a killed worker leaves is not yet cleaned up.
  auto lock = JoinSharedCatalogueRoot(ctx.root);
  if (!lock.ok()) return Fail(lock.status().ToString(), 1);
  auto catalogue = OpenQueueCatalogue(args, rules->reference_template.get());
  if (!catalogue.ok()) return Fail(catalogue.status().ToString(), 1);
  const std::string actor = "worker:" + name;
  JobRunner runner(ctx.root, std::move(*rules), **catalogue, actor);
  Status ready = runner.Init(std::set<std::string>(kinds.begin(), kinds.end()), *threshold);
  if (!ready.ok()) return Fail(ready.ToString(), 1);
  WorkQueue queue(catalogue->get());
  // What killed workers and servers left in the shared root goes once it is an hour old, also
  // where no server runs.
  PeriodicTask sweeper(
      "sweeping the shared root",
      [&] { return SweepSharedRootNow(runner.packages(), **catalogue, ctx.root); },
      kSharedSweepPeriod, PeriodicTask::Also::kAtStart);
  sweeper.Start();
  PeriodicTask catch_up(
      "catching up replicas",
      [&] { return CatchUpSharedReplicas(**catalogue, runner.packages(), actor); }, kCatchUpPeriod,
      PeriodicTask::Also::kAtStart);
  catch_up.Start();
  signal(SIGTERM, OnStopSignal);
  signal(SIGINT, OnStopSignal);
  int64_t done = 0, failed = 0;
  std::cout << "worker " << name << ": taking " << args.Get("--kinds", "ingest,capture,fixity")
            << " jobs\n"
            << std::flush;
  int failed_claims = 0;
  while (!g_stop) {
    auto job = queue.Claim(name, kinds, *lease);
    if (!job.ok()) {
      std::cerr << "dangan: worker " << name << ": " << job.status().ToString() << "\n";
      // A worker meant to run until idle gives up after half a minute without its server; a
      // long-running one waits for the server to come back.
      if (args.Has("--exit-when-idle") && ++failed_claims >= 30) return 1;
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    failed_claims = 0;
    if (!*job) {
      if (args.Has("--exit-when-idle")) {
        auto counts = queue.Count();
        if (counts.ok() && counts->queued == 0 && counts->running == 0) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    const Job& j = **job;
    const auto started = std::chrono::steady_clock::now();
    std::variant<Outcome, JobError> result;
    {
      // Heartbeats stop before the job is finished: one that met the finished job would report
      // a lost lease.
      LeaseKeeper keeper(queue, j, name, *lease);
      result = runner.Run(j);
      std::this_thread::sleep_until(started + std::chrono::milliseconds(*pace));
    }
    Status st;
    if (auto* error = std::get_if<JobError>(&result)) {
      st = queue.Fail(j, name, error->status.ToString(), error->permanent ? WorkQueue::kGiveUp : 5);
      if (st.ok())
        std::cout << "job " << j.id << " " << j.kind << ": " << error->status.ToString()
                  << (error->permanent ? " (given up)" : " (will retry)") << "\n";
      ++failed;
    } else {
      const Outcome& o = std::get<Outcome>(result);
      st = queue.Complete(j, name, o.summary, [&o](PgDb& db) -> Status {
        if (o.fixity)
          DANGAN_RETURN_IF_ERROR(
              db.Run("INSERT INTO fixity(reference, checked_at, ok, detail) VALUES($1,$2,$3,$4)",
                     {o.fixity->reference, o.fixity->checked_at,
                      std::string(o.fixity->ok ? "true" : "false"), o.fixity->detail}));
        std::vector<AuditEvent> events = o.events;
        if (!o.once_per_record.empty() && !events.empty()) {
          auto there = db.Value("SELECT 1 FROM events WHERE reference=$1 AND action=$2 LIMIT 1",
                                {events.front().reference, o.once_per_record});
          if (!there.ok()) return there.status();
          if (*there) events.clear();
        }
        if (events.empty()) return Status::Ok();
        auto appended = AppendPgEvents(db, events);
        return appended.ok() ? Status::Ok() : appended.status();
      });
      if (st.ok()) {
        ++done;
        std::cout << "job " << j.id << " " << j.kind << " " << o.summary << "\n";
      }
    }
    if (st.code() == ErrorCode::kConflict)
      std::cout << "job " << j.id << ": lease lost to another worker; its result was dropped\n";
    else if (!st.ok())
      std::cerr << "dangan: worker " << name << ": job " << j.id << ": " << st.ToString() << "\n";
    std::cout << std::flush;
  }
  std::cout << "worker " << name << ": " << done << " done, " << failed << " failed\n";
  return 0;
}

// Files named on the command line, folders expanded (sorted), as absolute paths.
Result<std::vector<std::string>> JobFiles(const std::vector<std::string>& paths, bool scans) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    const fs::path abs = fs::absolute(p, ec);
    if (fs::is_directory(abs, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(abs, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() &&
            (scans ? IsScanName(it->path().string()) : it->path().extension() == ".json"))
          found.push_back(it->path().lexically_normal().string());
      if (ec) return Status::IOError("cannot list " + p + ": " + ec.message());
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(abs, ec)) {
      out.push_back(abs.lexically_normal().string());
    } else {
      return Status::NotFound(p + ": no such file or directory");
    }
  }
  return out;
}

int Enqueue(const Arguments& args) {
  if (args.positional.size() < 2)
    return Fail("worker enqueue needs a kind (ingest, capture, fixity)", 2);
  const std::string kind = args.positional[1];
  if (std::find(kAllKinds.begin(), kAllKinds.end(), kind) == kAllKinds.end())
    return Fail("unknown job kind '" + kind + "' (ingest, capture, fixity)", 2);
  std::vector<std::string> files;
  if (kind != "fixity") {
    std::vector<std::string> paths(args.positional.begin() + 2, args.positional.end());
    if (paths.empty()) return Fail("worker enqueue " + kind + " needs files or folders", 2);
    auto found = JobFiles(paths, kind == "capture");
    if (!found.ok()) return Fail(found.status().ToString(), 2);
    files = std::move(*found);
  } else if (args.positional.size() > 2) {
    return Fail("worker enqueue fixity takes no paths", 2);
  }
  auto catalogue = OpenQueueCatalogue(args, nullptr);
  if (!catalogue.ok()) return Fail(catalogue.status().ToString(), 1);
  WorkQueue queue(catalogue->get());
  size_t n = 0;
  if (kind == "fixity") {
    const std::string cycle = args.Get("--cycle", NowIso8601().substr(0, 10));
    auto refs = (*catalogue)->References();
    if (!refs.ok()) return Fail(refs.status().ToString(), 1);
    for (const auto& ref : *refs) {
      auto id = queue.Enqueue("fixity", "{\"reference\":" + web::JsonQuote(ref) + "}",
                              "fixity:" + cycle + ":" + ref);
      if (!id.ok()) return Fail(id.status().ToString(), 1);
    }
    std::cout << refs->size() << " fixity jobs for cycle " << cycle << "\n";
    return 0;
  }
  for (const auto& f : files) {
    std::string key;
    if (kind == "capture") {
      // The same scan is one document wherever it lies.
      auto sha = Digest::OfFile(f);
      if (!sha.ok()) return Fail(sha.status().ToString(), 1);
      key = "capture:" + *sha;
    } else {
      key = "ingest:" + f;
    }
    auto id = queue.Enqueue(kind,
                            std::string("{\"") + (kind == "capture" ? "scan" : "case") +
                                "\":" + web::JsonQuote(f) + "}",
                            key);
    if (!id.ok()) return Fail(id.status().ToString(), 1);
    ++n;
  }
  std::cout << n << " " << kind << " jobs\n";
  return 0;
}

int PrintCounts(const Arguments& args) {
  auto catalogue = OpenQueueCatalogue(args, nullptr);
  if (!catalogue.ok()) return Fail(catalogue.status().ToString(), 1);
  WorkQueue queue(catalogue->get());
  auto c = queue.Count();
  if (!c.ok()) return Fail(c.status().ToString(), 1);
  std::cout << "queued " << c->queued << "\nrunning " << c->running << "\ndone " << c->done
            << "\nfailed " << c->failed << "\n";
  return 0;
}

}  // namespace

int RunWorker(const Context& ctx, int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help") {
    std::cout << kWorkerUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string sub = argv[1];
  auto args = Arguments::Parse(argc, argv, 1,
                               {"--catalogue", "--kinds", "--name", "--lease-seconds", "--pace-ms",
                                "--cycle", "--threshold"},
                               {"--exit-when-idle", "--help"});
  if (!args.ok()) return Fail(args.status().message(), 2);
  if (args->Has("--help")) {
    std::cout << kWorkerUsage;
    return 0;
  }
  if (sub == "run") return RunJobs(ctx, *args);
  if (sub == "enqueue") return Enqueue(*args);
  if (sub == "status") return PrintCounts(*args);
  return Fail("unknown worker command '" + sub + "' (run, enqueue, status)", 2);
}

}  // namespace dangan::cli
