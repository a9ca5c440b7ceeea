// `dangan check`: the four-property checks (DA/T 70) of filed records on demand, at the 长期保存
// (preservation) or 移交与接收 (transfer) stage. Each record's report is kept as a "check" event
// on it; the run as a whole as one more.
#include <iostream>

#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/commands.h"
#include "archive/cli/report_status.h"
#include "storage/record_inspection.h"

namespace dangan::cli {

namespace {

const char* OutcomeLabel(CheckOutcome o) {
  switch (o) {
    case CheckOutcome::kPassed:
      return "通过";
    case CheckOutcome::kFailed:
      return "不通过";
    case CheckOutcome::kNotRun:
      return "未检测";
  }
  return "?";
}

void PrintReport(const CheckReport& report, bool all_items) {
  std::cout << (report.passed() ? "PASSED " : "FAILED ") << report.reference << "  ("
            << StageLabel(report.stage) << ")\n";
  for (const auto& f : report.findings) {
    if (!all_items && f.outcome != CheckOutcome::kFailed) continue;
    std::cout << "  " << f.code << "  " << PropertyLabel(f.property) << "  " << f.name << "  "
              << OutcomeLabel(f.outcome) << (f.detail.empty() ? "" : "  " + f.detail) << "\n";
  }
}

}  // namespace

int RunCheck(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {"--stage"}, {"--all", "--json", "--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout
        << "usage: dangan check --stage preservation|transfer (--all | REF...) [--json]\n"
           "Runs the four-property checks (DA/T 70: 真实性, 完整性, 可用性, 安全性) of the stage\n"
           "on filed records: package and file digests, metadata length, format and range, 档号\n"
           "format and uniqueness, 件号 continuity, handling steps, content against metadata,\n"
           "allowed formats, readable content, executable content, foreign files, and the\n"
           "package against the digest the audit chain recorded at filing. The items are data\n"
           "(checks.json; a checks.local.json in the archive overrides them). Filing runs the\n"
           "归档 stage itself. Each report is kept as a \"check\" event on its record.\n"
           "Prints every item of each record named, the failed items only with --all; --json\n"
           "prints one report object per line. Exit 1 if any record fails.\n";
    return 0;
  }
  auto stage = ParseStage(args->Get("--stage", "preservation"));
  if (!stage || *stage == CheckStage::kFiling)
    return Fail("--stage must be preservation or transfer (filing runs the filing stage)", 2);
  if (args->Has("--all") == !args->positional.empty())
    return Fail("check needs either --all or one or more 档号", 2);
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  ArchiveSession& s = **session;
  auto selected = s.SelectReferences(args->Has("--all"), args->positional);
  if (!selected.ok()) return FailStatus(selected.status());
  const std::vector<std::string> refs = std::move(*selected);

  int failed = 0, unknown = 0;
  for (const auto& ref : refs) {
    auto rec = s.catalogue().GetRecord(ref);
    if (!rec.ok()) return FailStatus(rec.status());
    if (!*rec) {
      std::cerr << "dangan: " << ref << ": no such record\n";
      ++unknown;
      continue;
    }
    auto report = CheckRecord(s.catalogue(), s.packages(), s.checks(), s.scheme(),
                              s.reference_template(), **rec, *stage);
    if (!report.ok()) return FailStatus(report.status().WithContext(ref));
    Status logged = s.Log(ctx.actor, "check", ref, report->ToEventJson());
    if (!logged.ok()) return FailStatus(logged);
    if (!report->passed()) ++failed;
    if (args->Has("--json"))
      std::cout << report->ToJson() << "\n";
    else if (!args->Has("--all") || !report->passed())
      PrintReport(*report, !args->Has("--all"));
  }
  Status logged = s.Log(ctx.actor, "check-run", "",
                        std::string("{\"stage\":\"") + StageName(*stage) +
                            "\",\"records\":" + std::to_string(refs.size() - unknown) +
                            ",\"failed\":" + std::to_string(failed) + "}");
  if (!logged.ok()) return FailStatus(logged);
  std::cerr << "checked " << refs.size() - unknown << " record(s) at the " << StageLabel(*stage)
            << " stage: " << failed << " failed"
            << (unknown ? ", " + std::to_string(unknown) + " unknown" : "") << "\n";
  return failed || unknown ? 1 : 0;
}

}  // namespace dangan::cli
