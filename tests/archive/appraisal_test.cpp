#define BOOST_TEST_MODULE appraisal
#include <boost/test/unit_test.hpp>

#include "archive/appraisal.h"

using namespace dangan;

namespace {
const RetentionCode kTen{"D10", "10年", 10};
const RetentionCode kThirty{"D30", "30年", 30};
const RetentionCode kForever{"Y", "永久", std::nullopt};
}  // namespace

BOOST_AUTO_TEST_CASE(only_records_past_their_period_are_destroyed_or_extended) {
  // Formed in 2010, ten years: due on 2021-01-01.
  BOOST_TEST(!CheckProposal(AppraisalDecision::kDestroy, kTen, {}, 2010, "2020-12-31").ok());
  BOOST_TEST(CheckProposal(AppraisalDecision::kDestroy, kTen, {}, 2010, "2021-01-01").ok());
  BOOST_TEST(!CheckProposal(AppraisalDecision::kDestroy, kForever, {}, 1950, "2026-01-01").ok());
  BOOST_TEST(CheckProposal(AppraisalDecision::kExtend, kTen, kThirty, 2010, "2021-01-01").ok());
  BOOST_TEST(CheckProposal(AppraisalDecision::kExtend, kTen, kForever, 2010, "2021-01-01").ok());
  BOOST_TEST(!CheckProposal(AppraisalDecision::kExtend, kThirty, kTen, 1980, "2021-01-01").ok());
  BOOST_TEST(!CheckProposal(AppraisalDecision::kExtend, kTen, {}, 2010, "2021-01-01").ok());
  BOOST_TEST(!CheckProposal(AppraisalDecision::kDestroy, kTen, kThirty, 2010, "2021-01-01").ok());
  // Keeping is allowed at any time.
  BOOST_TEST(CheckProposal(AppraisalDecision::kKeep, kTen, {}, 2025, "2026-01-01").ok());
}

BOOST_AUTO_TEST_CASE(the_proposer_never_decides_and_two_supervise) {
  BOOST_TEST((CheckDecider("王", "王").code() == ErrorCode::kForbidden));
  BOOST_TEST(CheckDecider("王", "李").ok());
  BOOST_TEST(!CheckDecider("王", "").ok());
  BOOST_TEST(!CheckSupervisors({"甲"}).ok());
  BOOST_TEST(!CheckSupervisors({"甲", "甲"}).ok());
  BOOST_TEST(!CheckSupervisors({"甲", ""}).ok());
  BOOST_TEST(CheckSupervisors({"甲", "乙"}).ok());
  // Whoever carries out the destruction does not supervise it.
  BOOST_TEST(!CheckSupervisors({"甲", "乙"}, "甲").ok());
  BOOST_TEST(CheckSupervisors({"甲", "乙"}, "丙").ok());
}

BOOST_AUTO_TEST_CASE(years_kept_count_from_the_first_of_january_after_forming) {
  BOOST_TEST(YearsKept(2010, "2026-11-24") == 15);
  BOOST_TEST(YearsKept(2010, "2011-06-01") == 0);
  BOOST_TEST(YearsKept(2026, "2026-11-24") == 0);
  BOOST_TEST((ParseDecision("destroy") == AppraisalDecision::kDestroy));
  BOOST_TEST(!ParseDecision("burn"));
}
