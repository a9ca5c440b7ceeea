#include "storage/text_dictionaries.h"

#include "storage/record_texts.h"

#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace dangan {
namespace {

constexpr size_t kDictionaryBytes = 64 * 1024;
constexpr int kTrainingRecords = 2000;

struct Cache {
  std::mutex mu;
  std::map<std::pair<std::string, uint32_t>, std::shared_ptr<const TextDictionary>> dicts;
};
Cache& TheCache() {
  static Cache* cache = new Cache;  // never destroyed: connections may outlive static teardown
  return *cache;
}

std::string FileOf(sqlite3* db) {
  const char* f = sqlite3_db_filename(db, "main");
  return f ? f : "";
}

Result<std::shared_ptr<const TextDictionary>> LoadFrom(sqlite3* db, const std::string& where,
                                                       int64_t arg) {
  sqlite3_stmt* raw = nullptr;
  std::string sql = "SELECT dict FROM text_dictionaries " + where;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
    return SqliteStatus(db, SQLITE_ERROR, "reading text dictionaries");
  Statement st(db, raw);
  if (where.find("?1") != std::string::npos) st.Bind(1, arg);
  Status err;
  if (!st.Step(&err)) {
    if (!err.ok()) return err;
    return std::shared_ptr<const TextDictionary>();
  }
  auto dict = TextDictionary::Load(st.Blob(0));
  if (!dict.ok()) return dict.status().WithContext("text dictionary");
  std::lock_guard<std::mutex> lock(TheCache().mu);
  auto& slot = TheCache().dicts[{FileOf(db), (*dict)->id()}];
  if (!slot || slot->bytes() != (*dict)->bytes()) slot = *dict;
  return slot;
}

Result<std::shared_ptr<const TextDictionary>> Find(sqlite3* db, uint32_t id, bool reload) {
  if (!reload) {
    std::lock_guard<std::mutex> lock(TheCache().mu);
    auto it = TheCache().dicts.find({FileOf(db), id});
    if (it != TheCache().dicts.end()) return it->second;
  }
  auto dict = LoadFrom(db, "WHERE id=?1", id);
  if (!dict.ok()) return dict.status();
  if (!*dict)
    return Status::Corruption("stored text needs text dictionary " + std::to_string(id) +
                              ", which the catalogue does not hold");
  return dict;
}

}  // namespace

Result<std::string> DecodeCatalogueText(sqlite3* db, std::string_view blob) {
  uint32_t id = StoredTextDictionaryId(blob);
  if (id == 0) return DecodeStoredText(blob);
  auto dict = Find(db, id, false);
  if (!dict.ok()) return dict.status();
  auto text = DecodeStoredText(blob, dict->get());
  if (text.ok()) return text;
  // A file replaced under the same name (tests reuse paths) can leave another catalogue's
  // dictionary cached under this id: read the catalogue's own once before calling it damage.
  dict = Find(db, id, true);
  if (!dict.ok()) return dict.status();
  return DecodeStoredText(blob, dict->get());
}

Result<std::string> StoredColumn(const Statement& row, int col) {
  // The type first: reading a BLOB as text converts it, after which its type is undefined.
  if (row.IsBlob(col)) return DecodeCatalogueText(row.db(), row.Blob(col));
  return row.Text(col);
}

Result<std::shared_ptr<const TextDictionary>> NewestTextDictionary(SqliteDb& db) {
  return LoadFrom(db.handle(), "ORDER BY records DESC LIMIT 1", 0);
}

Result<std::shared_ptr<const TextDictionary>> TrainTextDictionaryIfDue(SqliteDb& db) {
  auto st = db.Prepare(
      "SELECT coalesce((SELECT max(id) FROM records), 0),"
      " coalesce((SELECT max(records) FROM text_dictionaries), 0)");
  if (!st.ok()) return st.status();
  Status err;
  st->Step(&err);
  if (!err.ok()) return err;
  const int64_t records = st->Int(0), last = st->Int(1);
  if (records < kTrainDictionaryAfter || (last > 0 && records < last * kRetrainGrowth))
    return std::shared_ptr<const TextDictionary>();
  // Samples in the form that is compressed: each record's texts packed into one value.
  auto rows =
      db.Prepare("SELECT title, details, text, texts FROM records ORDER BY id DESC LIMIT ?1");
  if (!rows.ok()) return rows.status();
  rows->Bind(1, kTrainingRecords);
  std::vector<std::string> samples;
  while (rows->Step(&err)) {
    std::string column[4];
    for (int col = 0; col < 4; ++col) {
      if (rows->IsNull(col)) continue;
      auto text = StoredColumn(*rows, col);
      if (!text.ok()) return text.status().WithContext("reading texts to train a dictionary");
      column[col] = std::move(*text);
    }
    samples.push_back(rows->IsNull(3) ? PackRecordTexts({column[0], column[1], column[2]})
                                      : std::move(column[3]));
  }
  if (!err.ok()) return err;
  rows = Statement();
  auto bytes = TextDictionary::Train(samples, kDictionaryBytes);
  if (!bytes.ok()) {
    if (bytes.status().code() == ErrorCode::kInvalidArgument)
      return std::shared_ptr<const TextDictionary>();  // too little to learn from: later
    return bytes.status();
  }
  auto dict = TextDictionary::Load(std::move(*bytes));
  if (!dict.ok()) return dict.status();
  DANGAN_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  auto ins = db.Prepare(
      "INSERT OR IGNORE INTO text_dictionaries(id, trained_at, records, dict)"
      " VALUES(?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?2, ?3)");
  Status put = ins.ok() ? ins->Bind(1, static_cast<int64_t>((*dict)->id()))
                              .Bind(2, records)
                              .BindBlob(3, (*dict)->bytes())
                              .Run()
                        : ins.status();
  ins = Statement();
  if (!put.ok()) {
    db.Exec("ROLLBACK");
    return put.WithContext("storing a text dictionary");
  }
  DANGAN_RETURN_IF_ERROR(db.Exec("COMMIT"));
  // Another process may have trained at the same moment: use whichever the catalogue calls newest.
  return NewestTextDictionary(db);
}

}  // namespace dangan
