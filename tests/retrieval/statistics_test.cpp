#define BOOST_TEST_MODULE statistics
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

// Statistics over a real archive: ten cases across classes, years and channels, checked figure by
// figure against what was filed. Holdings, intake and fixity run on both catalogue backends
// (PostgreSQL from CTest's `postgresql` fixture); the annual table reads the embedded one.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <map>

#include "retrieval/reports.h"
#include "retrieval/statistics.h"
#include "tests/support/case_factory.h"
#include "tests/support/catalogue_backend.h"

using namespace dangan;
using namespace dangan::testing;
namespace bdata = boost::unit_test::data;

namespace dangan {
// For BOOST_TEST messages.
std::ostream& operator<<(std::ostream& os, ErrorCode code) { return os << ErrorCodeName(code); }
}  // namespace dangan

namespace {

struct Filed {
  std::string reference;
  std::string class_code;
  std::string retention;
};

// Ten cases: classes 01 ×3, 03 ×2, 04, 05, 06, 08, 09; 年度 2023 ×1, 2024 ×3, 2025 ×6;
// retention Y ×2, D100 ×3, D50 ×1, D30 ×2, D10 ×2; channels business ×8, manual ×2.
struct Fixture {
  CatalogueBackend b;
  TestArchive& a;
  std::vector<Filed> filed;
  std::string filed_month;  // YYYY-MM of filing (now)
  int filed_year = 0;

  explicit Fixture(const std::string& kind = "sqlite") : b(kind), a(b.archive()) {
    struct Spec {
      const char* id;
      const char* item;
      const char* title;
      const char* formed_on;
      const char* channel;
    };
    const Spec specs[] = {
        {"S-1", "0102", "张三参保人员增员申报表", "2025-06-30", "business"},
        {"S-2", "0101", "测试科技有限公司参保登记表", "2024-03-15", "business"},
        {"S-3", "0301", "基本养老金待遇核定表", "2025-01-10", "business"},
        {"S-4", "0303", "丧葬补助金申领审批表", "2023-11-02", "manual"},
        {"S-5", "0503", "失业保险金核定表", "2025-04-01", "business"},
        {"S-6", "0601", "工伤备案登记表", "2024-07-07", "business"},
        {"S-7", "0402", "医疗费用支付明细表", "2025-02-28", "business"},
        {"S-8", "0801", "2024年度社会保险统计报表", "2024-12-31", "manual"},
        {"S-9", "0901", "稽核材料，含\"引号\"与逗号", "2025-09-09", "business"},
        {"S-10", "0102", "李四参保人员信息变更表", "2025-12-01", "business"},
    };
    for (const auto& s : specs) {
      CaseSubmission c = a.MakeCase(s.id, s.item, s.title);
      c.formed_on = s.formed_on;
      auto r = b.filing().File(c, s.channel, "test");
      if (!r.ok()) throw std::runtime_error(r.status().ToString());
      auto rec = b.catalogue().GetRecord(r->reference).value();
      filed.push_back({r->reference, rec->parts.class_code, rec->parts.retention});
    }
    filed_month = cli::NowIso8601().substr(0, 7);
    filed_year = std::stoi(filed_month.substr(0, 4));
  }

  RecordCatalogue& cat() { return b.catalogue(); }
  // The embedded catalogue, for what only it holds (the annual table, query plans).
  Catalogue& sqlite() { return a.session().catalogue(); }
  const ClassificationScheme& scheme() { return a.session().scheme(); }

  int64_t TotalBytes() {
    int64_t sum = 0;
    for (const auto& f : filed)
      sum += static_cast<int64_t>(cat().GetRecord(f.reference).value()->package_bytes);
    return sum;
  }

  ReportContext Context() {
    ReportContext rc;
    rc.catalogue = &sqlite();
    rc.scheme = &scheme();
    rc.archive_root = a.root();
    rc.fonds = "J012";
    rc.organization = "测试市社会保险事业管理中心";
    rc.clock = cli::NowIso8601;
    return rc;
  }
};

std::map<std::string, HoldingsRow> ByKey(const std::vector<HoldingsRow>& rows) {
  std::map<std::string, HoldingsRow> m;
  for (const auto& r : rows) m[r.key] = r;
  return m;
}

}  // namespace

BOOST_DATA_TEST_CASE(holdings_by_class_list_every_scheme_class_in_order,
                     bdata::make(kCatalogueBackends), kind) {
  Fixture f(kind);
  auto rows = HoldingsByClass(f.cat(), &f.scheme());
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().ToString());
  BOOST_REQUIRE_EQUAL(rows->size(), 10u);  // the nine classes and 10, the archive's own
  const std::vector<std::pair<std::string, int64_t>> want = {
      {"01", 3}, {"02", 0}, {"03", 2}, {"04", 1}, {"05", 1},
      {"06", 1}, {"07", 0}, {"08", 1}, {"09", 1}, {"10", 0}};
  for (size_t i = 0; i < want.size(); ++i) {
    BOOST_TEST((*rows)[i].key == want[i].first);
    BOOST_TEST((*rows)[i].tally.records == want[i].second);
    BOOST_TEST((*rows)[i].tally.pages == 0);  // born-digital cases carry no page count
  }
  BOOST_TEST((*rows)[0].label == "社会保险管理类");
  BOOST_TEST((*rows)[2].label == "养老保险待遇类");
  int64_t bytes = 0;
  for (const auto& r : *rows) bytes += r.tally.bytes;
  BOOST_TEST(bytes == f.TotalBytes());
  BOOST_TEST(bytes > 0);

  // Without a scheme: only classes present, in code order.
  auto bare = HoldingsByClass(f.cat());
  BOOST_REQUIRE(bare.ok());
  BOOST_TEST(bare->size() == 7u);
  BOOST_TEST(bare->front().key == "01");
  BOOST_TEST(bare->front().label.empty());
}

BOOST_DATA_TEST_CASE(holdings_by_year_and_retention, bdata::make(kCatalogueBackends), kind) {
  Fixture f(kind);
  auto years = HoldingsByYear(f.cat());
  BOOST_REQUIRE(years.ok());
  BOOST_REQUIRE_EQUAL(years->size(), 3u);
  BOOST_TEST((*years)[0].key == "2023");
  BOOST_TEST((*years)[0].tally.records == 1);
  BOOST_TEST((*years)[1].key == "2024");
  BOOST_TEST((*years)[1].tally.records == 3);
  BOOST_TEST((*years)[2].key == "2025");
  BOOST_TEST((*years)[2].tally.records == 6);

  auto ret = HoldingsByRetention(f.cat(), &f.scheme());
  BOOST_REQUIRE(ret.ok());
  auto m = ByKey(*ret);
  BOOST_TEST(ret->size() == f.scheme().retention_codes().size());
  BOOST_TEST(ret->front().key == "Y");
  BOOST_TEST(m["Y"].tally.records == 2);
  BOOST_TEST(m["Y"].label == "永久");
  BOOST_TEST(m["D100"].tally.records == 3);
  BOOST_TEST(m["D100"].label == "100年");
  BOOST_TEST(m["D50"].tally.records == 1);
  BOOST_TEST(m["D30"].tally.records == 2);
  BOOST_TEST(m["D10"].tally.records == 2);
  BOOST_TEST(m["KJ"].tally.records == 0);

  auto total = TotalHoldings(f.cat());
  BOOST_REQUIRE(total.ok());
  BOOST_TEST(total->records == 10);
  BOOST_TEST(total->bytes == f.TotalBytes());
}

BOOST_DATA_TEST_CASE(intake_by_month_and_channel, bdata::make(kCatalogueBackends), kind) {
  Fixture f(kind);
  auto rows = IntakeByMonth(f.cat());
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().ToString());
  BOOST_REQUIRE_EQUAL(rows->size(), 2u);
  BOOST_TEST((*rows)[0].month == f.filed_month);
  BOOST_TEST((*rows)[0].channel == "business");
  BOOST_TEST((*rows)[0].tally.records == 8);
  BOOST_TEST((*rows)[1].channel == "manual");
  BOOST_TEST((*rows)[1].tally.records == 2);

  auto same = IntakeByMonth(f.cat(), f.filed_month, f.filed_month);
  BOOST_REQUIRE(same.ok());
  BOOST_TEST(same->size() == 2u);
  auto earlier = IntakeByMonth(f.cat(), "2000-01", "2000-12");
  BOOST_REQUIRE(earlier.ok());
  BOOST_TEST(earlier->empty());
  BOOST_TEST(IntakeByMonth(f.cat(), "2025-13").status().code() == ErrorCode::kInvalidArgument);
  BOOST_TEST(IntakeByMonth(f.cat(), "", "2025/01").status().code() == ErrorCode::kInvalidArgument);
}

BOOST_DATA_TEST_CASE(fixity_status_uses_each_record_s_last_check, bdata::make(kCatalogueBackends),
                     kind) {
  Fixture f(kind);
  auto none = FixityStatusSummary(f.cat());
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(none->never_checked == 10);
  BOOST_TEST(none->ok == 0);
  BOOST_TEST(none->last_checked_at.empty());

  const std::string r0 = f.filed[0].reference, r1 = f.filed[1].reference, r2 = f.filed[2].reference;
  BOOST_REQUIRE(f.cat()
                    .RecordFixity({{r0, "2026-01-01T00:00:00+08:00", true, "ok"},
                                   {r1, "2026-01-01T00:00:00+08:00", true, "ok"},
                                   {r2, "2026-01-01T00:00:00+08:00", false, "bad"}})
                    .ok());
  // Later checks: r1 is found damaged, r2 was repaired.
  BOOST_REQUIRE(f.cat()
                    .RecordFixity({{r1, "2026-02-01T00:00:00+08:00", false, "sha256 mismatch"},
                                   {r2, "2026-02-01T00:00:00+08:00", true, "ok"}})
                    .ok());
  auto fs = FixityStatusSummary(f.cat());
  BOOST_REQUIRE_MESSAGE(fs.ok(), fs.status().ToString());
  BOOST_TEST(fs->ok == 2);
  BOOST_TEST(fs->damaged == 1);
  BOOST_TEST(fs->never_checked == 7);
  BOOST_REQUIRE_EQUAL(fs->damaged_references.size(), 1u);
  BOOST_TEST(fs->damaged_references[0] == r1);
  BOOST_TEST(fs->last_checked_at == "2026-02-01T00:00:00+08:00");
}

BOOST_FIXTURE_TEST_SUITE(statistics, Fixture)

BOOST_AUTO_TEST_CASE(annual_statistics_of_the_filing_year) {
  // A certificate over two records counts as utilization in the year it is issued.
  ReportContext rc = Context();
  auto cert =
      IssueCertificate(rc, {"王五", "办理退休", {filed[0].reference, filed[2].reference}, "test"});
  BOOST_REQUIRE_MESSAGE(cert.ok(), cert.status().ToString());

  auto a = ComputeAnnualStatistics(sqlite(), scheme(), filed_year);
  BOOST_REQUIRE_MESSAGE(a.ok(), a.status().ToString());
  BOOST_TEST(a->year == filed_year);
  BOOST_TEST(a->fonds == 1);
  BOOST_TEST(a->holdings.records == 10);
  BOOST_TEST(a->holdings.bytes == TotalBytes());
  BOOST_TEST(a->holdings_volumes == 0);
  BOOST_TEST(a->intake.records == 10);
  auto ret = ByKey(a->intake_by_retention);
  BOOST_TEST(a->intake_by_retention.size() == scheme().retention_codes().size());
  BOOST_TEST(ret["Y"].tally.records == 2);
  BOOST_TEST(ret["D100"].tally.records == 3);
  BOOST_TEST(ret["D50"].tally.records == 1);
  BOOST_TEST(ret["D30"].tally.records == 2);
  BOOST_TEST(ret["D10"].tally.records == 2);
  BOOST_TEST(ret["KJ"].tally.records == 0);
  BOOST_REQUIRE_EQUAL(a->by_class.size(), 10u);
  BOOST_TEST(a->by_class[0].class_code == "01");
  BOOST_TEST(a->by_class[0].name == "社会保险管理类");
  BOOST_TEST(a->by_class[0].holdings == 3);
  BOOST_TEST(a->by_class[0].intake == 3);
  BOOST_TEST(a->by_class[1].holdings == 0);
  BOOST_TEST(a->by_class[2].holdings == 2);
  BOOST_TEST(a->certificates_issued == 1);
  BOOST_TEST(a->records_certified == 2);
  BOOST_TEST(a->transferred_records == 0);
  BOOST_TEST(a->destroyed_records == 0);
  BOOST_TEST(a->persons_served == 0);

  // The year before filing: nothing held yet, nothing taken in; the year after: held, no intake.
  auto before = ComputeAnnualStatistics(sqlite(), scheme(), filed_year - 1);
  BOOST_REQUIRE(before.ok());
  BOOST_TEST(before->holdings.records == 0);
  BOOST_TEST(before->intake.records == 0);
  BOOST_TEST(before->fonds == 0);
  BOOST_TEST(before->certificates_issued == 0);
  BOOST_TEST(before->by_class[0].holdings == 0);
  auto after = ComputeAnnualStatistics(sqlite(), scheme(), filed_year + 1);
  BOOST_REQUIRE(after.ok());
  BOOST_TEST(after->holdings.records == 10);
  BOOST_TEST(after->intake.records == 0);
  BOOST_TEST(after->by_class[0].holdings == 3);
  BOOST_TEST(after->by_class[0].intake == 0);

  BOOST_TEST(ComputeAnnualStatistics(sqlite(), scheme(), 1800).status().code() ==
             ErrorCode::kInvalidArgument);

  // JSON carries the same figures.
  Poco::JSON::Parser p;
  auto o = p.parse(AnnualStatisticsToJson(*a)).extract<Poco::JSON::Object::Ptr>();
  BOOST_TEST(o->getValue<int>("year") == filed_year);
  BOOST_TEST(o->getObject("holdings")->getValue<int64_t>("records") == 10);
  BOOST_TEST(o->getArray("by_class")->size() == 10u);
  BOOST_TEST(o->getArray("by_class")->getObject(0)->getValue<std::string>("name") ==
             "社会保险管理类");
  BOOST_TEST(o->getValue<int64_t>("records_certified") == 2);
}

BOOST_AUTO_TEST_CASE(statistics_queries_use_indexes) {
  // Intake by filing time walks records_filed_at (migration 2) rather than the whole table.
  std::string plan;
  Status st = sqlite().WithConnection([&](SqliteDb& db) -> Status {
    auto q = db.Prepare(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM records WHERE filed_at >= '2026-01-01'"
        " AND filed_at < '2027-01-01'");
    if (!q.ok()) return q.status();
    Status err;
    while (q->Step(&err)) plan += q->Text(3) + "\n";
    return err;
  });
  BOOST_REQUIRE(st.ok());
  BOOST_TEST(plan.find("records_filed_at") != std::string::npos, plan);
}

BOOST_AUTO_TEST_SUITE_END()
