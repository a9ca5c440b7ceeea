#include "tests/support/worker_cluster.h"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/support/pg_server.h"
#include "tests/support/shell.h"

namespace dangan::testing {

namespace fs = std::filesystem;

void MakeCases(const std::string& dir, int count, int seed, int file_bytes) {
  auto made =
      Run("/usr/bin/python3 " + Quote(std::string(DANGAN_SOURCE_DIR) + "/scripts/make_cases.py") +
          " --out " + Quote(dir) + " --count " + std::to_string(count) + " --seed " +
          std::to_string(seed) + " --file-bytes " + std::to_string(file_bytes));
  BOOST_REQUIRE_MESSAGE(made.code == 0, made);
}

void CopyScans(const std::string& dir, const std::vector<std::string>& names) {
  fs::create_directories(dir);
  for (const auto& scan : names)
    fs::copy_file(std::string(DANGAN_SOURCE_DIR) + "/tests/data/corpus/" + scan,
                  fs::path(dir) / scan);
}

std::vector<std::string> WorkerCommand(const std::string& root, const std::string& url,
                                       const std::string& name,
                                       const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--root", root, "worker",          "run", "--catalogue",     url,
                                   "--name", name, "--lease-seconds", "2",   "--exit-when-idle"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string JobHeldBy(PgDb& db, const std::string& worker, bool after_one_done, int seconds) {
  std::string sql = "SELECT coalesce(min(id)::text, '') FROM jobs WHERE worker='" + worker +
                    "' AND state='running'";
  if (after_one_done)
    sql += " AND EXISTS (SELECT 1 FROM jobs WHERE worker='" + worker + "' AND state='done')";
  std::string held;
  for (int i = 0; i < seconds * 100 && held.empty(); ++i) {
    held = Scalar(db, sql);
    if (held.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return held;
}

void CheckFiledOnceWithoutGaps(PgDb& db) {
  BOOST_TEST(Scalar(db, "SELECT count(DISTINCT (source, case_id)) FROM records") ==
             Scalar(db, "SELECT count(*) FROM records"));
  BOOST_TEST(Scalar(db,
                    "SELECT count(*) FROM (SELECT series FROM records GROUP BY series"
                    " HAVING max(seq) <> count(*) OR count(DISTINCT seq) <> count(*)) gaps") ==
             "0");
  // One file event per record, whatever a kill interrupted.
  BOOST_TEST(Scalar(db, "SELECT count(*) FROM events WHERE action='file'") ==
             Scalar(db, "SELECT count(*) FROM records"));
}

}  // namespace dangan::testing
