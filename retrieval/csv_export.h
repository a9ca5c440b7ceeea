// CSV export of search results and record lists: RFC 4180 (comma-separated, CRLF line ends,
// fields with commas, quotes, CR or LF in double quotes with quotes doubled), UTF-8 with a byte
// order mark so that Excel opens Chinese text correctly (without the BOM Excel assumes the local
// ANSI code page, e.g. GBK, and shows mojibake). Columns: 档号, 题名, 年度, 类别, 业务环节,
// 保管期限, 日期. Pure functions apart from ExportSearchCsv's catalogue reads; thread-safe.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "archive/record.h"
#include "archive/scheme.h"
#include "archive/status.h"
#include "storage/catalogue.h"

namespace dangan {

inline constexpr const char* kUtf8Bom = "\xEF\xBB\xBF";

// One field, quoted when RFC 4180 needs it. With `guard_formula`, a field that starts with = + -
// or @ gets a leading apostrophe so spreadsheets show it as text instead of running it as a
// formula (CSV injection); 档号 and dates never start with those characters.
std::string CsvField(std::string_view value, bool guard_formula = true);
// One line: fields joined by commas, ended by CRLF.
std::string CsvLine(const std::vector<std::string>& fields, bool guard_formula = true);

// The heading line (BOM first) and a line per hit. With a scheme, 类别 and 业务环节 are written
// "code name" (01 社会保险管理类) and 保管期限 as its name (100年); without one, as codes.
std::string CsvHeader();
std::string CsvRow(const SearchHit& hit, const ClassificationScheme* scheme);
// A whole document: header plus rows.
std::string SearchHitsToCsv(const std::vector<SearchHit>& hits, const ClassificationScheme* scheme);

// The same for full records (e.g. a list the caller assembled).
std::string RecordsToCsv(const std::vector<Record>& records, const ClassificationScheme* scheme);

// Writes every match of `spec` (its offset and limit are ignored; pages of 1000 are read until
// the matches end or `max_rows` are written) to `out`. Returns the number of rows written;
// `truncated` is set when more matches exist than `max_rows`.
Result<int64_t> ExportSearchCsv(RecordCatalogue& catalogue, const SearchSpec& spec,
                                const ClassificationScheme* scheme, std::ostream& out,
                                int64_t max_rows = 100000, bool* truncated = nullptr);

// Parses RFC 4180 text (a leading BOM is skipped; CRLF or LF line ends) into rows of fields.
// InvalidArgument for a quote that is never closed or text after a closing quote.
Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text);

}  // namespace dangan
