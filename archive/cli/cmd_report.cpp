// `dangan report`: the 归档文件目录, 查档证明 (issue and verify), the annual statistics table and
// CSV exports of a search. Every document is rendered in memory and written with a temporary
// file and a rename, so a failed run leaves nothing at --out.
#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "archive/cli/archive_session.h"
#include "archive/cli/arguments.h"
#include "archive/cli/commands.h"
#include "archive/cli/report_context.h"
#include "archive/cli/report_status.h"
#include "archive/cli/search_options.h"
#include "archive/text.h"
#include "retrieval/csv_export.h"
#include "retrieval/reports.h"

namespace dangan::cli {

namespace fs = std::filesystem;

std::string ReportFontPath(const Context& ctx, const Arguments& args) {
  if (args.options.count("--font")) return args.Get("--font");
  if (const char* env = std::getenv("DANGAN_PDF_FONT"); env && *env) return env;
  const std::string props = (fs::path(ctx.root) / ArchiveSession::kSettingsFile).string();
  std::error_code ec;
  if (fs::exists(props, ec)) {
    try {
      Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> cfg(
          new Poco::Util::PropertyFileConfiguration(props));
      std::string configured = cfg->getString("report.font", "");
      if (!configured.empty()) return configured;
    } catch (const Poco::Exception&) {
      // The session reports an unreadable settings file when it opens.
    }
  }
  return ResolveCjkFontPath();
}

ReportContext MakeReportContext(ArchiveSession& s, const std::string& font) {
  ReportContext rc;
  rc.catalogue = &s.catalogue();
  rc.scheme = &s.scheme();
  rc.archive_root = s.root();
  rc.fonds = s.settings().fonds;
  rc.organization = s.settings().organization;
  rc.font_path = font;
  rc.clock = NowIso8601;
  return rc;
}

namespace {

namespace fs = std::filesystem;

const char* kReportUsage = R"(usage: dangan report KIND [OPTIONS]

kinds:
  catalogue --year Y [--class C] --out FILE       归档文件目录 as PDF (or --series S for one series)
  certificate --requester NAME --purpose TEXT REF… --out FILE
                                                  issue a 查档证明; prints its serial and code
  verify-certificate SERIAL CODE                  exit 0 if genuine, 1 if not
  statistics --year Y [--out FILE] [--json]       社会保险业务档案管理基本情况统计表
  csv [QUERY] [--class C] [--year Y] … --out FILE search results as CSV (UTF-8 with BOM)

PDFs use a CJK TrueType font: --font FILE, else $DANGAN_PDF_FONT, else report.font in the
archive's archive.properties, else /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc.
Run `dangan report KIND --help` for details.
)";

// Bad input (exit 2) or a failure of the system (exit 1).
int FailReport(const Status& st) {
  return FailStatus(st, st.code() == ErrorCode::kInvalidArgument ? 2 : 1);
}

// --out must name a file in an existing directory; checked before any work is done.
Status CheckOut(const Arguments& args) {
  if (!args.options.count("--out") || args.Get("--out").empty())
    return Status::InvalidArgument("--out FILE is required", {{"--out", "missing"}});
  const std::string out = args.Get("--out");
  if (out == "-") return Status::Ok();
  fs::path dir = fs::path(out).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Status::InvalidArgument("cannot write " + out + ": no directory " + dir.string(),
                                   {{"--out", "the directory does not exist"}});
  if (fs::is_directory(out, ec))
    return Status::InvalidArgument("cannot write " + out + ": it is a directory",
                                   {{"--out", "is a directory"}});
  return Status::Ok();
}

Result<int> YearOption(const Arguments& args, bool required) {
  if (!args.options.count("--year")) {
    if (required) return Status::InvalidArgument("--year Y is required", {{"--year", "missing"}});
    return 0;
  }
  return ParseInt("--year", args.Get("--year"), 1900, 2999);
}

std::string Detail(const std::map<std::string, std::string>& fields) {
  Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [k, v] : fields) o.set(k, v);
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

int RunCatalogue(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 2, {"--year", "--class", "--series", "--out", "--font"},
                               {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout
        << "usage: dangan report catalogue --year Y [--class C] --out FILE [--font FILE]\n"
           "       dangan report catalogue --series SERIES --out FILE\n"
           "Writes the 归档文件目录 (序号, 档号, 文号, 责任者, 题名, 日期, 密级, 页数, 备注) of\n"
           "one 年度 (optionally one class, 01–09) or one numbering series (the 档号 without\n"
           "its 件号) as an A4 landscape PDF.\n";
    return 0;
  }
  if (!args->positional.empty()) return Fail("report catalogue takes no arguments", 2);
  CatalogueSelection sel;
  sel.series = args->Get("--series");
  auto year = YearOption(*args, sel.series.empty());
  if (!year.ok()) return FailStatus(year.status(), 2);
  sel.year = *year;
  sel.class_code = args->Get("--class");
  if (!sel.series.empty() && (sel.year || !sel.class_code.empty()))
    return Fail("--series cannot be combined with --year or --class", 2);
  if (Status st = CheckOut(*args); !st.ok()) return FailStatus(st, 2);
  if (args->Get("--out") == "-") return Fail("--out needs a file name for a PDF", 2);

  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  ReportContext rc = MakeReportContext(**session, ReportFontPath(ctx, *args));
  auto pdf = RenderCataloguePdf(rc, sel);
  if (!pdf.ok()) return FailReport(pdf.status());
  Status st = WriteFileAtomically(args->Get("--out"), *pdf);
  if (!st.ok()) return FailReport(st);
  st = (*session)->Log(ctx.actor, "report", "",
                       Detail({{"kind", "catalogue"},
                               {"year", sel.year ? std::to_string(sel.year) : ""},
                               {"class", sel.class_code},
                               {"series", sel.series}}));
  if (!st.ok()) return FailStatus(st);
  std::cerr << "归档文件目录 written to " << args->Get("--out") << "\n";
  return 0;
}

int RunCertificate(const Context& ctx, int argc, char** argv) {
  auto args =
      Arguments::Parse(argc, argv, 2, {"--requester", "--purpose", "--out", "--font"}, {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout
        << "usage: dangan report certificate --requester NAME --purpose TEXT REF… --out FILE\n"
           "Issues a 查档证明 for the given 档号: a serial number (CD-YYYY-NNNNNN, in order\n"
           "per year) and a verification code are stored in the catalogue, and the\n"
           "certificate is written as PDF. Prints \"SERIAL CODE\". The requester's name is\n"
           "stored and printed masked; each record's history notes the certificate.\n";
    return 0;
  }
  if (args->positional.empty()) return Fail("report certificate needs at least one 档号", 2);
  if (args->Get("--requester").empty()) return Fail("--requester NAME is required", 2);
  if (args->Get("--purpose").empty()) return Fail("--purpose TEXT is required", 2);
  if (Status st = CheckOut(*args); !st.ok()) return FailStatus(st, 2);
  if (args->Get("--out") == "-") return Fail("--out needs a file name for a PDF", 2);
  for (const auto& v : {args->Get("--requester"), args->Get("--purpose")})
    if (!IsValidUtf8(v)) return Fail("arguments must be UTF-8 text", 2);

  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  ReportContext rc = MakeReportContext(**session, ReportFontPath(ctx, *args));
  // A certificate is only issued when its PDF can be made: check the font first.
  {
    PdfOptions probe;
    probe.font_path = rc.font_path;
    auto doc = PdfDocument::Create(probe);
    if (!doc.ok()) return FailReport(doc.status());
  }
  CertificateRequest req;
  req.requester = args->Get("--requester");
  req.purpose = args->Get("--purpose");
  req.references = args->positional;
  req.actor = ctx.actor;
  auto issued = IssueCertificate(rc, req);
  if (!issued.ok()) return FailReport(issued.status());
  Status st = WriteFileAtomically(args->Get("--out"), issued->pdf);
  const Certificate& c = issued->certificate;
  if (!st.ok()) {
    PrintStatus("", st);
    std::cerr << "dangan: certificate " << c.serial
              << " was issued; print it again from the catalogue\n";
    return 1;
  }
  std::cout << c.serial << " " << c.code << "\n";
  std::cerr << "查档证明 " << c.serial << " written to " << args->Get("--out") << "\n";
  return 0;
}

int RunVerifyCertificate(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 2, {}, {"--help", "--json"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout << "usage: dangan report verify-certificate SERIAL CODE [--json]\n"
                 "Checks a 查档证明: exit 0 and its details if the serial exists and the code is\n"
                 "its code, exit 1 if not.\n";
    return 0;
  }
  if (args->positional.size() != 2) return Fail("verify-certificate needs a serial and a code", 2);
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  ReportContext rc = MakeReportContext(**session, "");
  auto check = VerifyCertificate(rc, args->positional[0], args->positional[1]);
  if (!check.ok()) return FailReport(check.status());
  const Certificate& c = check->certificate;
  if (args->Has("--json")) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("genuine", check->genuine);
    if (check->genuine) {
      o.set("serial", c.serial);
      o.set("issued_at", c.issued_at);
      o.set("requester", c.requester);
      o.set("purpose", c.purpose);
      Poco::JSON::Array refs;
      for (const auto& r : c.references) refs.add(r);
      o.set("references", refs);
    }
    o.stringify(std::cout);
    std::cout << "\n";
  } else if (check->genuine) {
    std::cout << "genuine: 查档证明 " << c.serial << "\n"
              << "出具时间  " << c.issued_at << "\n"
              << "查询人    " << c.requester << "\n"
              << "查档目的  " << c.purpose << "\n";
    for (const auto& r : c.references) std::cout << "档号      " << r << "\n";
  } else {
    std::cout << "not genuine: "
              << (check->known_serial ? "the code does not match"
                                      : "no certificate with this serial")
              << "\n";
  }
  return check->genuine ? 0 : 1;
}

int RunStatistics(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 2, {"--year", "--out", "--font"}, {"--help", "--json"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout << "usage: dangan report statistics --year Y [--out FILE] [--json]\n"
                 "The annual 社会保险业务档案管理基本情况统计表: holdings at year end, intake by\n"
                 "retention period, per class counts, certificates issued. --out writes the PDF,\n"
                 "--json prints the figures; at least one is needed.\n";
    return 0;
  }
  if (!args->positional.empty()) return Fail("report statistics takes no arguments", 2);
  auto year = YearOption(*args, true);
  if (!year.ok()) return FailStatus(year.status(), 2);
  const bool pdf_wanted = args->options.count("--out") > 0;
  if (!pdf_wanted && !args->Has("--json")) return Fail("give --out FILE, --json or both", 2);
  if (pdf_wanted) {
    if (Status st = CheckOut(*args); !st.ok()) return FailStatus(st, 2);
    if (args->Get("--out") == "-") return Fail("--out needs a file name for a PDF", 2);
  }
  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  ReportContext rc = MakeReportContext(**session, ReportFontPath(ctx, *args));
  auto stats = ComputeAnnualStatistics((*session)->catalogue(), *rc.scheme, *year);
  if (!stats.ok()) return FailReport(stats.status());
  if (pdf_wanted) {
    auto pdf = RenderAnnualStatisticsPdf(rc, *stats);
    if (!pdf.ok()) return FailReport(pdf.status());
    Status st = WriteFileAtomically(args->Get("--out"), *pdf);
    if (!st.ok()) return FailReport(st);
    std::cerr << "统计表 written to " << args->Get("--out") << "\n";
  }
  if (args->Has("--json")) std::cout << AnnualStatisticsToJson(*stats) << "\n";
  return 0;
}

int RunCsv(const Context& ctx, int argc, char** argv) {
  auto args = Arguments::Parse(argc, argv, 2,
                               [] {
                                 auto o = kSearchOptions;
                                 o.insert({"--out", "--max"});
                                 return o;
                               }(),
                               {"--help"});
  if (!args.ok()) return FailStatus(args.status(), 2);
  if (args->Has("--help")) {
    std::cout << "usage: dangan report csv [QUERY] [--class C] [--item I] [--year Y]\n"
                 "                         [--retention R] [--person ID] [--unit CODE]\n"
                 "                         [--max N] --out FILE\n"
                 "Writes every match of the search (as `dangan search`) as CSV: 档号, 题名, 年度,\n"
                 "类别, 业务环节, 保管期限, 日期. RFC 4180 quoting, CRLF line ends, UTF-8 with a\n"
                 "byte order mark so Excel shows Chinese correctly. --out - writes to stdout.\n"
                 "At most --max rows (default 100000).\n";
    return 0;
  }
  auto spec = SearchSpecFromArguments(*args);
  if (!spec.ok()) return FailStatus(spec.status(), 2);
  int max_rows = 100000;
  if (args->options.count("--max")) {
    auto n = ParseInt("--max", args->Get("--max"), 1, 10000000);
    if (!n.ok()) return FailStatus(n.status(), 2);
    max_rows = *n;
  }
  if (Status st = CheckOut(*args); !st.ok()) return FailStatus(st, 2);

  auto session = ArchiveSession::Open(ctx.root);
  if (!session.ok()) return FailStatus(session.status());
  const ClassificationScheme& scheme = (*session)->scheme();
  if (Status st = CheckSearchFilters(*spec, scheme); !st.ok()) return FailStatus(st, 2);
  std::ostringstream csv;
  bool truncated = false;
  auto rows = ExportSearchCsv((*session)->catalogue(), *spec, &scheme, csv, max_rows, &truncated);
  if (!rows.ok()) return FailReport(rows.status());
  const std::string out = args->Get("--out");
  if (out == "-") {
    std::cout << csv.str();
  } else {
    Status st = WriteFileAtomically(out, csv.str());
    if (!st.ok()) return FailReport(st);
  }
  Status st = (*session)->Log(ctx.actor, "report", "",
                              Detail({{"kind", "csv"},
                                      {"query", spec->text.empty() ? "" : "(text)"},
                                      {"class", spec->class_code},
                                      {"year", spec->year ? std::to_string(spec->year) : ""},
                                      {"rows", std::to_string(*rows)}}));
  if (!st.ok()) return FailStatus(st);
  std::cerr << *rows << " record" << (*rows == 1 ? "" : "s")
            << (truncated ? " (more matched; raise --max)" : "") << "\n";
  return 0;
}

}  // namespace

int RunReport(const Context& ctx, int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    (argc < 2 ? std::cerr : std::cout) << kReportUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string kind = argv[1];
  if (kind == "catalogue") return RunCatalogue(ctx, argc, argv);
  if (kind == "certificate") return RunCertificate(ctx, argc, argv);
  if (kind == "verify-certificate") return RunVerifyCertificate(ctx, argc, argv);
  if (kind == "statistics") return RunStatistics(ctx, argc, argv);
  if (kind == "csv") return RunCsv(ctx, argc, argv);
  return Fail("unknown report '" + kind + "' (see dangan report --help)", 2);
}

}  // namespace dangan::cli
