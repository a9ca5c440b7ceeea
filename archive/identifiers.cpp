#include "archive/identifiers.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <vector>

namespace dangan {
namespace {

constexpr std::string_view kIdName = "公民身份号码";
constexpr std::string_view kCreditName = "统一社会信用代码";

// Province-level codes (first two digits of a 行政区划代码) accepted in ID numbers.
struct Province {
  int code;
  const char* name;
};
// clang-format off
constexpr Province kProvinces[] = {
    {11, "北京"}, {12, "天津"}, {13, "河北"}, {14, "山西"}, {15, "内蒙古"},
    {21, "辽宁"}, {22, "吉林"}, {23, "黑龙江"},
    {31, "上海"}, {32, "江苏"}, {33, "浙江"}, {34, "安徽"},
    {35, "福建"}, {36, "江西"}, {37, "山东"},
    {41, "河南"}, {42, "湖北"}, {43, "湖南"}, {44, "广东"}, {45, "广西"}, {46, "海南"},
    {50, "重庆"}, {51, "四川"}, {52, "贵州"}, {53, "云南"}, {54, "西藏"},
    {61, "陕西"}, {62, "甘肃"}, {63, "青海"}, {64, "宁夏"}, {65, "新疆"},
    {71, "台湾"}, {81, "香港"}, {82, "澳门"}, {83, "台湾居民(居住证)"}, {91, "国外"},
};
// clang-format on

// 登记管理部门码 (position 1 of a credit code).
struct Authority {
  char code;
  const char* name;
};
constexpr Authority kAuthorities[] = {
    {'1', "机构编制"}, {'2', "外交"},
    {'3', "司法行政"}, {'4', "文化"},
    {'5', "民政"},     {'6', "旅游"},
    {'7', "宗教"},     {'8', "工会"},
    {'9', "工商"},     {'A', "中央军委改革和编制办公室"},
    {'N', "农业"},     {'Y', "其他"},
};
constexpr std::string_view kAuthorityList = "1-9, A, N or Y";

// ISO 7064 MOD 11-2 weights, 2^(17-i) mod 11.
constexpr int kIdWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
// GB 32100 weights, 3^i mod 31.
constexpr int kCreditWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
// GB 11714 weights for the 8-character organisation-code body.
constexpr int kOrgWeights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
constexpr std::string_view kCreditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char ToUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

int CreditValue(char c) {
  size_t pos = kCreditAlphabet.find(ToUpper(c));
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// One UTF-8 character of the input; an invalid byte is a character of its own with valid=false.
struct Utf8Char {
  std::string_view bytes;
  char32_t value = 0;
  bool valid = false;
};

std::vector<Utf8Char> SplitUtf8(std::string_view s) {
  std::vector<Utf8Char> out;
  size_t i = 0;
  while (i < s.size()) {
    auto b0 = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    char32_t v = 0;
    char32_t min = 0;
    if (b0 < 0x80) {
      len = 1, v = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2, v = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, v = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, v = b0 & 0x07, min = 0x10000;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) ok = false;
      v = (v << 6) | (b & 0x3F);
    }
    ok = ok && v >= min && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF);
    if (ok) {
      out.push_back({s.substr(i, len), v, true});
      i += len;
    } else {
      out.push_back({s.substr(i, 1), b0, false});
      i += 1;
    }
  }
  return out;
}

// Trims ASCII whitespace, U+3000 (ideographic space) and U+00A0 (no-break space) at both ends.
std::string_view Trim(std::string_view s) {
  static constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  static constexpr std::string_view kNoBreakSpace = "\xC2\xA0";
  auto is_ascii_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  for (bool changed = true; changed;) {
    changed = false;
    if (!s.empty() && is_ascii_space(s.front())) {
      s.remove_prefix(1), changed = true;
    } else if (s.starts_with(kIdeographicSpace)) {
      s.remove_prefix(kIdeographicSpace.size()), changed = true;
    } else if (s.starts_with(kNoBreakSpace)) {
      s.remove_prefix(kNoBreakSpace.size()), changed = true;
    }
  }
  for (bool changed = true; changed;) {
    changed = false;
    if (!s.empty() && is_ascii_space(s.back())) {
      s.remove_suffix(1), changed = true;
    } else if (s.ends_with(kIdeographicSpace)) {
      s.remove_suffix(kIdeographicSpace.size()), changed = true;
    } else if (s.ends_with(kNoBreakSpace)) {
      s.remove_suffix(kNoBreakSpace.size()), changed = true;
    }
  }
  return s;
}

std::string CodePointName(char32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(v));
  return buf;
}

// How a character is quoted in an error message: 'A', a space, '１' (U+FF11), U+0009, ...
std::string Describe(const Utf8Char& c) {
  if (!c.valid) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "the byte 0x%02X, which is not valid UTF-8",
                  static_cast<unsigned>(c.value));
    return buf;
  }
  if (c.value == ' ') return "a space";
  if (c.value < 0x20 || c.value == 0x7F || (c.value >= 0x80 && c.value < 0xA0)) {
    return "the control character " + CodePointName(c.value);
  }
  std::string quoted = "'" + std::string(c.bytes) + "'";
  if (c.value < 0x80) return quoted;
  if (c.value >= 0xFF01 && c.value <= 0xFF5E) {
    return "full-width " + quoted + " (" + CodePointName(c.value) + ")";
  }
  return quoted + " (" + CodePointName(c.value) + ")";
}

bool IsFullWidthAscii(const Utf8Char& c) {
  return c.valid && c.value >= 0xFF01 && c.value <= 0xFF5E;
}

Status LengthError(std::string_view what, size_t got) {
  std::string msg = std::string(what) + " must be 18 characters, got " + std::to_string(got);
  return Status::InvalidArgument(std::move(msg));
}

Status Invalid(std::string_view what, const std::string& rest) {
  return Status::InvalidArgument(std::string(what) + " " + rest);
}

// A calendar date from 8 ASCII digits, or nullopt if it is not a real date.
std::optional<std::chrono::year_month_day> ParseYyyymmdd(std::string_view s) {
  if (s.size() != 8) return std::nullopt;
  for (char c : s) {
    if (!IsDigit(c)) return std::nullopt;
  }
  auto num = [&](size_t pos, size_t len) {
    int n = 0;
    for (size_t i = pos; i < pos + len; ++i) n = n * 10 + (s[i] - '0');
    return n;
  };
  std::chrono::year_month_day ymd{std::chrono::year(num(0, 4)),
                                  std::chrono::month(static_cast<unsigned>(num(4, 2))),
                                  std::chrono::day(static_cast<unsigned>(num(6, 2)))};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::chrono::year_month_day LocalToday() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  return std::chrono::year_month_day{std::chrono::year(tm.tm_year + 1900),
                                     std::chrono::month(static_cast<unsigned>(tm.tm_mon + 1)),
                                     std::chrono::day(static_cast<unsigned>(tm.tm_mday))};
}

std::string IsoDate(const std::chrono::year_month_day& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

bool IsProvince(int code) {
  for (const Province& p : kProvinces) {
    if (p.code == code) return true;
  }
  return false;
}

bool IsAuthority(char c) {
  for (const Authority& a : kAuthorities) {
    if (a.code == c) return true;
  }
  return false;
}

}  // namespace

char IdNumberCheckChar(std::string_view first17) {
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    if (!IsDigit(first17[i])) return '\0';
    sum += (first17[i] - '0') * kIdWeights[i];
  }
  // The check value c satisfies (sum + c) mod 11 == 1.
  return "10X98765432"[sum % 11];
}

Result<IdNumberInfo> ParseIdNumber(std::string_view text, std::string_view today_yyyymmdd) {
  std::chrono::year_month_day today;
  if (today_yyyymmdd.empty()) {
    today = LocalToday();
  } else {
    auto parsed = ParseYyyymmdd(today_yyyymmdd);
    if (!parsed) {
      return Status::Internal("ParseIdNumber: today '" + std::string(today_yyyymmdd) +
                              "' is not a YYYYMMDD date");
    }
    today = *parsed;
  }

  std::string_view trimmed = Trim(text);
  std::vector<Utf8Char> chars = SplitUtf8(trimmed);
  if (chars.size() != 18) {
    Status st = LengthError(kIdName, chars.size());
    if (chars.size() == 15 && chars.size() == trimmed.size()) {
      return Status::InvalidArgument(st.message() +
                                     " (15-digit numbers issued before 1999 must be converted)");
    }
    return st;
  }
  for (size_t i = 0; i < 18; ++i) {
    const Utf8Char& c = chars[i];
    bool ascii = c.valid && c.value < 0x80;
    char a = static_cast<char>(c.value);
    std::string where = "character " + std::to_string(i + 1) + " is " + Describe(c);
    if (i < 17 && !(ascii && IsDigit(a))) {
      if (IsFullWidthAscii(c))
        return Invalid(kIdName, where + "; only ASCII digits 0-9 are accepted");
      return Invalid(kIdName, where + "; characters 1-17 must be digits 0-9");
    }
    if (i == 17 && !(ascii && (IsDigit(a) || a == 'X' || a == 'x'))) {
      if (IsFullWidthAscii(c)) {
        return Invalid(kIdName, where + "; only ASCII digits 0-9 and X are accepted");
      }
      return Invalid(kIdName, where + "; the check character must be a digit 0-9 or X");
    }
  }

  std::string id(trimmed);  // all ASCII now
  id[17] = ToUpper(id[17]);

  // Messages name the part at fault, not its digits: they reach logs and job records, and a
  // number one typo away from a person's, with its check character, is that person's number.
  int province = (id[0] - '0') * 10 + (id[1] - '0');
  if (!IsProvince(province)) {
    return Invalid(kIdName, "the region code (characters 1-2) is not a province-level code");
  }

  std::string birth = id.substr(6, 8);
  auto date = ParseYyyymmdd(birth);
  if (!date) return Invalid(kIdName, "the birth date (characters 7-14) is not a calendar date");
  using namespace std::chrono;
  constexpr year_month_day kEarliest{year(1880), January, day(1)};
  if (*date < kEarliest) {
    return Invalid(kIdName, "the birth date (characters 7-14) is before 1880-01-01");
  }
  if (*date > today) {
    return Invalid(kIdName, "the birth date (characters 7-14) is after today");
  }

  char expected = IdNumberCheckChar(std::string_view(id).substr(0, 17));
  if (id[17] != expected) {
    return Invalid(kIdName, "the check character (the 18th) does not match characters 1-17");
  }

  IdNumberInfo info;
  info.birth_date = IsoDate(*date);
  info.sex = ((id[16] - '0') % 2 == 1) ? 'M' : 'F';
  info.region = id.substr(0, 6);
  info.normalized = std::move(id);
  return info;
}

bool IsValidIdNumber(std::string_view text) { return ParseIdNumber(text).ok(); }

char OrganizationCodeCheckChar(std::string_view first8) {
  if (first8.size() != 8) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 8; ++i) {
    char c = first8[i];
    int v;
    if (IsDigit(c)) {
      v = c - '0';
    } else if (c >= 'A' && c <= 'Z') {
      v = c - 'A' + 10;
    } else {
      return '\0';
    }
    sum += v * kOrgWeights[i];
  }
  int check = (11 - sum % 11) % 11;
  return check == 10 ? 'X' : static_cast<char>('0' + check);
}

char CreditCodeCheckChar(std::string_view first17) {
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    int v = CreditValue(first17[i]);
    if (v < 0) return '\0';
    sum += v * kCreditWeights[i];
  }
  return kCreditAlphabet[(31 - sum % 31) % 31];
}

Result<std::string> ParseCreditCode(std::string_view text) {
  std::string_view trimmed = Trim(text);
  std::vector<Utf8Char> chars = SplitUtf8(trimmed);
  if (chars.size() != 18) return LengthError(kCreditName, chars.size());
  for (size_t i = 0; i < 18; ++i) {
    const Utf8Char& c = chars[i];
    bool ascii = c.valid && c.value < 0x80;
    char upper = ToUpper(static_cast<char>(c.value));
    if (ascii && CreditValue(upper) >= 0) continue;
    std::string pos = std::to_string(i + 1);
    if (ascii && (upper == 'I' || upper == 'O' || upper == 'S' || upper == 'V' || upper == 'Z')) {
      return Invalid(kCreditName, "contains " + Describe(c) + " at position " + pos +
                                      ", which is not allowed (I, O, S, V and Z are never used)");
    }
    std::string where = "character " + pos + " is " + Describe(c);
    if (IsFullWidthAscii(c))
      return Invalid(kCreditName, where + "; only ASCII characters are accepted");
    return Invalid(kCreditName, where + "; only digits 0-9 and the letters " +
                                    std::string(kCreditAlphabet.substr(10)) + " are allowed");
  }

  std::string code(trimmed);  // all ASCII now
  for (char& c : code) c = ToUpper(c);

  if (!IsAuthority(code[0])) {
    return Invalid(kCreditName, std::string("registration authority code '") + code[0] +
                                    "' (position 1) is not one of " + std::string(kAuthorityList));
  }
  std::string region = code.substr(2, 6);
  for (char c : region) {
    if (!IsDigit(c)) {
      return Invalid(kCreditName, "region code " + region +
                                      " (positions 3-8) must be 6 digits, has '" + c + "'");
    }
  }
  std::string org = code.substr(8, 9);
  char org_expected = OrganizationCodeCheckChar(std::string_view(org).substr(0, 8));
  if (org[8] != org_expected) {
    return Invalid(kCreditName, "organisation code " + org +
                                    " (positions 9-17) check character should be " + org_expected +
                                    ", got " + org[8]);
  }
  char expected = CreditCodeCheckChar(std::string_view(code).substr(0, 17));
  if (code[17] != expected) {
    return Invalid(kCreditName,
                   std::string("check character should be ") + expected + ", got " + code[17]);
  }
  return code;
}

bool IsValidCreditCode(std::string_view text) { return ParseCreditCode(text).ok(); }

std::string MaskIdNumber(std::string_view id) {
  std::vector<Utf8Char> chars = SplitUtf8(Trim(id));
  std::string out;
  if (chars.size() <= 10) return std::string(chars.size(), '*');
  for (size_t i = 0; i < chars.size(); ++i) {
    bool keep = i < 6 || i >= chars.size() - 4;
    if (keep && chars[i].valid) {
      out += chars[i].bytes;
    } else {
      out += '*';
    }
  }
  return out;
}

std::string MaskName(std::string_view name) {
  std::vector<Utf8Char> chars = SplitUtf8(Trim(name));
  if (chars.empty()) return {};
  if (chars.size() == 1) return "*";
  std::string out = chars[0].valid ? std::string(chars[0].bytes) : std::string("*");
  out.append(chars.size() - 1, '*');
  return out;
}

}  // namespace dangan
