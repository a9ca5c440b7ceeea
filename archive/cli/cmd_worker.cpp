// `dangan worker`: a process that takes jobs from the work queue in the PostgreSQL catalogue
// (storage/work_queue.h), on any number of machines that mount the same storage roots. A job is
// leased and heartbeated while it runs; a worker that dies loses its lease and another takes the
// job. Fixity jobs check every copy of one record's package and repair damage from a good copy;
// their fixity result and events commit with the job's completion, so they land once.
#include <signal.h>
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/commands.h"
#include "storage/fixity_audit.h"
#include "storage/pg_catalogue.h"
#include "storage/work_queue.h"
#include "web/http_json.h"

namespace dangan::cli {
namespace {

constexpr const char* kWorkerUsage = R"(usage:
  dangan worker run --catalogue URL [--replicas DIR,…] [--name NAME] [--lease-seconds N]
                    [--pace-ms N] [--exit-when-idle]
      take jobs until stopped (SIGTERM or SIGINT: the job in hand is finished first); packages
      are read under --root and the replica roots; --pace-ms makes each job last at least that
      long (to spare shared disks); --exit-when-idle stops once no job is queued or running
  dangan worker enqueue-fixity --catalogue URL [--cycle NAME]
      one fixity job per record (once per cycle name; default: today's date)
  dangan worker status --catalogue URL
      jobs by state

URL is a PostgreSQL connection URI (postgresql://user@host:port/db), also taken from
$DANGAN_CATALOGUE.
)";

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop = true; }

Result<std::unique_ptr<PgCatalogue>> OpenQueueCatalogue(const Arguments& args) {
  std::string url = args.Get("--catalogue");
  if (url.empty())
    if (const char* env = std::getenv("DANGAN_CATALOGUE")) url = env;
  if (url.empty())
    return Status::InvalidArgument("--catalogue URL (or $DANGAN_CATALOGUE) is required");
  if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0)
    return Status::InvalidArgument("--catalogue must be a postgresql:// URI");
  return PgCatalogue::Open(url, nullptr);
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

// Renews the lease of the job in hand every third of the lease, until stopped; remembers when
// the lease was lost (another worker holds the job now).
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
            lock.lock();
            if (st.code() == ErrorCode::kConflict) lost_ = true;
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
  bool lost() {
    std::lock_guard<std::mutex> lock(mu_);
    return lost_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool lost_ = false;
  std::thread thread_;
};

struct FixityOutcome {
  std::string summary;  // for the log line and the job's result
  FixityResult result;
  std::vector<AuditEvent> events;
};

Result<FixityOutcome> CheckFixity(PgCatalogue& catalogue, PackageStore& packages, const Job& job,
                                  const std::string& actor) {
  std::string reference;
  try {
    Poco::JSON::Parser parser;
    auto object = parser.parse(job.payload).extract<Poco::JSON::Object::Ptr>();
    reference = object->optValue<std::string>("reference", "");
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("job payload is not a JSON object: " + e.displayText());
  }
  if (reference.empty()) return Status::InvalidArgument("fixity job without a reference");
  auto record = catalogue.GetRecord(reference);
  if (!record.ok()) return record.status();
  FixityOutcome out;
  if (!*record) {  // destroyed since the job was queued: nothing to check
    out.summary = "gone";
    return out;
  }
  CopyCheckOptions options{actor, NowIso8601, nullptr};
  RecordAudit audit = CheckRecordCopies(packages, **record, options, &out.events);
  int repaired = 0;
  for (const auto& f : audit.findings) repaired += f.repaired ? 1 : 0;
  out.result.reference = reference;
  out.result.checked_at = NowIso8601();
  out.result.ok = audit.findings.empty() ||
                  (!audit.unrepairable && repaired == static_cast<int>(audit.findings.size()));
  if (audit.findings.empty()) {
    out.summary = "intact";
  } else {
    out.summary = std::to_string(audit.findings.size()) + " damaged cop" +
                  (audit.findings.size() == 1 ? "y" : "ies") + ", " + std::to_string(repaired) +
                  " repaired" + (audit.unrepairable ? ", no good copy left" : "");
  }
  out.result.detail = out.summary;
  return out;
}

int RunJobs(const Context& ctx, const Arguments& args) {
  auto lease = ParseInt("--lease-seconds", args.Get("--lease-seconds", "30"), 1, 3600);
  if (!lease.ok()) return Fail(lease.status().message(), 2);
  auto pace = ParseInt("--pace-ms", args.Get("--pace-ms", "0"), 0, 3600000);
  if (!pace.ok()) return Fail(pace.status().message(), 2);
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  const std::string name =
      args.Get("--name", std::string(host) + ":" + std::to_string(static_cast<long>(getpid())));
  auto catalogue = OpenQueueCatalogue(args);
  if (!catalogue.ok()) return Fail(catalogue.status().ToString(), 1);
  PackageStore packages(ctx.root, "", Env::Default(), SplitList(args.Get("--replicas")));
  WorkQueue queue(catalogue->get());
  signal(SIGTERM, OnStopSignal);
  signal(SIGINT, OnStopSignal);
  const std::vector<std::string> kinds = {"fixity"};
  const std::string actor = "worker:" + name;
  int64_t done = 0, failed = 0;
  std::cout << "worker " << name << ": taking " << kinds[0] << " jobs\n" << std::flush;
  while (!g_stop) {
    auto job = queue.Claim(name, kinds, *lease);
    if (!job.ok()) {
      std::cerr << "dangan: worker " << name << ": " << job.status().ToString() << "\n";
      std::this_thread::sleep_for(std::chrono::seconds(1));  // the server may come back
      continue;
    }
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
    LeaseKeeper keeper(queue, j, name, *lease);
    auto outcome = CheckFixity(**catalogue, packages, j, actor);
    std::this_thread::sleep_until(started + std::chrono::milliseconds(*pace));
    Status st;
    if (!outcome.ok()) {
      st = queue.Fail(j, name, outcome.status().ToString());
      std::cout << "job " << j.id << " " << j.kind << ": " << outcome.status().ToString() << "\n";
      ++failed;
    } else {
      const FixityOutcome& o = *outcome;
      st = queue.Complete(j, name, o.summary, [&o](PgDb& db) -> Status {
        if (o.result.reference.empty()) return Status::Ok();
        DANGAN_RETURN_IF_ERROR(
            db.Run("INSERT INTO fixity(reference, checked_at, ok, detail) VALUES($1,$2,$3,$4)",
                   {o.result.reference, o.result.checked_at,
                    std::string(o.result.ok ? "true" : "false"), o.result.detail}));
        if (o.events.empty()) return Status::Ok();
        auto appended = AppendPgEvents(db, o.events);
        return appended.ok() ? Status::Ok() : appended.status();
      });
      if (st.ok()) {
        ++done;
        std::cout << "job " << j.id << " " << j.kind << " " << o.result.reference << ": "
                  << o.summary << "\n";
      }
    }
    if (st.code() == ErrorCode::kConflict || keeper.lost())
      std::cout << "job " << j.id << ": lease lost to another worker; its result was dropped\n";
    else if (!st.ok())
      std::cerr << "dangan: worker " << name << ": job " << j.id << ": " << st.ToString() << "\n";
    std::cout << std::flush;
  }
  std::cout << "worker " << name << ": " << done << " done, " << failed << " failed\n";
  return 0;
}

int EnqueueFixity(const Arguments& args) {
  auto catalogue = OpenQueueCatalogue(args);
  if (!catalogue.ok()) return Fail(catalogue.status().ToString(), 1);
  std::string cycle = args.Get("--cycle", NowIso8601().substr(0, 10));
  auto refs = (*catalogue)->References();
  if (!refs.ok()) return Fail(refs.status().ToString(), 1);
  WorkQueue queue(catalogue->get());
  for (const auto& ref : *refs) {
    auto id = queue.Enqueue("fixity", "{\"reference\":" + web::JsonQuote(ref) + "}",
                            "fixity:" + cycle + ":" + ref);
    if (!id.ok()) return Fail(id.status().ToString(), 1);
  }
  std::cout << refs->size() << " fixity jobs for cycle " << cycle << "\n";
  return 0;
}

int PrintCounts(const Arguments& args) {
  auto catalogue = OpenQueueCatalogue(args);
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
  auto args = Arguments::Parse(
      argc, argv, 2,
      {"--catalogue", "--replicas", "--name", "--lease-seconds", "--pace-ms", "--cycle"},
      {"--exit-when-idle"});
  if (!args.ok()) return Fail(args.status().message(), 2);
  if (sub == "run") return RunJobs(ctx, *args);
  if (sub == "enqueue-fixity") return EnqueueFixity(*args);
  if (sub == "status") return PrintCounts(*args);
  return Fail("unknown worker command '" + sub + "' (run, enqueue-fixity, status)", 2);
}

}  // namespace dangan::cli
