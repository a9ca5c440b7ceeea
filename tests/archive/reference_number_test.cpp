#define BOOST_TEST_MODULE reference_number
#include <boost/test/unit_test.hpp>

#include "archive/reference_number.h"
#include "archive/retention.h"
#include "archive/scheme.h"

using namespace dangan;

BOOST_AUTO_TEST_CASE(default_template_formats_the_da_t_22_shape) {
  auto t = ReferenceTemplate::Parse(ReferenceTemplate::kDefault);
  BOOST_REQUIRE(t.ok());
  ReferenceParts p{"J012", "SB", 2026, "D100", "0102", "01", 7};
  BOOST_TEST(t->Format(p) == "J012-SB·2026-D100-0102-0007");
  BOOST_TEST(t->SeriesKey(p) == "J012-SB·2026-D100-0102-");
  p.seq = 12345;
  BOOST_TEST(t->Format(p) == "J012-SB·2026-D100-0102-12345");
  BOOST_TEST(t->Matches("J012-SB·2026-D100-0102-0007"));
  BOOST_TEST(!t->Matches("J012-SB·2026-D100-0102-07"));
  BOOST_TEST(!t->Matches("养老保险"));
}

BOOST_AUTO_TEST_CASE(custom_templates_are_data) {
  auto t = ReferenceTemplate::Parse("{fonds}-{year}-{retention}-{class}-{seq:5}");
  BOOST_REQUIRE(t.ok());
  ReferenceParts p{"0001", "SB", 2024, "Y", "0101", "01", 3};
  BOOST_TEST(t->Format(p) == "0001-2024-Y-01-00003");
  BOOST_TEST(t->seq_width() == 5);
}

BOOST_AUTO_TEST_CASE(bad_templates_are_refused_with_reasons) {
  auto missing_seq = ReferenceTemplate::Parse("{fonds}-{year}-{retention}");
  BOOST_REQUIRE(!missing_seq.ok());
  BOOST_TEST(missing_seq.status().message().find("{seq}") != std::string::npos);
  BOOST_TEST(!ReferenceTemplate::Parse("{fonds}-{year}-{seq}").ok());              // no retention
  BOOST_TEST(!ReferenceTemplate::Parse("{fonds}-{year}-{retention}-{sek}").ok());  // typo
  BOOST_TEST(!ReferenceTemplate::Parse("{year}-{retention}-{seq}-{item}").ok());   // seq not last
  BOOST_TEST(!ReferenceTemplate::Parse("{year}-{retention}-{seq").ok());
  BOOST_TEST(!ReferenceTemplate::Parse("{year}{year}-{retention}-{seq}").ok());
}

BOOST_AUTO_TEST_CASE(fonds_must_be_four_characters) {
  BOOST_TEST(ValidateFonds("J012").ok());
  BOOST_TEST(!ValidateFonds("J01").ok());
  BOOST_TEST(!ValidateFonds("j012").ok());
  BOOST_TEST(!ValidateFonds("J0123").ok());
}

BOOST_AUTO_TEST_CASE(retention_runs_from_the_first_of_january_after_formation) {
  auto s = ClassificationScheme::LoadBuiltin().value();
  BOOST_TEST(RetentionDueDate(2026, *s.FindRetention("D10")).value() == "2037-01-01");
  BOOST_TEST(RetentionDueDate(2020, *s.FindRetention("D100")).value() == "2121-01-01");
  BOOST_TEST(RetentionDueDate(2020, *s.FindRetention("D30")).value() == "2051-01-01");
  BOOST_TEST(!RetentionDueDate(2020, *s.FindRetention("Y")).has_value());
}
