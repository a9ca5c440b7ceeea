#define BOOST_TEST_MODULE vocabulary_correction
#include <boost/test/unit_test.hpp>

#include "capture/vocabulary_correction.h"

using namespace dangan;
using namespace dangan::capture;

namespace {
VocabularyCorrection FromBuiltin() {
  auto s = ClassificationScheme::LoadBuiltin();
  BOOST_REQUIRE(s.ok());
  return VocabularyCorrection::FromScheme(*s);
}
}  // namespace

BOOST_AUTO_TEST_CASE(misread_label_is_repaired_and_reported) {
  auto vc = FromBuiltin();
  auto r = vc.Correct("某市社会保险事业管理趾心\n竹会保险费补缴申报表\n");
  BOOST_TEST(r.text == "某市社会保险事业管理中心\n社会保险费补缴申报表\n");
  BOOST_REQUIRE_EQUAL(r.fixes.size(), 2u);
  BOOST_TEST(r.fixes[0].original == "社会保险事业管理趾心");
  BOOST_TEST(r.fixes[0].corrected == "社会保险事业管理中心");
  BOOST_TEST(r.fixes[0].offset == std::string("某市").size());
}

BOOST_AUTO_TEST_CASE(real_words_and_values_are_left_alone) {
  auto vc = FromBuiltin();
  // 受理日期 is a real label one character from 受伤日期; 伤残八级 a real value.
  for (std::string text : {"受理日期 2024年01月02日", "伤残八级", "姓名 张三丰", "编号 12345",
                           "对你单位进行稽核", ""}) {
    auto r = vc.Correct(text);
    BOOST_TEST(r.text == text);
    BOOST_TEST(r.fixes.empty());
  }
}

BOOST_AUTO_TEST_CASE(ambiguous_spans_are_not_replaced) {
  // Two entries one character away from the same span, disagreeing: nothing is changed.
  VocabularyCorrection vc({"甲乙丙丁", "甲乙戊丁"});
  auto r = vc.Correct("甲乙鑫丁");
  BOOST_TEST(r.text == "甲乙鑫丁");
  BOOST_TEST(r.fixes.empty());
  VocabularyCorrection short_words({"经办人"});
  BOOST_TEST(short_words.Correct("经办渠").text == "经办人");          // stands alone: a label
  BOOST_TEST(short_words.Correct("的经办渠道").text == "的经办渠道");  // inside running text
}
