#include "retrieval/csv_export.h"

namespace dangan {

std::string CsvField(std::string_view value, bool guard_formula) {
  std::string v(value);
  if (guard_formula && !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@'))
    v.insert(v.begin(), '\'');
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvLine(const std::vector<std::string>& fields, bool guard_formula) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) line += ',';
    line += CsvField(fields[i], guard_formula);
  }
  return line + "\r\n";
}

std::string CsvHeader() {
  return std::string(kUtf8Bom) +
         CsvLine({"档号", "题名", "年度", "类别", "业务环节", "保管期限", "日期"});
}

std::string CsvRow(const SearchHit& h, const ClassificationScheme* scheme) {
  std::string cls = h.class_code, item = h.item, retention = h.retention;
  if (scheme) {
    if (const SchemeClass* c = scheme->FindClass(h.class_code)) cls += " " + c->name;
    if (const BusinessItem* i = scheme->FindItem(h.item)) item += " " + i->name;
    if (const RetentionCode* r = scheme->FindRetention(h.retention)) retention = r->name;
  }
  return CsvLine({h.reference, h.title, h.year ? std::to_string(h.year) : "", cls, item, retention,
                  h.formed_on});
}

std::string SearchHitsToCsv(const std::vector<SearchHit>& hits,
                            const ClassificationScheme* scheme) {
  std::string out = CsvHeader();
  for (const auto& h : hits) out += CsvRow(h, scheme);
  return out;
}

std::string RecordsToCsv(const std::vector<Record>& records, const ClassificationScheme* scheme) {
  std::string out = CsvHeader();
  for (const auto& r : records) {
    SearchHit h;
    h.reference = r.reference;
    h.title = r.title;
    h.year = r.parts.year;
    h.class_code = r.parts.class_code;
    h.item = r.parts.item;
    h.retention = r.parts.retention;
    h.formed_on = r.formed_on;
    out += CsvRow(h, scheme);
  }
  return out;
}

Result<int64_t> ExportSearchCsv(RecordCatalogue& catalogue, const SearchSpec& spec_in,
                                const ClassificationScheme* scheme, std::ostream& out,
                                int64_t max_rows, bool* truncated) {
  constexpr int kPage = 1000;
  SearchSpec spec = spec_in;
  spec.limit = kPage;
  spec.offset = 0;
  spec.facets = false;
  if (truncated) *truncated = false;
  out << CsvHeader();
  int64_t written = 0;
  while (true) {
    auto page = catalogue.Search(spec);
    if (!page.ok()) return page.status();
    for (const auto& h : page->hits) {
      if (written == max_rows) {
        if (truncated) *truncated = true;
        return written;
      }
      out << CsvRow(h, scheme);
      ++written;
    }
    if (!out) return Status::IOError("writing CSV failed");
    if (static_cast<int>(page->hits.size()) < kPage) break;
    spec.offset += kPage;
  }
  return written;
}

Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text) {
  if (text.substr(0, 3) == kUtf8Bom) text.remove_prefix(3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  int line = 1;
  bool row_started = false;
  while (i < text.size()) {
    char c = text[i];
    row_started = true;
    if (c == '"' && field.empty()) {
      // A quoted field: up to the closing quote, "" standing for one quote.
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i++];
      }
      if (!closed)
        return Status::InvalidArgument("CSV: a quoted field is not closed",
                                       {{"line " + std::to_string(line), "missing closing quote"}});
      if (i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '\n')
        return Status::InvalidArgument("CSV: text after a closing quote",
                                       {{"line " + std::to_string(line), "unexpected character"}});
      continue;
    }
    if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      ++i;
    } else if (c == '\r' || c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      row_started = false;
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
      ++line;
    } else {
      field += c;
      ++i;
    }
  }
  if (row_started) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace dangan
