// ReferenceTemplate: the 档号 rule (DA/T 22-2015, DA/T 13-2022) as configurable data, e.g.
// "{fonds}-{category}·{year}-{retention}-{item}-{seq:4}" → J012-SB·2026-D100-0102-0007.
// Immutable after Parse(); safe to share across threads.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "archive/status.h"

namespace dangan {

// The parts a 档号 is made of. `seq` is the 件号, numbered per series from 1 without gaps.
struct ReferenceParts {
  std::string fonds;      // 全宗号, 4 characters
  std::string category;   // 门类代码, e.g. "SB"
  int year = 0;           // 年度
  std::string retention;  // 保管期限 code
  std::string item;       // 机构(问题)代码: here the business item code
  std::string class_code;
  int seq = 0;  // 件号
};

class ReferenceTemplate {
 public:
  static constexpr const char* kDefault = "{fonds}-{category}·{year}-{retention}-{item}-{seq:4}";

  // Placeholders: {fonds} {category} {year} {retention} {item} {class} {seq:N}. {year},
  // {retention} and {seq:N} are required so that every series is one year and one period.
  static Result<ReferenceTemplate> Parse(const std::string& pattern);

  std::string Format(const ReferenceParts& parts) const;
  // The series a record is numbered in: the reference with the 件号 left out.
  std::string SeriesKey(const ReferenceParts& parts) const;
  // True if `text` has this template's shape (used to tell a 档号 from a search query).
  bool Matches(const std::string& text) const;
  const std::string& pattern() const { return pattern_; }
  int seq_width() const { return seq_width_; }

 private:
  struct Piece {
    std::string literal;  // when name is empty
    std::string name;
  };
  std::string Render(const ReferenceParts& parts, bool with_seq) const;
  std::string pattern_;
  std::vector<Piece> pieces_;
  std::regex shape_;  // a whole 档号, built by Parse()
  int seq_width_ = 4;
};

// 全宗号: four characters of letters and digits (DA/T 13).
Status ValidateFonds(const std::string& fonds);

}  // namespace dangan
