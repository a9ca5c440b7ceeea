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

// Whose lags a call may drop for a root it does not have: the embedded archive's one process
// knows every root there is (a root no longer configured has nothing to catch up); a process on
// a shared catalogue only knows its own configuration, so it leaves them to the others.
enum class UnknownRoots { kDrop, kLeave };

// Up to `limit` lagging copies, oldest first, each re-hashed after writing, with a
// `replica-catch-up` event by `actor` at `clock()`. A lag whose record is gone (destroyed) is
// dropped; a copy written for a record destroyed meanwhile is removed again. After a root's first
// failure its other lags wait for the next call (an unmounted replica costs one try a call).
Result<CatchUpResult> CatchUpLaggingCopies(RecordCatalogue& catalogue, PackageStore& packages,
                                           const std::string& actor,
                                           const std::function<std::string()>& clock, int limit,
                                           UnknownRoots unknown = UnknownRoots::kDrop);

// How many copies are still to catch up.
Result<int64_t> CountLaggingCopies(SqlTables& catalogue);

}  // namespace dangan
