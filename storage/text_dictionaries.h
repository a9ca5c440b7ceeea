// The zstd dictionaries a catalogue trains on its own records (table text_dictionaries), and the
// reading of its stored text columns with them. Compiled dictionaries are cached once per process
// and catalogue file, shared by every connection; the table is append-only, so a cached dictionary
// never goes stale. All functions are thread-safe; each SqliteDb is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "archive/status.h"
#include "storage/sqlite_db.h"
#include "storage/text_codec.h"

namespace dangan {

// A catalogue trains its first dictionary once it holds this many records, and a new one each time
// it has grown kRetrainGrowth-fold since: early forms teach the first, the holdings the later ones.
inline constexpr int64_t kTrainDictionaryAfter = 1000;
inline constexpr int64_t kRetrainGrowth = 16;

// A stored text column value (TEXT as is, BLOB in either format) of the catalogue `db` holds.
Result<std::string> DecodeCatalogueText(sqlite3* db, std::string_view blob);

// A stored text column of a row of that catalogue, read through DecodeCatalogueText.
Result<std::string> StoredColumn(const Statement& row, int col);

// The dictionary new values are written with: the newest one trained, or nullptr if none yet.
Result<std::shared_ptr<const TextDictionary>> NewestTextDictionary(SqliteDb& db);

// Trains and stores a new dictionary from the newest records when one is due (see above). Takes
// its own write transaction on `db`: the caller must not be in one. Returns the new dictionary,
// or nullptr when none was due or the texts are too few to learn from.
Result<std::shared_ptr<const TextDictionary>> TrainTextDictionaryIfDue(SqliteDb& db);

}  // namespace dangan
