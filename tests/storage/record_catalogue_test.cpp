// One suite, both catalogue backends: every case runs on the embedded SQLite file and on a real
// PostgreSQL server (CTest's `postgresql` fixture, scripts/pg.sh), filing through the real Filing
// use case with real packages.
#define BOOST_TEST_MODULE record_catalogue
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "archive/cli/archive_session.h"
#include "storage/digest.h"
#include "storage/file_sample.h"
#include "storage/pg_catalogue.h"
#include "tests/support/catalogue_backend.h"
#include "tests/support/fullwidth.h"
#include "tests/support/pg_server.h"

using namespace dangan;
using namespace dangan::testing;
namespace bdata = boost::unit_test::data;

// Named, not anonymous: the data test cases are templates that capture these types.
namespace record_catalogue_test {

using Backend = CatalogueBackend;

std::set<std::string> Refs(const SearchPage& page) {
  std::set<std::string> out;
  for (const auto& h : page.hits) out.insert(h.reference);
  return out;
}

// The 档号 a search for `q` finds.
std::set<std::string> Find(RecordCatalogue& c, const std::string& q) {
  SearchSpec spec;
  spec.text = q;
  auto page = c.Search(spec);
  BOOST_REQUIRE_MESSAGE(page.ok(), page.status().ToString());
  return Refs(*page);
}

void ExpectChainHolds(RecordCatalogue& c) {
  auto events = c.Events("", 0, RecordCatalogue::EventKinds::kAll);
  BOOST_REQUIRE(events.ok());
  std::string why;
  auto broken = FindBrokenLink(*events, kGenesisHash, 1, &why);
  BOOST_TEST(!broken.has_value(), why);
}

// Each search row as "partition:id", in id order (PostgreSQL).
std::string SearchRowsByPartition(PgDb& db) {
  return db
      .Value(
          "SELECT string_agg(tableoid::regclass::text || ':' || id, ',' ORDER BY id)"
          " FROM record_search")
      .value()
      .value_or("");
}

}  // namespace record_catalogue_test
using namespace record_catalogue_test;

BOOST_DATA_TEST_CASE(filed_records_read_back_whole, bdata::make(kCatalogueBackends), kind) {
  Backend b(kind);
  auto c = b.archive().MakeCase("RB-1", "0301", "基本养老金待遇核定表",
                                {{"申请表（原件）.pdf", "%PDF-1.4 测试"}, {"说明.txt", "说明"}});
  c.doc_number = "社保〔2025〕12号";
  c.text = "经审核，符合领取基本养老金条件。";
  std::string ref = b.File(c);
  BOOST_TEST(ref == "J012-SB·2025-D100-0301-0001");

  auto rec = b.catalogue().GetRecord(ref);
  BOOST_REQUIRE(rec.ok());
  BOOST_REQUIRE(rec->has_value());
  const Record& r = **rec;
  BOOST_TEST(r.title == "基本养老金待遇核定表");
  BOOST_TEST(r.doc_number == "社保〔2025〕12号");
  BOOST_TEST(r.parts.seq == 1);
  BOOST_TEST(r.parts.retention == "D100");
  BOOST_REQUIRE(r.person.has_value());
  BOOST_TEST(r.person->id_number == ValidIdNumber());
  BOOST_TEST(r.person->name == "张三");
  BOOST_REQUIRE(r.unit.has_value());
  BOOST_TEST(r.unit->name == "测试科技有限公司");
  BOOST_REQUIRE(r.steps.size() == 2u);
  BOOST_TEST(r.steps[1].action == "办结");
  BOOST_REQUIRE(r.files.size() == 2u);
  BOOST_TEST(r.files[0].name == "申请表（原件）.pdf");
  BOOST_TEST(r.files[1].sha256 == Digest::OfString("说明"));
  BOOST_TEST(r.package_sha256 == Digest::OfFile(b.archive().Path(r.package_path)).value());
  BOOST_TEST(r.channel == "business");

  BOOST_TEST(b.catalogue().CountRecords().value() == 1);
  BOOST_TEST(b.catalogue().References().value() == std::vector<std::string>{ref});
  BOOST_TEST(b.catalogue().HasPackage(r.package_path).value());
  BOOST_TEST(!b.catalogue().HasPackage("packages/none.tar").value());
  auto known = b.catalogue().FindCase("sbxt", "RB-1");
  BOOST_REQUIRE(known.ok());
  BOOST_REQUIRE(known->has_value());
  BOOST_TEST((*known)->reference == ref);
  BOOST_TEST(!b.catalogue().FindCase("sbxt", "RB-2").value().has_value());
  BOOST_TEST(!b.catalogue().GetRecord("J012-SB·2025-D100-0301-0002").value().has_value());
  BOOST_TEST(b.catalogue().schema_version() > 0);
}

BOOST_DATA_TEST_CASE(records_are_listed_in_the_order_asked_without_their_files,
                     bdata::make(kCatalogueBackends), kind) {
  Backend b(kind);
  const std::vector<std::string> refs = {
      b.File(b.archive().MakeCase("LS-1", "0301", "基本养老金待遇核定表", {{"a.txt", "一"}})),
      b.File(b.archive().MakeCase("LS-2", "0102", "参保人员增员申报表", {{"b.txt", "二"}})),
      b.File(b.archive().MakeCase("LS-3", "0301", "养老保险关系转移接续", {{"c.txt", "三"}}))};
  const std::string missing = "J012-SB·2025-D100-0301-0099";
  // Newest first, an unknown 档号 between, and enough repeats to span several batches.
  std::vector<std::string> asked = {refs[2], missing, refs[0]};
  for (int i = 0; i < 2500; ++i) asked.push_back(refs[static_cast<size_t>(i) % 3]);
  asked.push_back(refs[1]);

  auto listed = b.catalogue().ListRecords(asked);
  BOOST_REQUIRE_MESSAGE(listed.ok(), listed.status().ToString());
  BOOST_REQUIRE_EQUAL(listed->size(), asked.size() - 1);
  std::vector<std::string> expected;
  for (const auto& r : asked)
    if (r != missing) expected.push_back(r);
  for (size_t i = 0; i < expected.size(); ++i)
    BOOST_REQUIRE_EQUAL((*listed)[i].reference, expected[i]);
  // The first few hold all three records; the rest are the same three again.
  for (size_t i = 0; i < 6; ++i) {
    const Record& r = (*listed)[i];
    BOOST_TEST(r.files.empty());
    Record whole = b.catalogue().GetRecord(r.reference).value().value();
    BOOST_TEST(r.title == whole.title);
    BOOST_TEST(r.parts.item == whole.parts.item);
    BOOST_TEST(r.formed_on == whole.formed_on);
    BOOST_TEST(r.agency == whole.agency);
    BOOST_TEST(r.pages == whole.pages);
    BOOST_TEST(r.state == whole.state);
    BOOST_TEST(r.package_sha256 == whole.package_sha256);
    BOOST_REQUIRE(r.person.has_value());
    BOOST_TEST(r.person->name == whole.person->name);
  }
  BOOST_TEST(b.catalogue().ListRecords({}).value().empty());
  BOOST_TEST(b.catalogue().ListRecords({missing}).value().empty());
}

BOOST_DATA_TEST_CASE(the_same_case_again_replays_and_other_content_conflicts,
                     bdata::make(kCatalogueBackends), kind) {
  Backend b(kind);
  std::string ref = b.File(b.archive().MakeCase("ID-1"));
  auto again = b.filing().File(b.archive().MakeCase("ID-1"), "business", "test");
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(again->already_filed);
  BOOST_TEST(again->reference == ref);
  auto other = b.filing().File(b.archive().MakeCase("ID-1", "0102", "另一个题名"), "business", "t");
  BOOST_REQUIRE(!other.ok());
  BOOST_TEST(static_cast<int>(other.status().code()) == static_cast<int>(ErrorCode::kConflict));
  BOOST_TEST(b.catalogue().CountRecords().value() == 1);
}

BOOST_DATA_TEST_CASE(a_rolled_back_filing_gives_its_number_back, bdata::make(kCatalogueBackends),
                     kind) {
  Backend b(kind);
  std::string first = b.File(b.archive().MakeCase("RO-1"));
  {
    auto txn = b.catalogue().BeginFiling();
    BOOST_REQUIRE(txn.ok());
    auto seq = (*txn)->NextSequence(b.catalogue().GetRecord(first).value()->series);
    BOOST_REQUIRE(seq.ok());
    BOOST_TEST(*seq == 2);
  }  // destroyed without Commit: rolled back
  std::string second = b.File(b.archive().MakeCase("RO-2"));
  BOOST_TEST(first.substr(first.size() - 4) == "0001");
  BOOST_TEST(second.substr(second.size() - 4) == "0002");
}

BOOST_DATA_TEST_CASE(concurrent_filers_number_each_series_without_gaps,
                     bdata::make(kCatalogueBackends), kind) {
  Backend b(kind);
  // With PostgreSQL, half the threads file through a second catalogue (another server's pool).
  auto second = b.SecondServer();
  std::unique_ptr<Filing> second_filing = second ? b.MakeFiling(*second) : nullptr;
  constexpr int kThreads = 4, kPerThread = 6;
  std::vector<CaseSubmission> cases;
  for (int i = 0; i < kThreads * kPerThread; ++i)
    cases.push_back(b.archive().MakeCase("CF-" + std::to_string(i), i % 2 ? "0102" : "0503"));
  std::vector<std::string> refs(cases.size()), errors(cases.size());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Filing& f = (t % 2 && second_filing) ? *second_filing : b.filing();
      for (int k = 0; k < kPerThread; ++k) {
        size_t i = static_cast<size_t>(t * kPerThread + k);
        auto r = f.File(cases[i], "business", "test");
        if (r.ok())
          refs[i] = r->reference;
        else
          errors[i] = r.status().ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  std::map<std::string, std::set<int>> by_series;
  for (size_t i = 0; i < refs.size(); ++i) {
    BOOST_TEST_REQUIRE(errors[i].empty(), errors[i]);
    auto dash = refs[i].rfind('-');
    by_series[refs[i].substr(0, dash)].insert(std::stoi(refs[i].substr(dash + 1)));
  }
  BOOST_REQUIRE(by_series.size() == 2u);
  for (const auto& [series, seqs] : by_series) {
    BOOST_TEST(seqs.size() == static_cast<size_t>(kThreads * kPerThread / 2), series);
    BOOST_TEST(*seqs.begin() == 1);
    BOOST_TEST(*seqs.rbegin() == static_cast<int>(seqs.size()), series);  // no gap, no repeat
  }
  BOOST_TEST(b.catalogue().CountRecords().value() == kThreads * kPerThread);
  ExpectChainHolds(b.catalogue());
}

BOOST_DATA_TEST_CASE(chinese_text_is_found_by_one_two_and_more_characters,
                     bdata::make(kSearchBackends), kind) {
  Backend b(kind);
  auto pension = b.archive().MakeCase("S-1", "0301", "基本养老金待遇核定表");
  pension.text = "参保人自二〇二五年七月起按月领取养老金。";
  std::string r1 = b.File(pension);
  auto insured = b.archive().MakeCase("S-2", "0102", "参保人员增员申报表");
  insured.text = "单位为新招用职工办理参保登记 ABC123。";
  insured.person = Person{ValidIdNumber("11010519800101003"), "李四"};
  std::string r2 = b.File(insured);
  auto leave = b.archive().MakeCase("S-3", "0503", "老年保险关系转移");
  std::string r3 = b.File(leave);

  auto find = [&](const std::string& q) {
    SearchSpec spec;
    spec.text = q;
    auto page = b.catalogue().Search(spec);
    BOOST_REQUIRE_MESSAGE(page.ok(), page.status().ToString());
    return *page;
  };
  // One character, two characters, a phrase, and a phrase whose characters all occur in a
  // record but never side by side there.
  BOOST_TEST((Refs(find("养")) == std::set<std::string>{r1}));
  BOOST_TEST((Refs(find("保")) == std::set<std::string>{r1, r2, r3}));
  BOOST_TEST((Refs(find("养老")) == std::set<std::string>{r1}));
  BOOST_TEST((Refs(find("参保")) == std::set<std::string>{r1, r2}));
  BOOST_TEST((Refs(find("养老金待遇")) == std::set<std::string>{r1}));
  BOOST_TEST(Refs(find("保险养老")).empty());
  BOOST_TEST((Refs(find("老年保险")) == std::set<std::string>{r3}));
  BOOST_TEST(Refs(find("老保险年")).empty());
  BOOST_TEST((Refs(find("养老 核定")) == std::set<std::string>{r1}));
  BOOST_TEST((Refs(find("abc123")) == std::set<std::string>{r2}));
  BOOST_TEST((Refs(find(r3)) == std::set<std::string>{r3}));
  BOOST_TEST(find("，。").hits.empty());
  BOOST_TEST(find("旅游").total == 0);
  // A whole 公民身份号码 is an exact filter, and shown masked in snippets.
  auto by_id = find(ValidIdNumber("11010519800101003"));
  BOOST_TEST((Refs(by_id) == std::set<std::string>{r2}));
  auto marked = find("养老金");
  BOOST_REQUIRE(marked.hits.size() == 1u);
  BOOST_TEST(marked.hits[0].snippet.find("[养老金]") != std::string::npos, marked.hits[0].snippet);
  BOOST_TEST(marked.hits[0].title == "基本养老金待遇核定表");
  BOOST_TEST(marked.total == 1);
}

BOOST_DATA_TEST_CASE(a_term_of_several_parts_is_a_phrase, bdata::make(kSearchBackends), kind) {
  Backend b(kind);
  auto together = b.archive().MakeCase("P-1", "0201", "缴费申报核定表");
  together.text = "2025年度缴费基数核定。";
  together.doc_number = "社保〔2025〕12号";
  std::string r1 = b.File(together);
  // Every part occurs here too (2025 in the 档号), but never side by side.
  auto apart = b.archive().MakeCase("P-2", "0201", "缴费申报核定表");
  apart.text = "累计缴费年限十五年，编号 12。";
  apart.doc_number = "社保〔2025〕13号";
  std::string r2 = b.File(apart);
  auto find = [&b](const std::string& q) { return Find(b.catalogue(), q); };
  BOOST_TEST((find("2025年") == std::set<std::string>{r1}));
  BOOST_TEST((find("社保〔2025〕12号") == std::set<std::string>{r1}));
  BOOST_TEST((find("社保〔2025〕13号") == std::set<std::string>{r2}));
  BOOST_TEST((find("2025") == std::set<std::string>{r1, r2}));
  BOOST_TEST((find("年") == std::set<std::string>{r1, r2}));
  BOOST_TEST(find("年2025").empty());
}

BOOST_DATA_TEST_CASE(a_dossier_with_a_very_long_text_is_found_by_its_phrases,
                     bdata::make(kSearchBackends), kind) {
  Backend b(kind);
  // 250,000 characters drawn from 3,000 (U+4E00…): more distinct bigrams than one PostgreSQL
  // tsvector may hold. None of 养老保险待遇核定 is among them; the phrase sits in the middle.
  std::string text;
  uint32_t x = 12345;
  for (int i = 0; i < 250000; ++i) {
    if (i == 125000) text += "养老保险待遇核定";
    x = x * 1103515245u + 12345u;
    uint32_t cp = 0x4E00 + (x >> 8) % 3000;
    text += static_cast<char>(0xE0 | (cp >> 12));
    text += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    text += static_cast<char>(0x80 | (cp & 0x3F));
  }
  auto big = b.archive().MakeCase("BIG-1", "0301", "历年档案汇编");
  big.text = text;
  std::string r1 = b.File(big);
  auto small = b.archive().MakeCase("BIG-2", "0503", "失业保险金申领表");
  std::string r2 = b.File(small);
  auto find = [&b](const std::string& q) { return Find(b.catalogue(), q); };
  BOOST_TEST((find("养老保险待遇核定") == std::set<std::string>{r1}));
  BOOST_TEST((find("待遇") == std::set<std::string>{r1}));
  BOOST_TEST((find("保险") == std::set<std::string>{r1, r2}));
  BOOST_TEST((find("遇") == std::set<std::string>{r1}));
  BOOST_TEST(find("待遇保险").empty());
  BOOST_TEST(find("遇待").empty());
  BOOST_TEST((find("失业保险") == std::set<std::string>{r2}));
  if (!b.pg_url().empty()) {  // the large one is indexed by its characters, the small one whole
    auto db = PgDb::Connect(b.pg_url());
    BOOST_REQUIRE(db.ok());
    BOOST_TEST((*db)
                   ->Value("SELECT string_agg(reference || '=' || by_characters, ',' ORDER BY id)"
                           " FROM records JOIN record_search USING (id)")
                   .value()
                   .value() == r1 + "=true," + r2 + "=false");
  }
}

BOOST_DATA_TEST_CASE(filters_facets_paging_and_masking, bdata::make(kSearchBackends), kind) {
  Backend b(kind);
  std::vector<std::string> refs;
  for (int i = 0; i < 5; ++i) {
    auto c = b.archive().MakeCase("F-" + std::to_string(i), i < 3 ? "0102" : "0301",
                                  i < 3 ? "张三参保登记表" : "张三养老金核定表");
    refs.push_back(b.File(c));
  }
  SearchSpec all;
  all.text = "张三";
  all.facets = true;
  auto page = b.catalogue().Search(all);
  BOOST_REQUIRE(page.ok());
  BOOST_TEST(page->total == 5);
  BOOST_TEST(!page->total_is_lower_bound);
  BOOST_TEST(page->facets["class"].size() >= 1u);
  int64_t by_retention = 0;
  for (const auto& [value, n] : page->facets["retention"]) by_retention += n;
  BOOST_TEST(by_retention == 5);
  BOOST_TEST(page->facets["year"]["2025"] == 5);
  int64_t by_class = 0;
  for (const auto& [value, n] : page->facets["class"]) by_class += n;
  BOOST_TEST(by_class == 5);

  SearchSpec item = all;
  item.item = "0301";
  BOOST_TEST((Refs(b.catalogue().Search(item).value()) == std::set<std::string>{refs[3], refs[4]}));
  SearchSpec year = all;
  year.year = 2024;
  BOOST_TEST(b.catalogue().Search(year).value().total == 0);

  // Pages cover the matches once each.
  std::set<std::string> seen;
  for (int offset = 0; offset < 5; offset += 2) {
    SearchSpec p = all;
    p.facets = false;
    p.offset = offset;
    p.limit = 2;
    auto part = b.catalogue().Search(p);
    BOOST_REQUIRE(part.ok());
    BOOST_TEST(part->hits.size() == (offset == 4 ? 1u : 2u));
    for (const auto& h : part->hits) BOOST_TEST(seen.insert(h.reference).second);
  }
  BOOST_TEST(seen.size() == 5u);

  // Someone without the right to personal data sees the name masked, and may not ask by number.
  SearchSpec masked = all;
  masked.mask_personal = true;
  auto shown = b.catalogue().Search(masked);
  BOOST_REQUIRE(shown.ok());
  BOOST_REQUIRE(!shown->hits.empty());
  for (const auto& h : shown->hits) {
    BOOST_TEST(h.title.find("张三") == std::string::npos, h.title);
    BOOST_TEST(h.snippet.find("张三") == std::string::npos, h.snippet);
  }
  // However it is typed: the index folds fullwidth forms and drops punctuation, so these find
  // the person's records just as the bare number does.
  const std::string fullwidth = Fullwidth(ValidIdNumber());
  for (const std::string& q :
       {ValidIdNumber(), fullwidth, "（" + fullwidth + "）", "(" + ValidIdNumber() + ")",
        ValidIdNumber() + "。", "号码:" + ValidIdNumber()}) {
    masked.text = q;
    auto refused = b.catalogue().Search(masked);
    BOOST_REQUIRE_MESSAGE(!refused.ok(), q);
    BOOST_TEST(static_cast<int>(refused.status().code()) == static_cast<int>(ErrorCode::kForbidden),
               q);
  }
  // With the right, the number typed in fullwidth is the same search as the bare number.
  SearchSpec by_number = all;
  by_number.facets = false;
  by_number.text = ValidIdNumber();
  const auto bare = Refs(b.catalogue().Search(by_number).value());
  BOOST_TEST(!bare.empty());
  by_number.text = "（" + fullwidth + "）";
  BOOST_TEST(Refs(b.catalogue().Search(by_number).value()) == bare);
}

BOOST_DATA_TEST_CASE(events_chain_history_and_fixity, bdata::make(kCatalogueBackends), kind) {
  Backend b(kind);
  std::string ref = b.File(b.archive().MakeCase("E-1"));
  auto view = AuditEvent{0, cli::NowIso8601(), "reader", "view", ref, "{}", "", ""};
  auto verify = AuditEvent{0, cli::NowIso8601(), "system", "verify", ref, "{\"ok\":true}", "", ""};
  auto other = AuditEvent{0, cli::NowIso8601(), "admin", "export", "", "{}", "", ""};
  auto last = b.catalogue().AppendEvents({view, view}, RecordCatalogue::Durability::kRelaxed);
  BOOST_REQUIRE(last.ok());
  last = b.catalogue().AppendEvents({verify, other}, RecordCatalogue::Durability::kSynced);
  BOOST_REQUIRE(last.ok());
  BOOST_TEST(last->seq == 5);  // filing's event, two views, verify, export

  auto head = b.catalogue().LastEvent().value();
  BOOST_REQUIRE(head.has_value());
  BOOST_TEST(head->hash == last->hash);
  BOOST_TEST(head->action == "export");
  auto third = b.catalogue().EventAt(3).value();
  BOOST_REQUIRE(third.has_value());
  BOOST_TEST(third->action == "view");
  BOOST_TEST(!b.catalogue().EventAt(6).value().has_value());

  using Kinds = RecordCatalogue::EventKinds;
  BOOST_TEST(b.catalogue().CountEvents(ref, Kinds::kAll).value() == 4);
  BOOST_TEST(b.catalogue().CountEvents(ref, Kinds::kHistory).value() == 2);
  auto history = b.catalogue().Events(ref, 0, Kinds::kHistory).value();
  BOOST_REQUIRE(history.size() == 2u);
  BOOST_TEST(history[0].action == "file");
  BOOST_TEST(history[1].action == "verify");
  auto newest = b.catalogue().Events("", 2, Kinds::kAll).value();
  BOOST_REQUIRE(newest.size() == 2u);
  BOOST_TEST(newest[0].seq == 4);
  BOOST_TEST(newest[1].seq == 5);
  ExpectChainHolds(b.catalogue());

  BOOST_TEST(!b.catalogue().LastFixity(ref).value().has_value());
  BOOST_TEST(b.catalogue()
                 .RecordFixity({{ref, "2025-07-01T00:00:00Z", true, "ok"},
                                {ref, "2025-07-02T00:00:00Z", false, "changed byte"}})
                 .ok());
  auto fixity = b.catalogue().LastFixity(ref).value();
  BOOST_REQUIRE(fixity.has_value());
  BOOST_TEST(!fixity->ok);
  BOOST_TEST(fixity->detail == "changed byte");
  BOOST_TEST(fixity->checked_at == "2025-07-02T00:00:00Z");
}

BOOST_DATA_TEST_CASE(script_and_sql_in_text_are_kept_as_text, bdata::make(kSearchBackends), kind) {
  Backend b(kind);
  auto c = b.archive().MakeCase("X'; DROP TABLE records; --", "0102",
                                "<script>alert(1)</script>'); DELETE FROM events; --");
  c.text = "O'Brien \\ \"quoted\" 养老";
  std::string ref = b.File(c);
  auto rec = b.catalogue().GetRecord(ref).value();
  BOOST_REQUIRE(rec.has_value());
  BOOST_TEST(rec->title == "<script>alert(1)</script>'); DELETE FROM events; --");
  BOOST_TEST(rec->case_id == "X'; DROP TABLE records; --");
  SearchSpec spec;
  for (const char* q : {"o'brien", "'养老'", "\\", "a & b | !c", "\"quoted\"", "DROP"}) {
    spec.text = q;
    auto page = b.catalogue().Search(spec);
    BOOST_TEST(page.ok(), q << ": " << page.status().ToString());
  }
  spec.text = "o'brien";
  BOOST_TEST((Refs(b.catalogue().Search(spec).value()) == std::set<std::string>{ref}));
  BOOST_TEST(b.catalogue().CountRecords().value() == 1);
  ExpectChainHolds(b.catalogue());
}

BOOST_AUTO_TEST_CASE(two_servers_given_the_same_case_at_once_file_it_once) {
  Backend b("postgresql");
  auto second = b.SecondServer();
  auto other_filing = b.MakeFiling(*second);
  constexpr int kCases = 8;
  std::vector<CaseSubmission> cases;
  for (int i = 0; i < kCases; ++i)
    cases.push_back(b.archive().MakeCase("SAME-" + std::to_string(i)));
  std::vector<FilingReceipt> a(kCases), c(kCases);
  std::vector<std::string> errors;
  std::mutex mu;
  auto run = [&](Filing& f, std::vector<FilingReceipt>& out) {
    for (int i = 0; i < kCases; ++i) {
      auto r = f.File(cases[static_cast<size_t>(i)], "business", "test");
      if (r.ok()) {
        out[static_cast<size_t>(i)] = *r;
      } else {
        std::lock_guard<std::mutex> lock(mu);
        errors.push_back(r.status().ToString());
      }
    }
  };
  std::thread t1([&] { run(b.filing(), a); });
  std::thread t2([&] { run(*other_filing, c); });
  t1.join();
  t2.join();
  BOOST_TEST(errors.empty(), (errors.empty() ? "" : errors.front()));
  for (int i = 0; i < kCases; ++i) {
    BOOST_TEST(a[static_cast<size_t>(i)].reference == c[static_cast<size_t>(i)].reference);
    // Exactly one of the two filed it; the other got the first one's receipt.
    BOOST_TEST(a[static_cast<size_t>(i)].already_filed != c[static_cast<size_t>(i)].already_filed);
  }
  BOOST_TEST(b.catalogue().CountRecords().value() == kCases);
  ExpectChainHolds(b.catalogue());
}

BOOST_DATA_TEST_CASE(postgresql_search_reads_partitions_newest_first,
                     bdata::make({"postgresql", "postgresql-walk"}), kind) {
  Backend b(kind);
  auto db = PgDb::Connect(b.pg_url());
  BOOST_REQUIRE(db.ok());
  std::vector<std::string> refs;  // oldest first
  auto file = [&](const std::string& item, const std::string& title) {
    refs.push_back(b.File(b.archive().MakeCase("P-" + std::to_string(refs.size()), item, title)));
  };
  // Ids 1 and 2, then 99,999 to 100,001 (the first partition's end, the second's start), then
  // 250,001 (a third, with none between): one query's matches in three partitions.
  file("0102", "赵六参保登记表");
  file("0301", "钱七养老金核定表");
  BOOST_REQUIRE((*db)->Exec("SELECT setval('records_id_seq', 99998)").ok());
  file("0102", "赵六参保登记表");
  file("0301", "赵六养老金核定表");
  file("0102", "孙八参保登记表");
  BOOST_REQUIRE((*db)->Exec("SELECT setval('records_id_seq', 250000)").ok());
  file("0301", "赵六养老金核定表");
  BOOST_TEST(SearchRowsByPartition(**db) ==
             "record_search_0:1,record_search_0:2,record_search_0:99999,record_search_1:100000,"
             "record_search_1:100001,record_search_2:250001");
  // Partitions are read newest first, and only until enough rows are found.
  auto newest = [&](const std::string& conditions, const std::string& params, int wanted) {
    return (*db)
        ->Value("SELECT string_agg(id::text, ',') FROM dangan_search_newest($1, $2::text[], $3)",
                {conditions, params, std::to_string(wanted)})
        .value()
        .value_or("");
  };
  BOOST_TEST(newest("true", "{}", 3) == "250001,100001,100000");
  BOOST_TEST(newest("class_code = $1[1]", "{01}", 10) == "100001,99999,1");
  BOOST_TEST(newest("class_code = $1[1] AND year = $1[2]::integer", "{03,2025}", 1) == "250001");

  SearchSpec spec;
  spec.text = "赵六";
  spec.facets = true;
  auto page = b.catalogue().Search(spec);
  BOOST_REQUIRE_MESSAGE(page.ok(), page.status().ToString());
  BOOST_TEST(page->total == 4);
  std::vector<std::string> order;
  for (const auto& h : page->hits) order.push_back(h.reference);
  BOOST_TEST((order == std::vector<std::string>{refs[5], refs[3], refs[2], refs[0]}));
  BOOST_TEST(page->facets["class"]["01"] == 2);
  BOOST_TEST(page->facets["class"]["03"] == 2);
  for (const auto& h : page->hits) BOOST_TEST(h.snippet.find("赵六") != std::string::npos);
  SearchSpec second_page = spec;
  second_page.offset = 1;
  second_page.limit = 2;
  order.clear();
  for (const auto& h : b.catalogue().Search(second_page).value().hits) order.push_back(h.reference);
  BOOST_TEST((order == std::vector<std::string>{refs[3], refs[2]}));
  SearchSpec item = spec;
  item.item = "0301";
  BOOST_TEST((Refs(b.catalogue().Search(item).value()) == std::set<std::string>{refs[3], refs[5]}));
  BOOST_TEST(
      (Find(b.catalogue(), "养老金核定") == std::set<std::string>{refs[1], refs[3], refs[5]}));
  SearchSpec by_reference;
  by_reference.text = refs[3] + " 养老";
  BOOST_TEST((Refs(b.catalogue().Search(by_reference).value()) == std::set<std::string>{refs[3]}));

  // Another server files into the partition the first one made; a removed record leaves search.
  auto other = b.SecondServer();
  auto other_filing = b.MakeFiling(*other);
  auto late = other_filing->File(b.archive().MakeCase("P-late", "0102", "赵六参保登记表"),
                                 "business", "test");
  BOOST_REQUIRE_MESSAGE(late.ok(), late.status().ToString());
  BOOST_REQUIRE(
      b.catalogue()
          .WriteTables([&](SqlSession& in) { return b.catalogue().RemoveRecord(in, 100000); })
          .ok());
  BOOST_TEST(SearchRowsByPartition(**db) ==
             "record_search_0:1,record_search_0:2,record_search_0:99999,record_search_1:100001,"
             "record_search_2:250001,record_search_2:250002");
  BOOST_TEST((Find(b.catalogue(), "赵六") ==
              std::set<std::string>{refs[0], refs[2], refs[5], late->reference}));
}

BOOST_AUTO_TEST_CASE(postgresql_servers_filing_into_a_new_partition_at_once_make_it_once) {
  Backend b("postgresql");
  auto db = PgDb::Connect(b.pg_url());
  BOOST_REQUIRE(db.ok());
  BOOST_REQUIRE((*db)->Exec("SELECT setval('records_id_seq', 99990)").ok());
  auto other = b.SecondServer();
  std::unique_ptr<Filing> filings[2] = {b.MakeFiling(b.catalogue()), b.MakeFiling(*other)};
  std::vector<CaseSubmission> cases[2];
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < 15; ++i)
      cases[s].push_back(b.archive().MakeCase("N-" + std::to_string(s) + "-" + std::to_string(i),
                                              "0102", "赵六参保登记表"));
  std::atomic<int> filing_errors{0}, search_errors{0};
  std::atomic<bool> done{false};
  // A reader searching all along: making the partition must neither fail nor stall it.
  std::thread reader([&] {
    SearchSpec spec;
    spec.text = "赵六";
    while (!done) {
      auto page = b.catalogue().Search(spec);
      if (!page.ok()) {
        ++search_errors;
        BOOST_TEST_MESSAGE(page.status().ToString());
      }
    }
  });
  std::vector<std::thread> filers;
  for (int s = 0; s < 2; ++s)
    filers.emplace_back([&, s] {
      for (const auto& c : cases[s]) {
        auto r = filings[s]->File(c, "business", "test");
        if (!r.ok()) {
          ++filing_errors;
          BOOST_TEST_MESSAGE(r.status().ToString());
        }
      }
    });
  for (auto& t : filers) t.join();
  done = true;
  reader.join();
  BOOST_TEST(filing_errors.load() == 0);
  BOOST_TEST(search_errors.load() == 0);
  BOOST_TEST((*db)
                 ->Value("SELECT count(*) || ' ' || min(id) || ' ' || max(id) || ' ' ||"
                         " count(DISTINCT tableoid) FROM record_search")
                 .value()
                 .value_or("") == "30 99991 100020 2");
  SearchSpec spec;
  spec.text = "赵六";
  BOOST_TEST(b.catalogue().Search(spec).value().total == 30);
  BOOST_TEST(other->Search(spec).value().total == 30);
}

BOOST_AUTO_TEST_CASE(postgresql_moves_search_rows_out_of_records_when_it_migrates) {
  Backend b("postgresql");
  auto db = PgDb::Connect(b.pg_url());
  BOOST_REQUIRE(db.ok());
  const std::string r0 = b.File(b.archive().MakeCase("M-0", "0102", "赵六参保登记表"));
  const std::string r1 = b.File(b.archive().MakeCase("M-1", "0301", "钱七养老金核定表"));
  BOOST_REQUIRE((*db)->Exec("SELECT setval('records_id_seq', 150000)").ok());
  const std::string r2 = b.File(b.archive().MakeCase("M-2", "0301", "赵六养老金核定表"));
  // Back to schema 7, whose records carried their own text, tokens and GIN index (and whose
  // tombstones kept no masked title).
  BOOST_REQUIRE(
      (*db)
          ->Exec("ALTER TABLE records ADD COLUMN body TEXT, ADD COLUMN terms TSVECTOR,"
                 " ADD COLUMN by_characters BOOLEAN NOT NULL DEFAULT false;"
                 " UPDATE records r SET body = s.body, terms = s.terms,"
                 " by_characters = s.by_characters FROM record_search s WHERE s.id = r.id;"
                 " CREATE INDEX records_terms ON records USING gin(terms);"
                 " DROP TABLE record_search; DROP FUNCTION dangan_search_partition(BIGINT);"
                 " DROP FUNCTION dangan_search_newest(TEXT, TEXT[], INTEGER);"
                 " ALTER TABLE destroyed_records DROP COLUMN masked_title;"
                 " DELETE FROM dangan_schema WHERE version >= 8")
          .ok());
  auto reopened = PgCatalogue::Open(b.pg_url(), &b.archive().session().reference_template());
  BOOST_REQUIRE_MESSAGE(reopened.ok(), reopened.status().ToString());
  BOOST_TEST(SearchRowsByPartition(**db) ==
             "record_search_0:1,record_search_0:2,record_search_1:150001");
  BOOST_TEST((*db)
                 ->Value("SELECT count(*) FROM information_schema.columns WHERE"
                         " table_schema = current_schema() AND table_name = 'records' AND"
                         " column_name IN ('body', 'terms', 'by_characters')")
                 .value()
                 .value_or("") == "0");
  BOOST_TEST((Find(**reopened, "赵六") == std::set<std::string>{r0, r2}));
  BOOST_TEST((Find(**reopened, "养老金") == std::set<std::string>{r1, r2}));
  BOOST_TEST((Find(**reopened, "钱") == std::set<std::string>{r1}));
}

BOOST_AUTO_TEST_CASE(postgresql_keeps_events_append_only_and_refuses_a_newer_schema) {
  PgTestSchema schema;
  auto cat = PgCatalogue::Open(schema.url(), nullptr);
  BOOST_REQUIRE(cat.ok());
  auto e =
      (*cat)->AppendEvents({AuditEvent{0, "2025-01-01T00:00:00Z", "a", "verify", "", "{}", "", ""}},
                           RecordCatalogue::Durability::kSynced);
  BOOST_REQUIRE(e.ok());
  auto db = PgDb::Connect(schema.url());
  BOOST_REQUIRE(db.ok());
  BOOST_TEST(!(*db)->Exec("UPDATE events SET actor='x'").ok());
  BOOST_TEST(!(*db)->Exec("DELETE FROM events").ok());
  BOOST_TEST(!(*db)->Exec("TRUNCATE events").ok());
  BOOST_TEST((*cat)->Events("", 0, RecordCatalogue::EventKinds::kAll).value().size() == 1u);
  // Opening again applies nothing; a catalogue from a newer program is refused, not used.
  auto again = PgCatalogue::Open(schema.url(), nullptr);
  BOOST_REQUIRE(again.ok());
  BOOST_TEST((*again)->schema_version() == (*cat)->schema_version());
  BOOST_REQUIRE((*db)->Exec("INSERT INTO dangan_schema(version) VALUES(999)").ok());
  auto newer = PgCatalogue::Open(schema.url(), nullptr);
  BOOST_REQUIRE(!newer.ok());
  BOOST_TEST(newer.status().ToString().find("999") != std::string::npos);
  // An unreachable server is a clear error.
  auto gone =
      PgCatalogue::Open("postgresql://dangan@127.0.0.1:1/dangan?connect_timeout=2", nullptr);
  BOOST_REQUIRE(!gone.ok());
  BOOST_TEST(static_cast<int>(gone.status().code()) == static_cast<int>(ErrorCode::kUnavailable));
}

BOOST_AUTO_TEST_CASE(postgresql_connections_are_capped_and_a_caller_waits_for_one) {
  PgTestSchema schema;
  auto cat = PgCatalogue::Open(schema.url(), nullptr);
  BOOST_REQUIRE(cat.ok());
  (*cat)->SetMaxConnections(2, std::chrono::milliseconds(200));
  std::optional<PgCatalogue::Lease> first, second;
  first.emplace((*cat)->Borrow().value());
  second.emplace((*cat)->Borrow().value());
  const auto started = std::chrono::steady_clock::now();
  auto third = (*cat)->Borrow();
  BOOST_REQUIRE(!third.ok());
  BOOST_TEST(static_cast<int>(third.status().code()) == static_cast<int>(ErrorCode::kUnavailable));
  BOOST_TEST((std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(200)));
  // A caller waiting gets the connection the moment another is given back.
  std::thread giver([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    first.reset();
  });
  (*cat)->SetMaxConnections(2, std::chrono::seconds(5));
  {
    auto waited = (*cat)->Borrow();
    giver.join();
    BOOST_TEST(waited.ok());
  }
  // One left inside a transaction is closed, not pooled, and its place freed.
  BOOST_REQUIRE((*second)->Exec("BEGIN").ok());
  second.reset();
  auto count = (*cat)->CountRecords();
  BOOST_TEST(count.ok());
  // Nothing leaked: with every lease back, the cap still allows two at once.
  {
    auto a = (*cat)->Borrow();
    auto b = (*cat)->Borrow();
    BOOST_TEST((a.ok() && b.ok()));
  }
}

BOOST_AUTO_TEST_CASE(postgresql_connections_go_to_waiting_callers_in_arrival_order) {
  PgTestSchema schema;
  auto cat = PgCatalogue::Open(schema.url(), nullptr);
  BOOST_REQUIRE(cat.ok());
  (*cat)->SetMaxConnections(1, std::chrono::seconds(5));
  std::optional<PgCatalogue::Lease> held;
  held.emplace((*cat)->Borrow().value());
  std::atomic<bool> waiter_got{false};
  std::thread waiter([&] {
    auto lease = (*cat)->Borrow();
    waiter_got = lease.ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the waiter is in line
  // Giving the connection back and asking again at once does not overtake the waiter.
  held.reset();
  (*cat)->SetMaxConnections(1, std::chrono::milliseconds(100));
  auto again = (*cat)->Borrow();
  BOOST_TEST(!again.ok());
  waiter.join();
  BOOST_TEST(waiter_got.load());
  BOOST_TEST((*cat)->Borrow().ok());
}
