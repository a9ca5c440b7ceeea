// The capture review queue (storage/review_queue.h) on both catalogue backends: documents queued
// once with their event, decided once (the classifier's example and the decision's event in the
// same transaction), and on PostgreSQL decided once even when two servers decide at once.
#define BOOST_TEST_MODULE review_queue
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

#include "storage/review_queue.h"
#include "tests/support/catalogue_backend.h"

using namespace dangan;
using namespace dangan::testing;
namespace bdata = boost::unit_test::data;

namespace review_queue_test {

const char* const kAt = "2026-11-24T10:00:00+08:00";

ReviewItem Item(const std::string& sha, double confidence) {
  ReviewItem r;
  r.content_sha256 = sha;
  r.file_name = "养老保险待遇申请表.tif";
  r.staged_dir = "review/" + sha.substr(0, 32);
  r.draft_json = R"({"title":"张三养老保险待遇申请","item":"0102"})";
  r.suggested_item = "0102";
  r.confidence = confidence;
  r.created_at = kAt;
  return r;
}

std::string Sha(char c) { return std::string(64, c); }

ClassifierExample Example(const std::string& sha, const std::string& confirmed) {
  return {sha, "0102", confirmed, "养老保险待遇申请表 姓名 张三", kAt, "李四"};
}

BOOST_DATA_TEST_CASE(a_scan_is_queued_once_with_its_event, bdata::make(kCatalogueBackends), kind) {
  CatalogueBackend backend(kind);
  ReviewQueue queue(backend.catalogue());
  auto first = queue.Add(Item(Sha('a'), 0.4375), "capture");
  BOOST_REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  auto second = queue.Add(Item(Sha('b'), 0.125), "capture");
  BOOST_REQUIRE(second.ok());
  BOOST_TEST(*second != *first);
  auto again = queue.Add(Item(Sha('a'), 0.9), "capture");
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(*again == *first);
  BOOST_TEST(CountEvents(backend.catalogue(), "queue-review") == 2);

  auto found = queue.Find(*first).value();
  BOOST_REQUIRE(found.has_value());
  BOOST_TEST(found->confidence == 0.4375);  // the first queueing's, exactly
  BOOST_TEST(found->file_name == "养老保险待遇申请表.tif");
  BOOST_TEST(found->draft_json == Item(Sha('a'), 0).draft_json);
  BOOST_TEST(found->state == "pending");
  BOOST_TEST(found->decided_by.empty());
  BOOST_TEST(queue.FindByContent(Sha('b')).value()->id == *second);
  BOOST_TEST(!queue.FindByContent(Sha('c')).value().has_value());
  BOOST_TEST(!queue.Find(*second + 100).value().has_value());
  auto pending = queue.List("pending", 10).value();
  BOOST_REQUIRE_EQUAL(pending.size(), 2u);
  BOOST_TEST(pending[0].id == *first);  // oldest first
  BOOST_TEST(queue.List("", 1).value().size() == 1u);
}

BOOST_DATA_TEST_CASE(a_decision_is_made_once_and_teaches_the_classifier,
                     bdata::make(kCatalogueBackends), kind) {
  CatalogueBackend backend(kind);
  ReviewQueue queue(backend.catalogue());
  const int64_t filed = queue.Add(Item(Sha('a'), 0.3), "capture").value();
  const int64_t rejected = queue.Add(Item(Sha('b'), 0.2), "capture").value();

  BOOST_TEST(
      (queue.Decide(filed, "pending", "", "", "", "李四", kAt, Example(Sha('a'), "0103")).code() ==
       ErrorCode::kInvalidArgument));
  Status st = queue.Decide(filed, "filed", "0103", "A001-0103-2026-Y-0001", "", "李四", kAt,
                           Example(Sha('a'), "0103"));
  BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
  BOOST_TEST(
      (queue.Decide(filed, "rejected", "0000", "", "重复", "王五", kAt, Example(Sha('a'), "0000"))
           .code() == ErrorCode::kConflict));
  BOOST_REQUIRE(queue
                    .Decide(rejected, "rejected", "0000", "", "不是业务文件", "李四", kAt,
                            Example(Sha('b'), "0000"))
                    .ok());

  auto r = queue.Find(filed).value().value();
  BOOST_TEST(r.state == "filed");
  BOOST_TEST(r.decided_item == "0103");
  BOOST_TEST(r.reference == "A001-0103-2026-Y-0001");
  BOOST_TEST(r.decided_by == "李四");
  BOOST_TEST(queue.Find(rejected).value()->reason == "不是业务文件");
  BOOST_TEST(queue.List("pending", 10).value().empty());
  BOOST_TEST(queue.List("filed", 10).value().size() == 1u);

  auto examples = queue.Examples().value();
  BOOST_REQUIRE_EQUAL(examples.size(), 2u);  // the refused decision left none
  BOOST_TEST(examples[0].confirmed_item == "0103");
  BOOST_TEST(examples[0].predicted_item == "0102");
  BOOST_TEST(examples[0].text == "养老保险待遇申请表 姓名 张三");
  BOOST_TEST(examples[1].confirmed_item == "0000");

  auto events = backend.catalogue().Events("", 0, RecordCatalogue::EventKinds::kAll).value();
  int reviews = 0, rejects = 0;
  for (const auto& e : events) {
    if (e.action == "review") {
      ++reviews;
      BOOST_TEST(e.reference == "A001-0103-2026-Y-0001");
      BOOST_TEST(e.actor == "李四");
      BOOST_TEST(e.detail.find("\"confirmed\":\"0103\"") != std::string::npos);
    }
    rejects += e.action == "review-reject";
  }
  BOOST_TEST(reviews == 1);
  BOOST_TEST(rejects == 1);
}

// A decision in progress (filing the document takes a while) holds it: no other decision goes
// through meanwhile, until it is closed, given back or has run out.
BOOST_DATA_TEST_CASE(a_decision_in_progress_holds_its_document, bdata::make(kCatalogueBackends),
                     kind) {
  CatalogueBackend backend(kind);
  int64_t now = 1'800'000'000;
  ReviewQueue queue(backend.catalogue(), [&now] { return now; });
  const int64_t id = queue.Add(Item(Sha('a'), 0.3), "capture").value();
  const int64_t other = queue.Add(Item(Sha('b'), 0.3), "capture").value();
  auto claim = queue.Claim(id, 600);
  BOOST_REQUIRE_MESSAGE(claim.ok(), claim.status().ToString());
  BOOST_TEST((queue.Claim(id, 600).status().code() == ErrorCode::kConflict));
  BOOST_TEST((queue.Claim(9999, 600).status().code() == ErrorCode::kNotFound));
  // Someone else's rejection meanwhile is refused; the holder's decision goes through.
  BOOST_TEST((queue.Decide(id, "rejected", "0000", "", "x", "王五", kAt, Example(Sha('a'), "0000"))
                  .code() == ErrorCode::kConflict));
  BOOST_TEST((queue
                  .Decide(id, "filed", "0102", "R-1", "", "李四", kAt, Example(Sha('a'), "0102"),
                          "not-the-claim")
                  .code() == ErrorCode::kConflict));
  BOOST_REQUIRE(
      queue.Decide(id, "filed", "0102", "R-1", "", "李四", kAt, Example(Sha('a'), "0102"), *claim)
          .ok());
  BOOST_TEST((queue.Claim(id, 600).status().code() == ErrorCode::kConflict));  // decided

  // Given back: free at once. Run out: free once its time has passed.
  auto given_back = queue.Claim(other, 600).value();
  BOOST_REQUIRE(queue.Release(other, "not-the-claim").ok());
  BOOST_TEST((queue.Claim(other, 600).status().code() == ErrorCode::kConflict));
  BOOST_REQUIRE(queue.Release(other, given_back).ok());
  BOOST_REQUIRE(queue.Claim(other, 600).ok());
  now += 601;
  BOOST_TEST(
      queue.Decide(other, "rejected", "0000", "", "x", "王五", kAt, Example(Sha('b'), "0000"))
          .ok());
  BOOST_TEST(queue.Examples().value().size() == 2u);
}

// Two servers deciding the same documents at once: each document is decided by one of them,
// with one example and one event.
BOOST_AUTO_TEST_CASE(two_servers_deciding_at_once_decide_each_document_once) {
  CatalogueBackend backend("postgresql");
  auto other = backend.SecondServer();
  BOOST_REQUIRE(other);
  ReviewQueue a(backend.catalogue()), b(*other);
  constexpr int kItems = 20;
  std::vector<int64_t> ids;
  for (int i = 0; i < kItems; ++i) {
    std::string sha = Sha('a');
    sha[0] = "0123456789abcdefghij"[i];
    ids.push_back(a.Add(Item(sha, 0.3), "capture").value());
  }
  std::atomic<int> won{0}, conflicts{0}, other_errors{0};
  auto decide = [&](ReviewQueue& q, const std::string& who) {
    for (int64_t id : ids) {
      Status st =
          q.Decide(id, "rejected", "0000", "", "不是业务文件", who, kAt, Example(Sha('a'), "0000"));
      if (st.ok())
        ++won;
      else if (st.code() == ErrorCode::kConflict)
        ++conflicts;
      else
        ++other_errors;
    }
  };
  std::thread ta([&] { decide(a, "李四"); });
  std::thread tb([&] { decide(b, "王五"); });
  ta.join();
  tb.join();
  BOOST_TEST(won.load() == kItems);
  BOOST_TEST(conflicts.load() == kItems);
  BOOST_TEST(other_errors.load() == 0);
  BOOST_TEST(a.Examples().value().size() == static_cast<size_t>(kItems));
  BOOST_TEST(CountEvents(backend.catalogue(), "review-reject") == kItems);
}

}  // namespace review_queue_test
