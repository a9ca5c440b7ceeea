#define BOOST_TEST_MODULE field_extraction
#include <boost/test/unit_test.hpp>

#include <set>

#include "archive/identifiers.h"
#include "capture/field_extraction.h"

using namespace dangan;
using namespace dangan::capture;

namespace {
const char* kToday = "20260101";
// 11010519491231002X is the GB 11643 example; 440106197108072178 a valid synthetic one.
const std::string kId = "440106197108072178";
}  // namespace

BOOST_AUTO_TEST_CASE(valid_ids_are_found_once_each) {
  BOOST_REQUIRE(IsValidIdNumber(kId));
  auto f = ExtractFields("公民身份号码 " + kId + "\n代理人 11010519491231002x 再次 " + kId, kToday);
  BOOST_REQUIRE_EQUAL(f.id_numbers.size(), 2u);
  BOOST_TEST(f.id_numbers[0] == kId);
  BOOST_TEST(f.id_numbers[1] == "11010519491231002X");
  BOOST_TEST(f.repairs.empty());
}

BOOST_AUTO_TEST_CASE(single_ocr_confusion_is_repaired_only_when_the_check_holds) {
  std::string confused = kId;
  confused[confused.find('0')] = 'O';
  auto f = ExtractFields("公民身份号码：" + confused, kToday);
  BOOST_REQUIRE_EQUAL(f.id_numbers.size(), 1u);
  BOOST_TEST(f.id_numbers[0] == kId);
  BOOST_REQUIRE_EQUAL(f.repairs.size(), 1u);
  BOOST_TEST(f.repairs[0].original == confused);

  // l for 1, and a spurious space.
  std::string with_l = kId;
  with_l[with_l.find('1')] = 'l';
  BOOST_TEST(ExtractFields("身份证号 " + with_l, kToday).id_numbers.size() == 1u);
  auto spaced = ExtractFields("身份证号 " + kId.substr(0, 9) + " " + kId.substr(9), kToday);
  BOOST_REQUIRE_EQUAL(spaced.id_numbers.size(), 1u);
  BOOST_TEST(spaced.id_numbers[0] == kId);
  // Full-width digits.
  std::string full;
  for (char c : kId) full += std::string("\xEF\xBC") + static_cast<char>(0x90 + (c - '0'));
  BOOST_TEST(ExtractFields("号码 " + full, kToday).id_numbers == std::vector<std::string>{kId});
}

BOOST_AUTO_TEST_CASE(invalid_or_ambiguous_ids_are_rejected) {
  // One wrong digit: the check character fails, nothing is guessed.
  std::string wrong = kId;
  wrong[10] = wrong[10] == '9' ? '8' : static_cast<char>(wrong[10] + 1);
  BOOST_REQUIRE(!IsValidIdNumber(wrong));
  BOOST_TEST(ExtractFields("公民身份号码 " + wrong, kToday).id_numbers.empty());
  // Two confusions: even if a reading validated, two changes are too many to trust.
  std::string two = kId;
  two[two.find('0')] = 'O';
  two[two.find('1')] = 'l';
  BOOST_TEST(ExtractFields("公民身份号码 " + two, kToday).id_numbers.empty());
  // A confusion whose repair does not validate.
  std::string bad = wrong;
  bad[bad.find('0')] = 'O';
  BOOST_TEST(ExtractFields("公民身份号码 " + bad, kToday).id_numbers.empty());
  // Part of a longer number, or an 18-digit serial number beside its label.
  BOOST_TEST(ExtractFields("账户 " + kId + "55", kToday).id_numbers.empty());
  BOOST_TEST(ExtractFields("编号：" + kId, kToday).id_numbers.empty());
}

BOOST_AUTO_TEST_CASE(credit_codes_names_units_dates_amounts_and_serials) {
  std::string text =
      "表号：征缴2 编号：120101202006268297\n"
      "单位名称 天津晨光物业管理有限公司\n"
      "统一社会信用代码 9112010IMAAYURRQ8R 联系人 钟璐敏\n"
      "姓名：袁彬成 性别 男 社会保障卡号 J53138970\n"
      "所属期 2020年06月\n"
      "补缴金额合计 11,314.08元 滞纳金 1827.22 元\n"
      "出生日期 1971-08-07\n"
      "单位（盖章）： 2020年06月26日\n经办人： 何涛 2020年6月26日";
  auto f = ExtractFields(text, kToday);
  BOOST_TEST(f.credit_codes == std::vector<std::string>{"91120101MAAYURRQ8R"});
  BOOST_TEST(f.name == "袁彬成");
  BOOST_TEST(f.unit == "天津晨光物业管理有限公司");
  BOOST_TEST(f.social_security_cards == std::vector<std::string>{"J53138970"});
  BOOST_TEST(f.date == "2020-06-26");
  BOOST_TEST(f.period == "2020-06");
  BOOST_TEST((std::find(f.dates.begin(), f.dates.end(), "1971-08-07") != f.dates.end()));
  BOOST_REQUIRE(f.amounts_fen.size() >= 2u);
  BOOST_TEST(f.amounts_fen[0] == 1131408);
  BOOST_TEST(f.amounts_fen[1] == 182722);
  BOOST_REQUIRE(f.principal_fen.has_value());
  BOOST_TEST(*f.principal_fen == 1131408);
  BOOST_TEST(f.serial == "120101202006268297");
  BOOST_TEST(f.id_numbers.empty());
  BOOST_TEST(ExtractFields("申请日期 2024.03.05\n签字 2024-03-09", kToday).date == "2024-03-05");
  BOOST_TEST(ExtractFields("", kToday).id_numbers.empty());
}

// ---- OCR insertions ---------------------------------------------------------------------------
// The two held-out misses: a table row a line below its 公民身份号码 header.
const std::string kInserted = "3701021962072067941";  // 370102196207267941 with an extra '0'
const std::string kDoubled = "22010219601211759596";  // 220102196012117596 with "59" doubled

BOOST_AUTO_TEST_CASE(insertion_in_a_table_row_below_the_id_header_is_repaired) {
  BOOST_REQUIRE(IsValidIdNumber("370102196207267941"));
  BOOST_REQUIRE(IsValidIdNumber("220102196012117596"));
  auto f =
      ExtractFields("参保人员名单\n序号 | 姓名 | 公民身份号码 | 性别 | 出生日期\n1 | 刘秀英 | " +
                        kInserted + " | 女 | 1962-07-26\n",
                    kToday);
  BOOST_TEST(f.id_numbers == std::vector<std::string>{"370102196207267941"});
  BOOST_REQUIRE_EQUAL(f.repairs.size(), 1u);
  BOOST_TEST(f.repairs[0].original == kInserted);
  BOOST_TEST(f.repairs[0].repaired == "370102196207267941");
  // That run has a second valid reading, 370102196207206794 (the trailing '1' taken for the
  // insertion); the row's birth date is what decides. Without it, nothing is guessed.
  BOOST_TEST(IsValidIdNumber("370102196207206794"));
  BOOST_TEST(ExtractFields(
                 "序号 | 姓名 | 公民身份号码 | 性别\n1 | 刘秀英 | " + kInserted + " | 女\n", kToday)
                 .id_numbers.empty());

  // Doubled pair, a blank line between header and row (Tesseract's block gap), the row after an
  // already valid one.
  auto g = ExtractFields("姓名 公民身份号码 参保日期\n\n袁彬成 " + kId + " 2010年01月\n王淑华 " +
                             kDoubled + " 2011年03月\n",
                         kToday);
  BOOST_TEST(g.id_numbers == (std::vector<std::string>{kId, "220102196012117596"}));
  BOOST_REQUIRE_EQUAL(g.repairs.size(), 1u);
  BOOST_TEST(g.repairs[0].original == kDoubled);

  // Deep in a table: five valid rows between the header and the damaged one (a 增减表).
  std::string table = "序号 姓名 公民身份号码 变动类型\n";
  for (int r = 0; r < 5; ++r) table += std::to_string(r + 1) + " 某某 " + kId + " 增加\n";
  auto deep = ExtractFields(table + "6 王淑华 " + kDoubled + " 减少\n", kToday);
  BOOST_TEST(deep.id_numbers == (std::vector<std::string>{kId, "220102196012117596"}));
  // Five lines of prose between the header and the run do not vouch for it.
  std::string prose = "公民身份号码\n一\n二\n三\n四\n五\n";
  BOOST_TEST(ExtractFields(prose + kDoubled, kToday).id_numbers.empty());

  // Label beside the value works too, and the order of appearance is kept.
  auto h = ExtractFields("公民身份号码：" + kDoubled + "\n代理人身份证号 " + kId, kToday);
  BOOST_TEST(h.id_numbers == (std::vector<std::string>{"220102196012117596", kId}));
}

BOOST_AUTO_TEST_CASE(insertion_repair_needs_id_context_and_no_account_context) {
  // A 19-digit bank card beside its label, even with an ID label just above.
  auto bank = ExtractFields("公民身份号码 " + kId + "\n银行卡号 " + kInserted, kToday);
  BOOST_TEST(bank.id_numbers == std::vector<std::string>{kId});
  BOOST_TEST(bank.repairs.empty());
  BOOST_TEST(ExtractFields("开户银行 工商银行 账号 " + kInserted, kToday).id_numbers.empty());
  // A table whose header has both an ID and an account column: the row's 19 digits may be the
  // account.
  BOOST_TEST(
      ExtractFields("姓名 公民身份号码 银行账号\n刘秀英 " + kInserted, kToday).id_numbers.empty());
  // A row that already has its valid ID: the other 19-digit run is another column.
  BOOST_TEST(
      ExtractFields("姓名 公民身份号码 备注\n刘秀英 " + kId + " " + kDoubled, kToday).id_numbers ==
      std::vector<std::string>{kId});
  // No ID label nearby, or the label more than 3 lines up.
  BOOST_TEST(ExtractFields("备注 " + kInserted, kToday).id_numbers.empty());
  BOOST_TEST(ExtractFields("公民身份号码\n一\n二\n三\n四 " + kInserted, kToday).id_numbers.empty());
  // Part of a longer number: glued to more digits, or one group of a grouped number.
  BOOST_TEST(ExtractFields("公民身份号码 " + kInserted + "7", kToday).id_numbers.empty());
  BOOST_TEST(ExtractFields("公民身份号码 6222 " + kInserted, kToday).id_numbers.empty());
  BOOST_TEST(ExtractFields("公民身份号码 " + kInserted + " 1234", kToday).id_numbers.empty());
}

namespace {
char CheckDigit(const std::string& first17) {
  static const int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int k = 0; k < 17; ++k) sum += (first17[k] - '0') * kWeights[k];
  return "10X98765432"[sum % 11];
}
}  // namespace

BOOST_AUTO_TEST_CASE(insertion_with_two_valid_readings_is_rejected) {
  // Brute force: a valid ID with one digit inserted such that two different deletions validate.
  std::string ambiguous;
  for (int seq = 0; seq < 1000 && ambiguous.empty(); ++seq) {
    std::string first17 = kId.substr(0, 14) + std::to_string(1000 + seq).substr(1);
    std::string id = first17 + CheckDigit(first17);
    BOOST_REQUIRE(IsValidIdNumber(id));
    for (size_t at = 0; at <= 18 && ambiguous.empty(); ++at) {
      for (char d = '0'; d <= '9' && ambiguous.empty(); ++d) {
        std::string run = id.substr(0, at) + d + id.substr(at);
        std::set<std::string> readings;
        for (size_t k = 0; k < run.size(); ++k) {
          std::string r = run.substr(0, k) + run.substr(k + 1);
          if (ParseIdNumber(r, kToday).ok()) readings.insert(r);
        }
        if (readings.size() >= 2) ambiguous = run;
      }
    }
  }
  BOOST_REQUIRE(!ambiguous.empty());
  BOOST_TEST_MESSAGE("ambiguous run " << ambiguous);
  auto f = ExtractFields("姓名 公民身份号码\n刘秀英 " + ambiguous, kToday);
  BOOST_TEST(f.id_numbers.empty());
  BOOST_TEST(f.repairs.empty());
}
