// SearchFacets: the class, year and retention of every record, held in memory by record id, so a
// search counts its facets without a B-tree lookup per match (2,000 lookups cost more than the
// rest of a broad query). Filled from the catalogue on first use and extended whenever a match has
// an id beyond what it holds. That is enough because records are only ever added: none is
// reclassified in place or deleted. Whoever adds either must also invalidate what is held here.
// Thread-safe; about 6 bytes per record.
#pragma once

#include <cstdint>
#include <map>
#include <shared_mutex>
#include <string>
#include <vector>

#include "archive/status.h"
#include "storage/sqlite_db.h"

namespace dangan {

class SearchFacets {
 public:
  using Counts = std::map<std::string, std::map<std::string, int64_t>>;

  // Adds the facets of the records `ids` to `out` ("class", "year", "retention" → value → count),
  // first reading through `db` any records newer than those held. NotFound-free by design: an id
  // that the records table does not have is Corruption (the full-text index is out of step).
  Status Count(SqliteDb& db, const std::vector<int64_t>& ids, Counts* out);

 private:
  struct Row {
    uint16_t class_index = 0;  // into classes_, plus one; 0: no record with this id
    uint16_t retention_index = 0;
    uint16_t year = 0;
  };
  Status LoadAfter(SqliteDb& db, int64_t after);  // holds mu_ exclusively
  static Result<uint16_t> Intern(std::vector<std::string>* names, const std::string& v);

  std::shared_mutex mu_;
  std::vector<Row> rows_;  // index: record id
  std::vector<std::string> classes_, retentions_;
  int64_t loaded_through_ = 0;  // every record with an id up to this is in rows_
};

}  // namespace dangan
