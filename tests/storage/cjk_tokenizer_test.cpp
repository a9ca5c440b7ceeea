#define BOOST_TEST_MODULE cjk_tokenizer
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <set>
#include <string>
#include <vector>

#include "storage/cjk_tokenizer.h"
#include "tests/support/temp_dir.h"

using namespace dangan;

namespace {

// An SQLite connection closed at scope exit; the tests need nothing fancier.
class Db {
 public:
  explicit Db(const std::string& path = ":memory:", bool register_tokenizer = true) {
    BOOST_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    if (register_tokenizer) {
      Status st = RegisterCjkTokenizer(db_);
      BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
    }
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  sqlite3* get() const { return db_; }

  // Runs SQL without results; returns SQLite's error message, empty on success.
  std::string Exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = rc == SQLITE_OK ? "" : (err ? err : sqlite3_errstr(rc));
    sqlite3_free(err);
    return msg;
  }

  // One statement with text parameters ?1, ?2, ... (passed as raw bytes, so invalid UTF-8 reaches
  // SQLite unchanged); each result row's columns joined by '|'. A prepare or step error becomes a
  // single row "ERROR: message".
  std::vector<std::string> Query(const std::string& sql,
                                 const std::vector<std::string>& args = {}) {
    std::vector<std::string> rows;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return {std::string("ERROR: ") + sqlite3_errmsg(db_)};
    }
    for (size_t i = 0; i < args.size(); ++i) {
      sqlite3_bind_text(stmt, static_cast<int>(i + 1), args[i].data(),
                        static_cast<int>(args[i].size()), SQLITE_TRANSIENT);
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (c) row += '|';
        const unsigned char* v = sqlite3_column_text(stmt, c);
        row += v ? reinterpret_cast<const char*>(v) : "NULL";
      }
      rows.push_back(row);
    }
    if (rc != SQLITE_DONE) rows = {std::string("ERROR: ") + sqlite3_errmsg(db_)};
    sqlite3_finalize(stmt);
    return rows;
  }

 private:
  sqlite3* db_ = nullptr;
};

// The catalogue-like fixture: four records; 保险 occurs in rows 1-3, not in the 工伤 row 4.
const char* const kRows[][2] = {
    {"养老保险待遇核定表", "养老金按月发放 档号 J012-SB·2026-D100-0102-0007"},
    {"参保人员登记", "张三 身份证 11010519491231002X 医疗保险 ＩＤ Card"},
    {"失业保险金申领", "领取失业保险金 统一社会信用代码 91110108MA01ABCD2X"},
    {"工伤认定决定书", "工伤职工 王五 需抚养 Work Injury Decision"},
};

// `t` as records_fts, `c` as records_chars.
void CreateFixture(Db& db, const std::string& options = "") {
  BOOST_REQUIRE_EQUAL(
      db.Exec("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='dangan_cjk'" + options +
              ")"),
      "");
  BOOST_REQUIRE_EQUAL(db.Exec("CREATE VIRTUAL TABLE c USING fts5(title, body, "
                              "tokenize='dangan_cjk_chars', detail=none, columnsize=0)"),
                      "");
  for (const auto& row : kRows) {
    for (const char* table : {"t", "c"}) {
      auto r = db.Query(std::string("INSERT INTO ") + table + "(title, body) VALUES (?1, ?2)",
                        {row[0], row[1]});
      BOOST_REQUIRE(r.empty());
    }
  }
}

// Sorted rowids matching an FTS5 query, or {-1} when the query failed.
std::set<int> Match(Db& db, const std::string& query, const std::string& table = "t") {
  std::set<int> ids;
  for (const auto& row :
       db.Query("SELECT rowid FROM " + table + " WHERE " + table + " MATCH ?1", {query})) {
    if (row.rfind("ERROR", 0) == 0) {
      BOOST_TEST_MESSAGE(query << ": " << row);
      return {-1};
    }
    ids.insert(std::stoi(row));
  }
  return ids;
}

using Ids = std::set<int>;

std::string Dump(const std::vector<CjkToken>& tokens) {
  std::string s;
  for (const auto& t : tokens) {
    s += (t.colocated ? "+" : " ") + t.text + "@" + std::to_string(t.start) + "-" +
         std::to_string(t.end);
  }
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(document_mode_emits_bigrams_with_edge_unigrams) {
  // Each Han character is 3 bytes; the first character rides on the first bigram's position,
  // the last on the last's; inner characters are left to the characters table.
  BOOST_TEST(Dump(CjkTokenize("养老保险", CjkTokenizeMode::kDocument)) ==
             " 养老@0-6+养@0-3 老保@3-9 保险@6-12+险@9-12");
  // A lone character is its own position; runs restart after any separator.
  BOOST_TEST(Dump(CjkTokenize("张 三丰", CjkTokenizeMode::kDocument)) ==
             " 张@0-3 三丰@4-10+三@4-7+丰@7-10");
  // 〇 is Han, so dates written in characters stay one run.
  BOOST_TEST(Dump(CjkTokenize("二〇二六", CjkTokenizeMode::kDocument)).find(" 〇二@3-9") !=
             std::string::npos);
  // A rare name character outside the BMP (Ext B, 4 bytes) is Han too.
  BOOST_TEST(Dump(CjkTokenize("吉\xF0\xA0\xAE\xB7", CjkTokenizeMode::kDocument)) ==
             " 吉\xF0\xA0\xAE\xB7@0-7+吉@0-3+\xF0\xA0\xAE\xB7@3-7");
}

BOOST_AUTO_TEST_CASE(characters_mode_emits_each_han_character_and_skips_words) {
  BOOST_TEST(Dump(CjkTokenize("养老 ID123 保险", CjkTokenizeMode::kCharacters)) ==
             " 养@0-3 老@3-6 保@13-16 险@16-19");
  BOOST_TEST(CjkTokenize("11010519491231002X", CjkTokenizeMode::kCharacters).empty());
}

BOOST_AUTO_TEST_CASE(query_mode_emits_bigrams_only_or_the_lone_unigram) {
  BOOST_TEST(Dump(CjkTokenize("养老保险", CjkTokenizeMode::kQuery)) ==
             " 养老@0-6 老保@3-9 保险@6-12");
  BOOST_TEST(Dump(CjkTokenize("养", CjkTokenizeMode::kQuery)) == " 养@0-3");
  BOOST_TEST(Dump(CjkTokenize("保险*", CjkTokenizeMode::kPrefixQuery)) == " 保险@0-6");
  BOOST_TEST(Dump(CjkTokenize("社保卡ABC", CjkTokenizeMode::kQuery)) ==
             " 社保@0-6 保卡@3-9 abc@9-12");
}

BOOST_AUTO_TEST_CASE(words_are_folded_and_identifiers_stay_whole) {
  BOOST_TEST(Dump(CjkTokenize("身份证11010519491231002X号", CjkTokenizeMode::kDocument)) ==
             " 身份@0-6+身@0-3 份证@3-9+证@6-9 11010519491231002x@9-27 号@27-30");
  BOOST_TEST(Dump(CjkTokenize("91110108MA01ABCD2X", CjkTokenizeMode::kQuery)) ==
             " 91110108ma01abcd2x@0-18");
  // Fullwidth letters and digits fold to ASCII; offsets still count the source's 3-byte chars.
  BOOST_TEST(Dump(CjkTokenize("ＩＤ１２３，Abc", CjkTokenizeMode::kDocument)) ==
             " id123@0-15 abc@18-21");
  // 档号: the alphanumeric parts at consecutive positions, '-' and '·' are separators.
  BOOST_TEST(Dump(CjkTokenize("J012-SB·2026-D100", CjkTokenizeMode::kDocument)) ==
             " j012@0-4 sb@5-7 2026@9-13 d100@14-18");
  // An over-long run continues as further tokens rather than one giant term.
  std::string hex(300, 'A');
  auto tokens = CjkTokenize(hex, CjkTokenizeMode::kDocument);
  BOOST_REQUIRE_EQUAL(tokens.size(), 3u);
  BOOST_TEST(tokens[0].text == std::string(128, 'a'));
  BOOST_TEST(tokens[1].start == 128);
  BOOST_TEST(tokens[2].text.size() == 44u);
  BOOST_TEST(tokens[2].end == 300);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_bytes_are_separators) {
  // Stray continuation byte, bad lead byte, overlong '/', a surrogate, a truncated 3-byte char.
  std::string text =
      "a\x80"
      "b\xFF"
      "保\xC0\xAF"
      "险\xED\xA0\x80"
      "c\xE4\xB8";
  BOOST_TEST(Dump(CjkTokenize(text, CjkTokenizeMode::kDocument)) ==
             " a@0-1 b@2-3 保@4-7 险@9-12 c@15-16");
  // Every prefix of a multi-byte sequence: nothing read past the end, nothing emitted.
  std::string han = "保";
  for (size_t n = 0; n < han.size(); ++n) {
    BOOST_TEST(CjkTokenize(han.substr(0, n), CjkTokenizeMode::kDocument).empty());
  }
}

BOOST_AUTO_TEST_CASE(single_character_query_matches_only_rows_with_it) {
  Db db;
  CreateFixture(db);
  BOOST_TEST(Match(db, "养", "c") == (Ids{1, 4}));  // 4 has 养 as the last char of 需抚养
  BOOST_TEST(Match(db, "险", "c") == (Ids{1, 2, 3}));
  BOOST_TEST(Match(db, "三", "c") == (Ids{2}));  // last char of the run 张三
  BOOST_TEST(Match(db, "伤", "c") == (Ids{4}));
  BOOST_TEST(Match(db, "龙", "c") == Ids{});
  BOOST_TEST(Match(db, "养 AND 伤", "c") == (Ids{4}));
  // In the bigram table a character inside a run has no entry of its own; as a prefix it is found
  // wherever it occurs, and a column filter works there.
  BOOST_TEST(Match(db, "伤") == Ids{});
  BOOST_TEST(Match(db, "伤*") == (Ids{4}));
  BOOST_TEST(Match(db, "老*") == (Ids{1}));
  BOOST_TEST(Match(db, "title:养*") == (Ids{1}));
  BOOST_TEST(Match(db, "\"伤\"* AND 决定书") == (Ids{4}));
}

BOOST_AUTO_TEST_CASE(two_character_query_matches_the_bigram_only) {
  Db db;
  CreateFixture(db);
  BOOST_TEST(Match(db, "保险") == (Ids{1, 2, 3}));
  BOOST_TEST(Match(db, "工伤") == (Ids{4}));
  BOOST_TEST(Match(db, "险待") == (Ids{1}));  // adjacent in 养老保险待遇核定表
  BOOST_TEST(Match(db, "养失") == Ids{});     // both characters occur, never adjacent
  BOOST_TEST(Match(db, "养 失") == (Ids{}));  // two terms ANDed: no row has both
  BOOST_TEST(Match(db, "养 OR 失") == (Ids{1, 3, 4}));
}

BOOST_AUTO_TEST_CASE(longer_queries_are_phrases_of_bigrams) {
  Db db;
  CreateFixture(db);
  BOOST_TEST(Match(db, "待遇核定") == (Ids{1}));
  BOOST_TEST(Match(db, "养老保险待遇核定表") == (Ids{1}));
  BOOST_TEST(Match(db, "失业保险金") == (Ids{3}));
  BOOST_TEST(Match(db, "保险待遇核定") == (Ids{1}));
  BOOST_TEST(Match(db, "保险金申") == (Ids{3}));
  BOOST_TEST(Match(db, "待遇定核") == Ids{});  // same characters, wrong order
  BOOST_TEST(Match(db, "保险核定") == Ids{});  // both bigrams present, not consecutive
  // A quoted phrase across a Han run and the following word or run lines up, because a document
  // run of n characters takes n-1 positions, as many as the query's bigrams.
  BOOST_TEST(Match(db, "\"医疗保险 ＩＤ card\"") == (Ids{2}));
  BOOST_TEST(Match(db, "\"工伤职工 王五\"") == (Ids{4}));
  BOOST_TEST(Match(db, "\"王五 工伤职工\"") == Ids{});
}

BOOST_AUTO_TEST_CASE(identifiers_and_words_match_case_insensitively) {
  Db db;
  CreateFixture(db);
  BOOST_TEST(Match(db, "11010519491231002X") == (Ids{2}));
  BOOST_TEST(Match(db, "11010519491231002x") == (Ids{2}));
  BOOST_TEST(Match(db, "１１０１０５１９４９１２３１００２Ｘ") == (Ids{2}));
  BOOST_TEST(Match(db, "1101051949123100") == Ids{});  // a part of it is not the number
  BOOST_TEST(Match(db, "91110108ma01abcd2x") == (Ids{3}));
  BOOST_TEST(Match(db, "WORK") == (Ids{4}));
  BOOST_TEST(Match(db, "injury decision") == (Ids{4}));
  BOOST_TEST(Match(db, "ｃａｒｄ") == (Ids{2}));
  BOOST_TEST(Match(db, "\"J012-SB·2026-D100-0102-0007\"") == (Ids{1}));
  BOOST_TEST(Match(db, "\"j012-sb-2026-d100-0102-0007\"") == (Ids{1}));
  BOOST_TEST(Match(db, "\"D100-0102\"") == (Ids{1}));
  BOOST_TEST(Match(db, "\"J012-SB·2026-D100-0102-0008\"") == Ids{});
}

BOOST_AUTO_TEST_CASE(prefix_queries) {
  Db db;
  CreateFixture(db);
  BOOST_TEST(Match(db, "j01*") == (Ids{1}));
  BOOST_TEST(Match(db, "110105*") == (Ids{2}));
  BOOST_TEST(Match(db, "inj*") == (Ids{4}));
  // Han prefixes mean "contains": the same rows as without the star.
  BOOST_TEST(Match(db, "保*") == (Ids{1, 2, 3}));
  BOOST_TEST(Match(db, "待遇核*") == (Ids{1}));
  BOOST_TEST(Match(db, "工伤*") == (Ids{4}));
}

BOOST_AUTO_TEST_CASE(highlight_marks_byte_exact_spans) {
  Db db;
  CreateFixture(db);
  auto hl = [&](const std::string& q, int col) {
    return db.Query("SELECT highlight(t, " + std::to_string(col) +
                        ", '[', ']') FROM t WHERE t MATCH ?1 ORDER BY rowid",
                    {q});
  };
  BOOST_TEST(hl("保险", 0) == (std::vector<std::string>{"养老[保险]待遇核定表", "参保人员登记",
                                                        "失业[保险]金申领"}));
  BOOST_TEST(hl("待遇核定", 0) == (std::vector<std::string>{"养老保险[待遇核定]表"}));
  BOOST_TEST(hl("11010519491231002x", 1) ==
             (std::vector<std::string>{"张三 身份证 [11010519491231002X] 医疗保险 ＩＤ Card"}));
  BOOST_TEST(hl("id", 1) ==
             (std::vector<std::string>{"张三 身份证 11010519491231002X 医疗保险 [ＩＤ] Card"}));
  BOOST_TEST(hl("\"D100-0102\"", 1) ==
             (std::vector<std::string>{"养老金按月发放 档号 J012-SB·2026-[D100-0102]-0007"}));
  // A one-character match inside a run, through the characters table, marks that character;
  // as a prefix in the bigram table it shows with its right neighbour, because highlight() takes
  // a position's extent from its first token, the bigram.
  BOOST_TEST(db.Query("SELECT highlight(c, 0, '[', ']') FROM c WHERE c MATCH '伤'") ==
             (std::vector<std::string>{"工[伤]认定决定书"}));
  BOOST_TEST(hl("伤*", 0) == (std::vector<std::string>{"工[伤认]定决定书"}));
  auto snip = db.Query("SELECT snippet(t, 1, '[', ']', '…', 3) FROM t WHERE t MATCH '王五'");
  BOOST_REQUIRE_EQUAL(snip.size(), 1u);
  BOOST_TEST(snip[0].find("[王五]") != std::string::npos, snip[0]);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_in_documents_and_queries_does_not_crash) {
  Db db;
  CreateFixture(db);
  std::string bad = "\xFF\xFE养老\xC0\x80保险\xED\xA0\x80 abc\xF4\x90\x80\x80 \xE4\xB8";
  BOOST_REQUIRE(db.Query("INSERT INTO t(rowid, title, body) VALUES (9, ?1, ?1)", {bad}).empty());
  // Also as a blob, which FTS5 reads as text without any check.
  BOOST_REQUIRE_EQUAL(db.Exec("INSERT INTO t(rowid, title) VALUES (10, x'ff80e4b8bee4b8')"), "");
  BOOST_TEST(Match(db, "养老") == (Ids{1, 9}));
  BOOST_TEST(Match(db, "保险") == (Ids{1, 2, 3, 9}));  // the bad bytes split 养老 from 保险
  BOOST_TEST(Match(db, "老保") == (Ids{1}));
  BOOST_TEST(Match(db, "abc") == (Ids{9}));
  BOOST_TEST(Match(db, "\"\xFF保险\xE4\"") == (Ids{1, 2, 3, 9}));
  auto hl = db.Query("SELECT highlight(t, 0, '[', ']') FROM t WHERE rowid = 9 AND t MATCH '保险'");
  BOOST_REQUIRE_EQUAL(hl.size(), 1u);
  BOOST_TEST(hl[0].find("[保险]") != std::string::npos);
  BOOST_TEST(db.Exec("INSERT INTO t(t) VALUES ('integrity-check')") == "");
}

BOOST_AUTO_TEST_CASE(match_queries_use_the_full_text_index) {
  Db db;
  CreateFixture(db);
  auto plan = [&](const std::string& where) {
    std::string all;
    for (const auto& row : db.Query("EXPLAIN QUERY PLAN SELECT rowid FROM t WHERE " + where)) {
      all += row + "\n";
    }
    return all;
  };
  // FTS5's idxStr marks a MATCH constraint with 'M'; a full scan shows "INDEX 0:" with none.
  for (const char* q : {"t MATCH '养'", "t MATCH '保险'", "t MATCH '待遇核定'", "t MATCH ?1"}) {
    std::string p = plan(q);
    BOOST_TEST(p.find("VIRTUAL TABLE INDEX") != std::string::npos, p);
    BOOST_TEST(p.find(":M") != std::string::npos, q << " → " << p);
  }
  std::string like = plan("title LIKE '%保险%'");
  BOOST_TEST(like.find(":M") == std::string::npos, like);
}

BOOST_AUTO_TEST_CASE(vocabulary_shows_edge_unigrams_colocated_with_bigrams) {
  Db db;
  CreateFixture(db);
  BOOST_REQUIRE_EQUAL(db.Exec("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')"), "");
  auto at = [&](const std::string& term) {
    return db.Query("SELECT doc, col, offset FROM v WHERE term = ?1 ORDER BY 1, 2, 3", {term});
  };
  BOOST_TEST(at("养老") == (std::vector<std::string>{"1|body|0", "1|title|0"}));
  // 工伤(0)+工 伤职(1)+伤 职工(2)+职+工 王五(3)+王+五 需抚(4)+需 抚养(5)+抚+养
  BOOST_TEST(at("养") == (std::vector<std::string>{"1|body|0", "1|title|0", "4|body|5"}));
  // 养老保险待遇核定表: 9 characters, 8 positions; 表 shares position 7 with 定表.
  BOOST_TEST(at("定表") == (std::vector<std::string>{"1|title|7"}));
  BOOST_TEST(at("表") == (std::vector<std::string>{"1|title|7"}));
  // Inner characters only as bigrams: 老 is inside 养老保险… and 养老金…
  BOOST_TEST(at("老").empty());
  BOOST_TEST(at("11010519491231002x") == (std::vector<std::string>{"2|body|3"}));
  BOOST_TEST(at("11010519491231002X").empty());
}

BOOST_AUTO_TEST_CASE(registration_is_per_connection_and_arguments_are_refused) {
  testing::TempDir dir;
  std::string path = dir / "catalogue.db";
  {
    Db db(path);
    CreateFixture(db);
    // Registering twice is harmless.
    BOOST_TEST(RegisterCjkTokenizer(db.get()).ok());
    BOOST_TEST(Match(db, "保险") == (Ids{1, 2, 3}));
    BOOST_TEST(db.Exec("CREATE VIRTUAL TABLE u USING fts5(x, tokenize='dangan_cjk bigram')") != "");
    BOOST_TEST(db.Exec("CREATE VIRTUAL TABLE u USING fts5(x, tokenize='dangan_cjk_chars x')") !=
               "");
  }
  {
    Db unregistered(path, /*register_tokenizer=*/false);
    BOOST_TEST(Match(unregistered, "保险") == (Ids{-1}));
  }
  {
    Db db(path);
    BOOST_TEST(Match(db, "保险") == (Ids{1, 2, 3}));
  }
  BOOST_TEST(!RegisterCjkTokenizer(nullptr).ok());
}

BOOST_AUTO_TEST_CASE(phrase_queries_need_detail_full) {
  // The record of why the catalogue uses detail=full: with bigrams, any query of three or more
  // Han characters is a phrase, and FTS5 refuses phrases at detail=column or detail=none.
  for (const char* detail : {"column", "none"}) {
    Db db;
    CreateFixture(db, std::string(", detail=") + detail);
    BOOST_TEST(Match(db, "保险") == (Ids{1, 2, 3}));
    BOOST_TEST(Match(db, "养") == (Ids{1, 4}));
    BOOST_TEST(Match(db, "待遇核定") == (Ids{-1}), detail);
  }
  Db db;
  CreateFixture(db, ", detail=full, columnsize=0");
  BOOST_TEST(Match(db, "待遇核定") == (Ids{1}));
}
