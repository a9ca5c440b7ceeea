// Identifier validation and masking: 公民身份号码 (GB 11643-1999), 统一社会信用代码 (GB
// 32100-2015). Pure functions over caller-owned string views; results own their strings. No shared
// state, so every function is safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "archive/status.h"

namespace dangan {

// ---- 公民身份号码 (GB 11643-1999) --------------------------------------------------------------
// 18 characters: 6-digit region code whose first two digits are a province-level code, birth date
// YYYYMMDD (a real calendar date between 1880-01-01 and today), 3-digit sequence (odd = male), and
// an ISO 7064 MOD 11-2 check character (0-9 or X). Surrounding whitespace (ASCII, U+3000, U+00A0)
// is trimmed and a lower-case x is accepted; anything else, including full-width digits, is an
// error whose message names exactly what is wrong (it is shown to archivists and HTTP clients).
struct IdNumberInfo {
  std::string normalized;  // 18 characters, check character upper-case
  std::string birth_date;  // YYYY-MM-DD
  char sex = '?';          // 'M' or 'F' from the parity of the 17th digit
  std::string region;      // the 6-digit region code (行政区划代码)
};

// `today_yyyymmdd` is the latest acceptable birth date; empty means today's local date from the
// system clock (tests pass a fixed date). A malformed `today_yyyymmdd` is a kInternal error;
// everything wrong with `text` is kInvalidArgument.
Result<IdNumberInfo> ParseIdNumber(std::string_view text, std::string_view today_yyyymmdd = {});
bool IsValidIdNumber(std::string_view text);
// The MOD 11-2 check character ('0'-'9' or 'X') for 17 ASCII digits; '\0' if `first17` is not
// exactly 17 ASCII digits. For test-data generators.
char IdNumberCheckChar(std::string_view first17);

// ---- 统一社会信用代码 (GB 32100-2015) ----------------------------------------------------------
// 18 characters from 0123456789ABCDEFGHJKLMNPQRTUWXY (never I, O, S, V, Z): position 1
// 登记管理部门码 (1-9, A, N or Y), 2 机构类别码 (any alphabet character), 3-8 region code (digits),
// 9-17 组织机构代码 whose last character is its GB 11714 MOD 11 check (0-9 or X), 18 the MOD 31
// check character. Whitespace is trimmed and lower case accepted; returns the code in upper case.
Result<std::string> ParseCreditCode(std::string_view text);
bool IsValidCreditCode(std::string_view text);
// The MOD 31 check character for 17 alphabet characters (either case); '\0' if `first17` is not
// exactly 17 of them. Does not compute or check the embedded organisation-code check.
char CreditCodeCheckChar(std::string_view first17);
// The GB 11714 check character ('0'-'9' or 'X') of an 8-character organisation-code body (digits
// and upper-case letters); '\0' otherwise. For test-data generators.
char OrganizationCodeCheckChar(std::string_view first8);

// ---- Masking for display and logs (no validation) ----------------------------------------------
// ID numbers keep the first 6 and last 4 characters: 110105********002X. Inputs of 10 characters
// or fewer are masked completely, so the result never reveals a whole short identifier.
std::string MaskIdNumber(std::string_view id);
// Names keep their first character (UTF-8 aware) and mask each other one: 张三丰 -> 张**. A
// one-character name becomes "*" so a masked name never equals the full name. Empty stays empty.
std::string MaskName(std::string_view name);

}  // namespace dangan
