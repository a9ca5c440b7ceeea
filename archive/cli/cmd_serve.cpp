// `dangan serve` (the HTTP API) and `dangan apikey create` (credentials for it).
#include <malloc.h>
#include <signal.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/capture_filing.h"
#include "archive/cli/commands.h"
#include "archive/cli/periodic_task.h"
#include "archive/cli/report_status.h"
#include "storage/fixity_audit.h"
#include "storage/pg_catalogue.h"
#include "storage/record_inspection.h"
#include "storage/secret_key.h"
#include "storage/session_store.h"
#include "web/api_server.h"

namespace dangan::cli {

namespace {

// Runs the fixity audit in small slices on its own thread (so a stop is prompt and progress is
// saved often). A cycle starts every `cycle_days`, so each copy is checked at least that often;
// a cycle that takes longer (too low a rate for the holdings) is reported and the next starts at
// once. Damage that cannot be repaired is reported on stderr at once, besides /metrics and events.
class AuditLoop {
 public:
  AuditLoop(FixityAudit& audit, int cycle_days) : audit_(audit), cycle_days_(cycle_days) {}
  ~AuditLoop() { Stop(); }
  void Start() {
    thread_ = std::thread([this] { Loop(); });
  }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Rest(int seconds) {
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, std::chrono::seconds(seconds), [this] { return stopping_.load(); });
  }
  // Copies a quorum filing left to a replica: written as soon as possible, checked each minute.
  void CatchUp() {
    auto now = std::chrono::steady_clock::now();
    if (now - last_catch_up_ < std::chrono::minutes(1)) return;
    last_catch_up_ = now;
    auto r = audit_.CatchUp();
    if (!r.ok()) {
      std::cerr << "dangan: replica catch-up: " << r.status().ToString() << "\n";
      return;
    }
    for (const auto& f : r->failed) std::cerr << "dangan: replica catch-up: " << f << "\n";
  }
  void Loop() {
    auto cycle_began = std::chrono::steady_clock::now();
    const auto cycle = std::chrono::hours(24) * cycle_days_;
    while (!stopping_) {
      CatchUp();
      auto sum = audit_.Run(100, &stopping_);
      if (!sum.ok()) {
        std::cerr << "dangan: fixity audit: " << sum.status().ToString() << "\n";
        Rest(60);
        continue;
      }
      for (const auto& ref : sum->unrepairable)
        std::cerr << "dangan: FIXITY: " << ref
                  << " is damaged in every copy; no good copy is left to repair it from\n";
      for (const auto& f : sum->strays)
        std::cerr << "dangan: FIXITY: stray file " << f.path << " in copy " << f.copy
                  << " belongs to no record (left in place)\n";
      if (!sum->complete) continue;
      auto took = std::chrono::steady_clock::now() - cycle_began;
      if (took > cycle) {
        std::cerr << "dangan: fixity audit: a cycle took "
                  << std::chrono::duration<double>(took).count() / 86400
                  << " days, more than --audit-days " << cycle_days_ << "; raise --audit-rate\n";
      } else {
        // Rested in one-minute slices, so catch-up keeps going between cycles.
        const auto until = std::chrono::steady_clock::now() + (cycle - took);
        while (!stopping_ && std::chrono::steady_clock::now() < until) {
          Rest(60);
          CatchUp();
        }
      }
      cycle_began = std::chrono::steady_clock::now();
    }
  }

  FixityAudit& audit_;
  int cycle_days_;
  std::chrono::steady_clock::time_point last_catch_up_{};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable wake_;
  std::thread thread_;
};

// glibc gives a process up to 8 malloc arenas per core, and a server's 128 connection threads
// spread over all of them; each arena keeps the high-water mark of what its threads freed (page
// caches dropped when another connection writes, request buffers), so resident memory crept up
// as load moved between arenas. One arena per core keeps the free memory where it is reused:
// in the 10-minute soak at 30,000 records (1,840 req/s) resident memory grew 9% instead of 14%,
// from 79 MiB instead of 100 (docs/reliability.md).
// A MALLOC_ARENA_MAX in the environment still wins. Before any thread starts.
void OneMallocArenaPerCore() {
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) return;
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
}

// Blocks SIGINT and SIGTERM before the server's threads start, so only sigwait() sees them.
sigset_t BlockStopSignals() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return stop;
}

// `dangan serve --catalogue postgresql://…`: one of several servers behind a load balancer, all
// on one PostgreSQL catalogue and the same storage roots (mounted at the same paths), keeping
// no state of their own: every route the embedded default serves. Fixity runs as `dangan
// worker` jobs.
int ServeOnSharedCatalogue(const Context& ctx, const std::string& url,
                           const web::ServerOptions& opt, size_t search_slots, size_t connections) {
  auto rules = LoadArchiveRules(ctx.root);
  if (!rules.ok()) return FailStatus(rules.status());
  // Reached first: a wrong URL must not mark the root as shared.
  auto catalogue = PgCatalogue::Open(url, rules->reference_template.get());
  if (!catalogue.ok()) return FailStatus(catalogue.status());
  (*catalogue)->SetMaxConnections(connections);
  auto lock = JoinSharedCatalogueRoot(ctx.root);
  if (!lock.ok()) return FailStatus(lock.status());
  PackageStore packages(ctx.root, rules->settings.organization, Env::Default(),
                        rules->settings.replicas);
  packages.SetQuorum(static_cast<size_t>(rules->settings.replica_quorum));
  auto filing = MakeFiling(rules->settings, *rules->scheme, *rules->reference_template,
                           *rules->checks, **catalogue, packages);
  if (!filing.ok()) return FailStatus(filing.status());
  auto secret = LoadOrCreateSecret(ctx.root);
  if (!secret.ok()) return FailStatus(secret.status());
  auto policy = LoadAccessPolicy(ctx.root);
  if (!policy.ok()) return FailStatus(policy.status());
  web::ApiKeyStore keys(ctx.root);
  web::Services services;
  services.root = ctx.root;
  services.scheme = rules->scheme.get();
  services.records = catalogue->get();
  services.packages = &packages;
  services.filing = filing->get();
  services.keys = &keys;
  services.secret = *secret;
  services.fonds = rules->settings.fonds;
  services.organization = rules->settings.organization;
  services.clock = NowIso8601;
  services.policy = &*policy;
  auto inquiry_rules = LoadInquiryRules(ctx.root);
  if (!inquiry_rules.ok()) return FailStatus(inquiry_rules.status());
  services.inquiry_rules = &*inquiry_rules;
  services.search_slots = search_slots;
  // The people of `dangan user … --catalogue` sign in here; their sessions are in the shared
  // catalogue, so any server knows them.
  SessionStore::Options session_options;
  session_options.now_iso = NowIso8601;
  SessionStore sessions(**catalogue, session_options);
  services.sessions = &sessions;
  // What workers queued for review, staged under the shared root, decided on any server.
  CaptureReviewDesk review(CaptureArchive{ctx.root, rules->settings.organization,
                                          rules->scheme.get(), catalogue->get(), filing->get()});
  services.review = &review;

  sigset_t stop = BlockStopSignals();
  web::ApiServer server(services, opt);
  Status st = server.Start();
  if (!st.ok()) return FailStatus(st);
  std::cout << "listening on " << (opt.tls_certificate.empty() ? "http" : "https") << "://"
            << opt.bind << ":" << server.port() << " (catalogue on PostgreSQL)" << std::endl;
  // Every server anchors the shared chain's head outside the catalogue, in the storage roots.
  int64_t anchored_seq = 0;
  PeriodicTask anchor(
      "anchoring the audit chain's head",
      [&] {
        auto anchored =
            AnchorSharedChainHead(**catalogue, ctx.root, rules->settings, &anchored_seq);
        return anchored.status();
      },
      std::chrono::seconds(10), PeriodicTask::Also::kAtStop);
  anchor.Start();
  // What killed servers left in the shared roots goes once it is an hour old: no process ever
  // has a shared root to itself to recover it at start.
  PeriodicTask sweeper(
      "sweeping the shared root",
      [&] { return SweepSharedRootNow(packages, **catalogue, ctx.root); }, kSharedSweepPeriod,
      PeriodicTask::Also::kAtStart);
  sweeper.Start();
  PeriodicTask catch_up(
      "catching up replicas",
      [&] { return CatchUpSharedReplicas(**catalogue, packages, "replica-catch-up"); },
      kCatchUpPeriod, PeriodicTask::Also::kAtStart);
  catch_up.Start();
  int sig = 0;
  sigwait(&stop, &sig);
  std::cerr << "dangan: stopping; finishing requests in flight\n";
  server.Stop(30);
  anchor.Stop();  // after the server: the last accesses are in the chain by now
  sweeper.Stop();
  catch_up.Stop();
  return 0;
}

}  // namespace

int RunServe(const Context& ctx, int argc, char** argv) {
  OneMallocArenaPerCore();
  auto args =
      Arguments::Parse(argc, argv, 1,
                       {"--port", "--bind", "--threads", "--tls-cert", "--tls-key", "--audit-rate",
                        "--audit-days", "--rate-limit", "--key-rate-limit", "--search-cache",
                        "--search-slots", "--ui", "--catalogue", "--catalogue-connections"},
                       {"--help", "--secure-cookies"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout << "usage: dangan serve [--port 8080] [--bind 127.0.0.1] [--threads 128]\n"
                 "                    [--tls-cert CERT.pem --tls-key KEY.pem]\n"
                 "                    [--audit-rate MB_PER_S] [--audit-days N]\n"
                 "                    [--rate-limit N] [--key-rate-limit N] [--search-cache N]\n"
                 "                    [--search-slots N] [--ui DIR] [--secure-cookies]\n"
                 "Serves the REST API under /api/v1 (see /api/v1/openapi.json), /healthz and\n"
                 "/metrics. --port 0 picks a free port. SIGINT or SIGTERM stops accepting and\n"
                 "lets filings in flight finish. Prints 'listening on http://ADDR:PORT'.\n"
                 "Meanwhile the fixity audit re-hashes every copy of every package at no more\n"
                 "than --audit-rate MB/s (default 20; 0 turns it off), repairing damaged copies\n"
                 "from good ones; a cycle over the holdings starts every --audit-days days\n"
                 "(default 30), so each copy is checked at least that often.\n"
                 "Requests beyond --rate-limit per second from one address (default 1000) or\n"
                 "--key-rate-limit per second with one API key (default 500), in bursts of twice\n"
                 "that, get 429 with Retry-After; 0 turns a limit off.\n"
                 "The answers to the last --search-cache searches (default 1024; 0: none) are\n"
                 "kept until a record is filed; each request is still logged.\n"
                 "--threads connections are served at once (a keep-alive connection keeps its\n"
                 "thread while open; more wait in line); of their searches, --search-slots are\n"
                 "computed at once (default: two per core) and the rest wait in arrival order.\n"
                 "The web workbench (the built web/ui front end, or --ui DIR) is served at /;\n"
                 "people sign in with the password `dangan user add … --password-stdin` set.\n"
                 "--secure-cookies marks the session cookie Secure behind a TLS proxy.\n"
                 "--catalogue postgresql://… serves from a PostgreSQL\n"
                 "catalogue shared with other servers and `dangan worker`s, every one with the\n"
                 "archive's storage roots at the same paths: every route, appraisal, holds and\n"
                 "destruction included (`dangan transfer --catalogue` hands records over).\n"
                 "No state is kept here and nothing is cached (fixity checks run as worker\n"
                 "jobs); people sign in as `dangan user … --catalogue` registered them.\n"
                 "--catalogue-connections N (default 32) caps this server's connections to it;\n"
                 "keep every node's sum under the\n"
                 "PostgreSQL server's max_connections.\n";
    return 0;
  }
  if (!args->positional.empty()) return Fail("serve takes no arguments", 2);
  web::ServerOptions opt;
  opt.bind = args->Get("--bind", opt.bind);
  if (args->options.count("--port")) {
    auto p = ParseInt("--port", args->Get("--port"), 0, 65535);
    if (!p.ok()) return FailStatus(p.status(), 2);
    opt.port = *p;
  }
  if (args->options.count("--threads")) {
    auto t = ParseInt("--threads", args->Get("--threads"), 1, 512);
    if (!t.ok()) return FailStatus(t.status(), 2);
    opt.threads = *t;
  }
  size_t search_slots = 2 * std::max(1u, std::thread::hardware_concurrency());
  if (args->options.count("--search-slots")) {
    auto n = ParseInt("--search-slots", args->Get("--search-slots"), 1, 512);
    if (!n.ok()) return FailStatus(n.status(), 2);
    search_slots = static_cast<size_t>(*n);
  }
  int audit_rate = 20, audit_days = 30;
  if (args->options.count("--audit-rate")) {
    auto r = ParseInt("--audit-rate", args->Get("--audit-rate"), 0, 100000);
    if (!r.ok()) return FailStatus(r.status(), 2);
    audit_rate = *r;
  }
  if (args->options.count("--audit-days")) {
    auto d = ParseInt("--audit-days", args->Get("--audit-days"), 1, 3650);
    if (!d.ok()) return FailStatus(d.status(), 2);
    audit_days = *d;
  }
  for (auto [flag, target] : {std::pair{"--rate-limit", &opt.rate_per_address},
                              std::pair{"--key-rate-limit", &opt.rate_per_key}}) {
    if (!args->options.count(flag)) continue;
    auto n = ParseInt(flag, args->Get(flag), 0, 10000000);
    if (!n.ok()) return FailStatus(n.status(), 2);
    *target = *n;
  }
  size_t search_cache = web::Services{}.search_cache_entries;
  if (args->options.count("--search-cache")) {
    auto n = ParseInt("--search-cache", args->Get("--search-cache"), 0, 1000000);
    if (!n.ok()) return FailStatus(n.status(), 2);
    search_cache = static_cast<size_t>(*n);
  }
  opt.ui_root = args->Get("--ui", DANGAN_UI_DIR);
  opt.secure_cookies = args->Has("--secure-cookies");
  opt.tls_certificate = args->Get("--tls-cert");
  opt.tls_private_key = args->Get("--tls-key");
  // The workers' variable is not read here: a node must not switch catalogues on its
  // environment alone. Set without --catalogue, it is a mistake either way.
  if (const char* env = std::getenv("DANGAN_CATALOGUE");
      env != nullptr && *env != '\0' && !args->options.count("--catalogue"))
    return Fail(
        "$DANGAN_CATALOGUE is set, but serve takes its catalogue only from --catalogue: pass "
        "--catalogue \"$DANGAN_CATALOGUE\" to serve from PostgreSQL, or unset it to serve the "
        "archive's embedded catalogue",
        2);
  if (args->options.count("--catalogue-connections") && !args->options.count("--catalogue"))
    return Fail("--catalogue-connections needs --catalogue", 2);
  if (args->options.count("--catalogue")) {
    auto url = SharedCatalogueUrl(args->Get("--catalogue"), false);
    if (!url.ok()) return FailStatus(url.status(), 2);
    if (url->empty()) return Fail("--catalogue needs a postgresql:// URI", 2);
    // Fixity runs as worker jobs there, and nothing is cached: these would be silently ignored.
    for (const char* flag : {"--audit-rate", "--audit-days", "--search-cache"})
      if (args->options.count(flag))
        return Fail(std::string(flag) +
                        " does not apply with --catalogue (fixity runs as "
                        "`dangan worker` jobs; no answer is cached)",
                    2);
    size_t connections = 32;
    if (args->options.count("--catalogue-connections")) {
      auto n = ParseInt("--catalogue-connections", args->Get("--catalogue-connections"), 1, 1000);
      if (!n.ok()) return FailStatus(n.status(), 2);
      connections = static_cast<size_t>(*n);
    }
    return ServeOnSharedCatalogue(ctx, *url, opt, search_slots, connections);
  }
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  ArchiveSession& s = **session;
  // Commits must not stall every queued filing while one of them copies the log back.
  Status checkpoints = s.catalogue().CheckpointInBackground();
  if (!checkpoints.ok()) return FailStatus(checkpoints);
  auto secret = LoadOrCreateSecret(ctx.root);
  if (!secret.ok()) return FailStatus(secret.status());
  web::ApiKeyStore keys(ctx.root);
  web::Services services{ctx.root,      &s.scheme(),        &s.catalogue(),
                         &s.packages(), &s.filing(),        &keys,
                         *secret,       s.settings().fonds, s.settings().organization,
                         NowIso8601};
  auto policy = LoadAccessPolicy(ctx.root);
  if (!policy.ok()) return FailStatus(policy.status());
  services.policy = &*policy;
  auto inquiry_rules = LoadInquiryRules(ctx.root);
  if (!inquiry_rules.ok()) return FailStatus(inquiry_rules.status());
  services.inquiry_rules = &*inquiry_rules;
  services.search_cache_entries = search_cache;
  services.search_slots = search_slots;
  SessionStore::Options session_options;
  session_options.now_iso = NowIso8601;
  SessionStore sessions(s.catalogue(), session_options);
  services.sessions = &sessions;
  CaptureReviewDesk review(s);
  services.review = &review;

  sigset_t stop = BlockStopSignals();

  FixityAudit::Options audit_options;
  audit_options.actor = "fixity-audit";
  audit_options.clock = NowIso8601;
  audit_options.max_bytes_per_second = audit_rate * 1e6;
  // The 长期保存-stage four-property checks ride on the audit's walk over the holdings; a
  // failing record keeps its report as a "check" event (passing ones leave none, or every
  // cycle would add an event per record).
  audit_options.after_record = [&s](const Record& r) -> Result<bool> {
    auto report = CheckRecord(s.catalogue(), s.packages(), s.checks(), s.scheme(),
                              s.reference_template(), r, CheckStage::kPreservation);
    if (!report.ok()) return report.status();
    if (report->passed()) return true;
    std::cerr << "dangan: preservation check failed: " << r.reference << "\n";
    Status logged = s.Log("preservation-check", "check", r.reference, report->ToEventJson());
    if (!logged.ok()) return logged;
    return false;
  };
  FixityAudit audit(s.catalogue(), s.packages(), audit_options);
  if (audit_rate > 0) services.audit = &audit.counters();

  web::ApiServer server(services, opt);
  Status st = server.Start();
  if (!st.ok()) return FailStatus(st);
  std::cout << "listening on " << (opt.tls_certificate.empty() ? "http" : "https") << "://"
            << opt.bind << ":" << server.port() << std::endl;
  AuditLoop auditor(audit, audit_days);
  if (audit_rate > 0) auditor.Start();
  PeriodicTask anchor(
      "anchoring the audit chain's head", [&s] { return s.AnchorAuditHeadIfMoved().status(); },
      std::chrono::seconds(10), PeriodicTask::Also::kAtStop);
  anchor.Start();
  int sig = 0;
  sigwait(&stop, &sig);
  std::cerr << "dangan: stopping; finishing requests in flight\n";
  auditor.Stop();
  server.Stop(30);
  anchor.Stop();  // after the server: the last accesses are in the chain by now
  return 0;
}

int RunApiKey(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {"--source", "--role"}, {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help") || args->positional.size() != 1 || args->positional[0] != "create") {
    std::cout << "usage: dangan apikey create --source NAME [--role intake|reader]\n"
                 "Creates an API key and prints it once, alone on the last line; only its hash\n"
                 "is kept. intake keys (business systems) file and query their own cases;\n"
                 "reader keys search and read records, statistics and reports.\n";
    return args->Has("--help") ? 0 : 2;
  }
  std::string role = args->Get("--role", "intake");
  if (role != "intake" && role != "reader") return Fail("--role must be intake or reader", 2);
  if (!args->options.count("--source")) return Fail("apikey create needs --source NAME", 2);
  auto session = ArchiveSession::Open(ctx.root);  // the archive must exist
  if (!session.ok()) return FailStatus(session.status());
  web::ApiKeyStore keys(ctx.root);
  auto key = keys.Create(args->Get("--source"),
                         role == "reader" ? web::ApiRole::kReader : web::ApiRole::kIntake);
  if (!key.ok()) return FailStatus(key.status(), 2);
  Status logged = (*session)->Log(ctx.actor, "apikey-create", "",
                                  "{\"source\":\"" + args->Get("--source") + "\",\"role\":\"" +
                                      role + "\",\"key_id\":\"" + key->substr(3, 8) + "\"}");
  if (!logged.ok()) return FailStatus(logged);
  std::cout << "API key for " << args->Get("--source") << " (" << role
            << "); it is shown only now:\n"
            << *key << "\n";
  return 0;
}

}  // namespace dangan::cli
