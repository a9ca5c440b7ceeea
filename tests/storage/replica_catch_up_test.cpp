// Replica catch-up (storage/replica_catch_up.h) on both catalogue backends: the copies a quorum
// filing left behind are written from a good copy, verified and logged once, also when two
// servers sharing a PostgreSQL catalogue catch up at once; lags with nothing left to do go.
#define BOOST_TEST_MODULE replica_catch_up
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/replica_catch_up.h"
#include "tests/support/catalogue_backend.h"

using namespace dangan;
using namespace dangan::testing;
namespace bdata = boost::unit_test::data;
namespace fs = std::filesystem;

namespace replica_catch_up_test {

std::string Clock() { return "2026-11-25T10:00:00+08:00"; }

void NoteLag(RecordCatalogue& c, const std::string& reference, const std::string& root) {
  Status st = c.WriteTables([&](SqlSession& db) -> Status {
    auto ins = db.Run("INSERT INTO lagging_copies(reference, root, since) VALUES($1,$2,$3)",
                      {reference, root, std::string("2026-11-25T01:00:00Z")});
    return ins.status();
  });
  BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
}

BOOST_DATA_TEST_CASE(lagging_copies_are_written_verified_and_logged_once,
                     bdata::make(kCatalogueBackends), kind) {
  CatalogueBackend backend(kind);
  std::unique_ptr<RecordCatalogue> second = backend.SecondServer();
  RecordCatalogue* servers[2] = {&backend.catalogue(),
                                 second ? second.get() : &backend.catalogue()};
  auto& session = backend.archive().session();
  TempDir replica;
  PackageStore store(backend.archive().root(), session.settings().organization, Env::Default(),
                     {replica.path()});
  BOOST_REQUIRE(store.Init().ok());
  std::vector<Record> filed;
  for (int i = 0; i < 6; ++i) {
    const std::string ref = backend.File(backend.archive().MakeCase("L-" + std::to_string(i)));
    filed.push_back(*backend.catalogue().GetRecord(ref).value());
    NoteLag(backend.catalogue(), ref, replica.path());
  }
  // A lag for a replica no longer configured, and one whose record is not there: both go.
  NoteLag(backend.catalogue(), filed[0].reference, "/nowhere/any/more");
  NoteLag(backend.catalogue(), "J012-XX-9999-D10-0001", replica.path());
  BOOST_TEST(CountLaggingCopies(backend.catalogue()).value() == 8);
  BOOST_TEST(!store.VerifyCopy(1, filed[0].package_path, filed[0].package_sha256, {}).ok);

  std::atomic<int64_t> caught{0};
  std::vector<std::string> failures;
  std::mutex mu;
  std::vector<std::thread> servers_at_once;
  for (int i = 0; i < 2; ++i)
    servers_at_once.emplace_back([&, i] {
      auto done = CatchUpLaggingCopies(*servers[i], store, "test", Clock, 100);
      std::lock_guard<std::mutex> lock(mu);
      if (!done.ok()) {
        failures.push_back(done.status().ToString());
        return;
      }
      caught += done->caught_up;
      failures.insert(failures.end(), done->failed.begin(), done->failed.end());
    });
  for (auto& t : servers_at_once) t.join();
  BOOST_REQUIRE_MESSAGE(failures.empty(), failures.front());
  BOOST_TEST(caught.load() == 6);
  BOOST_TEST(CountEvents(backend.catalogue(), "replica-catch-up") == 6);
  BOOST_TEST(CountLaggingCopies(backend.catalogue()).value() == 0);
  // A process on a shared catalogue leaves the lags of roots it does not have to the others.
  NoteLag(backend.catalogue(), filed[1].reference, "/another/servers/replica");
  auto leave =
      CatchUpLaggingCopies(backend.catalogue(), store, "test", Clock, 100, UnknownRoots::kLeave);
  BOOST_REQUIRE(leave.ok());
  BOOST_TEST(CountLaggingCopies(backend.catalogue()).value() == 1);
  for (const auto& r : filed)
    BOOST_TEST(store.VerifyCopy(1, r.package_path, r.package_sha256, r.files).ok, r.reference);
}

// A replica that cannot take its copy yet keeps the lag, named, for the next call.
BOOST_DATA_TEST_CASE(a_copy_that_cannot_be_written_stays_listed, bdata::make(kCatalogueBackends),
                     kind) {
  CatalogueBackend backend(kind);
  auto& session = backend.archive().session();
  TempDir replica;
  PackageStore store(backend.archive().root(), session.settings().organization, Env::Default(),
                     {replica.path()});
  BOOST_REQUIRE(store.Init().ok());
  const std::string ref = backend.File(backend.archive().MakeCase("F-1"));
  NoteLag(backend.catalogue(), ref, replica.path());
  const Record r = *backend.catalogue().GetRecord(ref).value();
  fs::remove(store.CopyPath(0, r.package_path));  // no good copy to write it from
  auto done = CatchUpLaggingCopies(backend.catalogue(), store, "test", Clock, 100);
  BOOST_REQUIRE(done.ok());
  BOOST_TEST(done->caught_up == 0);
  BOOST_REQUIRE_EQUAL(done->failed.size(), 1u);
  BOOST_TEST(done->failed[0].find(ref) != std::string::npos, done->failed[0]);
  BOOST_TEST(CountLaggingCopies(backend.catalogue()).value() == 1);
  BOOST_TEST(CountEvents(backend.catalogue(), "replica-catch-up") == 0);
  // After its first failure a root's other lags wait for the next call.
  const std::string second = backend.File(backend.archive().MakeCase("F-2"));
  fs::remove_all(replica.path());  // unmounted
  NoteLag(backend.catalogue(), second, replica.path());
  done = CatchUpLaggingCopies(backend.catalogue(), store, "test", Clock, 100);
  BOOST_REQUIRE(done.ok());
  BOOST_TEST(done->failed.size() == 1u);
  BOOST_TEST(CountLaggingCopies(backend.catalogue()).value() == 2);
}

}  // namespace replica_catch_up_test
