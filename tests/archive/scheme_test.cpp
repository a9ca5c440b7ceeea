#define BOOST_TEST_MODULE scheme
#include <boost/test/unit_test.hpp>

#include "archive/scheme.h"

using namespace dangan;

BOOST_AUTO_TEST_CASE(builtin_scheme_has_nine_classes_and_known_items) {
  auto s = ClassificationScheme::LoadBuiltin();
  BOOST_REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  // The nine business classes, and class 10 for what the archive files itself (销毁清册).
  BOOST_TEST(s->classes().size() == 10u);
  BOOST_TEST(s->FindItem("1001")->retention == "Y");
  BOOST_TEST(!s->FindItem("1001")->capture);
  BOOST_TEST(s->FindItem("0102")->capture);
  const BusinessItem* item = s->FindItem("0102");
  BOOST_REQUIRE(item);
  BOOST_TEST(item->retention == "D100");
  BOOST_TEST(item->class_code == "01");
  BOOST_TEST(s->FindItem("0101")->retention == "Y");
  BOOST_TEST(s->FindItem("0402")->retention == "D30");
  BOOST_TEST(!s->FindItem("9999"));
  BOOST_TEST(!s->FindRetention("Y")->years.has_value());
  BOOST_TEST(*s->FindRetention("D50")->years == 50);
  BOOST_TEST(s->items().size() == 40u);
}

BOOST_AUTO_TEST_CASE(override_replaces_and_adds_items) {
  std::string overlay = R"({"version":"local-3","classes":[{"code":"02","name":"社会保险征缴类",
    "items":[{"code":"0203","name":"退费","retention":"D100"},
             {"code":"0205","name":"欠费催缴","retention":"D30"}]}]})";
  auto s = ClassificationScheme::LoadBuiltin(overlay, "scheme.local.json");
  BOOST_REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  BOOST_TEST(s->FindItem("0203")->retention == "D100");
  BOOST_TEST(s->FindItem("0205")->name == "欠费催缴");
  BOOST_TEST(s->FindClass("02")->item_codes.size() == 5u);
  BOOST_TEST(s->version() == "2026.1+local-3");
}

BOOST_AUTO_TEST_CASE(duplicate_codes_are_rejected) {
  std::string doc = R"({"retention":[{"code":"Y","name":"永久","years":null}],
    "classes":[{"code":"01","name":"a","items":[{"code":"0101","name":"x","retention":"Y"},
                                              {"code":"0101","name":"y","retention":"Y"}]}]})";
  auto s = ClassificationScheme::Parse(doc);
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(s.status().ToString().find("duplicate item code 0101") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_retention_is_rejected_with_the_item_named) {
  auto s = ClassificationScheme::LoadBuiltin(
      R"({"classes":[{"code":"03","name":"养老保险待遇类","items":[{"code":"0399","name":"x","retention":"D7"}]}]})");
  // D7 is a well-formed code but not declared in the retention list.
  BOOST_REQUIRE(!s.ok());
  BOOST_TEST(s.status().ToString().find("item 0399.retention") != std::string::npos);
  BOOST_TEST(s.status().ToString().find("unknown retention code 'D7'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_documents_give_clear_errors) {
  BOOST_TEST(ClassificationScheme::Parse("{not json").status().ToString().find("not valid JSON") !=
             std::string::npos);
  BOOST_TEST(!ClassificationScheme::Parse("[1,2]").ok());
  auto bad_code = ClassificationScheme::Parse(
      R"({"retention":[{"code":"Y","name":"永久"}],"classes":[{"code":"1","name":"a","items":[]}]})");
  BOOST_REQUIRE(!bad_code.ok());
  BOOST_TEST(bad_code.status().ToString().find("two-digit class code") != std::string::npos);
  auto wrong_class = ClassificationScheme::Parse(
      R"({"retention":[{"code":"Y","name":"永久"}],"classes":[{"code":"01","name":"a","items":[{"code":"0201","name":"x","retention":"Y"}]}]})");
  BOOST_REQUIRE(!wrong_class.ok());
  BOOST_TEST(wrong_class.status().ToString().find("does not start with its class code") !=
             std::string::npos);
  auto no_period = ClassificationScheme::Parse(
      R"({"retention":[{"code":"D10","name":"10年"}],"classes":[{"code":"01","name":"a","items":[]}]})");
  BOOST_TEST(!no_period.ok());
}
