#define BOOST_TEST_MODULE reports
#include <boost/test/unit_test.hpp>

// Reports rendered from a real archive and read back with poppler's pdftotext: the 归档文件目录,
// the 查档证明 and its verification, the annual statistics table, CSV exports, and the `dangan
// report` command.
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "retrieval/csv_export.h"
#include "retrieval/pdf_document.h"
#include "retrieval/reports.h"
#include "tests/support/case_factory.h"
#include "tests/support/shell.h"

using namespace dangan;
using namespace dangan::testing;

namespace dangan {
// For BOOST_TEST messages.
std::ostream& operator<<(std::ostream& os, ErrorCode code) { return os << ErrorCodeName(code); }
}  // namespace dangan
namespace fs = std::filesystem;

namespace {

// The text of a PDF, pages separated by form feeds. Whatever poppler complains of while reading
// it (an invalid ToUnicode map, a broken table) fails the test.
std::string PdfText(const std::string& path) {
  RunResult r = Run("pdftotext -layout " + Quote(path) + " -");
  BOOST_TEST(r.err.find("Warning") == std::string::npos, path << ": " << r.err);
  BOOST_TEST(r.err.find("Error") == std::string::npos, path << ": " << r.err);
  return r.out;
}

std::vector<std::string> Pages(const std::string& text) {
  std::vector<std::string> pages;
  std::stringstream ss(text);
  std::string page;
  while (std::getline(ss, page, '\f'))
    if (!page.empty()) pages.push_back(page);
  return pages;
}

struct Case {
  std::string reference;
  std::string title;
  int year;
  std::string class_code;
};

struct Fixture {
  TestArchive a;
  TempDir out;
  std::vector<Case> cases;

  Fixture() {
    struct Spec {
      const char* id;
      const char* item;
      const char* title;
      const char* formed_on;
    };
    const Spec specs[] = {
        {"R-1", "0102", "张三参保人员增员申报表", "2025-06-30"},
        {"R-2", "0101", "测试科技有限公司参保登记表", "2024-03-15"},
        {"R-3", "0301", "基本养老金待遇核定表", "2025-01-10"},
        {"R-4", "0303", "丧葬补助金申领审批表", "2023-11-02"},
        {"R-5", "0503", "失业保险金核定表", "2025-04-01"},
        {"R-6", "0601", "工伤备案登记表", "2024-07-07"},
        {"R-7", "0402", "医疗费用支付明细表", "2025-02-28"},
        {"R-8", "0801", "2024年度社会保险统计报表", "2024-12-31"},
        {"R-9", "0901", "稽核材料，含\"引号\"与,逗号", "2025-09-09"},
        {"R-10", "0102", "李四参保人员信息变更表", "2025-12-01"},
    };
    for (const auto& s : specs) cases.push_back(File(s.id, s.item, s.title, s.formed_on));
  }

  Case File(const std::string& id, const std::string& item, const std::string& title,
            const std::string& formed_on) {
    CaseSubmission c = a.MakeCase(id, item, title);
    c.formed_on = formed_on;
    auto r = a.session().filing().File(c, "business", "test");
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
    auto rec = a.session().catalogue().GetRecord(r->reference).value();
    return {r->reference, title, rec->parts.year, rec->parts.class_code};
  }

  ReportContext Context() {
    ReportContext rc;
    rc.catalogue = &a.session().catalogue();
    rc.scheme = &a.session().scheme();
    rc.archive_root = a.root();
    rc.fonds = "J012";
    rc.organization = "测试市社会保险事业管理中心";
    rc.clock = cli::NowIso8601;
    return rc;
  }

  std::string Save(const std::string& name, const std::string& bytes) {
    std::string path = out / name;
    Status st = WriteFileAtomically(path, bytes);
    if (!st.ok()) throw std::runtime_error(st.ToString());
    return path;
  }

  std::string Dangan(const std::string& args) {
    return std::string(DANGAN_BINARY) + " --root " + Quote(a.root()) + " --actor test " + args;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(reports, Fixture)

BOOST_AUTO_TEST_CASE(catalogue_pdf_lists_the_year_s_records) {
  auto pdf = RenderCataloguePdf(Context(), {2025, "", ""});
  BOOST_REQUIRE_MESSAGE(pdf.ok(), pdf.status().ToString());
  BOOST_TEST(pdf->rfind("%PDF-", 0) == 0);
  std::string text = PdfText(Save("catalogue.pdf", *pdf));
  BOOST_TEST(Contains(text, "归档文件目录"));
  BOOST_TEST(Contains(text, "第 1 页 共 1 页"));
  for (const char* h : {"序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"})
    BOOST_TEST(Contains(text, h), h);
  int in_year = 0;
  for (const auto& c : cases) {
    if (c.year == 2025) {
      ++in_year;
      BOOST_TEST(Contains(text, c.reference), c.reference);
      BOOST_TEST(Contains(text, c.title), c.title);
    } else {
      BOOST_TEST(!Contains(text, c.reference), c.reference);
    }
  }
  BOOST_TEST(in_year == 6);
  BOOST_TEST(Contains(text, "共 6 件"));
  BOOST_TEST(Contains(text, "20250630"));  // 日期 in 8 digits
  BOOST_TEST(Contains(text, "非密"));

  auto entries = ListCatalogue(Context(), {2025, "01", ""});
  BOOST_REQUIRE(entries.ok());
  BOOST_REQUIRE_EQUAL(entries->size(), 2u);
  BOOST_TEST((*entries)[0].number == 1);
  BOOST_TEST((*entries)[0].reference == cases[0].reference);
  BOOST_TEST((*entries)[0].date == "20250630");
  BOOST_TEST((*entries)[0].responsible == "测试市社会保险事业管理中心");
  BOOST_TEST((*entries)[1].reference == cases[9].reference);

  // One numbering series.
  std::string series = cases[0].reference.substr(0, cases[0].reference.rfind('-'));
  auto by_series = ListCatalogue(Context(), {0, "", series});
  BOOST_REQUIRE(by_series.ok());
  BOOST_TEST(by_series->size() == 2u);

  // Bad selections are the caller's error; an empty one is an empty list.
  BOOST_TEST(ListCatalogue(Context(), {2025, "77", ""}).status().code() ==
             ErrorCode::kInvalidArgument);
  BOOST_TEST(ListCatalogue(Context(), {0, "", ""}).status().code() == ErrorCode::kInvalidArgument);
  auto empty = RenderCataloguePdf(Context(), {2001, "", ""});
  BOOST_REQUIRE(empty.ok());
  BOOST_TEST(Contains(PdfText(Save("empty.pdf", *empty)), "没有归档文件"));
}

BOOST_AUTO_TEST_CASE(long_catalogue_repeats_the_heading_row_on_every_page) {
  std::vector<std::string> refs;
  for (int i = 0; i < 60; ++i) {
    auto c = File("L-" + std::to_string(i), "0503", "失业保险金核定表第" + std::to_string(i) + "号",
                  "2022-05-05");
    refs.push_back(c.reference);
  }
  auto pdf = RenderCataloguePdf(Context(), {2022, "05", ""});
  BOOST_REQUIRE_MESSAGE(pdf.ok(), pdf.status().ToString());
  std::string text = PdfText(Save("long.pdf", *pdf));
  auto pages = Pages(text);
  BOOST_REQUIRE_GE(pages.size(), 2u);
  const std::string total = " 共 " + std::to_string(pages.size()) + " 页";
  for (size_t p = 0; p < pages.size(); ++p) {
    BOOST_TEST(Contains(pages[p], "第 " + std::to_string(p + 1) + " 页" + total), p);
    BOOST_TEST(Contains(pages[p], "序号"), p);
    BOOST_TEST(Contains(pages[p], "档号"), p);
    BOOST_TEST(Contains(pages[p], "题名"), p);
    BOOST_TEST(Contains(pages[p], "归档文件目录"), p);  // the header line
  }
  for (const auto& r : refs) BOOST_TEST(Contains(text, r), r);
  BOOST_TEST(Contains(pages.back(), refs.back()));
  BOOST_TEST(!Contains(pages.front(), refs.back()));
}

BOOST_AUTO_TEST_CASE(certificate_is_serialised_verifiable_and_masked) {
  ReportContext rc = Context();
  CertificateRequest req{
      "王小五", "办理退休手续", {cases[0].reference, cases[2].reference}, "test"};
  auto issued = IssueCertificate(rc, req);
  BOOST_REQUIRE_MESSAGE(issued.ok(), issued.status().ToString());
  const Certificate& c = issued->certificate;
  const std::string year = cli::NowIso8601().substr(0, 4);
  BOOST_TEST(c.serial == "CD-" + year + "-000001");
  BOOST_TEST(c.code.size() == 12u);
  BOOST_TEST(c.code.find_first_not_of("0123456789abcdef") == std::string::npos);
  BOOST_TEST(c.requester == "王**");

  std::string text = PdfText(Save("cert.pdf", issued->pdf));
  BOOST_TEST(Contains(text, "查档证明"));
  BOOST_TEST(Contains(text, c.serial));
  BOOST_TEST(Contains(text, c.code));
  BOOST_TEST(Contains(text, cases[0].reference));
  BOOST_TEST(Contains(text, cases[2].reference));
  BOOST_TEST(Contains(text, "基本养老金待遇核定表"));
  BOOST_TEST(Contains(text, "办理退休手续"));
  BOOST_TEST(Contains(text, "第 1 页"));
  // Names are masked, in the requester line, the 当事人 column and inside titles.
  BOOST_TEST(!Contains(text, "王小五"));
  BOOST_TEST(!Contains(text, "张三"));
  BOOST_TEST(Contains(text, "张*参保人员增员申报表"));

  // The secret was made on first use, private to the owner.
  struct stat st;
  BOOST_REQUIRE(::stat(a.Path("secret.key").c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  BOOST_TEST(st.st_size == 32);

  auto good = VerifyCertificate(rc, c.serial, c.code);
  BOOST_REQUIRE(good.ok());
  BOOST_TEST(good->genuine);
  BOOST_TEST(good->certificate.references == req.references);
  BOOST_TEST(good->certificate.purpose == "办理退休手续");
  BOOST_TEST(good->certificate.requester == "王**");
  std::string upper = c.code;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  BOOST_TEST(VerifyCertificate(rc, " " + c.serial + " ", upper)->genuine);

  std::string wrong = c.code;
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  auto bad = VerifyCertificate(rc, c.serial, wrong);
  BOOST_REQUIRE(bad.ok());
  BOOST_TEST(!bad->genuine);
  BOOST_TEST(bad->known_serial);
  BOOST_TEST(bad->certificate.serial.empty());  // a wrong code reveals nothing
  auto unknown = VerifyCertificate(rc, "CD-" + year + "-999999", c.code);
  BOOST_REQUIRE(unknown.ok());
  BOOST_TEST(!unknown->genuine);
  BOOST_TEST(!unknown->known_serial);

  // Serials run on; a certificate's history is in each record's events.
  auto second = IssueCertificate(rc, {"赵六", "诉讼", {cases[4].reference}, "test"});
  BOOST_REQUIRE(second.ok());
  BOOST_TEST(second->certificate.serial == "CD-" + year + "-000002");
  BOOST_TEST(second->certificate.code != c.code);
  BOOST_TEST(!VerifyCertificate(rc, second->certificate.serial, c.code)->genuine);
  auto events = a.session().catalogue().Events(cases[0].reference).value();
  BOOST_TEST(events.back().action == "certify");
  BOOST_TEST(Contains(events.back().detail, c.serial));

  // Stored certificates are evidence: the table refuses edits.
  Status edit = a.session().catalogue().WithConnection(
      [](SqliteDb& db) { return db.Exec("UPDATE certificates SET purpose='x'"); });
  BOOST_TEST(!edit.ok());

  // Bad requests name the problem and issue nothing.
  auto missing = IssueCertificate(rc, {"王五", "查询", {"J012-SB·2025-D100-0102-0999"}, "test"});
  BOOST_TEST(missing.status().code() == ErrorCode::kInvalidArgument);
  BOOST_REQUIRE(!missing.status().fields().empty());
  BOOST_TEST(missing.status().fields()[0].field == "references[0]");
  BOOST_TEST(IssueCertificate(rc, {"", "查询", {cases[0].reference}, "t"}).status().code() ==
             ErrorCode::kInvalidArgument);
  BOOST_TEST(IssueCertificate(rc, {"王五", " ", {cases[0].reference}, "t"}).status().code() ==
             ErrorCode::kInvalidArgument);
  BOOST_TEST(IssueCertificate(rc, {"王五", "查询", {}, "t"}).status().code() ==
             ErrorCode::kInvalidArgument);
  auto third = IssueCertificate(rc, {"钱七", "核对", {cases[1].reference}, "test"});
  BOOST_REQUIRE(third.ok());
  BOOST_TEST(third->certificate.serial == "CD-" + year + "-000003");

  // Printing again gives the same serial and code.
  auto found = FindCertificate(rc, c.serial);
  BOOST_REQUIRE(found.ok());
  BOOST_TEST(found->code == c.code);
  auto again = RenderCertificatePdf(rc, *found);
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(Contains(PdfText(Save("again.pdf", *again)), c.serial));
  BOOST_TEST(FindCertificate(rc, "CD-1999-000001").status().code() == ErrorCode::kNotFound);
}

BOOST_AUTO_TEST_CASE(concurrent_certificates_get_distinct_consecutive_serials) {
  ReportContext rc = Context();
  constexpr int kThreads = 4, kEach = 3;
  std::vector<std::string> serials;
  std::vector<std::string> errors;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto c = IssueCertificate(rc, {"孙八",
                                       "并发",
                                       {cases[static_cast<size_t>(t)].reference},
                                       "thread-" + std::to_string(t)});
        std::lock_guard<std::mutex> lock(mu);
        if (c.ok())
          serials.push_back(c->certificate.serial);
        else
          errors.push_back(c.status().ToString());
      }
    });
  }
  for (auto& th : threads) th.join();
  BOOST_TEST(errors.empty(), (errors.empty() ? "" : errors[0]));
  std::sort(serials.begin(), serials.end());
  const std::string year = cli::NowIso8601().substr(0, 4);
  BOOST_REQUIRE_EQUAL(serials.size(), static_cast<size_t>(kThreads * kEach));
  for (size_t i = 0; i < serials.size(); ++i) {
    char want[32];
    std::snprintf(want, sizeof want, "CD-%s-%06zu", year.c_str(), i + 1);
    BOOST_TEST(serials[i] == want);
  }

  // A row forged without the key does not verify, even with its own stored code.
  Status forged = a.session().catalogue().WithConnection([&](SqliteDb& db) {
    return db.Exec(
        "INSERT INTO certificates(serial, year, seq, code, issued_at, requester, purpose,"
        " references_json, actor) VALUES('CD-2099-000001', 2099, 1, 'abcdefabcdef',"
        " '2099-01-01T00:00:00+08:00', 'x*', 'y', '[]', 'z')");
  });
  BOOST_REQUIRE(forged.ok());
  auto check = VerifyCertificate(rc, "CD-2099-000001", "abcdefabcdef");
  BOOST_REQUIRE(check.ok());
  BOOST_TEST(check->known_serial);
  BOOST_TEST(!check->genuine);
}

BOOST_AUTO_TEST_CASE(statistics_pdf_names_every_class) {
  const int year = std::stoi(cli::NowIso8601().substr(0, 4));
  auto pdf = RenderAnnualStatisticsPdf(Context(), year);
  BOOST_REQUIRE_MESSAGE(pdf.ok(), pdf.status().ToString());
  std::string text = PdfText(Save("stats.pdf", *pdf));
  BOOST_TEST(Contains(text, "社会保险业务档案管理基本情况统计表"));
  for (const auto& cls : a.session().scheme().classes())
    BOOST_TEST(Contains(text, cls.name), cls.name);
  for (const char* s : {"年末馆藏", "本年归档", "永久", "100年", "本年移交", "本年销毁", "第 1 页"})
    BOOST_TEST(Contains(text, s), s);
  BOOST_TEST(RenderAnnualStatisticsPdf(Context(), 10).status().code() ==
             ErrorCode::kInvalidArgument);
}

BOOST_AUTO_TEST_CASE(csv_quotes_and_round_trips) {
  std::vector<SearchHit> hits = {
      {"J012-SB·2025-D100-0102-0001", "普通题名", 2025, "01", "0102", "D100", "2025-06-30", ""},
      {"J012-SB·2025-D100-0102-0002", "含,逗号", 2025, "01", "0102", "D100", "2025-06-30", ""},
      {"J012-SB·2025-D100-0102-0003", "含\"引号\"的题名", 2025, "01", "0102", "D100", "2025-06-30",
       ""},
      {"J012-SB·2025-D100-0102-0004", "两行\r\n题名\n第三行", 2025, "01", "0102", "D100",
       "2025-06-30", ""},
      {"J012-SB·2025-D100-0102-0005", "", 2025, "01", "0102", "Y", "2025-06-30", ""},
  };
  const ClassificationScheme& scheme = a.session().scheme();
  std::string csv = SearchHitsToCsv(hits, &scheme);
  BOOST_TEST(csv.rfind("\xEF\xBB\xBF档号,题名,年度,类别,业务环节,保管期限,日期\r\n", 0) == 0);
  BOOST_TEST(Contains(csv, "\"含,逗号\""));
  BOOST_TEST(Contains(csv, "\"含\"\"引号\"\"的题名\""));
  auto rows = ParseCsv(csv);
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().ToString());
  BOOST_REQUIRE_EQUAL(rows->size(), hits.size() + 1);
  for (size_t i = 0; i < hits.size(); ++i) {
    const auto& row = (*rows)[i + 1];
    BOOST_REQUIRE_EQUAL(row.size(), 7u);
    BOOST_TEST(row[0] == hits[i].reference);
    BOOST_TEST(row[1] == hits[i].title);
    BOOST_TEST(row[2] == "2025");
    BOOST_TEST(row[3] == "01 社会保险管理类");
    BOOST_TEST(row[4] == "0102 参保人员登记(参保/关系变动/信息变更)");
    BOOST_TEST(row[6] == "2025-06-30");
  }
  BOOST_TEST((*rows)[1][5] == "100年");
  BOOST_TEST((*rows)[5][5] == "永久");

  // Formula-looking text is shown as text.
  BOOST_TEST(CsvField("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"");
  BOOST_TEST(CsvField("-1", false) == "-1");
  BOOST_TEST(!ParseCsv("a,\"b\nc").ok());
  BOOST_TEST(!ParseCsv("a,\"b\"c\r\n").ok());

  // Through the catalogue: every match, whatever the page size.
  SearchSpec spec;
  spec.year = 2025;
  std::ostringstream out;
  bool truncated = true;
  auto n = ExportSearchCsv(a.session().catalogue(), spec, &scheme, out, 100000, &truncated);
  BOOST_REQUIRE_MESSAGE(n.ok(), n.status().ToString());
  BOOST_TEST(*n == 6);
  BOOST_TEST(!truncated);
  auto exported = ParseCsv(out.str()).value();
  BOOST_REQUIRE_EQUAL(exported.size(), 7u);
  bool saw_quoted = false;
  for (size_t i = 1; i < exported.size(); ++i)
    if (exported[i][1] == "稽核材料，含\"引号\"与,逗号") saw_quoted = true;
  BOOST_TEST(saw_quoted);
  std::ostringstream capped;
  auto two = ExportSearchCsv(a.session().catalogue(), spec, &scheme, capped, 2, &truncated);
  BOOST_REQUIRE(two.ok());
  BOOST_TEST(*two == 2);
  BOOST_TEST(truncated);
}

BOOST_AUTO_TEST_CASE(pdf_document_wraps_truncates_and_reports_errors) {
  PdfOptions o;
  o.title = "测试文档";
  o.header = "页眉";
  auto doc = PdfDocument::Create(o);
  BOOST_REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "很长的题名文字";
  (*doc)->BeginTable({{"一行", 40, PdfAlign::kLeft, 1}, {"全文", 60, PdfAlign::kLeft, 0}});
  (*doc)->AddRow({long_text, "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥末尾"});
  (*doc)->EndTable();
  auto bytes = (*doc)->SaveToString();
  BOOST_REQUIRE_MESSAGE(bytes.ok(), bytes.status().ToString());
  std::string text = PdfText(Save("wrap.pdf", *bytes));
  BOOST_TEST(Contains(text, "…"));     // the one-line cell was cut
  BOOST_TEST(Contains(text, "末尾"));  // the wrapping cell kept everything
  BOOST_TEST(Contains(text, "测试文档"));
  BOOST_TEST(Contains(text, "页眉"));
  // A second save gives the same document (page numbers are drawn once).
  auto again = (*doc)->SaveToString();
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(again->size() == bytes->size());

  PdfOptions missing;
  missing.font_path = out / "no-such-font.ttf";
  auto bad = PdfDocument::Create(missing);
  BOOST_TEST(bad.status().code() == ErrorCode::kInvalidArgument);
  BOOST_TEST(Contains(bad.status().message(), "no-such-font.ttf"));
  PdfOptions not_font;
  not_font.font_path = out / "junk.ttf";
  WriteFile(not_font.font_path, "this is not a font");
  auto junk = PdfDocument::Create(not_font);
  BOOST_TEST(!junk.ok());
  ReportContext rc = Context();
  rc.font_path = missing.font_path;
  BOOST_TEST(RenderCataloguePdf(rc, {2025, "", ""}).status().code() == ErrorCode::kInvalidArgument);

  // Atomic writes: a missing directory fails and leaves nothing.
  BOOST_TEST(!WriteFileAtomically(out / "nodir/x.pdf", "x").ok());
  BOOST_TEST(!fs::exists(out / "nodir"));
  BOOST_TEST(WriteFileAtomically(out / "x.pdf", "abc").ok());
  BOOST_TEST(ReadFile(out / "x.pdf") == "abc");
  for (auto& e : fs::directory_iterator(out.path()))
    BOOST_TEST(e.path().filename().string().find(".tmp-") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(report_command_line) {
  a.Close();  // the CLI opens the archive itself
  const std::string pdf = out / "目录.pdf";
  auto ok = Run(Dangan("report catalogue --year 2025 --out " + Quote(pdf) + " 2>/dev/null"));
  BOOST_TEST(ok.code == 0);
  BOOST_REQUIRE(fs::exists(pdf));
  std::string text = PdfText(pdf);
  BOOST_TEST(Contains(text, cases[0].reference));
  BOOST_TEST(Contains(text, "归档文件目录"));

  // Bad input: exit 2, nothing written.
  BOOST_TEST(Run(Dangan("report catalogue --year 2025 2>/dev/null")).code == 2);
  const std::string bad = out / "bad.pdf";
  BOOST_TEST(
      Run(Dangan("report catalogue --year 2025 --class 77 --out " + Quote(bad) + " 2>/dev/null"))
          .code == 2);
  BOOST_TEST(Run(Dangan("report catalogue --year abc --out " + Quote(bad) + " 2>/dev/null")).code ==
             2);
  BOOST_TEST(Run(Dangan("report catalogue --year 2025 --out " + Quote(out / "no/dir.pdf") +
                        " 2>/dev/null"))
                 .code == 2);
  BOOST_TEST(Run(Dangan("report catalogue --year 2025 --font /no/such.ttc --out " + Quote(bad) +
                        " 2>/dev/null"))
                 .code == 2);
  BOOST_TEST(!fs::exists(bad));
  BOOST_TEST(Run(Dangan("report nonsense 2>/dev/null")).code == 2);
  BOOST_TEST(Run(Dangan("report 2>/dev/null")).code == 2);
  auto help = Run(Dangan("report catalogue --help"));
  BOOST_TEST(help.code == 0);
  BOOST_TEST(Contains(help.out, "--year"));
  for (const char* kind : {"certificate", "verify-certificate", "statistics", "csv"})
    BOOST_TEST(Run(Dangan(std::string("report ") + kind + " --help")).code == 0, kind);

  // Certificate: prints "SERIAL CODE", verifies, refuses a wrong code.
  const std::string cert = out / "cert.pdf";
  auto issued = Run(Dangan("report certificate --requester 王五 --purpose 办理退休 " +
                           Quote(cases[0].reference) + " --out " + Quote(cert) + " 2>/dev/null"));
  BOOST_REQUIRE_EQUAL(issued.code, 0);
  std::istringstream words(issued.out);
  std::string serial, code;
  words >> serial >> code;
  BOOST_TEST(serial.rfind("CD-", 0) == 0);
  BOOST_TEST(code.size() == 12u);
  BOOST_TEST(Contains(PdfText(cert), serial));
  BOOST_TEST(Run(Dangan("report verify-certificate " + serial + " " + code)).code == 0);
  BOOST_TEST(Run(Dangan("report verify-certificate " + serial + " 000000000000")).code == 1);
  BOOST_TEST(Run(Dangan("report verify-certificate CD-1999-000001 " + code)).code == 1);
  BOOST_TEST(Run(Dangan("report verify-certificate " + serial + " 2>/dev/null")).code == 2);
  BOOST_TEST(Run(Dangan("report certificate --requester 王五 --purpose 查询 NO-SUCH-REF --out " +
                        Quote(out / "c2.pdf") + " 2>/dev/null"))
                 .code == 2);
  BOOST_TEST(!fs::exists(out / "c2.pdf"));

  // Statistics as JSON and PDF; CSV of a search.
  auto json = Run(Dangan("report statistics --year " + cli::NowIso8601().substr(0, 4) +
                         " --json --out " + Quote(out / "stats.pdf") + " 2>/dev/null"));
  BOOST_TEST(json.code == 0);
  BOOST_TEST(Contains(json.out, "\"holdings\":{\"records\":10"));
  BOOST_TEST(fs::exists(out / "stats.pdf"));
  BOOST_TEST(Run(Dangan("report statistics --year 2025 2>/dev/null")).code == 2);
  auto csv = Run(
      Dangan("report csv --year 2025 --class 01 --out " + Quote(out / "r.csv") + " 2>/dev/null"));
  BOOST_TEST(csv.code == 0);
  auto rows = ParseCsv(ReadFile(out / "r.csv")).value();
  BOOST_TEST(rows.size() == 3u);
  BOOST_TEST(
      Run(Dangan("report csv --class 77 --out " + Quote(out / "x.csv") + " 2>/dev/null")).code ==
      2);
  BOOST_TEST(Run(Dangan("report csv --year 2025 2>/dev/null")).code == 2);
}

BOOST_AUTO_TEST_SUITE_END()
