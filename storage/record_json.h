// Record ↔ JSON. The whole record is what `dangan show --json` and the HTTP API print; the
// catalogue keeps identity, filing and search keys in columns and only the rest as "details"
// JSON, so that nothing is stored twice. Pure functions; thread-safe.
#pragma once

#include <string>

#include "archive/record.h"
#include "archive/status.h"

namespace dangan {

std::string RecordToJson(const Record& r, bool pretty = false);

// The descriptive fields without a catalogue column (文号, 责任者, 经办, names, steps…).
std::string RecordDetailsToJson(const Record& r);
// Fills those fields of `r` from `json`; names go into r->person/unit, created if absent.
Status ReadRecordDetails(const std::string& json, Record* r);

// A file's optional properties (创建程序, 数字化属性); "" when it has none.
std::string FileDetailsToJson(const RecordFile& f);
Status ReadFileDetails(const std::string& json, RecordFile* f);

}  // namespace dangan
