// `dangan appraise`, `dangan hold` and `dangan destroy`: appraisal (鉴定) of records past their
// period, holds that block destruction, and destruction (销毁) with its 销毁清册, which is filed
// as a permanent record of its own. Who acts is --actor; the proposer of an appraisal can never
// decide it, and a destruction names two supervisors.
#include <iostream>

#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/commands.h"
#include "archive/cli/lifecycle_archive.h"
#include "archive/cli/report_context.h"
#include "archive/cli/report_status.h"
#include "archive/identifiers.h"
#include "archive/text.h"
#include "retrieval/destruction.h"
#include "storage/appraisal_register.h"

namespace dangan::cli {

namespace {

// Bad input (exit 2) or a refusal/failure (exit 1).
int FailLifecycle(const Status& st) {
  return FailStatus(st, st.code() == ErrorCode::kInvalidArgument ? 2 : 1);
}

Result<std::vector<int64_t>> ParseIds(const std::vector<std::string>& args, size_t from) {
  std::vector<int64_t> ids;
  for (size_t i = from; i < args.size(); ++i) {
    auto id = ParseInt("appraisal id", args[i], 1, 2000000000);
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  return ids;
}

// What each lifecycle command's help adds about --catalogue.
constexpr const char* kCatalogueHelp =
    "--catalogue postgresql://… acts on the PostgreSQL catalogue this root shares with\n"
    "`dangan serve --catalogue` servers, beside them.\n";

// The archive the command acts on: the embedded one, or the shared catalogue --catalogue names;
// nullptr once the failure is reported (a malformed --catalogue is a usage error).
std::unique_ptr<LifecycleArchive> OpenFor(const Context& ctx, const Arguments& args, int* code) {
  auto url = LifecycleCatalogueUrl(args);
  if (!url.ok()) {
    *code = FailStatus(url.status(), 2);
    return nullptr;
  }
  auto archive = LifecycleArchive::Open(ctx, *url);
  if (!archive.ok()) {
    *code = FailOpening(archive.status());
    return nullptr;
  }
  return std::move(*archive);
}

void PrintAppraisal(const AppraisalEntry& a) {
  std::cout << a.id << "\t" << a.state << "\t" << a.decision
            << (a.new_retention.empty() ? "" : "→" + a.new_retention) << "\t" << a.reference << "\t"
            << a.proposed_by << "\t" << a.reason
            << (a.decided_by.empty() ? "" : "\t" + a.decided_by) << "\n";
}

}  // namespace

int RunAppraise(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1,
                               {"--due-by", "--class", "--decision", "--retention", "--reason",
                                "--note", "--state", "--limit", "--catalogue"},
                               {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  const std::string verb = args->positional.empty() ? "" : args->positional[0];
  if (args->Has("--help") || verb.empty()) {
    std::cout
        << "usage: dangan appraise due --due-by YYYY-MM-DD [--class C] [--limit N]\n"
           "       dangan appraise propose REF... --decision keep|extend|destroy\n"
           "                      [--retention CODE] --reason TEXT\n"
           "       dangan appraise approve ID... [--note TEXT]\n"
           "       dangan appraise reject ID... --note TEXT\n"
           "       dangan appraise list [--state proposed|approved|rejected|executed]\n"
           "Appraisal (鉴定) of records whose retention period has run out. A period runs from\n"
           "1 January after the record was formed; expiry only opens an appraisal. `due` lists\n"
           "the records due by a date (with any open appraisal and holds). A proposal keeps\n"
           "the record permanently (keep), extends its period (extend, --retention) or destroys\n"
           "it (destroy, carried out by `dangan destroy`). The one who proposes (--actor) can\n"
           "never approve or reject. Every step is an audit event.\n"
        << kCatalogueHelp;
    return verb.empty() && !args->Has("--help") ? 2 : 0;
  }
  int limit = 0;
  if (args->options.count("--limit")) {
    auto l = ParseInt("--limit", args->Get("--limit"), 1, 1000000);
    if (!l.ok()) return FailStatus(l.status(), 2);
    limit = *l;
  }
  int code = 0;
  auto archive = OpenFor(ctx, *args, &code);
  if (!archive) return code;
  LifecycleArchive& s = *archive;
  AppraisalRegister reg(s.catalogue(), s.scheme());
  const std::string now = NowIso8601();

  if (verb == "due") {
    const std::string by = args->Get("--due-by", now.substr(0, 10));
    if (!IsIsoDate(by)) return Fail("--due-by must be a date YYYY-MM-DD", 2);
    auto due = reg.Due(by, args->Get("--class"), limit);
    if (!due.ok()) return FailLifecycle(due.status());
    for (const auto& d : *due) {
      std::cout << d.reference << "\t" << d.year << "\t" << d.retention << "\t" << d.due_on << "\t"
                << d.title;
      if (d.open)
        std::cout << "\t[" << d.open->decision << " " << d.open->state << " #" << d.open->id << "]";
      if (d.held) std::cout << "\t[hold]";
      std::cout << "\n";
    }
    std::cerr << due->size() << " record(s) due by " << by << "\n";
    return 0;
  }
  if (verb == "propose") {
    auto decision = ParseDecision(args->Get("--decision"));
    if (!decision) return Fail("--decision must be keep, extend or destroy", 2);
    std::vector<std::string> refs(args->positional.begin() + 1, args->positional.end());
    auto ids = reg.Propose(refs, *decision, args->Get("--retention"), args->Get("--reason"),
                           ctx.actor, now);
    if (!ids.ok()) return FailLifecycle(ids.status());
    for (size_t i = 0; i < ids->size(); ++i) std::cout << (*ids)[i] << "\n";
    return 0;
  }
  if (verb == "approve" || verb == "reject") {
    auto ids = ParseIds(args->positional, 1);
    if (!ids.ok()) return FailStatus(ids.status(), 2);
    Status st = reg.Decide(*ids, verb == "approve", ctx.actor, args->Get("--note"), now);
    if (!st.ok()) return FailLifecycle(st);
    std::cerr << ids->size() << " appraisal(s) " << (verb == "approve" ? "approved" : "rejected")
              << " by " << ctx.actor << "\n";
    return 0;
  }
  if (verb == "list") {
    auto list = reg.List(args->Get("--state"), limit);
    if (!list.ok()) return FailLifecycle(list.status());
    for (const auto& a : *list) PrintAppraisal(a);
    return 0;
  }
  return Fail("unknown appraise command '" + verb + "' (due, propose, approve, reject, list)", 2);
}

int RunHold(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(
      argc, argv, 1,
      {"--reason", "--class", "--item", "--year", "--person", "--unit", "--catalogue"},
      {"--all", "--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  const std::string verb = args->positional.empty() ? "" : args->positional[0];
  if (args->Has("--help") || verb.empty()) {
    std::cout << "usage: dangan hold place (REF | [--class C] [--item I] [--year Y] [--person ID]\n"
                 "                          [--unit CODE]) --reason TEXT\n"
                 "       dangan hold release ID\n"
                 "       dangan hold list [--all]\n"
                 "A hold (litigation, audit, an inquiry in progress) on one record or on every\n"
                 "record a query matches blocks any destruction of them until it is "
                 "released.\n"
              << kCatalogueHelp;
    return verb.empty() && !args->Has("--help") ? 2 : 0;
  }
  int code = 0;
  auto archive = OpenFor(ctx, *args, &code);
  if (!archive) return code;
  AppraisalRegister reg(archive->catalogue(), archive->scheme());
  if (verb == "place") {
    HoldScope scope;
    if (args->positional.size() > 2) return Fail("a hold names one record or one query", 2);
    if (args->positional.size() == 2) scope.reference = args->positional[1];
    scope.class_code = args->Get("--class");
    scope.item = args->Get("--item");
    scope.unit_code = args->Get("--unit");
    if (args->options.count("--person")) {
      auto id = ParseIdNumber(args->Get("--person"));
      if (!id.ok()) return FailStatus(id.status().WithContext("--person"), 2);
      scope.person_id = id->normalized;
    }
    if (args->options.count("--year")) {
      auto y = ParseInt("--year", args->Get("--year"), 1900, 2999);
      if (!y.ok()) return FailStatus(y.status(), 2);
      scope.year = *y;
    }
    if (!scope.reference.empty() &&
        (!scope.class_code.empty() || !scope.item.empty() || scope.year ||
         !scope.person_id.empty() || !scope.unit_code.empty()))
      return Fail("a hold names either one record or query fields, not both", 2);
    auto id = reg.PlaceHold(scope, args->Get("--reason"), ctx.actor, NowIso8601());
    if (!id.ok()) return FailLifecycle(id.status());
    std::cout << *id << "\n";
    return 0;
  }
  if (verb == "release") {
    if (args->positional.size() != 2) return Fail("usage: dangan hold release ID", 2);
    auto id = ParseInt("hold id", args->positional[1], 1, 2000000000);
    if (!id.ok()) return FailStatus(id.status(), 2);
    Status st = reg.ReleaseHold(*id, ctx.actor, NowIso8601());
    if (!st.ok()) return FailLifecycle(st);
    return 0;
  }
  if (verb == "list") {
    auto holds = reg.Holds(!args->Has("--all"));
    if (!holds.ok()) return FailLifecycle(holds.status());
    for (const auto& h : *holds) {
      std::string scope = h.scope.reference;
      if (h.scope.is_query()) {
        if (!h.scope.class_code.empty()) scope += " class=" + h.scope.class_code;
        if (!h.scope.item.empty()) scope += " item=" + h.scope.item;
        if (h.scope.year) scope += " year=" + std::to_string(h.scope.year);
        if (!h.scope.person_id.empty()) scope += " person=" + MaskIdNumber(h.scope.person_id);
        if (!h.scope.unit_code.empty()) scope += " unit=" + h.scope.unit_code;
      }
      std::cout << h.id << "\t" << (h.released_at.empty() ? "active" : "released") << "\t" << scope
                << "\t" << h.reason << "\t" << h.placed_by << "\n";
    }
    return 0;
  }
  return Fail("unknown hold command '" + verb + "' (place, release, list)", 2);
}

namespace {

DestructionServices DestructionServicesOf(LifecycleArchive& s, const Context& ctx,
                                          const Arguments& args) {
  DestructionServices d;
  d.catalogue = &s.catalogue();
  d.scheme = &s.scheme();
  d.packages = &s.packages();
  d.filing = &s.filing();
  d.report = s.Reports(ReportFontPath(ctx, args));
  d.stage_dir = s.root() + "/intake";
  return d;
}

}  // namespace

int RunDestroy(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 1, {"--supervisor", "--out", "--font", "--catalogue"},
                               {"--help", "--list"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout
        << "usage: dangan destroy --supervisor NAME --supervisor NAME [--out 销毁清册.pdf] "
           "[ID...]\n"
           "       dangan destroy --list\n"
           "Destroys the records of approved destruction appraisals (the ids given, else all):\n"
           "refused if any is under a hold; supervised by at least two different people. Each\n"
           "record leaves a tombstone (档号, 题名, dates, period, approvals, time) and an audit\n"
           "event; its package is removed from every storage root. The 销毁清册 is filed as a\n"
           "permanent record (item 1001) and written to --out. --list prints the "
           "tombstones.\n"
        << kCatalogueHelp;
    return 0;
  }
  int code = 0;
  auto archive = OpenFor(ctx, *args, &code);
  if (!archive) return code;
  LifecycleArchive& s = *archive;
  AppraisalRegister reg(s.catalogue(), s.scheme());
  if (args->Has("--list")) {
    auto all = reg.Tombstones(0);
    if (!all.ok()) return FailLifecycle(all.status());
    for (const auto& t : *all)
      std::cout << t.reference << "\t" << t.destroyed_at << "\t" << t.retention << "\t"
                << t.register_reference << "\t" << t.title << "\n";
    return 0;
  }
  // --supervisor may be given more than once; Arguments keeps the last, so read them here.
  std::vector<std::string> supervisors;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--supervisor") supervisors.push_back(argv[i + 1]);
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]).rfind("--supervisor=", 0) == 0)
      supervisors.push_back(std::string(argv[i]).substr(13));
  const std::string out = args->Get("--out");
  auto ids = ParseIds(args->positional, 0);
  if (!ids.ok()) return FailStatus(ids.status(), 2);
  DestructionServices services = DestructionServicesOf(s, ctx, *args);
  auto outcome = CarryOutDestruction(services, *ids, supervisors, ctx.actor, NowIso8601(), out);
  if (!outcome.ok()) return FailLifecycle(outcome.status());
  for (const auto& t : outcome->destroyed) std::cout << t.reference << "\n";
  for (const auto& r : outcome->registers) std::cerr << "销毁清册 filed as " << r << "\n";
  std::cerr << outcome->destroyed.size() << " record(s) destroyed\n";
  return 0;
}

}  // namespace dangan::cli
