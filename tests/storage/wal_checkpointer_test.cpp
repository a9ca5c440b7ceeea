#define BOOST_TEST_MODULE wal_checkpointer
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/support/case_factory.h"

using namespace dangan;
using namespace dangan::testing;

namespace {

// The size of the catalogue's write-ahead log file.
uint64_t WalBytes(const std::string& root) {
  std::error_code ec;
  auto n = std::filesystem::file_size(root + "/catalogue.db-wal", ec);
  return ec ? 0 : n;
}

}  // namespace

// With background checkpoints, commits leave the log alone (wal_autocheckpoint=0) and the
// checkpointer thread copies it back: it runs, it does not fail, and filing goes on as before.
BOOST_AUTO_TEST_CASE(the_log_is_copied_back_by_the_background_thread) {
  TestArchive a;
  Catalogue& catalogue = a.session().catalogue();
  BOOST_TEST(catalogue.BackgroundCheckpoints().first == 0u);
  BOOST_REQUIRE(catalogue.CheckpointInBackground(20).ok());
  for (int i = 0; i < 40; ++i)
    BOOST_REQUIRE(
        a.session().filing().File(a.MakeCase("W-" + std::to_string(i)), "business", "t").ok());
  for (int i = 0; i < 200 && catalogue.BackgroundCheckpoints().first < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  BOOST_TEST(catalogue.BackgroundCheckpoints().first >= 3u);
  BOOST_TEST(catalogue.BackgroundCheckpoints().second == 0u);
  // Commits no longer checkpoint: the connections say so.
  BOOST_REQUIRE(catalogue
                    .WithConnection([](SqliteDb& db) {
                      auto st = db.Prepare("PRAGMA wal_autocheckpoint");
                      if (!st.ok()) return st.status();
                      Status err;
                      st->Step(&err);
                      BOOST_TEST(st->Int(0) == 0);
                      return err;
                    })
                    .ok());
  BOOST_TEST(WalBytes(a.root()) > 0u);
  BOOST_TEST(catalogue.CountRecords().value() == 40);
  a.Reopen();
  BOOST_TEST(a.session().catalogue().CountRecords().value() == 40);
}
