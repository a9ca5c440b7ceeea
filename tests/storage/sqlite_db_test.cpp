// SqliteDb's statement shelf: a statement comes back reset and unbound, one left mid-result
// holds no read transaction, and one that outlives its connection is finalized, not kept.
#define BOOST_TEST_MODULE sqlite_db
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "storage/sqlite_db.h"
#include "tests/support/temp_dir.h"

using namespace dangan;
using namespace dangan::testing;

BOOST_AUTO_TEST_CASE(a_statement_is_reused_reset_and_unbound) {
  TempDir dir;
  auto db = SqliteDb::Open(dir / "t.db", true);
  BOOST_REQUIRE(db.ok());
  {
    auto st = (*db)->Prepare("SELECT ?1");
    BOOST_REQUIRE(st.ok());
    st->Bind(1, int64_t{5});
    Status err;
    BOOST_REQUIRE(st->Step(&err));
    BOOST_TEST(st->Int(0) == 5);
  }
  BOOST_TEST((*db)->kept_statements() == 1u);
  auto again = (*db)->Prepare("SELECT ?1");
  BOOST_REQUIRE(again.ok());
  BOOST_TEST((*db)->kept_statements() == 0u);  // the same one, taken off the shelf
  Status err;
  BOOST_REQUIRE(again->Step(&err));
  BOOST_TEST(again->IsNull(0));  // the 5 bound before is gone
  // Several statements in one text are run by Exec; Prepare compiles the first and keeps none.
  auto first = (*db)->Prepare("SELECT 1; SELECT 2");
  BOOST_REQUIRE(first.ok());
  first = Statement();
  BOOST_TEST((*db)->kept_statements() == 0u);
}

BOOST_AUTO_TEST_CASE(a_statement_left_mid_result_holds_no_read_transaction) {
  TempDir dir;
  const std::string path = dir / "t.db";
  auto writer = SqliteDb::Open(path, true);
  BOOST_REQUIRE(writer.ok());
  BOOST_REQUIRE((*writer)->Exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3);").ok());
  auto reader = SqliteDb::Open(path, false);
  BOOST_REQUIRE(reader.ok());
  {
    auto st = (*reader)->Prepare("SELECT x FROM t");
    BOOST_REQUIRE(st.ok());
    Status err;
    BOOST_REQUIRE(st->Step(&err));  // one row of three: a read transaction is open
  }
  BOOST_REQUIRE((*reader)->kept_statements() == 1u);
  BOOST_REQUIRE((*writer)->Exec("INSERT INTO t VALUES (4)").ok());
  // A reader still in its transaction would keep the log from being copied back whole.
  auto cp = (*writer)->Prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  BOOST_REQUIRE(cp.ok());
  Status err;
  BOOST_REQUIRE(cp->Step(&err));
  BOOST_TEST(cp->Int(0) == 0);  // not busy
  BOOST_TEST(std::filesystem::file_size(path + "-wal") == 0u);
  cp = Statement();
  // And the kept statement sees the new row.
  auto st = (*reader)->Prepare("SELECT x FROM t");
  BOOST_REQUIRE(st.ok());
  int rows = 0;
  while (st->Step(&err)) ++rows;
  BOOST_TEST(rows == 4);
}

BOOST_AUTO_TEST_CASE(a_statement_that_outlives_its_connection_is_finalized) {
  TempDir dir;
  auto db = SqliteDb::Open(dir / "t.db", true);
  BOOST_REQUIRE(db.ok());
  auto st = (*db)->Prepare("SELECT 1");
  BOOST_REQUIRE(st.ok());
  db->reset();  // the connection closes once its last statement is finalized
  Status err;
  BOOST_REQUIRE(st->Step(&err));
  BOOST_TEST(st->Int(0) == 1);
  *st = Statement();  // finalized, not shelved on a connection that is gone
}
