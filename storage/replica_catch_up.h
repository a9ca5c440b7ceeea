// Replica catch-up: the copies a quorum filing left unwritten (the catalogue's lagging_copies)
// written to their replicas from a copy that matches the catalogue, on either backend: the
// embedded server's audit and, on a shared PostgreSQL catalogue, every server and worker.
// Borrows its arguments. Safe from several processes at once: a copy is rewritten with good bytes
// either way, and only the one whose transaction removes the lagging row logs the catch-up.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "storage/package_store.h"
#include "storage/record_catalogue.h"

namespace dangan {

struct CatchUpResult {
  int64_t caught_up = 0;
  std::vector<std::string> failed;  // "档号 → root: why"; still listed for the next call
};

// Up to `limit` lagging copies, oldest first, each re-hashed after writing, with a
// `replica-catch-up` event by `actor` at `clock()`. A lag whose record is gone (destroyed) or
// whose root is no longer configured is dropped; a copy written for a record destroyed
// meanwhile is removed again.
Result<CatchUpResult> CatchUpLaggingCopies(RecordCatalogue& catalogue, PackageStore& packages,
                                           const std::string& actor,
                                           const std::function<std::string()>& clock, int limit);

// How many copies are still to catch up.
Result<int64_t> CountLaggingCopies(SqlTables& catalogue);

}  // namespace dangan
