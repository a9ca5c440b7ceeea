// The PostgreSQL server of a test run (scripts/pg.sh, started by CTest's `postgresql` fixture)
// and a schema of its own for each test, dropped when the test ends. Not thread-safe.
#pragma once

#include <string>

namespace dangan {
class PgDb;
}

namespace dangan::testing {

// The single value `sql` returns as text ("" for none or NULL); throws on an error.
std::string Scalar(PgDb& db, const std::string& sql);

// The server's URL, from the state file named by $DANGAN_TEST_PG; throws when there is none.
std::string PgServerUrl();

class PgTestSchema {
 public:
  PgTestSchema();  // creates a schema with a fresh name
  ~PgTestSchema();
  PgTestSchema(const PgTestSchema&) = delete;
  PgTestSchema& operator=(const PgTestSchema&) = delete;
  // A URL whose connections use only this schema.
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::string url_;
};

}  // namespace dangan::testing
