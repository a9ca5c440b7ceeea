// The appraisal register (storage/appraisal_register.h) on both catalogue backends: records due,
// proposals under the four-eyes rule, holds that block destruction, and the destroying
// transaction (tombstone kept, record gone from lookup and search, its 件号 never given again),
// the same on the embedded SQLite file and on a PostgreSQL server (CTest's `postgresql`
// fixture), where two servers destroying at once destroy each record once.
#define BOOST_TEST_MODULE appraisal_register
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <mutex>
#include <set>
#include <thread>

#include "storage/appraisal_register.h"
#include "tests/support/catalogue_backend.h"

using namespace dangan;
using namespace dangan::testing;
namespace bdata = boost::unit_test::data;

namespace appraisal_register_test {

const char* const kNow = "2026-11-25T10:00:00+08:00";
const std::vector<std::string> kSupervisors = {"监销甲", "监销乙"};

// A 失业保险金申领审核表 (D10) formed in `year`: due on (year + 11)-01-01.
CaseSubmission DueCase(CatalogueBackend& backend, const std::string& id, int year,
                       const std::string& title = "失业保险金申领审核表") {
  auto c = backend.archive().MakeCase(id, "0503", title + " " + id);
  c.formed_on = std::to_string(year) + "-05-10";
  c.closed_at = std::to_string(year) + "-05-10T16:00:00+08:00";
  for (auto& step : c.steps) step.at = c.closed_at;
  return c;
}

std::vector<std::string> Found(RecordCatalogue& c, const std::string& text) {
  SearchSpec spec;
  spec.text = text;
  spec.limit = 100;
  std::vector<std::string> out;
  for (const auto& h : c.Search(spec).value().hits) out.push_back(h.reference);
  return out;
}

BOOST_DATA_TEST_CASE(records_due_are_proposed_decided_by_another_and_destroyed_once,
                     bdata::make(kCatalogueBackends), kind) {
  CatalogueBackend backend(kind);
  RecordCatalogue& catalogue = backend.catalogue();
  AppraisalRegister reg(catalogue, backend.archive().session().scheme());
  const std::string a = backend.File(DueCase(backend, "D-1", 2012, "甲乙丙 失业保险金申领审核表"));
  // Named by its holder (张三, as MakeCase files every case): the tombstone keeps a masked title.
  const std::string b = backend.File(DueCase(backend, "D-2", 2013, "张三 失业保险金申领审核表"));
  const std::string kept = backend.File(DueCase(backend, "D-3", 2014));
  const std::string young = backend.File(DueCase(backend, "D-4", 2020));

  auto due = reg.Due("2026-11-25", "", 0).value();
  BOOST_REQUIRE_EQUAL(due.size(), 3u);  // 2020 + 10 is not over yet
  BOOST_TEST(due[0].reference == a);    // oldest first
  BOOST_TEST(due[0].title == "甲乙丙 失业保险金申领审核表 D-1");
  BOOST_TEST(due[0].retention == "D10");
  BOOST_TEST(due[0].due_on == "2023-01-01");
  BOOST_TEST(!due[0].open.has_value());
  BOOST_TEST(reg.Due("2026-11-25", "", 1).value().size() == 1u);
  BOOST_TEST(reg.Due("2026-11-25", "05", 0).value().size() == 3u);
  BOOST_TEST(reg.Due("2026-11-25", "01", 0).value().empty());
  BOOST_TEST(reg.Due("2023-12-31", "", 0).value().size() == 1u);

  // One record kept longer: extended, it is no longer due.
  auto extend = reg.Propose({kept}, AppraisalDecision::kExtend, "D30", "涉诉", "甲", kNow);
  BOOST_REQUIRE_MESSAGE(extend.ok(), extend.status().ToString());
  BOOST_TEST((reg.Decide(*extend, true, "甲", "", kNow).code() == ErrorCode::kForbidden));
  BOOST_REQUIRE(reg.Decide(*extend, true, "乙", "", kNow).ok());
  BOOST_TEST(reg.Due("2026-11-25", "", 0).value().size() == 2u);

  auto ids =
      reg.Propose({a, b, a}, AppraisalDecision::kDestroy, "", "期满，无保存价值", "甲", kNow);
  BOOST_REQUIRE_MESSAGE(ids.ok(), ids.status().ToString());
  BOOST_REQUIRE_EQUAL(ids->size(), 2u);  // named twice, proposed once
  BOOST_TEST(reg.Due("2026-11-25", "", 0).value()[0].open->state == "proposed");
  // Proposed again, or a record not due: nothing proposed, every bad one named.
  auto again = reg.Propose({a, young, "J012-XX-9999-D10-0001"}, AppraisalDecision::kDestroy, "",
                           "期满", "甲", kNow);
  BOOST_REQUIRE(!again.ok());
  BOOST_TEST(again.status().fields().size() == 3u, again.status().ToString());
  BOOST_TEST(reg.List("proposed", 0).value().size() == 2u);
  BOOST_TEST((reg.Decide(*ids, false, "乙", "", kNow).code() == ErrorCode::kInvalidArgument));
  BOOST_REQUIRE(reg.Decide(*ids, true, "乙", "", kNow).ok());
  BOOST_TEST((reg.Decide(*ids, true, "丙", "", kNow).code() == ErrorCode::kConflict));
  BOOST_TEST(reg.List("approved", 0).value().size() == 3u);  // the extension too
  BOOST_TEST(reg.List("", 1).value().front().id == ids->back());

  // A hold on b blocks the whole destruction.
  HoldScope on_b;
  on_b.reference = b;
  auto hold = reg.PlaceHold(on_b, "信访调查", "甲", kNow);
  BOOST_REQUIRE_MESSAGE(hold.ok(), hold.status().ToString());
  BOOST_TEST(reg.Due("2026-11-25", "", 0).value()[1].held);
  auto refused = reg.Destroy({}, kSupervisors, "甲", kNow);
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST((refused.status().code() == ErrorCode::kConflict));
  BOOST_TEST(refused.status().fields().size() == 1u);
  BOOST_TEST(catalogue.GetRecord(a).value().has_value());
  BOOST_TEST(reg.Tombstones(0).value().empty());
  BOOST_TEST(reg.ReleaseHold(*hold, "甲", kNow).ok());
  BOOST_TEST((reg.ReleaseHold(*hold, "甲", kNow).code() == ErrorCode::kNotFound));
  BOOST_TEST(reg.Holds(true).value().empty());
  BOOST_TEST(reg.Holds(false).value().size() == 1u);
  BOOST_TEST(
      (reg.Destroy({}, {"监销甲"}, "甲", kNow).status().code() == ErrorCode::kInvalidArgument));

  const Record before = *catalogue.GetRecord(a).value();
  BOOST_REQUIRE_EQUAL(Found(catalogue, "甲乙丙").size(), 1u);
  auto destroyed = reg.Destroy({}, kSupervisors, "甲", kNow);
  BOOST_REQUIRE_MESSAGE(destroyed.ok(), destroyed.status().ToString());
  BOOST_REQUIRE_EQUAL(destroyed->size(), 2u);
  BOOST_TEST(!catalogue.GetRecord(a).value().has_value());
  BOOST_TEST(!catalogue.GetRecord(b).value().has_value());
  BOOST_TEST(catalogue.GetRecord(kept).value().has_value());
  BOOST_TEST(Found(catalogue, "甲乙丙").empty());
  BOOST_TEST(catalogue.CountRecords().value() == 2);
  auto tomb = reg.FindTombstone(a).value();
  BOOST_REQUIRE(tomb.has_value());
  BOOST_TEST(tomb->title == before.title);
  BOOST_TEST(tomb->package_sha256 == before.package_sha256);
  BOOST_TEST(tomb->package_path == before.package_path);
  BOOST_TEST(tomb->proposed_by == "甲");
  BOOST_TEST(tomb->approved_by == "乙");
  BOOST_TEST(tomb->supervisors == kSupervisors);
  BOOST_TEST(!tomb->packages_removed);
  BOOST_TEST(tomb->batch == ids->front());  // the destruction's first appraisal
  BOOST_TEST(tomb->masked_title == "甲乙丙 失业保险金申领审核表 D-1");  // no name of the holder's
  // The record is gone, and with it what says which words are the holder's name: the masked
  // title is kept from when it was there.
  BOOST_TEST(reg.FindTombstone(b).value()->title == "张三 失业保险金申领审核表 D-2");
  BOOST_TEST(reg.FindTombstone(b).value()->masked_title == "张* 失业保险金申领审核表 D-2");
  for (const auto& t : reg.Tombstones(0).value())
    BOOST_TEST(t.masked_title.find("张三") == std::string::npos);
  BOOST_TEST(CountEvents(catalogue, "destroy") == 2);
  BOOST_TEST(reg.List("executed", 0).value().size() == 2u);
  BOOST_TEST((reg.Destroy({}, kSupervisors, "甲", kNow).status().code() == ErrorCode::kNotFound));

  // The work after the commit: packages, then the register, noted on the tombstones.
  BOOST_TEST(reg.Unfinished().value().size() == 2u);
  BOOST_REQUIRE(reg.MarkPackagesRemoved({a, b}).ok());
  BOOST_TEST(reg.Unfinished().value().size() == 2u);
  BOOST_REQUIRE(reg.SetRegister({a, b}, "J012-WS-2026-Y-0001").ok());
  BOOST_TEST(reg.Unfinished().value().empty());
  BOOST_TEST(reg.FindTombstone(b).value()->register_reference == "J012-WS-2026-Y-0001");
  // A register once noted stays: another run's cannot replace it.
  BOOST_REQUIRE(reg.SetRegister({b}, "J012-WS-2026-Y-0002").ok());
  BOOST_TEST(reg.FindTombstone(b).value()->register_reference == "J012-WS-2026-Y-0001");

  // A destroyed 件号 is never given again: the series goes on after it.
  const std::string next = backend.File(DueCase(backend, "D-5", 2013));
  BOOST_TEST(next.substr(0, next.rfind('-')) == b.substr(0, b.rfind('-')));
  BOOST_TEST(std::stoi(next.substr(next.rfind('-') + 1)) > std::stoi(b.substr(b.rfind('-') + 1)),
             next << " after " << b);
  std::string why;
  BOOST_TEST(!FindBrokenLink(catalogue.Events("", 0, RecordCatalogue::EventKinds::kAll).value(),
                             kGenesisHash, 1, &why)
                  .has_value(),
             why);
}

BOOST_DATA_TEST_CASE(a_hold_by_query_covers_every_record_it_matches,
                     bdata::make(kCatalogueBackends), kind) {
  CatalogueBackend backend(kind);
  AppraisalRegister reg(backend.catalogue(), backend.archive().session().scheme());
  const std::string a = backend.File(DueCase(backend, "H-1", 2012));
  auto ids = reg.Propose({a}, AppraisalDecision::kDestroy, "", "期满", "甲", kNow).value();
  BOOST_REQUIRE(reg.Decide(ids, true, "乙", "", kNow).ok());
  HoldScope by_person;
  by_person.person_id = ValidIdNumber();  // the person MakeCase files under
  auto hold = reg.PlaceHold(by_person, "诉讼", "甲", kNow);
  BOOST_REQUIRE_MESSAGE(hold.ok(), hold.status().ToString());
  auto held = reg.Holds(true).value();
  BOOST_REQUIRE_EQUAL(held.size(), 1u);
  BOOST_TEST(held[0].scope.person_id == by_person.person_id);
  BOOST_TEST((reg.Destroy({}, kSupervisors, "甲", kNow).status().code() == ErrorCode::kConflict));
  BOOST_REQUIRE(reg.ReleaseHold(*hold, "甲", kNow).ok());
  HoldScope other_year;
  other_year.year = 2011;
  BOOST_REQUIRE(reg.PlaceHold(other_year, "审计", "甲", kNow).ok());
  HoldScope nothing;
  BOOST_TEST(
      (reg.PlaceHold(nothing, "x", "甲", kNow).status().code() == ErrorCode::kInvalidArgument));
  HoldScope missing;
  missing.reference = "J012-XX-9999-D10-0001";
  BOOST_TEST((reg.PlaceHold(missing, "x", "甲", kNow).status().code() == ErrorCode::kNotFound));
  auto destroyed = reg.Destroy(ids, kSupervisors, "甲", kNow);
  BOOST_REQUIRE_MESSAGE(destroyed.ok(), destroyed.status().ToString());
  BOOST_TEST(destroyed->size() == 1u);
  // A second destruction in the same second is a batch of its own (its own 销毁清册).
  const std::string c = backend.File(DueCase(backend, "H-2", 2012));
  auto more = reg.Propose({c}, AppraisalDecision::kDestroy, "", "期满", "甲", kNow).value();
  BOOST_REQUIRE(reg.Decide(more, true, "乙", "", kNow).ok());
  auto second = reg.Destroy({}, kSupervisors, "甲", kNow);
  BOOST_REQUIRE_MESSAGE(second.ok(), second.status().ToString());
  BOOST_TEST(second->front().batch == more.front());
  BOOST_TEST(destroyed->front().batch == ids.front());
  std::set<int64_t> batches;
  for (const auto& t : reg.Unfinished().value()) batches.insert(t.batch);
  BOOST_TEST(batches.size() == 2u);
  // The hold events never name the person.
  for (const auto& e : backend.catalogue().Events("", 0, RecordCatalogue::EventKinds::kAll).value())
    BOOST_TEST(e.detail.find(by_person.person_id) == std::string::npos, e.detail);
}

// Two servers (two catalogue objects with their own connections on PostgreSQL; one embedded
// catalogue from two threads on SQLite) carry out the same approved destructions at once: each
// record is destroyed by exactly one of them, and the other finds nothing left to do.
BOOST_DATA_TEST_CASE(two_servers_destroying_at_once_destroy_each_record_once,
                     bdata::make(kCatalogueBackends), kind) {
  CatalogueBackend backend(kind);
  std::unique_ptr<RecordCatalogue> second = backend.SecondServer();
  RecordCatalogue* servers[2] = {&backend.catalogue(),
                                 second ? second.get() : &backend.catalogue()};
  const auto& scheme = backend.archive().session().scheme();
  std::vector<std::string> refs;
  for (int i = 0; i < 6; ++i)
    refs.push_back(backend.File(DueCase(backend, "C-" + std::to_string(i), 2012)));
  AppraisalRegister first(*servers[0], scheme);
  auto ids = first.Propose(refs, AppraisalDecision::kDestroy, "", "期满", "甲", kNow).value();
  BOOST_REQUIRE(first.Decide(ids, true, "乙", "", kNow).ok());

  std::mutex mu;
  std::vector<std::string> destroyed;
  std::vector<std::string> failures;
  std::vector<std::thread> runs;
  for (int round = 0; round < 4; ++round)
    runs.emplace_back([&, round] {
      AppraisalRegister reg(*servers[round % 2], scheme);
      auto done = reg.Destroy({}, kSupervisors, round % 2 ? "丙" : "甲", kNow);
      std::lock_guard<std::mutex> lock(mu);
      if (done.ok()) {
        for (const auto& t : *done) destroyed.push_back(t.reference);
      } else if (done.status().code() != ErrorCode::kNotFound) {
        failures.push_back(done.status().ToString());
      }
    });
  for (auto& t : runs) t.join();
  BOOST_REQUIRE_MESSAGE(failures.empty(), failures.front());
  BOOST_TEST(destroyed.size() == refs.size());
  BOOST_TEST(std::set<std::string>(destroyed.begin(), destroyed.end()).size() == refs.size());
  BOOST_TEST(CountEvents(backend.catalogue(), "destroy") == static_cast<int>(refs.size()));
  BOOST_TEST(backend.catalogue().CountRecords().value() == 0);
  BOOST_TEST(AppraisalRegister(*servers[1], scheme).Tombstones(0).value().size() == refs.size());
}

}  // namespace appraisal_register_test
