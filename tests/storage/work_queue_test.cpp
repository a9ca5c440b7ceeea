// The work queue on a real PostgreSQL server (CTest's `postgresql` fixture): exclusive claims
// under contention, leases that lapse and are taken over, effects that land once, retries.
#define BOOST_TEST_MODULE work_queue
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "storage/work_queue.h"
#include "tests/support/pg_server.h"

using namespace dangan;
using namespace dangan::testing;

namespace {

std::unique_ptr<PgCatalogue> OpenCatalogue(const PgTestSchema& schema) {
  auto c = PgCatalogue::Open(schema.url(), nullptr);
  if (!c.ok()) throw std::runtime_error(c.status().ToString());
  return std::move(*c);
}

// An effect a job's completion commits: one fixity row naming the job.
std::function<Status(PgDb&)> NoteDone(int64_t id) {
  return [id](PgDb& db) {
    return db.Run(
        "INSERT INTO fixity(reference, checked_at, ok, detail) VALUES($1, 'now', true, '')",
        {"job-" + std::to_string(id)});
  };
}

int64_t Notes(PgCatalogue& c, int64_t id) {
  auto db = c.Borrow();
  return std::stoll(
      (*db)
          ->Value("SELECT count(*) FROM fixity WHERE reference=$1", {"job-" + std::to_string(id)})
          .value()
          .value());
}

bool IsConflict(const Status& st) { return st.code() == ErrorCode::kConflict; }

}  // namespace

BOOST_AUTO_TEST_CASE(workers_on_separate_connections_take_each_job_once) {
  PgTestSchema schema;
  auto catalogue = OpenCatalogue(schema);
  WorkQueue queue(catalogue.get());
  constexpr int kJobs = 120, kWorkers = 4;
  for (int i = 0; i < kJobs; ++i)
    BOOST_REQUIRE(queue.Enqueue("fixity", "{\"n\":" + std::to_string(i) + "}").ok());
  std::mutex mu;
  std::multiset<int64_t> done;
  std::vector<std::string> errors;
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      // Each worker its own catalogue: its own connections, as on another machine.
      auto mine = OpenCatalogue(schema);
      WorkQueue q(mine.get());
      const std::string name = "w" + std::to_string(w);
      for (;;) {
        auto job = q.Claim(name, {"fixity"}, 30);
        if (!job.ok() || !*job) {
          if (!job.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            errors.push_back(job.status().ToString());
          }
          return;
        }
        Status st = q.Complete(**job, name, "ok", NoteDone((*job)->id));
        std::lock_guard<std::mutex> lock(mu);
        if (st.ok())
          done.insert((*job)->id);
        else
          errors.push_back(st.ToString());
      }
    });
  }
  for (auto& t : workers) t.join();
  BOOST_TEST(errors.empty(), (errors.empty() ? "" : errors.front()));
  BOOST_TEST(done.size() == static_cast<size_t>(kJobs));
  BOOST_TEST(std::set<int64_t>(done.begin(), done.end()).size() == static_cast<size_t>(kJobs));
  auto counts = queue.Count().value();
  BOOST_TEST(counts.done == kJobs);
  BOOST_TEST(counts.queued + counts.running + counts.failed == 0);
  auto db = catalogue->Borrow();
  BOOST_TEST((*db)->Value("SELECT count(DISTINCT reference) FROM fixity").value().value() ==
             std::to_string(kJobs));
  BOOST_TEST((*db)->Value("SELECT count(*) FROM fixity").value().value() == std::to_string(kJobs));
}

BOOST_AUTO_TEST_CASE(a_lapsed_lease_goes_to_another_worker_and_the_first_cannot_finish) {
  PgTestSchema schema;
  auto catalogue = OpenCatalogue(schema);
  WorkQueue queue(catalogue.get());
  auto id = queue.Enqueue("fixity", "{}");
  BOOST_REQUIRE(id.ok());
  auto first = queue.Claim("slow", {"fixity"}, 2);
  BOOST_REQUIRE(first.ok() && first->has_value());
  BOOST_TEST((*first)->attempts == 1);
  // Held: nobody else gets it while the lease runs.
  BOOST_TEST(!queue.Claim("other", {"fixity"}, 30).value().has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(2300));
  auto second = queue.Claim("other", {"fixity"}, 30);
  BOOST_REQUIRE(second.ok() && second->has_value());
  BOOST_TEST((*second)->id == *id);
  BOOST_TEST((*second)->attempts == 2);
  // The first worker wakes up: it can neither renew nor finish, and its effects do not land.
  BOOST_TEST(IsConflict(queue.Heartbeat(**first, "slow", 30)));
  BOOST_TEST(IsConflict(queue.Complete(**first, "slow", "late", NoteDone(*id))));
  BOOST_TEST(IsConflict(queue.Fail(**first, "slow", "late")));
  BOOST_TEST(Notes(*catalogue, *id) == 0);
  BOOST_REQUIRE(queue.Complete(**second, "other", "ok", NoteDone(*id)).ok());
  BOOST_TEST(Notes(*catalogue, *id) == 1);
  // Once done, it is never handed out or finished again.
  BOOST_TEST(!queue.Claim("third", {"fixity"}, 1).value().has_value());
  BOOST_TEST(IsConflict(queue.Complete(**second, "other", "again", NoteDone(*id))));
  BOOST_TEST(Notes(*catalogue, *id) == 1);
}

BOOST_AUTO_TEST_CASE(the_same_worker_name_after_a_restart_cannot_finish_its_old_claim) {
  PgTestSchema schema;
  auto catalogue = OpenCatalogue(schema);
  WorkQueue queue(catalogue.get());
  BOOST_REQUIRE(queue.Enqueue("fixity", "{}").ok());
  auto before = queue.Claim("host-1", {"fixity"}, 1);
  BOOST_REQUIRE(before.ok() && before->has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  auto after = queue.Claim("host-1", {"fixity"}, 30);
  BOOST_REQUIRE(after.ok() && after->has_value());
  BOOST_TEST(IsConflict(queue.Complete(**before, "host-1", "stale")));
  BOOST_TEST(queue.Complete(**after, "host-1", "ok").ok());
}

BOOST_AUTO_TEST_CASE(heartbeats_keep_a_long_job) {
  PgTestSchema schema;
  auto catalogue = OpenCatalogue(schema);
  WorkQueue queue(catalogue.get());
  BOOST_REQUIRE(queue.Enqueue("capture", "{}").ok());
  // Renewed every second for four seconds, a 3 s lease never lapses.
  auto job = queue.Claim("long", {"capture"}, 3);
  BOOST_REQUIRE(job.ok() && job->has_value());
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    BOOST_REQUIRE(queue.Heartbeat(**job, "long", 3).ok());
    BOOST_TEST(!queue.Claim("thief", {"capture"}, 3).value().has_value());
  }
  BOOST_TEST(queue.Complete(**job, "long", "ok").ok());
}

BOOST_AUTO_TEST_CASE(failed_effects_leave_the_job_held_and_failures_retry_then_give_up) {
  PgTestSchema schema;
  auto catalogue = OpenCatalogue(schema);
  WorkQueue queue(catalogue.get());
  auto id = queue.Enqueue("fixity", "{}", "", 2);
  BOOST_REQUIRE(id.ok());
  auto job = queue.Claim("w", {"fixity"}, 30);
  BOOST_REQUIRE(job.ok() && job->has_value());
  Status st = queue.Complete(**job, "w", "ok", [&](PgDb& db) -> Status {
    DANGAN_RETURN_IF_ERROR(NoteDone(*id)(db));
    return Status::IOError("disk gone");
  });
  BOOST_TEST((st.code() == ErrorCode::kIOError));
  BOOST_TEST(Notes(*catalogue, *id) == 0);  // rolled back with the completion
  BOOST_TEST(queue.Count().value().running == 1);
  BOOST_REQUIRE(queue.Fail(**job, "w", "disk gone", 0).ok());
  BOOST_TEST(queue.Count().value().queued == 1);
  auto again = queue.Claim("w", {"fixity"}, 30);
  BOOST_REQUIRE(again.ok() && again->has_value());
  BOOST_TEST((*again)->attempts == 2);
  BOOST_REQUIRE(queue.Fail(**again, "w", "disk still gone", 0).ok());
  auto counts = queue.Count().value();
  BOOST_TEST(counts.failed == 1);
  BOOST_TEST(counts.queued == 0);
  BOOST_TEST(!queue.Claim("w", {"fixity"}, 30).value().has_value());
}

BOOST_AUTO_TEST_CASE(kinds_keys_and_bad_arguments) {
  PgTestSchema schema;
  auto catalogue = OpenCatalogue(schema);
  WorkQueue queue(catalogue.get());
  auto a = queue.Enqueue("fixity", "{\"r\":1}", "fixity:R1:cycle1");
  auto b = queue.Enqueue("fixity", "{\"r\":1}", "fixity:R1:cycle1");
  BOOST_REQUIRE(a.ok() && b.ok());
  BOOST_TEST(*a == *b);
  BOOST_REQUIRE(queue.Enqueue("capture", "{\"scan\":\"a.tif\"}").ok());
  auto capture = queue.Claim("w", {"capture"}, 30);
  BOOST_REQUIRE(capture.ok() && capture->has_value());
  BOOST_TEST((*capture)->kind == "capture");
  BOOST_TEST((*capture)->payload == "{\"scan\":\"a.tif\"}");
  BOOST_TEST(!queue.Claim("w", {"other"}, 30).value().has_value());
  BOOST_TEST(queue.Count("fixity").value().queued == 1);
  BOOST_TEST((queue.Enqueue("", "{}").status().code() == ErrorCode::kInvalidArgument));
  BOOST_TEST((queue.Claim("", {"fixity"}, 30).status().code() == ErrorCode::kInvalidArgument));
  BOOST_TEST((queue.Claim("w", {"fixity"}, 0).status().code() == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(a_job_whose_worker_dies_on_every_attempt_is_given_up) {
  PgTestSchema schema;
  auto catalogue = OpenCatalogue(schema);
  WorkQueue queue(catalogue.get());
  BOOST_REQUIRE(queue.Enqueue("capture", "{\"scan\":\"crashes-the-engine.tif\"}", "", 2).ok());
  for (int attempt = 1; attempt <= 2; ++attempt) {
    auto job = queue.Claim("doomed-" + std::to_string(attempt), {"capture"}, 1);
    BOOST_REQUIRE(job.ok() && job->has_value());
    BOOST_TEST((*job)->attempts == attempt);
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));  // the worker "died"
  }
  BOOST_TEST(!queue.Claim("next", {"capture"}, 30).value().has_value());
  auto counts = queue.Count().value();
  BOOST_TEST(counts.failed == 1);
  BOOST_TEST(counts.running == 0);
  auto db = catalogue->Borrow();
  auto error = (*db)->Value("SELECT error FROM jobs").value().value_or("");
  BOOST_TEST(error.find("stopped during each of 2 attempts") != std::string::npos, error);
}

// Text PostgreSQL cannot store is a clear error naming the value, never cut short or "internal".
BOOST_AUTO_TEST_CASE(text_the_server_cannot_store_is_refused_clearly) {
  PgTestSchema schema;
  auto db = PgDb::Connect(schema.url());
  BOOST_REQUIRE(db.ok());
  auto plain = (*db)->Value("SELECT $1::text", {std::string("甲乙")});
  BOOST_REQUIRE(plain.ok());
  BOOST_TEST(plain->value() == "甲乙");

  auto nul = (*db)->Value("SELECT $1::text", {std::string("甲\0乙", 7)});
  BOOST_TEST((nul.status().code() == ErrorCode::kInvalidArgument));
  BOOST_TEST(nul.status().message().find("$1 holds a NUL") != std::string::npos,
             nul.status().ToString());

  auto bad = (*db)->Value("SELECT $1::text", {std::string("\xE7\x94", 2) + "x"});
  BOOST_TEST((bad.status().code() == ErrorCode::kInvalidArgument));
  BOOST_TEST(bad.status().message().find("not valid UTF-8") != std::string::npos,
             bad.status().ToString());
  // The connection is still usable afterwards.
  BOOST_TEST((*db)->Healthy());
  BOOST_TEST((*db)->Value("SELECT 1").ok());
}
