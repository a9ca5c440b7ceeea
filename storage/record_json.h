// Record ↔ JSON: the catalogue keeps each record's full metadata as JSON, and `dangan show
// --json` and the HTTP API print the same shape. Pure functions; thread-safe.
#pragma once

#include <string>

#include "archive/record.h"
#include "archive/status.h"

namespace dangan {

std::string RecordToJson(const Record& r, bool pretty = false);
Result<Record> RecordFromJson(const std::string& json);

}  // namespace dangan
