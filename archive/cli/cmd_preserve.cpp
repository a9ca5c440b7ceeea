// `dangan verify`, `dangan export`, `dangan bag validate` and `dangan audit verify`: proving the
// holdings intact and handing them on.
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/commands.h"
#include "archive/cli/report_status.h"
#include "archive/text.h"
#include "retrieval/pdf_document.h"
#include "storage/audit_anchor.h"
#include "storage/bag_validator.h"
#include "storage/digest.h"
#include "storage/fixity_audit.h"
#include "storage/pg_catalogue.h"
#include "storage/record_xml.h"
#include "web/http_json.h"

namespace dangan::cli {

namespace {

// A one-line progress bar on stderr, only when stderr is a terminal.
class ProgressBar {
 public:
  ProgressBar(size_t total, bool enabled) : total_(total), enabled_(enabled && isatty(2)) {}
  void Update(size_t done, uint64_t bytes) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (done != total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    int width = 30;
    int filled = total_ ? static_cast<int>(width * done / total_) : width;
    std::fprintf(stderr, "\r[%s%s] %zu/%zu  %.1f MB", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), done, total_, bytes / 1e6);
    if (done == total_) std::fprintf(stderr, "\n");
  }

 private:
  size_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

int RunVerify(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {"--jobs"}, {"--all", "--quiet", "--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout << "usage: dangan verify (--all | REF...) [--jobs N] [--quiet]\n"
                 "Re-hashes packages against the digests the catalogue recorded at filing; a\n"
                 "package that differs is opened and every changed, truncated, missing or extra\n"
                 "file is named against the bag's manifests and the catalogue. Exit 1 if any\n"
                 "record is damaged. Each result is kept as the record's fixity status.\n";
    return 0;
  }
  if (args->Has("--all") == !args->positional.empty())
    return Fail("verify needs either --all or one or more 档号", 2);
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (args->options.count("--jobs")) {
    auto j = ParseInt("--jobs", args->Get("--jobs"), 1, 64);
    if (!j.ok()) return FailStatus(j.status(), 2);
    jobs = *j;
  }
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  ArchiveSession& s = **session;
  auto selected = s.SelectReferences(args->Has("--all"), args->positional);
  if (!selected.ok()) return FailStatus(selected.status());
  const std::vector<std::string> refs = std::move(*selected);

  auto started = std::chrono::steady_clock::now();
  std::atomic<size_t> next{0}, done{0};
  std::atomic<uint64_t> bytes{0};
  std::mutex out_mu;
  std::vector<FixityResult> results;
  int damaged = 0, unknown = 0;
  Status first_error;
  ProgressBar bar(refs.size(), !args->Has("--quiet"));
  auto worker = [&] {
    for (;;) {
      size_t i = next++;
      if (i >= refs.size()) return;
      const std::string& ref = refs[i];
      auto rec = s.catalogue().GetRecord(ref);
      if (!rec.ok() || !*rec) {
        std::lock_guard<std::mutex> lock(out_mu);
        ++unknown;
        std::cerr << "dangan: " << ref << ": "
                  << (rec.ok() ? "no such record" : rec.status().message()) << "\n";
        ++done;
        continue;
      }
      PackageCheck check =
          s.packages().Verify((*rec)->package_path, (*rec)->package_sha256, (*rec)->files);
      bytes += check.bytes_read;
      const std::string detail = check.Describe();
      Status st;
      if (!check.ok) {
        st = s.Log(ctx.actor, "fixity-damage", ref,
                   "{\"problems\":" + std::to_string(check.problems.size()) + "}");
      }
      std::lock_guard<std::mutex> lock(out_mu);
      results.push_back({ref, NowIso8601(), check.ok, check.ok ? "intact" : detail});
      if (!st.ok() && first_error.ok()) first_error = st;
      if (!check.ok) {
        ++damaged;
        std::cout << "DAMAGED " << ref << "\n";
        for (const auto& p : check.problems)
          std::cout << "  " << p.what << "  " << p.path << "  " << p.detail << "\n";
      } else if (!args->Has("--all")) {
        std::cout << "OK " << ref << "\n";
      }
      ++done;
      bar.Update(done, bytes);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < jobs; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  Status kept = s.catalogue().RecordFixity(results);
  if (first_error.ok()) first_error = kept;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  Status logged = s.Log(ctx.actor, "verify", "",
                        "{\"records\":" + std::to_string(refs.size()) +
                            ",\"damaged\":" + std::to_string(damaged) +
                            ",\"bytes\":" + std::to_string(bytes.load()) + "}");
  if (first_error.ok()) first_error = logged;
  std::cerr << "verified " << refs.size() - unknown << " package(s), " << bytes / 1000000.0
            << " MB in " << secs << " s: " << damaged << " damaged"
            << (unknown ? ", " + std::to_string(unknown) + " unknown" : "") << "\n";
  if (!first_error.ok()) return FailStatus(first_error);
  return damaged || unknown ? 1 : 0;
}

int RunExport(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {"--bag"}, {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout << "usage: dangan export REF --bag DIR\n"
                 "Writes the record's package as an unpacked BagIt bag into DIR (new or empty),\n"
                 "then validates it. Any RFC 8493 tool can check the result. The record's\n"
                 "history (its audit events, PREMIS 3) is added as the tag file\n"
                 "premis-events.xml.\n";
    return 0;
  }
  if (args->positional.size() != 1 || !args->options.count("--bag"))
    return Fail("usage: dangan export REF --bag DIR", 2);
  const std::string& ref = args->positional[0];
  const std::string dir = args->Get("--bag");
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  ArchiveSession& s = **session;
  auto rec = s.catalogue().GetRecord(ref);
  if (!rec.ok()) return FailStatus(rec.status());
  if (!*rec) return Fail("no record " + ref);
  // Never hand on a damaged package as if it were the record.
  PackageCheck check =
      s.packages().Verify((*rec)->package_path, (*rec)->package_sha256, (*rec)->files);
  if (!check.ok) return Fail(ref + " is damaged; run `dangan verify " + ref + "`");
  Status st = s.packages().Extract((*rec)->package_path, dir);
  if (!st.ok()) return FailStatus(st);
  // The history travels with the copy: a tag file, listed in the tag manifest.
  auto events = s.catalogue().Events(ref, 0, Catalogue::EventKinds::kHistory);
  if (!events.ok()) return FailStatus(events.status());
  const std::string premis = PremisEventsXml(**rec, *events);
  st = WriteFileAtomically(dir + "/premis-events.xml", premis);
  if (st.ok()) {
    std::ofstream tags(dir + "/tagmanifest-sha256.txt", std::ios::app | std::ios::binary);
    tags << Digest::OfString(premis) << "  premis-events.xml\n";
    if (!tags.flush()) st = Status::IOError("cannot extend the tag manifest in " + dir);
  }
  if (!st.ok()) return FailStatus(st);
  BagReport report = BagValidator::Validate(dir);
  if (!report.valid) {
    for (const auto& e : report.errors) std::cerr << "  " << e << "\n";
    return Fail("the exported bag does not validate");
  }
  st = s.Log(ctx.actor, "export", ref, "{\"to\":" + web::JsonQuote(dir) + "}");
  if (!st.ok()) return FailStatus(st);
  std::cout << dir << "\n";
  return 0;
}

int RunBag(const Context&, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {}, {"--fast", "--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help") || args->positional.empty()) {
    std::cout << "usage: dangan bag validate DIR [--fast]\n"
                 "Checks a BagIt bag made by any tool (RFC 8493): manifests, tag manifests,\n"
                 "fetch.txt, Payload-Oxum, encodings, and paths that escape the bag. Exit 0 if\n"
                 "valid, 1 if not; warnings go to stderr. --fast skips re-hashing the payload.\n";
    return args->Has("--help") ? 0 : 2;
  }
  if (args->positional[0] != "validate" || args->positional.size() != 2)
    return Fail("usage: dangan bag validate DIR", 2);
  BagReport r = BagValidator::Validate(args->positional[1], !args->Has("--fast"));
  for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
  for (const auto& e : r.errors) std::cerr << "error: " << e << "\n";
  if (!r.valid) {
    std::cout << args->positional[1] << ": invalid (" << r.errors.size() << " error"
              << (r.errors.size() == 1 ? "" : "s") << ")\n";
    return 1;
  }
  std::cout << args->positional[1] << ": valid (" << r.payload_files << " files, "
            << r.payload_bytes << " bytes)\n";
  return 0;
}

namespace {

// `dangan audit run`: one pass of the fixity audit over every copy of every package.
int RunAuditPass(const Context& ctx, const Arguments& args) {
  FixityAudit::Options options;
  options.actor = ctx.actor;
  options.clock = NowIso8601;
  if (args.options.count("--rate")) {
    auto rate = ParseInt("--rate", args.Get("--rate"), 1, 100000);
    if (!rate.ok()) return FailStatus(rate.status(), 2);
    options.max_bytes_per_second = *rate * 1e6;
  }
  int64_t limit = 0;
  if (args.options.count("--limit")) {
    auto l = ParseInt("--limit", args.Get("--limit"), 1, 1000000000);
    if (!l.ok()) return FailStatus(l.status(), 2);
    limit = *l;
  }
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  ArchiveSession& s = **session;
  auto started = std::chrono::steady_clock::now();
  FixityAudit audit(s.catalogue(), s.packages(), options);
  auto caught = audit.CatchUp(1000000);
  if (!caught.ok()) return FailStatus(caught.status());
  for (const auto& f : caught->failed) std::cout << "LAGGING " << f << "\n";
  if (caught->caught_up > 0)
    std::cerr << "caught up " << caught->caught_up << " replica cop"
              << (caught->caught_up == 1 ? "y" : "ies") << " a quorum filing had left\n";
  auto sum = audit.Run(limit);
  if (!sum.ok()) return FailStatus(sum.status());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const auto& ref : sum->unrepairable)
    std::cout << "UNREPAIRABLE " << ref << " (no copy matches the catalogue)\n";
  for (const auto& f : sum->strays)
    std::cout << "STRAY " << s.packages().CopyPath(f.copy, f.path) << " (" << f.bytes
              << " bytes, belongs to no record; left in place)\n";
  std::cerr << "audited " << sum->records << " record(s), " << sum->copies_checked << " copies, "
            << sum->bytes / 1e6 << " MB in " << secs << " s: " << sum->damaged_copies
            << " damaged, " << sum->repaired_copies << " repaired, " << sum->unrepairable_records
            << " unrepairable, " << sum->strays.size() << " stray file(s)"
            << (sum->complete ? "" : " (stopped before the end of the cycle)") << "\n";
  // A stray file is not damage, but it needs a person's look as much as damage does.
  return sum->unrepairable_records > 0 || sum->repaired_copies < sum->damaged_copies ||
                 !sum->strays.empty() || !caught->failed.empty()
             ? 1
             : 0;
}

}  // namespace

namespace {

// Accepts the chain as it now is (after a deliberate restore) and anchors its head anew, past
// anchors that no longer match it. The replaced anchors stay on record in the event.
int RunReanchor(const Context& ctx, const std::string& reason) {
  if (reason.empty() || reason.size() > 2000 || !IsValidUtf8(reason))
    return Fail("audit reanchor needs --reason TEXT (why the chain is accepted as it is)", 2);
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  ArchiveSession& s = **session;
  auto anchors = s.ReadAuditAnchors();
  if (!anchors.ok()) return FailStatus(anchors.status());
  auto events = s.catalogue().Events();
  if (!events.ok()) return FailStatus(events.status());
  std::string why;
  if (auto broken = FindBrokenLink(*events, kGenesisHash, 1, &why)) {
    std::cout << "BROKEN at event " << (*events)[*broken].seq << ": " << why
              << " (a chain whose links break is not re-anchored)\n";
    return 1;
  }
  Poco::JSON::Object detail(Poco::JSON_PRESERVE_KEY_ORDER);
  detail.set("reason", reason);
  detail.set("chain_ended_at", events->empty() ? int64_t{0} : events->back().seq);
  Poco::JSON::Array::Ptr replaced = new Poco::JSON::Array;
  for (const AnchorFile& f : *anchors) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("path", f.path);
    o->set("state", f.state == AnchorFile::State::kValid     ? "valid"
                    : f.state == AnchorFile::State::kInvalid ? "invalid"
                                                             : "missing");
    if (f.state == AnchorFile::State::kValid) {
      o->set("seq", f.anchor.seq);
      o->set("hash", f.anchor.hash);
      o->set("anchored_at", f.anchor.anchored_at);
    }
    replaced->add(o);
  }
  detail.set("replaced", replaced);
  std::ostringstream json;
  detail.stringify(json);
  AuditEvent e;
  e.at = NowIso8601();
  e.actor = ctx.actor;
  e.action = "reanchor";
  e.detail = json.str();
  auto head = s.catalogue().AppendEvent(e);
  if (!head.ok()) return FailStatus(head.status());
  auto anchored = s.ReanchorAuditHead(*head);
  if (!anchored.ok()) return FailStatus(anchored.status());
  const size_t roots = 1 + s.settings().replicas.size();
  std::cout << "re-anchored at event " << anchored->seq << " in " << roots << " root(s)\n";
  return 0;
}

}  // namespace

namespace {

struct ChainCheck {
  bool intact = false;
  std::optional<AuditEvent> head;  // the last event verified (none for an empty chain)
};

// What `audit verify` checks in `catalogue`'s chain, read after `anchors` (an anchor only names
// an event committed before it was written, so every anchored event is in what is read next):
// each link, a filing event for every record, the anchors. Records are read before events: a
// record commits with its filing event, so with servers filing meanwhile every record read has
// its event in what is read after. Prints what it finds, the last line starting with `intact`.
Result<ChainCheck> CheckChain(RecordCatalogue& catalogue, const std::vector<AnchorFile>& anchors,
                              const std::string& intact) {
  auto refs = catalogue.References();
  if (!refs.ok()) return refs.status();
  auto events = catalogue.Events("", 0, RecordCatalogue::EventKinds::kAll);
  if (!events.ok()) return events.status();
  std::string why;
  if (auto broken = FindBrokenLink(*events, kGenesisHash, 1, &why)) {
    std::cout << "BROKEN at event " << (*events)[*broken].seq << ": " << why << "\n";
    return ChainCheck{false, std::nullopt};
  }
  std::set<std::string> filed;
  for (const auto& e : *events)
    if (e.action == "file") filed.insert(e.reference);
  for (const auto& r : *refs) {
    if (!filed.count(r)) {
      std::cout << "BROKEN: record " << r << " has no filing event (events were removed)\n";
      return ChainCheck{false, std::nullopt};
    }
  }
  // The chain holds link by link; the anchors outside the catalogue say whether it is still as
  // long as it was, and still the same chain.
  AnchorVerdict verdict = CheckAnchors(*events, anchors);
  for (const auto& problem : verdict.problems) std::cout << "BROKEN: " << problem << "\n";
  if (!verdict.problems.empty()) return ChainCheck{false, std::nullopt};
  std::cout << intact << ": " << events->size() << " events, " << refs->size() << " records\n";
  if (verdict.newest)
    std::cout << "anchor: event " << verdict.newest->seq << ", anchored at "
              << verdict.newest->anchored_at << ", matches the chain\n";
  else
    std::cout << "anchor: no anchor yet (an archive from before anchoring, or never anchored)\n";
  ChainCheck ok{true, std::nullopt};
  if (!events->empty()) ok.head = events->back();
  return ok;
}

// `audit verify --catalogue URL`: the chain of a PostgreSQL catalogue this root shares, against
// its anchors in the storage roots; then its head is anchored anew.
int VerifySharedChain(const Context& ctx, const std::string& url) {
  auto rules = LoadArchiveRules(ctx.root);
  if (!rules.ok()) return FailStatus(rules.status());
  auto catalogue = PgCatalogue::Open(url, rules->reference_template.get());
  if (!catalogue.ok()) return FailStatus(catalogue.status());
  auto anchors = ReadSharedChainAnchors(ctx.root, rules->settings);
  if (!anchors.ok()) return FailStatus(anchors.status());
  auto check = CheckChain(**catalogue, *anchors, "audit chain intact (PostgreSQL)");
  if (!check.ok()) return FailStatus(check.status());
  if (!check->intact) return 1;
  int64_t seen = 0;
  auto anchored = AnchorSharedChainHead(**catalogue, ctx.root, rules->settings, &seen);
  if (!anchored.ok()) return FailStatus(anchored.status());
  if (*anchored) std::cout << "anchored head: event " << (*anchored)->seq << "\n";
  return 0;
}

}  // namespace

int RunAudit(const Context& ctx, int argc, char** argv) {
  auto args =
      Arguments::Parse(argc, argv, 1, {"--rate", "--limit", "--reason", "--catalogue"}, {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  const std::string sub = args->positional.empty() ? "" : args->positional[0];
  if (args->Has("--help") || args->positional.size() != 1 ||
      (sub != "verify" && sub != "run" && sub != "reanchor")) {
    std::cout << "usage: dangan audit verify [--catalogue postgresql://…]\n"
                 "       dangan audit run [--rate MB_PER_S] [--limit N]\n"
                 "       dangan audit reanchor --reason TEXT\n"
                 "verify walks the audit chain from the first event and reports the first broken\n"
                 "link; it also checks that every filed record still has its filing event, and\n"
                 "that the chain still holds the head anchored outside the catalogue (audit-head,\n"
                 "signed, in the root and every replica; events removed from the end or a chain\n"
                 "rewritten whole show there). When all holds it anchors the head anew.\n"
                 "With --catalogue it checks the chain of the PostgreSQL catalogue this root\n"
                 "shares with `dangan serve --catalogue` (whose servers anchor its head every\n"
                 "10 s, in audit-head-postgresql) the same way.\n"
                 "run re-hashes every copy of every package (the archive root and each replica)\n"
                 "from where the last run stopped, repairs damaged or missing copies from a copy\n"
                 "that matches the catalogue and records both as events; at the end of a cycle it\n"
                 "lists files in the packages folders that belong to no record (STRAY; left in\n"
                 "place). First it writes replica copies a quorum filing left (LAGGING when one\n"
                 "still cannot be written). Exit 1 if damage is left (no good copy), a stray file\n"
                 "was found or a copy is still lagging.\n"
                 "--rate caps reading in MB/s; --limit stops after N records.\n"
                 "reanchor (an administrator, after restoring the catalogue from a backup, which\n"
                 "leaves the chain shorter than its anchor) accepts the chain as it is: its links\n"
                 "must hold; a `reanchor` event keeps the reason and every anchor replaced, and\n"
                 "the head is anchored anew in every root.\n";
    return args->Has("--help") ? 0 : 2;
  }
  if (args->options.count("--catalogue")) {
    if (sub != "verify") return Fail("--catalogue goes with audit verify only", 2);
    auto url = SharedCatalogueUrl(args->Get("--catalogue"), false);
    if (!url.ok()) return FailStatus(url.status(), 2);
    return VerifySharedChain(ctx, *url);
  }
  if (sub == "run") return RunAuditPass(ctx, *args);
  if (sub == "reanchor") return RunReanchor(ctx, args->Get("--reason"));
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  // Anchors before events: an anchor only names an event committed before it was written, so
  // read in this order every anchored event is in what is read next, even with a server
  // anchoring meanwhile.
  auto anchors = (*session)->ReadAuditAnchors();
  if (!anchors.ok()) return FailStatus(anchors.status());
  auto check = CheckChain((*session)->catalogue(), *anchors, "audit chain intact");
  if (!check.ok()) return FailStatus(check.status());
  if (!check->intact) return 1;
  // What was just verified becomes the anchor, so a later cut at the end shows.
  if (!check->head) return 0;
  auto anchored = (*session)->AnchorAuditHead(&*check->head);
  if (!anchored.ok()) return FailStatus(anchored.status());
  std::cout << "anchored head: event " << (*anchored)->seq << "\n";
  return 0;
}

}  // namespace dangan::cli
