#define BOOST_TEST_MODULE identifiers
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "archive/identifiers.h"
#include "archive/record_masking.h"
#include "tests/support/fullwidth.h"

using namespace dangan;

namespace {

constexpr const char* kToday = "20240615";

// Second, deliberately different implementations of the check characters, straight from the
// definitions: weights are computed as powers, and the check value is found by search.

// ISO 7064 MOD 11-2: weight of position i (1-based, check char at 18) is 2^(18-i) mod 11 and the
// weighted sum including the check value is congruent to 1 mod 11.
char RefIdCheck(const std::string& first17) {
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    int w = 1;
    for (int k = 0; k < 17 - i; ++k) w = w * 2 % 11;
    sum += (first17[i] - '0') * w;
  }
  for (int c = 0; c <= 10; ++c) {
    if ((sum + c) % 11 == 1) return c == 10 ? 'X' : static_cast<char>('0' + c);
  }
  return '?';
}

const std::string kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// GB 32100: weight of position i (0-based) is 3^i mod 31; sum plus check value is 0 mod 31.
char RefCreditCheck(const std::string& first17) {
  int sum = 0;
  int w = 1;
  for (int i = 0; i < 17; ++i) {
    sum += static_cast<int>(kAlphabet.find(first17[i])) * w;
    w = w * 3 % 31;
  }
  for (int c = 0; c < 31; ++c) {
    if ((sum + c) % 31 == 0) return kAlphabet[c];
  }
  return '?';
}

// GB 11714: weight of body position i (1-based) is 2^(9-i) mod 11; sum plus check is 0 mod 11.
char RefOrgCheck(const std::string& body8) {
  int sum = 0;
  for (int i = 1; i <= 8; ++i) {
    int w = 1;
    for (int k = 0; k < 9 - i; ++k) w = w * 2 % 11;
    char ch = body8[i - 1];
    int v = (ch >= '0' && ch <= '9') ? ch - '0' : ch - 'A' + 10;
    sum += v * w;
  }
  for (int c = 0; c <= 10; ++c) {
    if ((sum + c) % 11 == 0) return c == 10 ? 'X' : static_cast<char>('0' + c);
  }
  return '?';
}

std::string WithIdCheck(const std::string& first17) { return first17 + RefIdCheck(first17); }

// A credit code from its first 16 characters: adds both check characters.
std::string WithCreditChecks(const std::string& first16) {
  std::string s17 = first16 + RefOrgCheck(first16.substr(8, 8));
  return s17 + RefCreditCheck(s17);
}

// Deterministic generator so failures reproduce.
struct Lcg {
  uint64_t state = 20240615;
  unsigned Next(unsigned n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<unsigned>((state >> 33) % n);
  }
};

std::string Pad(unsigned v, int width) {
  std::string s = std::to_string(v);
  return std::string(width - s.size(), '0') + s;
}

std::string IdError(const std::string& text) {
  auto r = ParseIdNumber(text, kToday);
  BOOST_TEST_INFO("input: " << text);
  BOOST_TEST(!r.ok());
  if (r.ok()) return "<accepted>";
  BOOST_TEST((r.status().code() == ErrorCode::kInvalidArgument));
  return r.status().message();
}

std::string CreditError(const std::string& text) {
  auto r = ParseCreditCode(text);
  BOOST_TEST_INFO("input: " << text);
  BOOST_TEST(!r.ok());
  if (r.ok()) return "<accepted>";
  BOOST_TEST((r.status().code() == ErrorCode::kInvalidArgument));
  return r.status().message();
}

}  // namespace

// ---- 公民身份号码 ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(reference_implementation_agrees_with_published_examples) {
  // Guards the test's own second implementation against the published examples.
  BOOST_TEST(RefIdCheck("11010519491231002") == 'X');
  BOOST_TEST(RefIdCheck("44052418800101001") == '4');
  BOOST_TEST(RefOrgCheck("M000100Y") == '4');
  BOOST_TEST(RefCreditCheck("91350100M000100Y4") == '3');
}

BOOST_AUTO_TEST_CASE(published_id_number_is_parsed) {
  auto r = ParseIdNumber("11010519491231002X", kToday);
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(r->normalized == "11010519491231002X");
  BOOST_TEST(r->birth_date == "1949-12-31");
  BOOST_TEST(r->sex == 'F');
  BOOST_TEST(r->region == "110105");
  BOOST_TEST(IsValidIdNumber("11010519491231002X"));
  BOOST_TEST(IdNumberCheckChar("11010519491231002") == 'X');

  // Born on the earliest accepted day; 001 is odd, so male.
  auto early = ParseIdNumber("440524188001010014", kToday);
  BOOST_REQUIRE_MESSAGE(early.ok(), early.status().ToString());
  BOOST_TEST(early->birth_date == "1880-01-01");
  BOOST_TEST(early->sex == 'M');
  BOOST_TEST(early->region == "440524");
}

BOOST_AUTO_TEST_CASE(wrong_id_check_digit_is_named) {
  BOOST_TEST(IdError("110105194912310021") ==
             "公民身份号码 the check character (the 18th) does not match characters 1-17");
  BOOST_TEST(!IsValidIdNumber("110105194912310021"));
  BOOST_TEST(IdError("440524188001010013") ==
             "公民身份号码 the check character (the 18th) does not match characters 1-17");
  BOOST_TEST(IdError("44052418800101001x") ==
             "公民身份号码 the check character (the 18th) does not match characters 1-17");
}

BOOST_AUTO_TEST_CASE(lower_case_x_and_surrounding_whitespace_are_normalised) {
  const std::string ideographic_space = "\xE3\x80\x80";  // U+3000
  const std::string no_break_space = "\xC2\xA0";         // U+00A0
  for (std::string text :
       {std::string("11010519491231002x"), std::string("  11010519491231002x\t\r\n"),
        ideographic_space + "11010519491231002X" + ideographic_space,
        no_break_space + "11010519491231002x",
        ideographic_space + " " + ideographic_space + "11010519491231002x" + " " + no_break_space +
            ideographic_space + "\n"}) {
    BOOST_TEST_INFO("input: " << text);
    auto r = ParseIdNumber(text, kToday);
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    BOOST_TEST(r->normalized == "11010519491231002X");
  }
}

BOOST_AUTO_TEST_CASE(generated_id_numbers_agree_with_reference) {
  const char* provinces[] = {"11", "15", "23", "37", "46", "54",
                             "65", "71", "81", "82", "83", "91"};
  Lcg rng;
  for (int n = 0; n < 2000; ++n) {
    std::string first17 = provinces[rng.Next(12)] + Pad(rng.Next(10000), 4) +
                          Pad(1880 + rng.Next(144), 4) + Pad(1 + rng.Next(12), 2) +
                          Pad(1 + rng.Next(28), 2) + Pad(rng.Next(1000), 3);
    BOOST_TEST_INFO("first17: " << first17);
    BOOST_TEST(IdNumberCheckChar(first17) == RefIdCheck(first17));
    auto r = ParseIdNumber(WithIdCheck(first17), kToday);
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    BOOST_TEST(r->sex == ((first17[16] - '0') % 2 ? 'M' : 'F'));
    BOOST_TEST(r->birth_date ==
               first17.substr(6, 4) + "-" + first17.substr(10, 2) + "-" + first17.substr(12, 2));
  }
}

BOOST_AUTO_TEST_CASE(every_single_id_mutation_is_rejected) {
  for (std::string good : {std::string("11010519491231002X"), std::string("440524188001010014"),
                           WithIdCheck("32058319870704553"), WithIdCheck("65010120231130998")}) {
    BOOST_REQUIRE(ParseIdNumber(good, kToday).ok());
    for (size_t pos = 0; pos < 18; ++pos) {
      std::string alternatives = pos == 17 ? "0123456789X" : "0123456789";
      for (char c : alternatives) {
        if (c == good[pos]) continue;
        std::string bad = good;
        bad[pos] = c;
        BOOST_TEST_INFO("mutated " << good << " at " << pos + 1 << " to " << bad);
        BOOST_TEST(!ParseIdNumber(bad, kToday).ok());
        if (pos < 17) BOOST_TEST(IdNumberCheckChar(bad.substr(0, 17)) != good[17]);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(birth_dates_must_be_real_and_in_range) {
  auto with_date = [](const std::string& yyyymmdd) {
    return WithIdCheck("110105" + yyyymmdd + "002");
  };
  BOOST_TEST(IdError(with_date("19490230")) ==
             "公民身份号码 the birth date (characters 7-14) is not a calendar date");
  BOOST_TEST(IdError(with_date("19491301")) ==
             "公民身份号码 the birth date (characters 7-14) is not a calendar date");
  BOOST_TEST(IdError(with_date("19490001")) ==
             "公民身份号码 the birth date (characters 7-14) is not a calendar date");
  BOOST_TEST(IdError(with_date("19490100")) ==
             "公民身份号码 the birth date (characters 7-14) is not a calendar date");
  BOOST_TEST(IdError(with_date("19490431")) ==
             "公民身份号码 the birth date (characters 7-14) is not a calendar date");
  BOOST_TEST(IdError(with_date("19000229")) ==  // 1900 is not a leap year
             "公民身份号码 the birth date (characters 7-14) is not a calendar date");
  BOOST_TEST(IdError(with_date("19990229")) ==
             "公民身份号码 the birth date (characters 7-14) is not a calendar date");
  BOOST_TEST(ParseIdNumber(with_date("20000229"), kToday).ok());  // 2000 is
  BOOST_TEST(ParseIdNumber(with_date("20240229"), kToday).ok());
  BOOST_TEST(ParseIdNumber(with_date("19491231"), kToday).ok());

  BOOST_TEST(IdError(with_date("18791231")) ==
             "公民身份号码 the birth date (characters 7-14) is before 1880-01-01");
  BOOST_TEST(ParseIdNumber(with_date("18800101"), kToday).ok());

  BOOST_TEST(IdError(with_date("20240616")) ==
             "公民身份号码 the birth date (characters 7-14) is after today");
  BOOST_TEST(IdError(with_date("20250101")) ==
             "公民身份号码 the birth date (characters 7-14) is after today");
  BOOST_TEST(ParseIdNumber(with_date("20240615"), kToday).ok());
  // The same number is fine once "today" has moved on.
  BOOST_TEST(ParseIdNumber(with_date("20240616"), "20240616").ok());
  // The default "today" comes from the system clock, which is long past 2024-06-15.
  BOOST_TEST(IsValidIdNumber(with_date("20240615")));
  BOOST_TEST(!IsValidIdNumber(with_date("29991231")));
}

BOOST_AUTO_TEST_CASE(malformed_today_is_an_internal_error) {
  for (const char* today :
       {"2024-06-15", "20240631", "2024061", "20240:01" /* ":" - "0" == 10 */}) {
    auto r = ParseIdNumber("11010519491231002X", today);
    BOOST_TEST_INFO("today: " << today);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST((r.status().code() == ErrorCode::kInternal));
  }
}

BOOST_AUTO_TEST_CASE(region_must_start_with_a_province_code) {
  BOOST_TEST(IdError(WithIdCheck("99010519491231002")) ==
             "公民身份号码 the region code (characters 1-2) is not a province-level code");
  BOOST_TEST(IdError(WithIdCheck("00010519491231002")) ==
             "公民身份号码 the region code (characters 1-2) is not a province-level code");
  BOOST_TEST(IdError(WithIdCheck("16010519491231002")) ==
             "公民身份号码 the region code (characters 1-2) is not a province-level code");
  BOOST_TEST(IdError(WithIdCheck("72010519491231002")) ==
             "公民身份号码 the region code (characters 1-2) is not a province-level code");
  for (const char* p : {"11", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35",
                        "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53",
                        "54", "61", "62", "63", "64", "65", "71", "81", "82", "83", "91"}) {
    BOOST_TEST_INFO("province: " << p);
    BOOST_TEST(ParseIdNumber(WithIdCheck(std::string(p) + "010519491231002"), kToday).ok());
  }
}

BOOST_AUTO_TEST_CASE(id_length_is_checked_in_characters) {
  BOOST_TEST(IdError("11010519491231002") == "公民身份号码 must be 18 characters, got 17");
  BOOST_TEST(IdError("11010519491231002X1") == "公民身份号码 must be 18 characters, got 19");
  BOOST_TEST(IdError("") == "公民身份号码 must be 18 characters, got 0");
  BOOST_TEST(IdError(" \t ") == "公民身份号码 must be 18 characters, got 0");
  BOOST_TEST(IdError("110105491231002") ==
             "公民身份号码 must be 18 characters, got 15 (15-digit numbers issued before 1999 "
             "must be converted)");
  // 17 characters of which one is two bytes long: counted as 17, not 18.
  BOOST_TEST(IdError("1101051949123100\xC3\xA9") == "公民身份号码 must be 18 characters, got 17");
}

BOOST_AUTO_TEST_CASE(id_characters_other_than_digits_are_named) {
  BOOST_TEST(IdError("11010519491231A02X") ==
             "公民身份号码 character 15 is 'A'; characters 1-17 must be digits 0-9");
  BOOST_TEST(IdError("1101051949123100XX") ==
             "公民身份号码 character 17 is 'X'; characters 1-17 must be digits 0-9");
  BOOST_TEST(IdError("110105 9491231002X") ==
             "公民身份号码 character 7 is a space; characters 1-17 must be digits 0-9");
  BOOST_TEST(IdError("11010519491231002Y") ==
             "公民身份号码 character 18 is 'Y'; the check character must be a digit 0-9 or X");
  // Full-width digits (U+FF10-U+FF19) are refused, not silently converted.
  BOOST_TEST(IdError("\xEF\xBC\x91"
                     "1010519491231002X") ==
             "公民身份号码 character 1 is full-width '１' (U+FF11); only ASCII digits 0-9 are "
             "accepted");
  BOOST_TEST(IdError("11010519491231002\xEF\xBC\xB8") ==
             "公民身份号码 character 18 is full-width 'Ｘ' (U+FF38); only ASCII digits 0-9 and X "
             "are accepted");
  BOOST_TEST(IdError("11010519491231\xFF"
                     "02X") ==
             "公民身份号码 character 15 is the byte 0xFF, which is not valid UTF-8; characters "
             "1-17 must be digits 0-9");
}

BOOST_AUTO_TEST_CASE(id_check_char_rejects_bad_input) {
  BOOST_TEST(IdNumberCheckChar("1101051949123100") == '\0');
  BOOST_TEST(IdNumberCheckChar("110105194912310021") == '\0');
  BOOST_TEST(IdNumberCheckChar("1101051949123100A") == '\0');
  BOOST_TEST(IdNumberCheckChar("44052418800101001") == '4');
}

// ---- 统一社会信用代码 --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(published_credit_code_is_valid) {
  auto r = ParseCreditCode("91350100M000100Y43");
  BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  BOOST_TEST(*r == "91350100M000100Y43");
  BOOST_TEST(IsValidCreditCode("91350100M000100Y43"));
  BOOST_TEST(CreditCodeCheckChar("91350100M000100Y4") == '3');
  BOOST_TEST(OrganizationCodeCheckChar("M000100Y") == '4');

  auto lower = ParseCreditCode("  91350100m000100y43\n");
  BOOST_REQUIRE_MESSAGE(lower.ok(), lower.status().ToString());
  BOOST_TEST(*lower == "91350100M000100Y43");
  BOOST_TEST(CreditCodeCheckChar("91350100m000100y4") == '3');
}

BOOST_AUTO_TEST_CASE(generated_credit_codes_agree_with_reference) {
  const std::string authorities = "123456789ANY";
  Lcg rng;
  int org_x = 0;
  for (int n = 0; n < 3000; ++n) {
    std::string first16(1, authorities[rng.Next(authorities.size())]);
    first16 += kAlphabet[rng.Next(31)];
    for (int i = 0; i < 6; ++i) first16 += static_cast<char>('0' + rng.Next(10));
    for (int i = 0; i < 8; ++i) first16 += kAlphabet[rng.Next(31)];
    std::string code = WithCreditChecks(first16);
    BOOST_TEST_INFO("code: " << code);
    BOOST_TEST(OrganizationCodeCheckChar(code.substr(8, 8)) == code[16]);
    BOOST_TEST(CreditCodeCheckChar(code.substr(0, 17)) == code[17]);
    auto r = ParseCreditCode(code);
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    BOOST_TEST(*r == code);
    if (code[16] == 'X') ++org_x;
  }
  BOOST_TEST(org_x > 0);  // the X organisation check was exercised
}

BOOST_AUTO_TEST_CASE(every_single_credit_code_mutation_is_rejected) {
  for (std::string good :
       {std::string("91350100M000100Y43"), WithCreditChecks("1210000040000012"),
        WithCreditChecks("Y1440300ABCDEFGH"), WithCreditChecks("N2110105QRTUWXY9")}) {
    BOOST_REQUIRE_MESSAGE(ParseCreditCode(good).ok(), good);
    for (size_t pos = 0; pos < 18; ++pos) {
      for (char c : kAlphabet) {
        if (c == good[pos]) continue;
        std::string bad = good;
        bad[pos] = c;
        BOOST_TEST_INFO("mutated " << good << " at " << pos + 1 << " to " << bad);
        BOOST_TEST(!ParseCreditCode(bad).ok());
        if (pos < 17) BOOST_TEST(CreditCodeCheckChar(bad.substr(0, 17)) != good[17]);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(credit_code_errors_are_named) {
  BOOST_TEST(CreditError("91350100M000100Y44") ==
             "统一社会信用代码 check character should be 3, got 4");
  BOOST_TEST(CreditError("91350100M000100Y4") == "统一社会信用代码 must be 18 characters, got 17");
  BOOST_TEST(CreditError("") == "统一社会信用代码 must be 18 characters, got 0");
  BOOST_TEST(CreditError("91350100M000100Y433") ==
             "统一社会信用代码 must be 18 characters, got 19");

  // Organisation-code check wrong, final check recomputed so only the inner check fails.
  std::string org_bad = "91350100M000100Y5";
  org_bad += RefCreditCheck(org_bad);
  BOOST_TEST(CreditError(org_bad) ==
             "统一社会信用代码 organisation code M000100Y5 (positions 9-17) check character "
             "should be 4, got 5");

  std::string authority_bad = "B1350100M000100Y4";
  authority_bad += RefCreditCheck(authority_bad);
  BOOST_TEST(CreditError(authority_bad) ==
             "统一社会信用代码 registration authority code 'B' (position 1) is not one of 1-9, A, "
             "N or Y");
  std::string authority_zero = "01350100M000100Y4";
  authority_zero += RefCreditCheck(authority_zero);
  BOOST_TEST(CreditError(authority_zero) ==
             "统一社会信用代码 registration authority code '0' (position 1) is not one of 1-9, A, "
             "N or Y");

  BOOST_TEST(CreditError(WithCreditChecks("9135010AM000100Y")) ==
             "统一社会信用代码 region code 35010A (positions 3-8) must be 6 digits, has 'A'");
}

BOOST_AUTO_TEST_CASE(forbidden_letters_are_named) {
  for (char letter : std::string("IOSVZ")) {
    std::string bad = "91350100M000100Y43";
    bad[8] = letter;
    BOOST_TEST(CreditError(bad) == std::string("统一社会信用代码 contains '") + letter +
                                       "' at position 9, which is not allowed (I, O, S, V and Z "
                                       "are never used)");
  }
  BOOST_TEST(CreditError("91350100M000100Yi3") ==
             "统一社会信用代码 contains 'i' at position 17, which is not allowed (I, O, S, V and "
             "Z are never used)");
  BOOST_TEST(CreditError("91350100-000100Y43") ==
             "统一社会信用代码 character 9 is '-'; only digits 0-9 and the letters "
             "ABCDEFGHJKLMNPQRTUWXY are allowed");
  BOOST_TEST(CreditError("9135010\xEF\xBC\x90M000100Y43") ==
             "统一社会信用代码 character 8 is full-width '０' (U+FF10); only ASCII characters are "
             "accepted");
}

BOOST_AUTO_TEST_CASE(credit_check_char_rejects_bad_input) {
  BOOST_TEST(CreditCodeCheckChar("91350100M000100Y") == '\0');
  BOOST_TEST(CreditCodeCheckChar("91350100I000100Y4") == '\0');
  BOOST_TEST(OrganizationCodeCheckChar("M000100") == '\0');
  BOOST_TEST(OrganizationCodeCheckChar("m000100y") == '\0');
}

// ---- Masking -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(id_numbers_keep_first_six_and_last_four) {
  BOOST_TEST(MaskIdNumber("11010519491231002X") == "110105********002X");
  BOOST_TEST(MaskIdNumber(" 11010519491231002x ") == "110105********002x");
  BOOST_TEST(MaskIdNumber("110105491231002") == "110105*****1002");
  BOOST_TEST(MaskIdNumber("12345678901") == "123456*8901");
  BOOST_TEST(MaskIdNumber("1234567890") == "**********");
  BOOST_TEST(MaskIdNumber("12345") == "*****");
  BOOST_TEST(MaskIdNumber("") == "");
  // Kept characters stay whole even if they are not ASCII (masking does not validate).
  BOOST_TEST(MaskIdNumber("\xEF\xBC\x91\xEF\xBC\x91"
                          "010519491231\xEF\xBC\x90\xEF\xBC\x90"
                          "2X") ==
             "\xEF\xBC\x91\xEF\xBC\x91"
             "0105********\xEF\xBC\x90\xEF\xBC\x90"
             "2X");
}

BOOST_AUTO_TEST_CASE(names_keep_their_first_character) {
  BOOST_TEST(MaskName("张三丰") == "张**");
  BOOST_TEST(MaskName("张三") == "张*");
  BOOST_TEST(MaskName("欧阳娜娜") == "欧***");
  BOOST_TEST(MaskName("阿依古丽·买买提") == "阿*******");
  BOOST_TEST(MaskName(" 李雷 ") == "李*");
  BOOST_TEST(MaskName("Li Lei") == "L*****");
  BOOST_TEST(MaskName("𠀋子") == "𠀋*");  // a four-byte character stays whole
  BOOST_TEST(MaskName("张") == "*");
  BOOST_TEST(MaskName("") == "");
  BOOST_TEST(MaskName("\xFF\xFE") == "**");
  // Invalid UTF-8 is masked byte by byte: an overlong '1' and a lead byte without continuation.
  BOOST_TEST(MaskName("\xC0\xB1\xE5\xBC\xA0") == "***");
  BOOST_TEST(MaskName("\xE5"
                      "AB") == "***");
}

// Numbers in free text are masked however they are typed: ASCII, fullwidth (as Chinese input
// methods give them; search finds the person by either), upper- or lower-case X; other runs of
// digits, and numbers that are not valid, are left alone.
BOOST_AUTO_TEST_CASE(identifiers_in_text_are_masked_in_ascii_and_fullwidth) {
  const std::string id = "11010519491231002X", masked = MaskIdNumber(id);
  BOOST_TEST(MaskIdentifiers("身份证号" + id + "。") == "身份证号" + masked + "。");
  BOOST_TEST(MaskIdentifiers("号码：" + testing::Fullwidth(id) + "，") == "号码：" + masked + "，");
  BOOST_TEST(MaskIdentifiers("(11010519491231002x)") == "(" + masked + ")");
  BOOST_TEST(MaskIdentifiers("电话 13800000000，档号 J012-2025") ==
             "电话 13800000000，档号 J012-2025");
  BOOST_TEST(MaskIdentifiers("110105194912310021") == "110105194912310021");  // check digit wrong
  BOOST_TEST(MaskIdentifiers(testing::Fullwidth("12345")) == testing::Fullwidth("12345"));
  BOOST_TEST(MaskIdentifiers("") == "");
}
