// The public inquiry register (storage/inquiry_register.h), the 查档证明 (retrieval/reports.h)
// and the 归档文件目录's list on both catalogue backends: the same numbering and rules on the
// embedded SQLite file and on a PostgreSQL server (CTest's `postgresql` fixture), where two
// servers numbering requests and certificates at once never give a number twice.
#define BOOST_TEST_MODULE inquiries_and_certificates
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <mutex>
#include <set>
#include <thread>

#include "archive/cli/archive_session.h"
#include "retrieval/reports.h"
#include "retrieval/statistics.h"
#include "storage/inquiry_register.h"
#include "tests/support/catalogue_backend.h"

using namespace dangan;
using namespace dangan::testing;
namespace bdata = boost::unit_test::data;

namespace inquiries_and_certificates_test {

Inquiry Draft(const std::string& identifier, const std::string& at) {
  Inquiry q;
  q.requester_type = "person";
  q.name = "李四";
  q.identifier = identifier;
  q.purpose = "办理退休";
  q.contact = "13800000000";
  q.channel = "online";
  q.submitted_at = at;
  q.due_at = "2026-12-01T17:00:00+08:00";
  return q;
}

ReportContext Context(CatalogueBackend& backend, RecordCatalogue& catalogue) {
  ReportContext rc;
  rc.catalogue = &catalogue;
  rc.scheme = &backend.archive().session().scheme();
  rc.archive_root = backend.archive().root();
  rc.fonds = "J012";
  rc.organization = "测试市社会保险事业管理中心";
  rc.clock = [] { return std::string("2026-11-24T10:00:00+08:00"); };
  return rc;
}

BOOST_DATA_TEST_CASE(an_inquiry_is_numbered_decided_rated_and_answered_once,
                     bdata::make(kCatalogueBackends), kind) {
  CatalogueBackend backend(kind);
  auto own = backend.archive().MakeCase("Q-1", "0102", "李四 参保人员增员申报表");
  const std::string mine = backend.File(own);
  auto other = backend.archive().MakeCase("Q-2", "0102", "王五 参保人员增员申报表");
  other.person = Person{ValidIdNumber("11010519500101003"), "王五"};
  backend.File(other);
  InquiryRegister reg(backend.catalogue());

  auto first = reg.Submit(Draft(ValidIdNumber(), "2026-11-24T09:00:00+08:00"), "public");
  BOOST_REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  auto second = reg.Submit(Draft(ValidIdNumber(), "2026-11-24T09:30:00+08:00"), "public");
  BOOST_REQUIRE(second.ok());
  const std::string number = first->first.number;
  BOOST_TEST(number == "CX-2026-000001");
  BOOST_TEST(second->first.number == "CX-2026-000002");
  BOOST_TEST(first->second.size() == 32u);  // the access code, shown once
  BOOST_TEST(reg.Submit(Draft(ValidIdNumber(), "2027-01-02T09:00:00+08:00"), "public")
                 .value()
                 .first.number == "CX-2027-000001");  // numbered per year

  // Found by its number; with its code only when the code is right.
  auto found = reg.Find(number).value();
  BOOST_REQUIRE(found.has_value());
  BOOST_TEST(found->name == "李四");
  BOOST_TEST(found->state == "submitted");
  BOOST_TEST(found->id == first->first.id);
  BOOST_TEST(reg.FindWithCode(number, first->second).value().has_value());
  BOOST_TEST(!reg.FindWithCode(number, std::string(32, '0')).value().has_value());
  BOOST_TEST(!reg.FindWithCode(number, "").value().has_value());
  BOOST_TEST(!reg.Find("CX-2026-999999").value().has_value());
  BOOST_TEST(reg.List("", 10).value().size() == 3u);
  BOOST_TEST(reg.List("submitted", 1).value().front().number == "CX-2027-000001");  // newest
  BOOST_TEST(reg.CountSince(ValidIdNumber(), "2026-11-24T09:10:00+08:00").value() == 2);

  // The requester's own records only, with the name on each.
  auto matches = reg.Matches(*found).value();
  BOOST_REQUIRE_EQUAL(matches.size(), 1u);
  BOOST_TEST(matches[0].reference == mine);
  BOOST_TEST(matches[0].holder_name == "张三");
  BOOST_TEST(matches[0].title == "李四 参保人员增员申报表");

  // Rated only once decided; decided once.
  const char* at = "2026-11-24T11:00:00+08:00";
  BOOST_TEST((reg.Rate(number, "满意", "", at).code() == ErrorCode::kConflict));
  BOOST_REQUIRE(reg.Approve(number, {mine}, true, "", "CD-2026-000001", "abc", "王经办", at).ok());
  BOOST_TEST((reg.Reject(number, "x", "王经办", at).code() == ErrorCode::kConflict));
  BOOST_TEST((reg.Reject("CX-2026-999999", "x", "王经办", at).code() == ErrorCode::kNotFound));
  auto approved = reg.Find(number).value().value();
  BOOST_TEST(approved.state == "approved");
  BOOST_TEST(approved.copies_allowed);
  BOOST_TEST(approved.served == std::vector<std::string>{mine});
  BOOST_TEST(approved.certificate_serial == "CD-2026-000001");
  BOOST_TEST(reg.Rate(number, "满意", "很快", at).ok());
  BOOST_TEST((reg.Rate(number, "不满意", "", at).code() == ErrorCode::kConflict));
  BOOST_TEST((reg.Answer(number, "答复", "王经办", at).code() == ErrorCode::kConflict));
  BOOST_TEST(reg.Complain(number, "复印件不清楚", at).ok());
  BOOST_TEST((reg.Complain(number, "again", at).code() == ErrorCode::kConflict));
  BOOST_TEST(reg.Answer(number, "已重新提供", "王经办", at).ok());
  auto closed = reg.Find(number).value().value();
  BOOST_TEST(closed.complaint == "复印件不清楚");
  BOOST_TEST(closed.answer == "已重新提供");
  BOOST_TEST(reg.Reject(second->first.number, "不是本人", "王经办", at).ok());
  BOOST_TEST(reg.Find(second->first.number).value()->copies_allowed == false);
  BOOST_TEST(reg.List("rejected", 10).value().size() == 1u);

  // Every change is an event naming the request by number only.
  for (const char* action : {"inquiry-submit", "inquiry-approve", "inquiry-reject", "inquiry-rate",
                             "inquiry-complaint", "inquiry-answer"})
    BOOST_TEST(CountEvents(backend.catalogue(), action) == (action[8] == 's' ? 3 : 1), action);
  for (const auto& e : backend.catalogue().Events("", 0, RecordCatalogue::EventKinds::kAll).value())
    BOOST_TEST(e.detail.find("李四") == std::string::npos, e.detail);
}

BOOST_DATA_TEST_CASE(certificates_are_numbered_stored_verified_and_logged_with_the_records,
                     bdata::make(kCatalogueBackends), kind) {
  CatalogueBackend backend(kind);
  const std::string a = backend.File(backend.archive().MakeCase("C-1", "0102", "李四 增员"));
  const std::string b = backend.File(backend.archive().MakeCase("C-2", "0503", "李四 失业金"));
  const ReportContext rc = Context(backend, backend.catalogue());

  auto refused = IssueCertificate(rc, {"李四", "办理退休", {a, "J012-NOPE"}, "王经办"});
  BOOST_TEST((refused.status().code() == ErrorCode::kInvalidArgument));
  auto issued = IssueCertificate(rc, {"李四", "办理退休", {a, b, a}, "王经办"});
  BOOST_REQUIRE_MESSAGE(issued.ok(), issued.status().ToString());
  BOOST_TEST(issued->certificate.serial == "CD-2026-000001");  // the refused one took none
  BOOST_TEST(issued->certificate.references == (std::vector<std::string>{a, b}));
  BOOST_TEST(issued->certificate.requester != "李四");  // stored masked
  BOOST_TEST(issued->pdf.rfind("%PDF", 0) == 0);
  auto again = IssueCertificate(rc, {"王五", "其他", {b}, "王经办"});
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(again->certificate.serial == "CD-2026-000002");

  // What must happen with a certificate or not at all: its failure leaves no certificate, no
  // event and no number used.
  auto undone = IssueCertificate(
      rc, {"王五", "其他", {a}, "王经办"},
      [](SqlSession&, const Certificate&) { return Status::Conflict("decided meanwhile"); });
  BOOST_TEST((undone.status().code() == ErrorCode::kConflict));
  BOOST_TEST((FindCertificate(rc, "CD-2026-000003").status().code() == ErrorCode::kNotFound));
  auto check = VerifyCertificate(rc, "cd-2026-000001 ", issued->certificate.code);
  BOOST_REQUIRE(check.ok());
  BOOST_TEST(check->genuine);
  BOOST_TEST(check->certificate.references.size() == 2u);
  BOOST_TEST(!VerifyCertificate(rc, "CD-2026-000001", "000000000000").value().genuine);
  BOOST_TEST(!VerifyCertificate(rc, "CD-2026-000009", issued->certificate.code).value().genuine);
  auto stored = FindCertificate(rc, "CD-2026-000002");
  BOOST_REQUIRE(stored.ok());
  BOOST_TEST(stored->code == again->certificate.code);
  BOOST_TEST((FindCertificate(rc, "CD-2026-000003").status().code() == ErrorCode::kNotFound));
  // One certify event per record certified, committed with the certificate.
  BOOST_TEST(CountEvents(backend.catalogue(), "certify") == 3);
  BOOST_TEST(backend.catalogue().Events(b, 0, RecordCatalogue::EventKinds::kHistory)->size() == 3u);

  // The 归档文件目录's list: in 档号 order, by year and class or by series.
  auto year = ListCatalogue(rc, {2025, "", ""});
  BOOST_REQUIRE_MESSAGE(year.ok(), year.status().ToString());
  std::set<std::string> listed;
  for (const auto& e : *year) listed.insert(e.reference);
  BOOST_TEST(listed == (std::set<std::string>{a, b}));
  BOOST_TEST((*year)[0].number == 1);
  BOOST_TEST((*year)[0].reference < (*year)[1].reference);
  const std::string series = a.substr(0, a.rfind('-'));
  auto one = ListCatalogue(rc, {0, "", series});
  BOOST_REQUIRE(one.ok());
  BOOST_REQUIRE_EQUAL(one->size(), 1u);
  BOOST_TEST(one->front().reference == a);
  BOOST_TEST(one->front().title == "李四 增员");
  BOOST_TEST(ListCatalogue(rc, {2024, "", ""}).value().empty());
  BOOST_TEST((ListCatalogue(rc, {1800, "", ""}).status().code() == ErrorCode::kInvalidArgument));

  // The annual table counts the year's certificates and the records they certify.
  const int filed_year = std::stoi(backend.catalogue().GetRecord(a).value()->filed_at.substr(0, 4));
  auto annual = ComputeAnnualStatistics(backend.catalogue(), *rc.scheme, 2026);
  BOOST_REQUIRE_MESSAGE(annual.ok(), annual.status().ToString());
  BOOST_TEST(annual->certificates_issued == 2);  // issued on 2026-11-24 (the context's clock)
  BOOST_TEST(annual->records_certified == 3);
  auto filed = ComputeAnnualStatistics(backend.catalogue(), *rc.scheme, filed_year).value();
  BOOST_TEST(filed.intake.records == 2);
  BOOST_TEST(filed.holdings.records == 2);
  auto pdf = RenderAnnualStatisticsPdf(rc, filed_year);
  BOOST_TEST(pdf.ok(), pdf.status().ToString());
}

// Two servers numbering requests and certificates at once: every number once, none skipped.
BOOST_AUTO_TEST_CASE(two_servers_number_requests_and_certificates_without_gaps_or_repeats) {
  CatalogueBackend backend("postgresql");
  auto other = backend.SecondServer();
  BOOST_REQUIRE(other);
  const std::string ref = backend.File(backend.archive().MakeCase("C-1", "0102", "李四 增员"));
  constexpr int kEach = 12;
  std::mutex mu;
  std::set<std::string> inquiries, certificates;
  std::vector<std::string> failures;
  auto work = [&](RecordCatalogue& catalogue, int who) {
    InquiryRegister reg(catalogue);
    const ReportContext rc = Context(backend, catalogue);
    for (int i = 0; i < kEach; ++i) {
      char first17[18];
      std::snprintf(first17, sizeof first17, "110105194912%02d%03d", who + 1, i);
      auto q = reg.Submit(Draft(ValidIdNumber(first17), "2026-11-24T09:00:00+08:00"), "public");
      auto c = IssueCertificate(rc, {"李四", "办理退休", {ref}, "王经办"});
      std::lock_guard<std::mutex> lock(mu);
      if (!q.ok()) failures.push_back(q.status().ToString());
      if (!c.ok()) failures.push_back(c.status().ToString());
      if (q.ok()) inquiries.insert(q->first.number);
      if (c.ok()) certificates.insert(c->certificate.serial);
    }
  };
  std::thread a([&] { work(backend.catalogue(), 0); });
  std::thread b([&] { work(*other, 1); });
  a.join();
  b.join();
  BOOST_REQUIRE_MESSAGE(failures.empty(), failures.front());
  BOOST_TEST(inquiries.size() == size_t{2 * kEach});
  BOOST_TEST(certificates.size() == size_t{2 * kEach});
  BOOST_TEST(*inquiries.rbegin() == "CX-2026-000024");
  BOOST_TEST(*certificates.rbegin() == "CD-2026-000024");
}

// The portal's daily limit per identifier holds across servers: requests for one person
// submitted on two servers at once are counted and stored in one turn each, so no more than the
// limit get through, and those refused leave nothing behind.
BOOST_DATA_TEST_CASE(a_quota_per_identifier_holds_for_servers_submitting_at_once,
                     bdata::make(kCatalogueBackends), kind) {
  CatalogueBackend backend(kind);
  auto other = backend.SecondServer();
  RecordCatalogue* servers[2] = {&backend.catalogue(), other ? other.get() : &backend.catalogue()};
  const InquiryRegister::Quota quota{3, "2026-11-24T00:00:00+08:00"};
  std::mutex mu;
  int made = 0, refused = 0;
  std::vector<std::string> failures;
  std::vector<std::thread> requesters;
  for (int i = 0; i < 8; ++i)
    requesters.emplace_back([&, i] {
      InquiryRegister reg(*servers[i % 2]);
      auto q =
          reg.SubmitWithin(Draft(ValidIdNumber(), "2026-11-24T09:00:00+08:00"), "public", quota);
      std::lock_guard<std::mutex> lock(mu);
      if (!q.ok())
        failures.push_back(q.status().ToString());
      else
        ++(*q ? made : refused);
    });
  for (auto& t : requesters) t.join();
  BOOST_REQUIRE_MESSAGE(failures.empty(), failures.front());
  BOOST_TEST(made == 3);
  BOOST_TEST(refused == 5);
  InquiryRegister reg(backend.catalogue());
  BOOST_TEST(reg.CountSince(ValidIdNumber(), quota.since).value() == 3);
  BOOST_TEST(CountEvents(backend.catalogue(), "inquiry-submit") == 3);
  // Another person is not held back by the first one's limit.
  auto someone_else = reg.SubmitWithin(
      Draft(ValidIdNumber("11010519600101002"), "2026-11-24T10:00:00+08:00"), "public", quota);
  BOOST_REQUIRE(someone_else.ok());
  BOOST_TEST(someone_else->has_value());
}

}  // namespace inquiries_and_certificates_test
