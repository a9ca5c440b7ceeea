// AccessLog: batched access events land in the audit chain, in one unbroken chain, and an access
// is refused rather than left unlogged when the log cannot keep up.
#define BOOST_TEST_MODULE access_log
#include <boost/test/unit_test.hpp>

#include <thread>
#include <vector>

#include "storage/access_log.h"
#include "tests/support/case_factory.h"

using namespace dangan;
using namespace dangan::testing;

namespace {
AuditEvent View(const std::string& who, int n) {
  AuditEvent e;
  e.at = "2026-11-23T10:00:00+08:00";
  e.actor = who;
  e.action = "view";
  e.reference = "J012-SB·2025-D100-0102-0001";
  e.detail = "{\"n\":" + std::to_string(n) + "}";
  return e;
}
}  // namespace

BOOST_AUTO_TEST_CASE(events_from_many_threads_are_all_written_in_one_chain) {
  TestArchive a;
  Catalogue& cat = a.session().catalogue();
  const size_t before = cat.Events().value().size();
  {
    AccessLog log(&cat);
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t)
      readers.emplace_back([&log, t] {
        for (int i = 0; i < 250; ++i)
          BOOST_REQUIRE(log.Record(View("reader-" + std::to_string(t), i)).ok());
      });
    for (auto& r : readers) r.join();
    BOOST_REQUIRE(log.Flush().ok());
    BOOST_TEST(log.written() == 1000u);
    BOOST_TEST(log.failed_writes() == 0u);
  }
  auto events = cat.Events().value();
  BOOST_TEST(events.size() == before + 1000);
  std::string why;
  BOOST_TEST(!FindBrokenLink(events, kGenesisHash, 1, &why).has_value(), why);
  // Accesses are not part of a record's history.
  BOOST_TEST(cat.CountEvents("J012-SB·2025-D100-0102-0001").value() == 1000);
  BOOST_TEST(
      cat.CountEvents("J012-SB·2025-D100-0102-0001", Catalogue::EventKinds::kHistory).value() == 0);
}

BOOST_AUTO_TEST_CASE(a_full_backlog_refuses_the_access_and_the_destructor_writes_the_rest) {
  TestArchive a;
  Catalogue& cat = a.session().catalogue();
  const size_t before = cat.Events().value().size();
  {
    AccessLog::Options slow;
    slow.max_delay_ms = 5000;  // the writer waits for a batch that never fills
    slow.max_batch = 100;
    slow.max_backlog = 3;
    AccessLog log(&cat, slow);
    for (int i = 0; i < 3; ++i) BOOST_REQUIRE(log.Record(View("r", i)).ok());
    Status refused = log.Record(View("r", 3));
    BOOST_TEST((refused.code() == ErrorCode::kUnavailable));
  }
  BOOST_TEST(cat.Events().value().size() == before + 3);
}

BOOST_AUTO_TEST_CASE(history_events_move_the_generation_and_accesses_do_not) {
  TestArchive a;
  Catalogue& cat = a.session().catalogue();
  uint64_t g0 = cat.generation();
  BOOST_REQUIRE(cat.AppendEvent(View("r", 1), Catalogue::Durability::kRelaxed).ok());
  BOOST_TEST(cat.generation() == g0);
  AuditEvent check = View("auditor", 2);
  check.action = "verify";
  BOOST_REQUIRE(cat.AppendEvent(check).ok());
  BOOST_TEST(cat.generation() > g0);
}
