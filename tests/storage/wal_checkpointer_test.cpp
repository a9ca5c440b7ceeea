#define BOOST_TEST_MODULE wal_checkpointer
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include "storage/wal_checkpointer.h"
#include "tests/support/case_factory.h"
#include "tests/support/temp_dir.h"

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

// A log longer than the limit is truncated under the write gate once no reader needs it. Passive
// copies alone never shrink the file, and under steady reads rarely let it start over.
BOOST_AUTO_TEST_CASE(a_long_log_is_truncated_once_no_reader_needs_it) {
  TempDir dir;
  const std::string path = dir / "t.db";
  auto writer = SqliteDb::Open(path, true);
  BOOST_REQUIRE(writer.ok());
  BOOST_REQUIRE((*writer)->Exec("PRAGMA wal_autocheckpoint=0; CREATE TABLE t(x)").ok());
  auto reader = SqliteDb::Open(path, false);
  BOOST_REQUIRE(reader.ok());
  // A reader in a transaction keeps every later frame in the log.
  BOOST_REQUIRE((*reader)->Exec("BEGIN; SELECT count(*) FROM t;").ok());
  auto own = SqliteDb::Open(path, false);
  BOOST_REQUIRE(own.ok());
  WriteGate gate;
  WalCheckpointer checkpointer(std::move(*own), 10, &gate, 50);
  for (int i = 0; i < 200; ++i)
    BOOST_REQUIRE((*writer)->Exec("INSERT INTO t VALUES (randomblob(4000))").ok());
  const uint64_t grown = std::filesystem::file_size(path + "-wal");
  BOOST_TEST(grown > 50u * 4096u);
  // While the reader holds its snapshot the log cannot be truncated (and the writers are not
  // held up for more than a moment each round: they still commit).
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  BOOST_TEST(checkpointer.truncations() == 0u);
  BOOST_REQUIRE((*writer)->Exec("INSERT INTO t VALUES (1)").ok());
  BOOST_REQUIRE((*reader)->Exec("COMMIT").ok());
  for (int i = 0; i < 300 && checkpointer.truncations() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  BOOST_TEST(checkpointer.truncations() >= 1u);
  BOOST_TEST(std::filesystem::file_size(path + "-wal") == 0u);
  BOOST_TEST(checkpointer.failures() == 0u);
  // Nothing was lost on the way.
  auto n = (*writer)->Prepare("SELECT count(*) FROM t");
  BOOST_REQUIRE(n.ok());
  Status err;
  BOOST_REQUIRE(n->Step(&err));
  BOOST_TEST(n->Int(0) == 201);
}
