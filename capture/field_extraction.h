// Field extraction: finds the key fields of a social-insurance document (公民身份号码,
// 统一社会信用代码, 社会保障卡号, name, unit, dates, amounts, serial number) in OCR text.
// Identifiers are accepted only when their check character holds; a single OCR confusion is
// repaired only if the repaired value then validates, and an OCR insertion (one extra character,
// or a doubled pair) only in an ID label's context and when exactly one reading validates (see
// FindInsertedIdNumbers). Pure functions over caller-owned text;
// results own their strings; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dangan::capture {

// A repair made to an identifier, for evidence ("O→0 at 7").
struct IdentifierRepair {
  std::string original;  // as it appeared in the text
  std::string repaired;
  std::string what;  // "O→0 at 7", "insertion: removed '0' at 14", "doubled pair: …"
};

struct ExtractedFields {
  std::vector<std::string> id_numbers;             // distinct, valid, in order of appearance
  std::vector<std::string> credit_codes;           // distinct, valid (GB 32100), upper case
  std::vector<std::string> social_security_cards;  // values beside a 社会保障卡号 label
  std::string name;  // the person beside 姓名 (first one), empty if none
  std::string unit;  // beside 单位名称 / 用人单位 / 参保单位, empty if none
  std::vector<std::string> dates;    // every date found, ISO YYYY-MM-DD, in order of appearance
  std::string date;                  // the document's business date, ISO; empty if none
  std::string period;                // a 所属期 / YYYYMM period as YYYY-MM, empty if none
  std::vector<int64_t> amounts_fen;  // every amount written with 元 or beside 金额, in fen
  std::optional<int64_t> principal_fen;  // the amount beside 合计/总额/金额 labels, else the first
  std::string serial;                    // 业务流水号 / 编号 value
  std::vector<IdentifierRepair> repairs;
};

// `today_yyyymmdd` bounds birth dates in ID numbers (empty: the system date).
ExtractedFields ExtractFields(std::string_view text, std::string_view today_yyyymmdd = {});

}  // namespace dangan::capture
