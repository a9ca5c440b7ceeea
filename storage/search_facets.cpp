#include "storage/search_facets.h"

#include <algorithm>
#include <mutex>

namespace dangan {

Result<uint16_t> SearchFacets::Intern(std::vector<std::string>* names, const std::string& v) {
  for (size_t i = 0; i < names->size(); ++i)
    if ((*names)[i] == v) return static_cast<uint16_t>(i + 1);
  if (names->size() >= 0xFFFE) return Status::Internal("more facet values than a search can count");
  names->push_back(v);
  return static_cast<uint16_t>(names->size());
}

Status SearchFacets::LoadAfter(SqliteDb& db, int64_t after) {
  // The first load reads the covering class-year index (a tenth of the table); later ones read
  // just the new rows, by id.
  auto st = db.Prepare(
      after == 0
          ? "SELECT id, class_code, year, retention FROM records INDEXED BY records_class_year"
            " WHERE ?1 = 0"
          : "SELECT id, class_code, year, retention FROM records WHERE id > ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, after);
  Status err;
  int64_t last = after;
  while (st->Step(&err)) {
    int64_t id = st->Int(0);
    int64_t year = st->Int(2);
    if (id <= 0 || id > (int64_t{1} << 32) || year < 0 || year > 0xFFFF)
      return Status::Corruption("record " + std::to_string(id) + " has an id or year out of range");
    auto cls = Intern(&classes_, st->Text(1));
    if (!cls.ok()) return cls.status();
    auto ret = Intern(&retentions_, st->Text(3));
    if (!ret.ok()) return ret.status();
    if (static_cast<size_t>(id) >= rows_.size())
      rows_.resize(std::max<size_t>(static_cast<size_t>(id) + 1, rows_.size() + rows_.size() / 2));
    rows_[static_cast<size_t>(id)] = Row{*cls, *ret, static_cast<uint16_t>(year)};
    last = std::max(last, id);
  }
  if (!err.ok()) return err.WithContext("reading search facets");
  loaded_through_ = last;
  return Status::Ok();
}

Status SearchFacets::Count(SqliteDb& db, const std::vector<int64_t>& ids, Counts* out) {
  int64_t newest = 0;
  for (int64_t id : ids) newest = std::max(newest, id);
  std::shared_lock<std::shared_mutex> read(mu_);
  if (newest > loaded_through_) {
    read.unlock();
    {
      std::unique_lock<std::shared_mutex> write(mu_);
      if (newest > loaded_through_) DANGAN_RETURN_IF_ERROR(LoadAfter(db, loaded_through_));
    }
    read.lock();
  }
  // Counted by index first: a string key per match would cost more than the lookups saved.
  std::vector<int64_t> by_class(classes_.size() + 1), by_retention(retentions_.size() + 1);
  std::map<uint16_t, int64_t> by_year;
  for (int64_t id : ids) {
    const Row* r = id > 0 && static_cast<size_t>(id) < rows_.size() ? &rows_[id] : nullptr;
    if (!r || r->class_index == 0)
      return Status::Corruption("the full-text index names record " + std::to_string(id) +
                                ", which the catalogue does not have");
    ++by_class[r->class_index];
    ++by_retention[r->retention_index];
    ++by_year[r->year];
  }
  auto& classes = (*out)["class"];
  auto& years = (*out)["year"];
  auto& retentions = (*out)["retention"];
  for (size_t i = 1; i < by_class.size(); ++i)
    if (by_class[i]) classes[classes_[i - 1]] += by_class[i];
  for (size_t i = 1; i < by_retention.size(); ++i)
    if (by_retention[i]) retentions[retentions_[i - 1]] += by_retention[i];
  for (const auto& [year, n] : by_year) years[std::to_string(year)] += n;
  return Status::Ok();
}

}  // namespace dangan
