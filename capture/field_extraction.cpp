#include "capture/field_extraction.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "archive/identifiers.h"
#include "archive/text.h"

namespace dangan::capture {
namespace {

// ---- normalisation -----------------------------------------------------------------------------
// Full-width digits, letters and punctuation become ASCII and U+3000 a space, so one set of
// ASCII patterns serves every print style. Han characters pass through unchanged.
std::string FoldWidth(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0xEF && i + 2 < text.size()) {
      unsigned cp = ((c & 0x0F) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3F) << 6) |
                    (static_cast<unsigned char>(text[i + 2]) & 0x3F);
      if (cp >= 0xFF01 && cp <= 0xFF5E) {
        out.push_back(static_cast<char>(cp - 0xFF01 + 0x21));
        i += 3;
        continue;
      }
    }
    if (c == 0xE3 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        static_cast<unsigned char>(text[i + 2]) == 0x80) {  // U+3000
      out.push_back(' ');
      i += 3;
      continue;
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// Characters OCR confuses with digits, and the digit meant. One digit per character, so a repair
// is never a guess between two digits.
char ConfusedDigit(char c) {
  switch (c) {
    case 'O':
    case 'o':
    case 'D':
    case 'Q':
      return '0';
    case 'l':
    case 'I':
    case 'i':
      return '1';
    case 'Z':
    case 'z':
      return '2';
    case 'S':
    case 's':
      return '5';
    case 'G':
    case 'b':
      return '6';
    case 'B':
      return '8';
    default:
      return 0;
  }
}

bool IsIdChar(char c) { return (c >= '0' && c <= '9') || c == 'X' || c == 'x' || ConfusedDigit(c); }

// True when the text just before `pos` (same line) ends with a label of a non-personal number, so
// an 18-digit 编号 that happens to pass the check is not taken for an ID.
bool AfterSerialLabel(const std::string& s, size_t pos) {
  size_t line_start = s.rfind('\n', pos == 0 ? 0 : pos - 1);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  std::string before = s.substr(line_start, pos - line_start);
  // Separators OCR leaves between a label and its value: spaces, colons, table rules, quotes.
  while (!before.empty()) {
    char last = before.back();
    if (last == ' ' || last == ':' || last == '|' || last == '"' || last == '\'') {
      before.pop_back();
    } else if (before.size() >= 3 && (before.compare(before.size() - 3, 3, "\u201C") == 0 ||
                                      before.compare(before.size() - 3, 3, "\u201D") == 0)) {
      before.resize(before.size() - 3);
    } else {
      break;
    }
  }
  auto ends_with = [&before](const std::string& l) {
    return before.size() >= l.size() && before.compare(before.size() - l.size(), l.size(), l) == 0;
  };
  if (ends_with("身份证号") || ends_with("证件号")) return false;
  for (const char* label : {"编号", "流水号", "单号", "档号", "文号", "账号", "卡号", "凭证号",
                            "序列号", "批次号", "表号", "证号", "许可证号", "项目代码"}) {
    if (ends_with(label)) return true;
  }
  return false;
}

struct Candidate {
  std::string raw;    // as in the text (spaces included)
  std::string chars;  // without spaces
  size_t pos = 0;
  int spaces = 0;
};

// Runs of identifier-like characters, allowing single spaces inside (OCR splits long numbers).
// Each run yields its space-separated segments and every pair of neighbouring segments joined.
std::vector<Candidate> Candidates(const std::string& s, size_t length, bool (*is_char)(char)) {
  std::vector<Candidate> out;
  size_t i = 0;
  while (i < s.size()) {
    if (!is_char(s[i]) || (i > 0 && IsAsciiAlnum(s[i - 1]))) {
      ++i;
      continue;
    }
    std::vector<std::pair<size_t, size_t>> segments;  // [begin, end)
    size_t j = i;
    while (true) {
      size_t b = j;
      while (j < s.size() && is_char(s[j])) ++j;
      segments.push_back({b, j});
      if (j + 1 < s.size() && s[j] == ' ' && is_char(s[j + 1])) {
        ++j;
        continue;
      }
      break;
    }
    bool glued_right = j < s.size() && IsAsciiAlnum(s[j]);
    for (size_t k = 0; k < segments.size(); ++k) {
      auto [b, e] = segments[k];
      bool right_ok = k + 1 < segments.size() || !glued_right;
      if (right_ok && e - b == length)
        out.push_back({s.substr(b, e - b), s.substr(b, e - b), b, 0});
      if (k + 1 < segments.size()) {
        auto [b2, e2] = segments[k + 1];
        bool right2 = k + 2 < segments.size() || !glued_right;
        if (right2 && (e - b) + (e2 - b2) == length)
          out.push_back({s.substr(b, e2 - b), s.substr(b, e - b) + s.substr(b2, e2 - b2), b, 1});
      }
    }
    i = j;
  }
  return out;
}

// ---- identifiers -------------------------------------------------------------------------------

// A candidate with every character its code does not allow at that place replaced by the digit
// OCR confuses it with. `changes` counts replacements (plus spurious spaces), 99 when a character
// has no digit twin; `what` names the last replacement.
struct DigitRepair {
  std::string fixed;
  int changes = 0;
  std::string what;
};

template <typename Allowed>
DigitRepair RepairConfusedDigits(std::string chars, int spaces, Allowed allowed) {
  DigitRepair r{std::move(chars), spaces, ""};
  for (size_t k = 0; k < r.fixed.size(); ++k) {
    char ch = r.fixed[k];
    if (allowed(k, ch)) continue;
    char d = ConfusedDigit(ch);
    if (!d) {
      r.changes = 99;
      break;
    }
    r.fixed[k] = d;
    ++r.changes;
    r.what = std::string(1, ch) + "→" + d + " at " + std::to_string(k + 1);
  }
  return r;
}

// Byte positions of the ID numbers accepted by the strict pass, so the insertion pass can tell a
// table row that already has its ID from one that does not.
void FindIdNumbers(const std::string& s, std::string_view today, ExtractedFields* out,
                   std::vector<std::pair<size_t, std::string>>* accepted_at) {
  std::set<std::string> seen(out->id_numbers.begin(), out->id_numbers.end());
  for (const Candidate& c : Candidates(s, 18, &IsIdChar)) {
    if (AfterSerialLabel(s, c.pos)) continue;
    std::string chars = c.chars;
    if (chars[17] == 'x') chars[17] = 'X';
    auto [fixed, repairs, what] = RepairConfusedDigits(
        std::move(chars), c.spaces,
        [](size_t k, char ch) { return (ch >= '0' && ch <= '9') || (k == 17 && ch == 'X'); });
    // One confusion at most: with two, the check character no longer protects against a wrong
    // reading (two changes can cancel out in MOD 11-2).
    if (repairs > 1) continue;
    auto parsed = ParseIdNumber(fixed, today);
    if (!parsed.ok()) continue;
    accepted_at->push_back({c.pos, parsed->normalized});
    if (!seen.insert(parsed->normalized).second) continue;
    out->id_numbers.push_back(parsed->normalized);
    if (repairs == 1)
      out->repairs.push_back({c.raw, parsed->normalized, c.spaces ? "spurious space" : what});
  }
}

// ---- OCR insertions ----------------------------------------------------------------------------
// Tesseract sometimes inserts a character into a long number (a stray '0', a table rule read as
// 'l') or doubles a digit pair ("5959" for "59"). Deleting characters is far less constrained than
// replacing one (a 19-character run has 19 readings, and MOD 11-2 passes 1 in 11 at random), so
// the check digit alone is not enough: the repair needs exactly one valid reading AND a context
// that says "ID number here" and nothing that says "bank account here".

struct Line {
  size_t begin;
  size_t end;  // exclusive, at the '\n' or the end of the text
};

Line LineAt(const std::string& s, size_t pos) {
  size_t b = pos == 0 ? std::string::npos : s.rfind('\n', pos - 1);
  b = b == std::string::npos ? 0 : b + 1;
  size_t e = s.find('\n', pos);
  return {b, e == std::string::npos ? s.size() : e};
}

bool ContainsAny(std::string_view text, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words)
    if (text.find(w) != std::string_view::npos) return true;
  return false;
}

bool HasIdLabel(std::string_view text) {
  return ContainsAny(text, {"公民身份号码", "身份证号码", "身份证号", "证件号码", "身份号码"});
}

// Bank and card accounts are 16-19 digits, the very length an ID with one insertion has.
bool HasAccountLabel(std::string_view text) {
  return ContainsAny(text, {"银行", "账号", "卡号", "社会保障卡号", "银行卡"});
}

// True when the context vouches for an ID number at [pos, end): an ID label earlier on the same
// line, or on one of the 3 previous non-blank lines not counting rows that hold a valid ID (a
// table header above its rows); no account
// label on the run's line or any line up to the label (that column could be the account); and,
// for a table row, no valid ID already on the row (the run is then another column).
bool IdContext(const std::string& s, size_t pos,
               const std::vector<std::pair<size_t, std::string>>& accepted_at) {
  Line row = LineAt(s, pos);
  std::string_view sv(s);
  if (HasAccountLabel(sv.substr(row.begin, row.end - row.begin))) return false;
  if (HasIdLabel(sv.substr(row.begin, pos - row.begin))) return true;
  for (const auto& [at, id] : accepted_at)
    if (at >= row.begin && at < row.end) return false;
  Line line = row;
  for (int seen = 0, walked = 0; seen < 3 && line.begin > 0 && walked < 200; ++walked) {
    line = LineAt(s, line.begin - 1);
    std::string_view text = sv.substr(line.begin, line.end - line.begin);
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) continue;  // blank
    // Rows above that already hold a valid ID are rows of the same table: the header may be
    // many rows up.
    bool id_row = false;
    for (const auto& [at, id] : accepted_at) id_row = id_row || (at >= line.begin && at < line.end);
    if (!id_row) ++seen;
    if (HasAccountLabel(text)) return false;
    if (HasIdLabel(text)) return true;
  }
  return false;
}

// An 18-character reading is an ID candidate only if it is digits with an optional final X.
std::optional<std::string> AsIdDigits(std::string v) {
  for (size_t k = 0; k < v.size(); ++k) {
    if (v[k] >= '0' && v[k] <= '9') continue;
    if (k == 17 && (v[k] == 'X' || v[k] == 'x')) {
      v[k] = 'X';
      continue;
    }
    return std::nullopt;
  }
  return v;
}

// Repairs 19-character runs (one inserted character) and 20-character runs with a doubled
// adjacent pair, when exactly one reading validates and the context is an ID number's.
void FindInsertedIdNumbers(const std::string& s, std::string_view today,
                           const std::vector<std::pair<size_t, std::string>>& accepted_at,
                           const std::set<std::string>& document_dates, ExtractedFields* out) {
  std::vector<std::pair<size_t, std::string>> found = accepted_at;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0;
  while (i < s.size()) {
    if (!IsIdChar(s[i]) || (i > 0 && IsAsciiAlnum(s[i - 1]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && IsIdChar(s[j])) ++j;
    size_t b = i, n = j - i;
    i = j;
    if (n != 19 && n != 20) continue;
    if (j < s.size() && IsAsciiAlnum(s[j])) continue;  // glued to more text
    // Part of a longer number printed in groups ("6222 0212 ..."): a bare group of 4 or more
    // digits beside it, ending in a space, a table rule or the line's end. A row number ("3 3701")
    // is shorter; a date or amount column ("2011年", "1962-07-26", "35.00") ends otherwise.
    auto bare_end = [&s](size_t k) {
      return k >= s.size() || s[k] == ' ' || s[k] == '\n' || s[k] == '|' || s[k] == '\t';
    };
    size_t left = 0, right = 0;
    if (b >= 2 && s[b - 1] == ' ')
      while (left < b - 1 && is_digit(s[b - 2 - left])) ++left;
    if (j + 1 < s.size() && s[j] == ' ')
      while (j + 1 + right < s.size() && is_digit(s[j + 1 + right])) ++right;
    bool left_group = left >= 4 && (left == b - 1 || bare_end(b - 2 - left));
    bool right_group = right >= 4 && bare_end(j + 1 + right);
    if (left_group || right_group) continue;
    if (AfterSerialLabel(s, b)) continue;
    std::string run = s.substr(b, n);
    std::map<std::string, std::string> valid;  // reading → what was removed
    if (n == 19) {
      // Only characters OCR is known to insert: a digit read twice, or a thin stroke (a table
      // rule, a speck) read as 0/1/l/I. Any deletion at all would let a second OCR error through
      // to a check-digit-valid but wrong ID about twice as often.
      auto insertable = [&run](size_t k) {
        char c = run[k];
        if ((k > 0 && run[k - 1] == c) || (k + 1 < run.size() && run[k + 1] == c)) return true;
        return c == '0' || c == '1' || c == 'l' || c == 'I' || c == '|' || c == ']';
      };
      for (size_t k = 0; k < n; ++k) {
        if (!insertable(k)) continue;
        auto v = AsIdDigits(run.substr(0, k) + run.substr(k + 1));
        if (v && ParseIdNumber(*v, today).ok())
          valid.emplace(
              *v, "insertion: removed '" + run.substr(k, 1) + "' at " + std::to_string(k + 1));
      }
    } else {
      for (size_t k = 0; k + 4 <= n; ++k) {
        if (run.compare(k, 2, run, k + 2, 2) != 0) continue;
        auto v = AsIdDigits(run.substr(0, k) + run.substr(k + 2));
        if (v && ParseIdNumber(*v, today).ok())
          valid.emplace(
              *v, "doubled pair: removed '" + run.substr(k, 2) + "' at " + std::to_string(k + 1));
      }
    }
    // Two valid readings mean the check digit cannot tell them apart: guessing would put a wrong
    // ID in the archive half the time. Only independent evidence breaks the tie: exactly one
    // reading's birth date written out elsewhere in the document (a 出生日期 column or field);
    // a wrong reading's date matches one of a handful of dates by chance about once in 10^4.
    if (valid.size() > 1) {
      std::map<std::string, std::string> corroborated;
      for (const auto& [id, what] : valid)
        if (document_dates.count(ParseIdNumber(id, today)->birth_date))
          corroborated.emplace(id, what + ", birth date in the text");
      valid = std::move(corroborated);
    }
    if (valid.size() != 1) continue;
    if (!IdContext(s, b, accepted_at)) continue;
    const auto& [id, what] = *valid.begin();
    bool known = false;
    for (const auto& f : found) known = known || f.second == id;
    found.push_back({b, id});
    if (!known) out->repairs.push_back({run, id, what});
  }
  // id_numbers stays in order of first appearance, repaired ones included.
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::set<std::string> seen;
  out->id_numbers.clear();
  for (const auto& f : found)
    if (seen.insert(f.second).second) out->id_numbers.push_back(f.second);
}

bool IsCreditRunChar(char c) { return IsAsciiAlnum(c); }

void FindCreditCodes(const std::string& s, ExtractedFields* out) {
  static const std::string kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  std::set<std::string> seen;
  for (const Candidate& c : Candidates(s, 18, &IsCreditRunChar)) {
    if (AfterSerialLabel(s, c.pos)) continue;
    std::string fixed = c.chars;
    for (char& ch : fixed)
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (std::count_if(fixed.begin(), fixed.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) <
        6)
      continue;  // a word, not a code
    auto [code, repairs,
          what] = RepairConfusedDigits(std::move(fixed), c.spaces, [](size_t k, char ch) {
      bool digit_only = k >= 2 && k < 8;  // the region code
      return (ch >= '0' && ch <= '9') || (!digit_only && kAlphabet.find(ch) != std::string::npos);
    });
    if (repairs > 1 || !IsValidCreditCode(code)) continue;
    if (std::find(out->id_numbers.begin(), out->id_numbers.end(), code) != out->id_numbers.end())
      continue;
    if (!seen.insert(code).second) continue;
    out->credit_codes.push_back(code);
    if (repairs == 1) out->repairs.push_back({c.raw, code, c.spaces ? "spurious space" : what});
  }
}

// ---- labelled values ---------------------------------------------------------------------------

// The text after `label` at `pos`, skipping separators (colon, spaces, table rules), to the end of
// the line.
std::string AfterLabel(const std::string& s, size_t pos, size_t label_size) {
  size_t b = pos + label_size;
  while (b < s.size() && (s[b] == ' ' || s[b] == ':' || s[b] == '|' || s[b] == '\t')) ++b;
  size_t e = s.find('\n', b);
  return s.substr(b, e == std::string::npos ? std::string::npos : e - b);
}

size_t Utf8Chars(const std::string& s) { return Utf8Length(s); }

bool StartsWithHan(const std::string& s) {
  return !s.empty() && static_cast<unsigned char>(s[0]) >= 0xE4 &&
         static_cast<unsigned char>(s[0]) <= 0xE9;
}

// Cuts `value` at the first space, table rule or following label.
std::string CutValue(std::string value, const std::vector<std::string>& stops) {
  size_t cut = value.find_first_of(" |\t(");
  if (cut != std::string::npos) value.resize(cut);
  for (const auto& stop : stops) {
    size_t at = value.find(stop);
    if (at != std::string::npos && at > 0) value.resize(at);
  }
  return value;
}

bool AllHan(const std::string& s) {
  for (size_t i = 0; i < s.size(); i += 3) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0xE3 || c > 0xE9 || i + 3 > s.size()) return false;
  }
  return !s.empty();
}

std::string FindName(const std::string& s) {
  static const std::vector<std::string> kStops = {
      "性别", "公民", "身份", "证件",     "出生", "民族", "联系", "电话", "单位",
      "工作", "户籍", "年龄", "社会保障", "与",   "国籍", "参保", "手机"};
  static const std::vector<std::string> kNotNames = {"公民", "性别", "身份", "证件", "签字",
                                                     "签名", "盖章", "填写", "本人", "经办",
                                                     "姓名", "身份", "承诺", "意见"};
  std::vector<std::pair<size_t, size_t>> labels;  // (position, byte length)
  for (const char* label : {"姓名", "查阅人", "申请人", "申领人"}) {
    std::string l(label);
    for (size_t pos = s.find(l); pos != std::string::npos; pos = s.find(l, pos + 1))
      labels.push_back({pos, l.size()});
  }
  std::sort(labels.begin(), labels.end());
  for (const auto& [pos, size] : labels) {
    std::string value = CutValue(AfterLabel(s, pos, size), kStops);
    if (!AllHan(value)) continue;
    size_t n = Utf8Chars(value);
    if (n < 2 || n > 4) continue;
    bool label = false;
    for (const auto& w : kNotNames) label = label || value.rfind(w, 0) == 0;
    if (!label) return value;
  }
  return "";
}

bool LooksLikeOrganisation(const std::string& v) {
  static const std::vector<std::string> kSuffixes = {
      "公司", "中心", "医院", "学校", "中学",   "小学",   "大学", "学院", "幼儿园",
      "局",   "厂",   "店",   "所",   "院",     "会",     "社",   "站",   "行",
      "处",   "部",   "馆",   "集团", "委员会", "办事处", "队"};
  for (const auto& suffix : kSuffixes)
    if (v.size() > suffix.size() && v.compare(v.size() - suffix.size(), suffix.size(), suffix) == 0)
      return true;
  return false;
}

// The unit: the first labelled value that reads as an organisation's name; failing that, the
// first labelled value at all; failing that, the addressee of a notice ("某某有限公司：").
std::string FindUnit(const std::string& s) {
  static const std::vector<std::string> kLabels = {
      "用人单位名称", "参保单位名称", "单位名称", "施工总承包单位", "用人单位", "参保单位",
      "缴费单位",     "被稽核单位",   "工作单位", "所在单位",       "单位全称"};
  static const std::vector<std::string> kStops = {"统一社会信用代码",
                                                  "信用代码",
                                                  "联系人",
                                                  "联系电话",
                                                  "所属期",
                                                  "地址",
                                                  "法定代表人",
                                                  "单位类型",
                                                  "组织机构代码",
                                                  "经办人",
                                                  "电话",
                                                  "社会保险登记证",
                                                  "签收"};
  std::vector<std::pair<size_t, std::string>> found;  // (position, value)
  for (const auto& label : kLabels) {
    for (size_t pos = s.find(label); pos != std::string::npos; pos = s.find(label, pos + 1)) {
      std::string value = CutValue(AfterLabel(s, pos, label.size()), kStops);
      if (!StartsWithHan(value) || Utf8Chars(value) < 4) continue;
      if (value.rfind("盖章", 0) == 0 || value.rfind("名称", 0) == 0 ||
          value.rfind("意见", 0) == 0 || value.rfind("承诺", 0) == 0 || value.rfind("签收", 0) == 0)
        continue;
      found.push_back({pos, value});
    }
  }
  std::sort(found.begin(), found.end());
  for (const auto& f : found)
    if (LooksLikeOrganisation(f.second)) return f.second;
  static const std::regex kAddressee("(?:^|\\n)([^\\n :]{12,90}):\\n");
  std::smatch m;
  if (std::regex_search(s, m, kAddressee) && LooksLikeOrganisation(m[1].str()) &&
      StartsWithHan(m[1].str()))
    return m[1].str();
  return found.empty() ? "" : found.front().second;
}

std::string FindLabelledToken(const std::string& s, const std::vector<std::string>& labels,
                              size_t min_length) {
  for (const auto& label : labels) {
    for (size_t pos = s.find(label); pos != std::string::npos; pos = s.find(label, pos + 1)) {
      std::string value = AfterLabel(s, pos, label.size());
      size_t e = 0;
      while (e < value.size() && (IsAsciiAlnum(value[e]) || value[e] == '-')) ++e;
      if (e >= min_length) return value.substr(0, e);
    }
  }
  return "";
}

// ---- dates and amounts -------------------------------------------------------------------------

struct FoundDate {
  std::string iso;
  size_t pos;
};

std::string Pad2(const std::string& v) { return v.size() == 1 ? "0" + v : v; }

std::vector<FoundDate> FindDates(const std::string& s) {
  static const std::regex kDate(
      "([12][0-9]{3}) ?(?:年 ?([01]?[0-9]) ?月 ?([0-3]?[0-9]) ?日|([-./])([01]?[0-9])\\4([0-3]?[0-"
      "9])(?![0-9]))");
  std::vector<FoundDate> out;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), kDate); it != std::sregex_iterator();
       ++it) {
    const auto& m = *it;
    if (m.position(0) > 0 && std::isdigit(static_cast<unsigned char>(s[m.position(0) - 1])))
      continue;
    std::string month = m[2].matched ? m[2].str() : m[5].str();
    std::string day = m[2].matched ? m[3].str() : m[6].str();
    std::string iso = m[1].str() + "-" + Pad2(month) + "-" + Pad2(day);
    if (IsIsoDate(iso)) out.push_back({iso, static_cast<size_t>(m.position(0))});
  }
  return out;
}

// The document's own date: a labelled business date if there is one; else the date by the
// signatures and seals (the applicant's and the agency's dates are usually the same day, so the
// most frequent wins, the later on a tie); else the latest date in the text.
std::string BusinessDate(const std::string& s, const std::vector<FoundDate>& dates) {
  static const std::vector<std::string> kLabels = {"业务日期", "申请日期", "填报日期", "申报日期",
                                                   "填表日期", "办理日期", "受理日期", "经办日期",
                                                   "申领日期", "审核日期", "报送日期"};
  for (const auto& label : kLabels) {
    size_t pos = s.find(label);
    if (pos == std::string::npos) continue;
    for (const auto& d : dates)
      if (d.pos > pos && d.pos - pos <= label.size() + 8) return d.iso;
  }
  static const std::vector<std::string> kSignature = {"盖章", "签字",   "签名", "签章",
                                                      "(章)", "经办人", "日期"};
  std::map<std::string, int> votes;
  for (const auto& d : dates) {
    size_t line_start = s.rfind('\n', d.pos);
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    size_t prev_start = line_start >= 2 ? s.rfind('\n', line_start - 2) : std::string::npos;
    prev_start = prev_start == std::string::npos ? 0 : prev_start + 1;
    std::string context = s.substr(prev_start, d.pos - prev_start);
    for (const auto& w : kSignature) {
      if (context.find(w) != std::string::npos) {
        ++votes[d.iso];
        break;
      }
    }
  }
  std::string best;
  int best_votes = 0;
  for (const auto& [iso, n] : votes)
    if (n > best_votes || (n == best_votes && iso > best)) best = iso, best_votes = n;
  if (!best.empty()) return best;
  for (const auto& d : dates) best = std::max(best, d.iso);
  return best;
}

std::optional<int64_t> ToFen(const std::string& number) {
  int64_t yuan = 0, fen = 0;
  size_t i = 0;
  bool any = false;
  for (; i < number.size() && number[i] != '.'; ++i) {
    if (number[i] == ',') continue;
    if (!std::isdigit(static_cast<unsigned char>(number[i]))) return std::nullopt;
    if (yuan > 100000000000LL) return std::nullopt;
    yuan = yuan * 10 + (number[i] - '0');
    any = true;
  }
  if (!any) return std::nullopt;
  if (i < number.size()) {
    std::string frac = number.substr(i + 1);
    if (frac.size() > 2) return std::nullopt;
    while (frac.size() < 2) frac.push_back('0');
    fen = (frac[0] - '0') * 10 + (frac[1] - '0');
  }
  return yuan * 100 + fen;
}

}  // namespace

ExtractedFields ExtractFields(std::string_view text, std::string_view today_yyyymmdd) {
  ExtractedFields out;
  std::string s = FoldWidth(text);

  std::vector<std::pair<size_t, std::string>> id_positions;
  FindIdNumbers(s, today_yyyymmdd, &out, &id_positions);
  auto dates = FindDates(s);
  std::set<std::string> date_set;
  for (const auto& d : dates) date_set.insert(d.iso);
  FindInsertedIdNumbers(s, today_yyyymmdd, id_positions, date_set, &out);
  FindCreditCodes(s, &out);

  // 社会保障卡号: the card number beside its label (a letter and digits, or the ID number).
  static const std::vector<std::string> kCardLabels = {"社会保障卡号", "社保卡号",
                                                       "社会保障卡卡号"};
  std::set<std::string> cards;
  for (const auto& label : kCardLabels) {
    for (size_t pos = s.find(label); pos != std::string::npos; pos = s.find(label, pos + 1)) {
      std::string value = AfterLabel(s, pos, label.size());
      size_t e = 0;
      while (e < value.size() && IsAsciiAlnum(value[e])) ++e;
      std::string card = value.substr(0, e);
      for (char& ch : card)
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
      if (card.size() >= 8 && card.size() <= 20 &&
          std::count_if(card.begin(), card.end(), [](char c) { return c >= '0' && c <= '9'; }) >=
              6 &&
          cards.insert(card).second)
        out.social_security_cards.push_back(card);
    }
  }

  out.name = FindName(s);
  out.unit = FindUnit(s);

  for (const auto& d : dates)
    if (std::find(out.dates.begin(), out.dates.end(), d.iso) == out.dates.end())
      out.dates.push_back(d.iso);
  out.date = BusinessDate(s, dates);

  static const std::regex kPeriod("所属期[: ]*([12][0-9]{3}) ?(?:年 ?|-)?([01]?[0-9])(?: ?月)?");
  std::smatch pm;
  if (std::regex_search(s, pm, kPeriod)) {
    std::string month = Pad2(pm[2].str());
    if (month >= "01" && month <= "12") out.period = pm[1].str() + "-" + month;
  }

  // Amounts: numbers written with 元, and numbers beside 合计/金额 labels.
  static const std::regex kYuan("([0-9][0-9,]*(?:\\.[0-9]{1,2})?) ?元");
  static const std::regex kTotal(
      "(?:合计|总额|小写|金额)[^0-9\\n]{0,12}?([0-9][0-9,]*\\.[0-9]{2})(?![0-9])");
  std::vector<std::pair<size_t, int64_t>> amounts;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), kYuan); it != std::sregex_iterator();
       ++it) {
    size_t p = static_cast<size_t>(it->position(1));
    if (p > 0 && (std::isdigit(static_cast<unsigned char>(s[p - 1])) || s[p - 1] == '.')) continue;
    if (auto fen = ToFen((*it)[1].str())) amounts.push_back({p, *fen});
  }
  for (auto it = std::sregex_iterator(s.begin(), s.end(), kTotal); it != std::sregex_iterator();
       ++it) {
    size_t p = static_cast<size_t>(it->position(1));
    auto fen = ToFen((*it)[1].str());
    if (!fen) continue;
    if (!out.principal_fen) out.principal_fen = *fen;
    bool known = false;
    for (const auto& a : amounts) known = known || a.first == p;
    if (!known) amounts.push_back({p, *fen});
  }
  std::sort(amounts.begin(), amounts.end());
  for (const auto& a : amounts) out.amounts_fen.push_back(a.second);
  if (!out.principal_fen && !amounts.empty()) out.principal_fen = amounts.front().second;

  out.serial =
      FindLabelledToken(s, {"业务流水号", "流水号", "受理编号", "业务编号", "受理号", "编号"}, 6);
  return out;
}

}  // namespace dangan::capture
