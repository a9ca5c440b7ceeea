#include "tests/support/pg_server.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "storage/pg_db.h"

namespace dangan::testing {

std::string Scalar(PgDb& db, const std::string& sql) {
  auto v = db.Value(sql);
  if (!v.ok()) throw std::runtime_error(v.status().ToString());
  return v->value_or("");
}

std::string PgServerUrl() {
  const char* state = std::getenv("DANGAN_TEST_PG");
  if (!state || !*state)
    throw std::runtime_error(
        "DANGAN_TEST_PG is not set: run this test through ctest (its `postgresql` fixture starts "
        "the server), or start one with scripts/pg.sh start FILE and set DANGAN_TEST_PG=FILE");
  std::ifstream in(state);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("url=", 0) == 0) return line.substr(4);
  throw std::runtime_error(std::string("no url= line in ") + state +
                           " (did the pg.start fixture fail?)");
}

namespace {
std::atomic<int> schemas{0};

void Exec(const std::string& sql) {
  auto db = PgDb::Connect(PgServerUrl());
  if (!db.ok()) throw std::runtime_error(db.status().ToString());
  Status st = (*db)->Exec(sql);
  if (!st.ok()) throw std::runtime_error(st.ToString());
}
}  // namespace

PgTestSchema::PgTestSchema()
    : name_("t" + std::to_string(getpid()) + "_" + std::to_string(++schemas)) {
  Exec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE; CREATE SCHEMA " + name_);
  url_ = PgServerUrl() + "?options=-csearch_path%3D" + name_;
}

PgTestSchema::~PgTestSchema() {
  try {
    Exec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
  } catch (const std::exception&) {
    // The server may be gone already; its directory goes with pg.sh stop.
  }
}

}  // namespace dangan::testing
