#include "retrieval/statistics.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <map>
#include <sstream>

namespace dangan {

namespace {

// Records the agency still keeps.
constexpr const char* kInCustody = "state NOT IN ('destroyed','transferred')";

// The same on either backend (storage/sql_tables.h): $1, $2 … bind `texts`.
Result<SqlRows> Read(SqlTables& catalogue, const std::string& sql,
                     const std::vector<std::string>& texts = {}) {
  SqlRows rows;
  Status st = catalogue.ReadTables([&](SqlSession& db) -> Status {
    std::vector<SqlValue> params(texts.begin(), texts.end());
    auto r = db.Run(sql, params);
    if (!r.ok()) return r.status();
    rows = std::move(*r);
    return Status::Ok();
  });
  if (!st.ok()) return st.WithContext("statistics");
  return rows;
}

Tally TallyAt(const SqlRows& rows, size_t row, size_t first) {
  return Tally{rows.Int(row, first), rows.Int(row, first + 1), rows.Int(row, first + 2)};
}

constexpr const char* kTallyCols =
    "count(*), coalesce(sum(pages),0), coalesce(sum(package_bytes),0)";

// Orders `found` (code → tally) by the scheme's list of codes, adding zero rows, then the
// unknown codes.
std::vector<HoldingsRow> InSchemeOrder(
    const std::map<std::string, Tally>& found,
    const std::vector<std::pair<std::string, std::string>>& scheme_codes) {
  std::vector<HoldingsRow> out;
  std::map<std::string, Tally> rest = found;
  for (const auto& [code, name] : scheme_codes) {
    auto it = rest.find(code);
    out.push_back({code, name, it == rest.end() ? Tally{} : it->second});
    if (it != rest.end()) rest.erase(it);
  }
  for (const auto& [code, tally] : rest) out.push_back({code, "", tally});
  return out;
}

Result<std::vector<HoldingsRow>> GroupedHoldings(
    SqlTables& catalogue, const std::string& column, const std::string& where,
    const std::vector<std::string>& binds,
    const std::vector<std::pair<std::string, std::string>>* scheme_codes) {
  std::map<std::string, Tally> found;
  auto rows = Read(catalogue,
                   "SELECT " + column + ", " + kTallyCols + " FROM records WHERE " + where +
                       " GROUP BY " + column,
                   binds);
  if (!rows.ok()) return rows.status();
  for (size_t i = 0; i < rows->size(); ++i) found[rows->Text(i, 0)] = TallyAt(*rows, i, 1);
  if (scheme_codes) return InSchemeOrder(found, *scheme_codes);
  std::vector<HoldingsRow> out;
  for (const auto& [code, tally] : found) out.push_back({code, "", tally});
  return out;
}

std::vector<std::pair<std::string, std::string>> ClassCodes(const ClassificationScheme& scheme) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c : scheme.classes()) out.push_back({c.code, c.name});
  return out;
}

std::vector<std::pair<std::string, std::string>> RetentionCodes(
    const ClassificationScheme& scheme) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : scheme.retention_codes()) out.push_back({r.code, r.name});
  return out;
}

bool IsMonth(const std::string& m) {
  return m.size() == 7 && std::isdigit(static_cast<unsigned char>(m[0])) &&
         std::isdigit(static_cast<unsigned char>(m[1])) &&
         std::isdigit(static_cast<unsigned char>(m[2])) &&
         std::isdigit(static_cast<unsigned char>(m[3])) && m[4] == '-' &&
         ((m[5] == '0' && m[6] >= '1' && m[6] <= '9') ||
          (m[5] == '1' && m[6] >= '0' && m[6] <= '2'));
}

Poco::JSON::Object::Ptr TallyJson(const Tally& t) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("records", t.records);
  o->set("pages", t.pages);
  o->set("bytes", t.bytes);
  return o;
}

}  // namespace

Result<std::vector<HoldingsRow>> HoldingsByClass(SqlTables& catalogue,
                                                 const ClassificationScheme* scheme) {
  std::vector<std::pair<std::string, std::string>> codes;
  if (scheme) codes = ClassCodes(*scheme);
  return GroupedHoldings(catalogue, "class_code", kInCustody, {}, scheme ? &codes : nullptr);
}

Result<std::vector<HoldingsRow>> HoldingsByYear(SqlTables& catalogue) {
  // Years are integers: group on the column, order numerically.
  auto rows = Read(catalogue, std::string("SELECT year, ") + kTallyCols + " FROM records WHERE " +
                                  kInCustody + " GROUP BY year ORDER BY year");
  if (!rows.ok()) return rows.status();
  std::vector<HoldingsRow> out;
  for (size_t i = 0; i < rows->size(); ++i)
    out.push_back({std::to_string(rows->Int(i, 0)), "", TallyAt(*rows, i, 1)});
  return out;
}

Result<std::vector<HoldingsRow>> HoldingsByRetention(SqlTables& catalogue,
                                                     const ClassificationScheme* scheme) {
  std::vector<std::pair<std::string, std::string>> codes;
  if (scheme) codes = RetentionCodes(*scheme);
  return GroupedHoldings(catalogue, "retention", kInCustody, {}, scheme ? &codes : nullptr);
}

Result<Tally> TotalHoldings(SqlTables& catalogue) {
  auto rows =
      Read(catalogue, std::string("SELECT ") + kTallyCols + " FROM records WHERE " + kInCustody);
  if (!rows.ok()) return rows.status();
  return rows->empty() ? Tally{} : TallyAt(*rows, 0, 0);
}

Result<std::vector<IntakeRow>> IntakeByMonth(SqlTables& catalogue, const std::string& from_month,
                                             const std::string& to_month) {
  if (!from_month.empty() && !IsMonth(from_month))
    return Status::InvalidArgument("a month is written YYYY-MM", {{"from", from_month}});
  if (!to_month.empty() && !IsMonth(to_month))
    return Status::InvalidArgument("a month is written YYYY-MM", {{"to", to_month}});
  // Range conditions on filed_at itself let the catalogue walk its filed_at index.
  std::string where = "1=1";
  std::vector<std::string> binds;
  if (!from_month.empty()) {
    binds.push_back(from_month);
    where += " AND filed_at >= $" + std::to_string(binds.size());
  }
  if (!to_month.empty()) {
    binds.push_back(to_month + "-99");  // after every day of the month, before the next month
    where += " AND filed_at < $" + std::to_string(binds.size());
  }
  auto rows =
      Read(catalogue,
           std::string("SELECT substr(filed_at,1,7) AS month, channel, ") + kTallyCols +
               " FROM records WHERE " + where + " GROUP BY month, channel ORDER BY month, channel",
           binds);
  if (!rows.ok()) return rows.status();
  std::vector<IntakeRow> out;
  for (size_t i = 0; i < rows->size(); ++i)
    out.push_back({rows->Text(i, 0), rows->Text(i, 1), TallyAt(*rows, i, 2)});
  return out;
}

Result<FixityStatus> FixityStatusSummary(SqlTables& catalogue) {
  FixityStatus fs;
  // The last check of each record through the fixity(reference, id) index. `ok` is an integer
  // in SQLite and a boolean in PostgreSQL: only tested for truth.
  const std::string last =
      "(SELECT r.reference AS reference, (SELECT f.ok FROM fixity f WHERE f.reference ="
      " r.reference ORDER BY f.id DESC LIMIT 1) AS ok FROM records r WHERE r." +
      std::string(kInCustody) + ") AS last_checks";
  auto counts = Read(catalogue,
                     "SELECT coalesce(sum(CASE WHEN ok THEN 1 ELSE 0 END),0),"
                     " coalesce(sum(CASE WHEN NOT ok THEN 1 ELSE 0 END),0),"
                     " coalesce(sum(CASE WHEN ok IS NULL THEN 1 ELSE 0 END),0) FROM " +
                         last);
  if (!counts.ok()) return counts.status();
  if (!counts->empty()) {
    fs.ok = counts->Int(0, 0);
    fs.damaged = counts->Int(0, 1);
    fs.never_checked = counts->Int(0, 2);
  }
  if (fs.damaged > 0) {
    auto damaged = Read(catalogue, "SELECT reference FROM " + last +
                                       " WHERE NOT ok ORDER BY reference LIMIT " +
                                       std::to_string(FixityStatus::kMaxListed));
    if (!damaged.ok()) return damaged.status();
    for (size_t i = 0; i < damaged->size(); ++i)
      fs.damaged_references.push_back(damaged->Text(i, 0));
  }
  auto newest = Read(catalogue, "SELECT coalesce(max(checked_at),'') FROM fixity");
  if (!newest.ok()) return newest.status();
  if (!newest->empty()) fs.last_checked_at = newest->Text(0, 0);
  return fs;
}

Result<AnnualStatistics> ComputeAnnualStatistics(RecordCatalogue& catalogue,
                                                 const ClassificationScheme& scheme, int year) {
  if (year < 1900 || year > 2999)
    return Status::InvalidArgument("the year must be between 1900 and 2999",
                                   {{"year", std::to_string(year)}});
  AnnualStatistics a;
  a.year = year;
  // filed_at is ISO 8601 in the agency's local time, so string ranges are date ranges.
  const std::string start = std::to_string(year) + "-01-01";
  const std::string end = std::to_string(year + 1) + "-01-01";
  const std::string held = std::string(kInCustody) + " AND filed_at < $1";

  auto holdings = Read(
      catalogue,
      std::string("SELECT ") + kTallyCols + ", count(DISTINCT fonds) FROM records WHERE " + held,
      {end});
  if (!holdings.ok()) return holdings.status();
  if (!holdings->empty()) {
    a.holdings = TallyAt(*holdings, 0, 0);
    a.fonds = holdings->Int(0, 3);
  }
  auto intake = Read(
      catalogue,
      std::string("SELECT ") + kTallyCols + " FROM records WHERE filed_at >= $1 AND filed_at < $2",
      {start, end});
  if (!intake.ok()) return intake.status();
  if (!intake->empty()) a.intake = TallyAt(*intake, 0, 0);

  auto codes = RetentionCodes(scheme);
  auto by_retention = GroupedHoldings(catalogue, "retention", "filed_at >= $1 AND filed_at < $2",
                                      {start, end}, &codes);
  if (!by_retention.ok()) return by_retention.status();
  a.intake_by_retention = std::move(*by_retention);

  std::map<std::string, std::pair<int64_t, int64_t>> classes;  // code → (holdings, intake)
  auto by_class = Read(catalogue,
                       "SELECT class_code, sum(CASE WHEN " + held +
                           " THEN 1 ELSE 0 END), sum(CASE WHEN filed_at >= $2 AND filed_at < $1"
                           " THEN 1 ELSE 0 END) FROM records WHERE filed_at < $1"
                           " GROUP BY class_code",
                       {end, start});
  if (!by_class.ok()) return by_class.status();
  for (size_t i = 0; i < by_class->size(); ++i)
    classes[by_class->Text(i, 0)] = {by_class->Int(i, 1), by_class->Int(i, 2)};
  for (const auto& c : scheme.classes()) {
    auto it = classes.find(c.code);
    AnnualClassRow row{c.code, c.name, 0, 0};
    if (it != classes.end()) {
      row.holdings = it->second.first;
      row.intake = it->second.second;
      classes.erase(it);
    }
    a.by_class.push_back(row);
  }
  for (const auto& [code, counts] : classes)
    a.by_class.push_back({code, "", counts.first, counts.second});

  // Each certificate's list of 档号 is a JSON array of strings, counted here rather than with
  // either backend's JSON functions.
  auto certificates = Read(catalogue, "SELECT references_json FROM certificates WHERE year = $1",
                           {std::to_string(year)});
  if (!certificates.ok()) return certificates.status();
  a.certificates_issued = static_cast<int64_t>(certificates->size());
  for (size_t i = 0; i < certificates->size(); ++i) {
    try {
      Poco::JSON::Parser parser;
      auto refs = parser.parse(certificates->Text(i, 0)).extract<Poco::JSON::Array::Ptr>();
      a.records_certified += static_cast<int64_t>(refs->size());
    } catch (const std::exception&) {
      return Status::Corruption("a certificate's list of records is not a JSON array");
    }
  }
  // 销毁 and 移交 of the year, by their events (a destruction logs one per record, with the
  // tombstone's time, in the same transaction).
  auto moved = Read(catalogue,
                    "SELECT count(DISTINCT CASE WHEN action = 'destroy' THEN reference END),"
                    " count(DISTINCT CASE WHEN action = 'transfer' THEN reference END)"
                    " FROM events WHERE action IN ('destroy', 'transfer') AND at >= $1"
                    " AND at < $2",
                    {start, end});
  if (!moved.ok()) return moved.status();
  if (!moved->empty()) {
    a.destroyed_records = moved->Int(0, 0);
    a.transferred_records = moved->Int(0, 1);
  }
  // 利用人次: each inquiry request served in the year is one person-time.
  auto served = Read(catalogue,
                     "SELECT count(*) FROM inquiries WHERE state = 'approved' AND"
                     " decided_at >= $1 AND decided_at < $2",
                     {start, end});
  if (!served.ok()) return served.status();
  if (!served->empty()) a.persons_served = served->Int(0, 0);
  return a;
}

std::string AnnualStatisticsToJson(const AnnualStatistics& a) {
  using Poco::JSON::Array;
  using Poco::JSON::Object;
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("year", a.year);
  o->set("fonds", a.fonds);
  o->set("holdings", TallyJson(a.holdings));
  o->set("holdings_volumes", a.holdings_volumes);
  o->set("intake", TallyJson(a.intake));
  Array::Ptr ret = new Array;
  for (const auto& r : a.intake_by_retention) {
    Object::Ptr x = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    x->set("retention", r.key);
    x->set("name", r.label);
    x->set("records", r.tally.records);
    x->set("pages", r.tally.pages);
    x->set("bytes", r.tally.bytes);
    ret->add(x);
  }
  o->set("intake_by_retention", ret);
  Array::Ptr cls = new Array;
  for (const auto& c : a.by_class) {
    Object::Ptr x = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    x->set("class", c.class_code);
    x->set("name", c.name);
    x->set("holdings", c.holdings);
    x->set("intake", c.intake);
    cls->add(x);
  }
  o->set("by_class", cls);
  o->set("certificates_issued", a.certificates_issued);
  o->set("records_certified", a.records_certified);
  o->set("transferred_records", a.transferred_records);
  o->set("destroyed_records", a.destroyed_records);
  o->set("persons_served", a.persons_served);
  std::ostringstream out;
  o->stringify(out);
  return out.str();
}

}  // namespace dangan
