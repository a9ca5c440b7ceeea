// `dangan init`, `dangan replica` and `dangan ingest`: creating an archive, giving it more copies,
// and filing born-digital cases.
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/commands.h"
#include "archive/cli/report_status.h"
#include "storage/replica_catch_up.h"

namespace dangan::cli {

int RunInit(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(
      argc, argv, 1, {"--fonds", "--category", "--organization", "--template"}, {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout << "usage: dangan [--root DIR] init [--fonds J001] [--category SB]\n"
                 "                  [--organization NAME] [--template PATTERN]\n"
                 "Creates an archive: settings, catalogue.db and packages/ under the root.\n"
                 "  --fonds         全宗号, 4 letters or digits (default J001)\n"
                 "  --category      门类代码 (default SB)\n"
                 "  --organization  立档单位, written to every package's bag-info.txt\n"
                 "  --template      档号 template (default "
              << ReferenceTemplate::kDefault << ")\n";
    return 0;
  }
  if (!args->positional.empty()) return Fail("init takes no arguments", 2);
  ArchiveSettings s;
  s.fonds = args->Get("--fonds", s.fonds);
  s.category = args->Get("--category", s.category);
  s.organization = args->Get("--organization", s.organization);
  s.reference_template = args->Get("--template", s.reference_template);
  Status st = ArchiveSession::Create(ctx.root, s);
  if (!st.ok()) return FailStatus(st);
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  st = (*session)->Log(
      ctx.actor, "init", "",
      "{\"fonds\":\"" + s.fonds + "\",\"scheme\":\"" + (*session)->scheme().version() + "\"}");
  if (!st.ok()) return FailStatus(st);
  std::cout << "created archive " << ctx.root << " (全宗号 " << s.fonds << ", scheme "
            << (*session)->scheme().version() << ")\n";
  return 0;
}

int RunReplica(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {}, {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  const std::string sub = args->positional.empty() ? "" : args->positional[0];
  bool ok_shape = (sub == "list" && args->positional.size() == 1) ||
                  ((sub == "add" || sub == "quorum") && args->positional.size() == 2);
  if (args->Has("--help") || !ok_shape) {
    std::cout << "usage: dangan replica list\n"
                 "       dangan replica add DIR\n"
                 "       dangan replica quorum N|all\n"
                 "A replica is another storage root (a second disk or a mount) that receives a\n"
                 "durable copy of every package before a filing is acknowledged; reads fall back\n"
                 "to it and `dangan audit run` repairs one copy from another. `add` copies every\n"
                 "package there first (each checked against the catalogue) and needs the archive\n"
                 "to itself: stop `dangan serve` while it runs. DIR must exist.\n"
                 "`quorum N` lets a filing be acknowledged once N copies (the primary counted)\n"
                 "are durable; a replica that failed gets its copy later (catch-up, every minute\n"
                 "in `dangan serve`, and at the start of `dangan audit run`). The default, `all`,\n"
                 "refuses a filing unless every copy is written. Takes effect at the next start.\n";
    return args->Has("--help") ? 0 : 2;
  }
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  if (sub == "list") {
    const auto& replicas = (*session)->settings().replicas;
    const int quorum = (*session)->settings().replica_quorum;
    std::cout << "0\t" << (*session)->root() << "\t(primary)\n";
    for (size_t i = 0; i < replicas.size(); ++i) std::cout << i + 1 << "\t" << replicas[i] << "\n";
    std::cout << "quorum: "
              << (quorum == 0 || quorum > static_cast<int>(replicas.size()) + 1
                      ? "all " + std::to_string(replicas.size() + 1) + " copies"
                      : std::to_string(quorum) + " of " + std::to_string(replicas.size() + 1) +
                            " copies")
              << "\n";
    auto lagging = CountLaggingCopies((*session)->catalogue());
    if (!lagging.ok()) return FailStatus(lagging.status());
    if (*lagging > 0) std::cout << "copies waiting for catch-up: " << *lagging << "\n";
    return 0;
  }
  if (sub == "quorum") {
    const std::string& v = args->positional[1];
    int copies = 0;
    if (v != "all") {
      auto n = ParseInt("quorum", v, 1, 1000);
      if (!n.ok()) return FailStatus(n.status(), 2);
      copies = static_cast<int>(*n);
    }
    Status st = (*session)->SetReplicaQuorum(copies);
    if (!st.ok()) return FailStatus(st, st.code() == ErrorCode::kInvalidArgument ? 2 : 1);
    std::cout << "quorum: " << (copies == 0 ? std::string("all") : v) << " of "
              << (*session)->settings().replicas.size() + 1 << " copies\n";
    return 0;
  }
  auto copied = (*session)->AddReplica(args->positional[1]);
  if (!copied.ok()) return FailStatus(copied.status());
  std::cout << "replica " << args->positional[1] << " added: " << *copied << " package(s) copied\n";
  return 0;
}

int RunIngest(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {"--channel"}, {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout << "usage: dangan ingest [--channel business|manual] CASE.json...\n"
                 "Files closed business cases. Every case is checked first; if any is invalid,\n"
                 "the problems are listed and nothing is filed. Prints one 档号 per case.\n"
                 "A case already filed with the same content prints its existing 档号 again;\n"
                 "the same (source, case_id) with other content is refused.\n";
    return 0;
  }
  if (args->positional.empty()) return Fail("ingest needs at least one CASE.json", 2);
  std::string channel = args->Get("--channel", "business");
  if (channel != "business" && channel != "manual")
    return Fail("--channel must be business or manual", 2);

  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  ArchiveSession& s = **session;

  constexpr size_t kMaxCaseBytes = 16 << 20;
  std::vector<CaseSubmission> cases;
  std::vector<std::string> case_paths;  // the file each of `cases` came from
  bool bad = false;
  for (const auto& path : args->positional) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << "dangan: " << path << ": cannot read the file\n";
      bad = true;
      continue;
    }
    std::string text;
    text.resize(kMaxCaseBytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxCaseBytes) {
      std::cerr << "dangan: " << path << ": larger than 16 MiB; put content in files\n";
      bad = true;
      continue;
    }
    CaseDecodeOptions opts;
    auto slash = path.rfind('/');
    opts.base_dir = slash == std::string::npos ? "." : path.substr(0, slash);
    auto c = DecodeCaseJson(text, s.scheme(), opts);
    if (!c.ok()) {
      PrintStatus(path, c.status());
      bad = true;
      continue;
    }
    cases.push_back(std::move(*c));
    case_paths.push_back(path);
  }
  // Hash every file and look every case up before filing any: one bad case files none.
  std::vector<PreparedCase> prepared;
  for (size_t i = 0; i < cases.size(); ++i) {
    auto p = s.filing().Prepare(cases[i], channel);
    if (!p.ok()) {
      PrintStatus(case_paths[i], p.status());
      bad = true;
      continue;
    }
    for (size_t k = 0; k < prepared.size(); ++k) {
      const CaseSubmission& other = prepared[k].submission;
      if (other.source == p->submission.source && other.case_id == p->submission.case_id &&
          prepared[k].fingerprint != p->fingerprint) {
        std::cerr << "dangan: " << case_paths[i] << ": case " << other.source << "/"
                  << other.case_id << " appears twice in this batch with different content\n";
        bad = true;
      }
    }
    prepared.push_back(std::move(*p));
  }
  if (bad) return Fail("nothing was filed");

  int failures = 0;
  for (size_t i = 0; i < prepared.size(); ++i) {
    auto receipt = s.filing().File(prepared[i], channel, ctx.actor);
    if (!receipt.ok()) {
      PrintStatus(case_paths[i], receipt.status());
      ++failures;
      continue;
    }
    std::cout << receipt->reference << "\n";
    if (receipt->already_filed)
      std::cerr << "dangan: " << case_paths[i] << ": already filed as " << receipt->reference
                << " (unchanged)\n";
  }
  return failures ? 1 : 0;
}

int RunCatalogueMaintenance(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {}, {"--vacuum", "--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help") || args->positional != std::vector<std::string>{"optimize"}) {
    std::cout << "usage: dangan catalogue optimize [--vacuum]\n"
                 "Merges each full-text index into one segment (faster searches, less room) and\n"
                 "hands the pages that frees back to the file system. Safe while `dangan serve`\n"
                 "runs: filings wait for it. Catalogues created before this release keep free\n"
                 "pages inside the file; --vacuum rewrites such a file once so that later runs\n"
                 "can hand them back, and blocks searches and filings while it runs.\n";
    return args->Has("--help") ? 0 : 2;
  }
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  auto report = (*session)->catalogue().Optimize(args->Has("--vacuum"));
  if (!report.ok()) return FailStatus(report.status());
  std::cout << "catalogue " << report->bytes_before / 1e6 << " MB -> " << report->bytes_after / 1e6
            << " MB\n";
  if (!report->incremental && report->free_bytes_left > 0)
    std::cerr << "dangan: " << report->free_bytes_left / 1e6
              << " MB of free pages stay in the file; run once with --vacuum to release them\n";
  return 0;
}

}  // namespace dangan::cli
