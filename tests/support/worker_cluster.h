// What the multi-process tests on one PostgreSQL catalogue share (tests/cli/worker_test.cpp,
// tests/cli/serve_cluster_test.cpp): cases and scans to work on, a worker's command line,
// waiting for a worker to be mid-job, and the invariants every run must keep. The checks report
// through Boost.Test, so call them from a test case.
#pragma once

#include <string>
#include <vector>

#include "storage/pg_db.h"

namespace dangan::testing {

// Writes `count` closed cases (scripts/make_cases.py, case.json + files) under `dir`.
void MakeCases(const std::string& dir, int count, int seed = 1, int file_bytes = 20000);
// Copies these scans of tests/data/corpus into `dir`.
void CopyScans(const std::string& dir, const std::vector<std::string>& names);

// `dangan --root ROOT worker run --catalogue URL --name NAME --lease-seconds 2 --exit-when-idle`
// and `extra`.
std::vector<std::string> WorkerCommand(const std::string& root, const std::string& url,
                                       const std::string& name,
                                       const std::vector<std::string>& extra = {});

// The id of a job `worker` is running, looked for every 10 ms up to `seconds`; with
// `after_one_done`, only once the worker has finished another. "" when none was seen.
std::string JobHeldBy(PgDb& db, const std::string& worker, bool after_one_done, int seconds);

// Every case filed once, each series numbered 1..n without a gap or a repeat, one `file` event
// per record.
void CheckFiledOnceWithoutGaps(PgDb& db);

}  // namespace dangan::testing
