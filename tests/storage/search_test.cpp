// Search behaviour, on both catalogue backends (tests/support/catalogue_backend.h).
#define BOOST_TEST_MODULE search
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "tests/support/catalogue_backend.h"

using namespace dangan;
using namespace dangan::testing;
namespace bdata = boost::unit_test::data;

// Named, not anonymous: the data test cases are templates that use this type.
namespace search_test {

struct Filed {
  explicit Filed(const std::string& kind) : backend(kind), archive(backend.archive()) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"0301", "基本养老金待遇核定表"},
        {"0503", "失业保险金申领审核表"},
        {"0602", "工伤认定决定书"},
        {"0102", "参保人员增员申报表"},
    };
    for (size_t i = 0; i < cases.size(); ++i) {
      auto c = archive.MakeCase("S-" + std::to_string(i), cases[i].first, cases[i].second);
      if (i == 2) c.person = Person{ValidIdNumber("44010619621211918"), "王五"};
      auto r = backend.filing().File(c, "business", "test");
      if (!r.ok()) throw std::runtime_error(r.status().ToString());
      refs.push_back(r->reference);
    }
  }
  std::vector<std::string> Find(const std::string& text, SearchSpec spec = {}) {
    spec.text = text;
    auto page = backend.catalogue().Search(spec);
    if (!page.ok()) throw std::runtime_error(page.status().ToString());
    std::vector<std::string> out;
    for (const auto& h : page->hits) out.push_back(h.reference);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> Refs(std::initializer_list<int> which) {
    std::vector<std::string> out;
    for (int i : which) out.push_back(refs[static_cast<size_t>(i)]);
    std::sort(out.begin(), out.end());
    return out;
  }
  CatalogueBackend backend;
  TestArchive& archive;
  std::vector<std::string> refs;
};

}  // namespace search_test
using namespace search_test;

BOOST_DATA_TEST_CASE(one_two_and_four_character_queries, bdata::make(kSearchBackends), kind) {
  Filed f(kind);
  [[maybe_unused]] auto& archive = f.archive;
  [[maybe_unused]] auto& refs = f.refs;
  [[maybe_unused]] auto Find = [&f](const std::string& text, SearchSpec spec = {}) {
    return f.Find(text, spec);
  };
  [[maybe_unused]] auto Refs = [&f](std::initializer_list<int> which) { return f.Refs(which); };
  BOOST_TEST(Find("伤") == Refs({2}));
  BOOST_TEST(Find("金") == Refs({0, 1}));
  BOOST_TEST(Find("养老") == Refs({0}));
  BOOST_TEST(Find("核定") == Refs({0}));
  BOOST_TEST(Find("工伤认定") == Refs({2}));
  BOOST_TEST(Find("保险金申领") == Refs({1}));
  BOOST_TEST(Find("认定工伤").empty());  // order matters inside a phrase
  BOOST_TEST(Find("失业 审核") == Refs({1}));
  BOOST_TEST(Find("失业 养老").empty());
}

BOOST_DATA_TEST_CASE(identifiers_and_references_are_exact, bdata::make(kSearchBackends), kind) {
  Filed f(kind);
  [[maybe_unused]] auto& archive = f.archive;
  [[maybe_unused]] auto& refs = f.refs;
  [[maybe_unused]] auto Find = [&f](const std::string& text, SearchSpec spec = {}) {
    return f.Find(text, spec);
  };
  [[maybe_unused]] auto Refs = [&f](std::initializer_list<int> which) { return f.Refs(which); };
  BOOST_TEST(Find(ValidIdNumber("44010619621211918")) == Refs({2}));
  std::string lower = ValidIdNumber("44010619621211918");
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  BOOST_TEST(Find(lower) == Refs({2}));
  BOOST_TEST(Find(refs[3]) == Refs({3}));
  BOOST_TEST(Find(ValidIdNumber("11010519800101001")).empty());
}

BOOST_DATA_TEST_CASE(punctuation_alone_matches_nothing_and_filters_apply,
                     bdata::make(kSearchBackends), kind) {
  Filed f(kind);
  [[maybe_unused]] auto& archive = f.archive;
  [[maybe_unused]] auto& refs = f.refs;
  [[maybe_unused]] auto Find = [&f](const std::string& text, SearchSpec spec = {}) {
    return f.Find(text, spec);
  };
  [[maybe_unused]] auto Refs = [&f](std::initializer_list<int> which) { return f.Refs(which); };
  for (const char* q : {"\"", "*", "()", "-", "NEAR(", "^"}) BOOST_TEST(Find(q).empty(), q);
  SearchSpec by_class;
  by_class.class_code = "03";
  BOOST_TEST(Find("", by_class) == Refs({0}));
  SearchSpec facets;
  facets.facets = true;
  facets.text = "表";  // in three titles, and in every record's file name 申请表.txt
  auto page = f.backend.catalogue().Search(facets).value();
  BOOST_TEST(page.total == 4);
  BOOST_TEST(page.facets["class"]["01"] == 1);
  BOOST_TEST(page.facets["retention"]["D100"] == 2);
  // A one-character hit is marked exactly (it comes from the characters table).
  BOOST_TEST(page.hits[0].snippet.find("[表]") != std::string::npos, page.hits[0].snippet);
}

BOOST_DATA_TEST_CASE(facets_count_records_filed_after_the_first_search,
                     bdata::make(kSearchBackends), kind) {
  Filed f(kind);
  [[maybe_unused]] auto& archive = f.archive;
  [[maybe_unused]] auto& refs = f.refs;
  [[maybe_unused]] auto Find = [&f](const std::string& text, SearchSpec spec = {}) {
    return f.Find(text, spec);
  };
  [[maybe_unused]] auto Refs = [&f](std::initializer_list<int> which) { return f.Refs(which); };
  SearchSpec spec;
  spec.facets = true;
  spec.text = "表";
  auto& catalogue = f.backend.catalogue();
  auto before = catalogue.Search(spec).value();
  BOOST_TEST(before.facets["class"]["01"] == 1);
  // Filed after the facets were first read into memory: a newer id than any held there.
  for (int i = 0; i < 2; ++i) {
    auto c = archive.MakeCase("S-late-" + std::to_string(i), "0102", "参保人员减员申报表");
    BOOST_REQUIRE(f.backend.filing().File(c, "business", "test").ok());
  }
  auto after = catalogue.Search(spec).value();
  BOOST_TEST(after.total == 6);
  BOOST_TEST(after.facets["class"]["01"] == 3);
  BOOST_TEST(after.facets["class"]["03"] == before.facets["class"]["03"]);
  int64_t by_year = 0;
  for (const auto& [year, n] : after.facets["year"]) by_year += n;
  BOOST_TEST(by_year == 6);
  // Newest first beyond the ranked range, and the same facets with a filter (the records path).
  SearchSpec filtered = spec;
  filtered.class_code = "01";
  auto only01 = catalogue.Search(filtered).value();
  BOOST_TEST(only01.total == 3);
  BOOST_TEST(only01.facets["class"].size() == 1u);
  SearchSpec no_text;
  no_text.facets = true;
  auto all = catalogue.Search(no_text).value();
  BOOST_TEST(all.total == 6);
  BOOST_TEST(all.facets["class"]["01"] == 3);
}

BOOST_DATA_TEST_CASE(single_characters_are_found_anywhere_and_marked_exactly,
                     bdata::make(kSearchBackends), kind) {
  Filed f(kind);
  [[maybe_unused]] auto& archive = f.archive;
  [[maybe_unused]] auto& refs = f.refs;
  [[maybe_unused]] auto Find = [&f](const std::string& text, SearchSpec spec = {}) {
    return f.Find(text, spec);
  };
  [[maybe_unused]] auto Refs = [&f](std::initializer_list<int> which) { return f.Refs(which); };
  // 定 inside 待遇核定表 and 工伤认定决定书; 伤 inside the latter.
  BOOST_TEST(Find("定") == Refs({0, 2}));
  BOOST_TEST(Find("伤") == Refs({2}));
  BOOST_TEST(Find("定 伤") == Refs({2}));
  BOOST_TEST(Find("伤 决定书") == Refs({2}));  // a character beside a phrase
  BOOST_TEST(Find("定 核定表") == Refs({0}));
  BOOST_TEST(Find("伤 核定表").empty());
  BOOST_TEST(Find("龙").empty());
  SearchSpec spec;
  spec.text = "伤";
  auto page = f.backend.catalogue().Search(spec);
  BOOST_REQUIRE(page.ok());
  BOOST_REQUIRE(page->hits.size() == 1u);
  BOOST_TEST(page->hits[0].snippet.find("工[伤]认定") != std::string::npos, page->hits[0].snippet);
  // Characters alone are listed newest first (a character's frequency ranks nothing); 表 is in
  // every record's file name 申请表.txt.
  spec.text = "表";
  page = f.backend.catalogue().Search(spec);
  BOOST_REQUIRE(page.ok());
  BOOST_REQUIRE(page->hits.size() == 4u);
  for (size_t k = 0; k < 4; ++k) BOOST_TEST(page->hits[k].reference == refs[3 - k]);
  spec.offset = 3;
  page = f.backend.catalogue().Search(spec);
  BOOST_REQUIRE(page.ok());
  BOOST_REQUIRE(page->hits.size() == 1u);
  BOOST_TEST(page->hits[0].reference == refs[0]);
  BOOST_TEST(page->total == 4);
}
