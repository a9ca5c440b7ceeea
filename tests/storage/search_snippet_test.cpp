// SearchSnippet: marks what the index matched (phrases at consecutive token positions, single
// characters wherever they are), picks the window with the most distinct terms, and says where
// text was left out.
#define BOOST_TEST_MODULE search_snippet
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "storage/search_snippet.h"

using namespace dangan;

namespace {
std::string Snip(const std::string& text, std::vector<std::string> phrases,
                 std::vector<std::string> characters = {}, int positions = 16) {
  return SearchSnippet(text, SnippetQuery{std::move(phrases), std::move(characters)}, positions);
}
size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size())) ++n;
  return n;
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_phrase_is_marked_whole_and_only_where_it_stands_together) {
  BOOST_TEST(Snip("工伤认定申请表", {"工伤认定"}) == "[工伤认定]申请表");
  // The same characters apart are no match: 工伤 … 认定.
  BOOST_TEST(Snip("工伤，认定", {"工伤认定"}) == "工伤，认定");
  BOOST_TEST(Snip("参保人员工伤认定", {"工伤"}) == "参保人员[工伤]认定");
}

BOOST_AUTO_TEST_CASE(a_single_character_is_marked_exactly_wherever_it_occurs) {
  BOOST_TEST(Snip("工伤认定：伤者张三", {}, {"伤"}) == "工[伤]认定：[伤]者张三");
}

BOOST_AUTO_TEST_CASE(words_match_without_regard_to_case_and_keep_their_separators) {
  BOOST_TEST(Snip("档号 J012-SB·2026-D100", {"j012-sb"}) == "档号 [J012-SB]·2026-D100");
  BOOST_TEST(Snip("Scan of FORM a1", {"form"}) == "Scan of [FORM] a1");
}

BOOST_AUTO_TEST_CASE(overlapping_matches_are_marked_once) {
  BOOST_TEST(Snip("基本养老保险", {"养老", "老保"}) == "基本[养老保]险");
}

BOOST_AUTO_TEST_CASE(a_long_text_is_cut_around_the_match_with_ellipses) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "前";
  text += "失业保险金";
  for (int i = 0; i < 40; ++i) text += "后";
  const std::string s = Snip(text, {"失业"});
  BOOST_TEST(s.find("[失业]") != std::string::npos, s);
  BOOST_TEST(s.rfind("…", 0) == 0u, s);
  BOOST_TEST(s.size() >= 3u);
  BOOST_TEST(s.substr(s.size() - 3) == "…", s);
  BOOST_TEST(s.size() < 80u, s);  // about 16 positions of 3-byte characters, not the whole text
  // Centred: the match is not at either edge of the window.
  BOOST_TEST(s.find("前前") != std::string::npos, s);
  BOOST_TEST(s.find("后后") != std::string::npos, s);
}

BOOST_AUTO_TEST_CASE(the_window_prefers_every_term_over_many_of_one) {
  std::string text = "养老 养老 养老 养老 养老 养老";
  for (int i = 0; i < 30; ++i) text += "，无关内容";
  text += "养老待遇 工伤";
  const std::string s = Snip(text, {"养老", "工伤"});
  BOOST_TEST(s.find("[工伤]") != std::string::npos, s);
  BOOST_TEST(s.find("[养老]") != std::string::npos, s);
}

BOOST_AUTO_TEST_CASE(text_without_a_match_gives_its_beginning_and_no_text_gives_nothing) {
  BOOST_TEST(Snip("社会保险登记表", {"工伤"}) == "社会保险登记表");
  BOOST_TEST(Snip("", {"工伤"}) == "");
  BOOST_TEST(Snip("，。；", {"工伤"}) == "");
}

BOOST_AUTO_TEST_CASE(a_character_repeated_a_hundred_thousand_times_costs_little) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "的";
  const auto t0 = std::chrono::steady_clock::now();
  const std::string s = Snip(text, {}, {"的"});
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  BOOST_TEST(Count(s, "[") >= 1u, s);
  BOOST_TEST(ms < 2000.0);  // tokenizing 300 KB; the window search itself is bounded
}
