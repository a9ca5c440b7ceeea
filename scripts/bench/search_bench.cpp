// Search benchmark: Catalogue::Search (dangan_cjk FTS5 index, B-tree for identifiers) against a
// baseline built from the same rows (FTS5 trigram table, instr() scan for 1-2 character
// queries), side by side in one run. Seeds a real catalogue through the filing insert path,
// times 1-, 2- and 4-character Chinese queries and ID-number queries on both sides, compares
// their result counts, measures file sizes and prints PASS/MISS against the targets.
// A benchmark, not a test: exits non-zero only on errors, never on missing a target.
//
// usage: search_bench [--records N] [--work DIR] [--keep] [--reuse] [--queries N] [--rounds N]
//                     [--warmup N] [--seed N] [--no-breakdown]
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "archive/identifiers.h"
#include "archive/record.h"
#include "archive/reference_number.h"
#include "storage/catalogue.h"
#include "storage/sqlite_db.h"
#include "scripts/bench/record_generator.h"

namespace fs = std::filesystem;
using namespace dangan;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "search_bench: %s\n", what.c_str());
  std::exit(2);
}
void Check(const Status& st, const std::string& what) {
  if (!st.ok()) Die(what + ": " + st.ToString());
}
double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double Secs(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

using namespace dangan::bench;

// ---- small SQL helpers -------------------------------------------------------------------------
Statement Prep(SqliteDb& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  if (!st.ok()) Die("preparing [" + sql + "]: " + st.status().ToString());
  return std::move(*st);
}
int64_t QueryInt(SqliteDb& db, const std::string& sql) {
  Statement st = Prep(db, sql);
  Status err;
  if (!st.Step(&err)) Die("no row from [" + sql + "]: " + err.ToString());
  return st.Int(0);
}
std::vector<std::string> PlanOf(SqliteDb& db, const std::string& sql, const std::string& bind1) {
  Statement st = Prep(db, "EXPLAIN QUERY PLAN " + sql);
  st.Bind(1, bind1);
  std::vector<std::string> out;
  Status err;
  while (st.Step(&err)) out.push_back(st.Text(3));
  return out;
}

uint64_t FileBytes(const std::string& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

// ---- Han n-gram statistics for query choice ---------------------------------------------------
bool IsHan(uint32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || cp == 0x3007;
}
// Splits text into runs of Han characters (each a vector of UTF-8 characters).
void HanRuns(const std::string& s, const std::function<void(const std::vector<std::string>&)>& fn) {
  std::vector<std::string> run;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = 0;
    if (n == 3 && i + 2 < s.size())
      cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
    if (n == 3 && IsHan(cp)) {
      run.push_back(s.substr(i, 3));
    } else if (!run.empty()) {
      fn(run);
      run.clear();
    }
    i += n;
  }
  if (!run.empty()) fn(run);
}

struct Query {
  int cat;  // 0: 1 char, 1: 2 chars, 2: 4 chars, 3: ID number
  std::string text;
  int64_t corpus_freq = 0;  // occurrences in the sample (Chinese), -1 = not in corpus
};
const char* kCatNames[] = {"1-char", "2-char", "4-char", "ID number"};

// Picks `want` distinct n-grams: the named ones first, then half evenly over the 300 most frequent
// ("common"), the rest evenly over the remaining ranks ("rare"), plus a few absent from the corpus.
std::vector<Query> Choose(int cat, const std::unordered_map<std::string, int64_t>& freq,
                          const std::vector<std::string>& named,
                          const std::vector<std::string>& absent, int want) {
  std::vector<std::pair<std::string, int64_t>> v(freq.begin(), freq.end());
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  std::vector<Query> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& s) {
    if (static_cast<int>(out.size()) >= want || !seen.insert(s).second) return;
    auto it = freq.find(s);
    out.push_back(Query{cat, s, it == freq.end() ? -1 : it->second});
  };
  for (const auto& s : named) add(s);
  int n_absent = std::max(2, want / 40);
  int room = want - static_cast<int>(out.size()) - n_absent;
  int common = room / 2, rare = room - common;
  size_t top = std::min<size_t>(300, v.size());
  for (int k = 0; k < common && top; ++k) add(v[k * top / common].first);
  size_t rest = v.size() - top;
  for (int k = 0; k < rare && rest; ++k) add(v[top + k * rest / rare].first);
  // Fill up (small corpora have few distinct n-grams) with whatever is left, most frequent first.
  for (size_t k = 0; static_cast<int>(out.size()) < want - n_absent && k < v.size(); ++k)
    add(v[k].first);
  for (const auto& s : absent) {
    if (freq.count(s)) continue;
    if (static_cast<int>(out.size()) >= want) break;
    seen.insert(s);
    out.push_back(Query{cat, s, -1});
  }
  return out;
}

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t k = static_cast<size_t>(std::ceil(p / 100.0 * v.size()));
  return v[std::min(v.size() - 1, k ? k - 1 : 0)];
}

struct Options {
  int64_t records = 1000000;
  std::string work;
  bool keep = false;
  bool reuse = false;
  int queries = 200;
  int rounds = 3;
  int warmup = 25;  // queries per category in the untimed warm-up round
  uint64_t seed = 1;
  bool breakdown = true;
  bool ours_only = false;  // skip the baseline: quick looks at the catalogue's own latency
};

// ---- the baseline: FTS5 trigram + instr() ------------------------------------------------------
struct Baseline {
  std::unique_ptr<SqliteDb> db;
  Statement match_count, match_rank, match_newest, scan_count, scan_newest;

  struct Page {
    int64_t total = 0;
    bool lower_bound = false;
    size_t hits = 0;
  };

  void Prepare() {
    const std::string cap = std::to_string(Catalogue::kCountCap + 1);
    match_count =
        Prep(*db, "SELECT count(*) FROM (SELECT 1 FROM b WHERE b MATCH ?1 LIMIT " + cap + ")");
    const std::string cols =
        "SELECT rowid, title, snippet(b, -1, '[', ']', '…', 16) FROM b WHERE b MATCH ?1";
    match_rank = Prep(*db, cols + " ORDER BY rank, rowid DESC LIMIT 20");
    match_newest = Prep(*db, cols + " ORDER BY rowid DESC LIMIT 20");
    const std::string scan = " FROM t WHERE instr(body, ?1) > 0 OR instr(title, ?1) > 0";
    scan_count = Prep(*db, "SELECT count(*) FROM (SELECT 1" + scan + " LIMIT " + cap + ")");
    scan_newest = Prep(*db, "SELECT id, title, body" + scan + " ORDER BY id DESC LIMIT 20");
  }

  Page Search(const std::string& q, bool use_match) {
    Page page;
    std::string bind = q;
    if (use_match) bind = "\"" + q + "\"";  // queries here never contain '"'
    Statement& count = use_match ? match_count : scan_count;
    Status err;
    count.Reset();
    count.Bind(1, bind);
    if (!count.Step(&err)) Die("baseline count: " + err.ToString());
    page.total = count.Int(0);
    count.Reset();
    if (page.total > Catalogue::kCountCap) {
      page.total = Catalogue::kCountCap;
      page.lower_bound = true;
    }
    Statement& q2 = !use_match ? scan_newest : page.lower_bound ? match_newest : match_rank;
    q2.Reset();
    q2.Bind(1, bind);
    while (q2.Step(&err)) {
      ++page.hits;
      std::string a = q2.Text(1), b = q2.Text(2);  // fetch the text as a caller would
    }
    if (!err.ok()) Die("baseline page: " + err.ToString());
    q2.Reset();
    return page;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    auto num = [&](int64_t lo) -> int64_t {
      std::string v = val();
      char* end = nullptr;
      long long n = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end || n < lo) Die(a + " must be an integer ≥ " + std::to_string(lo));
      return n;
    };
    if (a == "--records")
      o.records = num(1000);
    else if (a == "--work")
      o.work = val();
    else if (a == "--keep")
      o.keep = true;
    else if (a == "--reuse")
      o.reuse = o.keep = true;
    else if (a == "--queries")
      o.queries = static_cast<int>(num(10));
    else if (a == "--rounds")
      o.rounds = static_cast<int>(num(1));
    else if (a == "--warmup")
      o.warmup = static_cast<int>(num(0));
    else if (a == "--seed")
      o.seed = static_cast<uint64_t>(num(0));
    else if (a == "--no-breakdown")
      o.breakdown = false;
    else if (a == "--ours-only")
      o.ours_only = true;
    else if (a == "-h" || a == "--help") {
      std::cout
          << "usage: search_bench [--records N] [--work DIR] [--keep] [--reuse] [--queries N]"
             " [--rounds N] [--warmup N] [--seed N] [--no-breakdown] [--ours-only]\n"
             "  --records N   catalogue size (default 1000000)\n"
             "  --work DIR    where the databases go (default: a new dir under $TMPDIR or /tmp)\n"
             "  --keep        keep the work dir; --reuse: time a kept dir again without seeding\n"
             "  --queries N   queries per category (default 200)\n"
             "  --rounds N    timed rounds over all queries (default 3)\n"
             "  --warmup N    queries per category in the untimed warm-up (default 25)\n"
             "  --ours-only   time only the catalogue (no baseline, ratios or count checks)\n";
      return 0;
    } else {
      Die("unknown option " + a + " (try --help)");
    }
  }
  bool created_work = false;
  if (o.work.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/dangan-search.XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) Die("cannot create a work dir under " + tmpl);
    o.work = buf.data();
    created_work = true;
  } else {
    std::error_code ec;
    if (!fs::exists(o.work)) {
      fs::create_directories(o.work, ec);
      if (ec) Die("cannot create " + o.work);
      created_work = true;
    } else if (!fs::is_directory(o.work)) {
      Die("--work " + o.work + " is not a directory");
    } else if (!o.reuse && !fs::is_empty(o.work)) {
      Die("--work " + o.work + " is not empty (use --reuse to reuse a kept run)");
    }
  }
  const std::string cat_path = o.work + "/catalogue.db";
  const std::string base_path = o.work + "/baseline.db";
  const std::string stamp_path = o.work + "/seeded.txt";
  struct Cleanup {
    std::string dir;
    bool on;
    ~Cleanup() {
      if (on) {
        std::error_code ec;
        fs::remove_all(dir, ec);
      }
    }
  } cleanup{o.work, !o.keep && created_work};

  std::cout << "# search benchmark: " << o.records << " records, " << o.queries
            << " queries per category, " << o.rounds << " timed rounds, seed " << o.seed << "\n";
  std::cout << "# work dir " << o.work << (o.keep ? " (kept)" : " (removed at exit)") << "\n";
  std::cout << "# SQLite " << sqlite3_libversion() << ", " << sysconf(_SC_NPROCESSORS_ONLN)
            << " cores\n";

  auto tmpl = ReferenceTemplate::Parse(ReferenceTemplate::kDefault);
  if (!tmpl.ok()) Die(tmpl.status().ToString());
  Generator gen(o.seed, o.records, *tmpl);

  // ---- 1. seed the catalogue -------------------------------------------------------------------
  std::string stamp = std::to_string(o.records) + " " + std::to_string(o.seed) + " v2";
  bool reused = false;
  if (o.reuse && fs::exists(stamp_path) && fs::exists(base_path)) {
    std::ifstream in(stamp_path);
    std::string line;
    std::getline(in, line);
    reused = line == stamp;
    if (!reused) Die(o.work + " holds another run (" + line + "); use an empty --work");
  }
  if (!reused) {
    if (fs::exists(cat_path)) Die(cat_path + " exists; use an empty --work");
    auto cat = Catalogue::Open(cat_path, true, &*tmpl);
    if (!cat.ok()) Die(cat.status().ToString());
    // Small transactions, as filings come: the catalogue learns its text dictionary between them.
    const int64_t kBatch = 1000;
    auto t0 = Clock::now();
    auto last = t0;
    for (int64_t first = 0; first < o.records; first += kBatch) {
      auto tx = (*cat)->BeginFiling();
      if (!tx.ok()) Die(tx.status().ToString());
      for (int64_t i = first; i < std::min(o.records, first + kBatch); ++i) {
        Record r = gen.Make(i);
        Check((*tx)->InsertRecord(r), "inserting record " + std::to_string(i));
      }
      Check((*tx)->Commit(), "commit");
      auto now = Clock::now();
      if (Secs(now - last) > 30 || first + kBatch >= o.records) {
        int64_t done = std::min(o.records, first + kBatch);
        std::fprintf(stderr, "  seeded %" PRId64 " records, %.0f s, %.0f records/s\n", done,
                     Secs(now - t0), done / Secs(now - t0));
        last = now;
      }
    }
    double seed_s = Secs(Clock::now() - t0);
    auto conn = OpenCatalogueConnection(cat_path, false);
    if (!conn.ok()) Die(conn.status().ToString());
    auto t1 = Clock::now();
    // The archive's own maintenance (`dangan catalogue optimize`), as an archivist would run it.
    auto optimized = (*cat)->Optimize(false);
    if (!optimized.ok()) Die(optimized.status().ToString());
    double opt_s = Secs(Clock::now() - t1);
    t1 = Clock::now();
    Check((*conn)->Exec("PRAGMA wal_checkpoint(TRUNCATE)"), "checkpoint");
    double ckpt_s = Secs(Clock::now() - t1);
    std::printf("seed: %" PRId64
                " records through BeginFiling/InsertRecord/Commit (batches of %" PRId64
                "): %.1f s, %.0f records/s\n",
                o.records, kBatch, seed_s, o.records / seed_s);
    std::printf(
        "seed: Catalogue::Optimize (FTS 'optimize', incremental_vacuum) %.1f s, %.1f -> %.1f MB;"
        " wal_checkpoint(TRUNCATE) %.1f s; no VACUUM\n",
        opt_s, optimized->bytes_before / 1e6, optimized->bytes_after / 1e6, ckpt_s);

    // ---- 2. the baseline, from the catalogue's own indexed text (title and derived body) ------
    // A catalogue connection: reading record_content needs dangan_record_text.
    auto bdb = OpenCatalogueConnection(base_path, true);
    if (!bdb.ok()) Die(bdb.status().ToString());
    t1 = Clock::now();
    Check(
        (*bdb)->Exec(
            "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF;"
            " CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT NOT NULL, title TEXT NOT NULL);"
            " CREATE VIRTUAL TABLE b USING fts5(body, title, tokenize='trigram');"
            " ATTACH '" +
            cat_path +
            "' AS c;"
            " BEGIN; INSERT INTO t(id, body, title) SELECT id, text, '' FROM c.record_content "
            "ORDER BY id;"
            " INSERT INTO b(rowid, body, title) SELECT id, body, title FROM t ORDER BY id; COMMIT;"
            " DETACH c;"
            " INSERT INTO b(b) VALUES('optimize');"),
        "building the baseline");
    std::printf(
        "baseline: built from record_content in %.1f s (trigram FTS5 + text table, optimized)\n",
        Secs(Clock::now() - t1));
    std::ofstream(stamp_path) << stamp << "\n" << seed_s << "\n";
  } else {
    std::printf("seed: reusing the catalogue and baseline in %s\n", o.work.c_str());
  }

  auto cat = Catalogue::Open(cat_path, false, &*tmpl);
  if (!cat.ok()) Die(cat.status().ToString());
  Baseline base;
  {
    auto bdb = SqliteDb::Open(base_path, false);
    if (!bdb.ok()) Die(bdb.status().ToString());
    base.db = std::move(*bdb);
    base.Prepare();
  }
  auto diag_conn = OpenCatalogueConnection(cat_path, false);
  if (!diag_conn.ok()) Die(diag_conn.status().ToString());
  SqliteDb& diag = **diag_conn;

  // ---- 3. sizes
  // ----------------------------------------------------------------------------------
  int64_t n_records = QueryInt(diag, "SELECT count(*) FROM records");
  if (n_records != o.records) Die("catalogue has " + std::to_string(n_records) + " records");
  int64_t raw = QueryInt(diag, "SELECT sum(length(CAST(text AS BLOB))) FROM record_content");
  Check(diag.Exec("PRAGMA wal_checkpoint(TRUNCATE)"), "checkpoint");
  uint64_t cat_bytes = FileBytes(cat_path) + FileBytes(cat_path + "-wal");
  uint64_t base_bytes = FileBytes(base_path);
  std::map<std::string, int64_t> tables;
  bool have_dbstat = true;
  {
    auto st = diag.Prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC");
    if (!st.ok()) {
      have_dbstat = false;
    } else {
      Status err;
      while (st->Step(&err)) tables[st->Text(0)] = st->Int(1);
    }
  }
  int64_t fts_bytes = 0;
  for (auto& [name, b] : tables)
    if (name.rfind("records_fts", 0) == 0 || name.rfind("records_chars", 0) == 0) fts_bytes += b;
  int64_t freelist = QueryInt(diag, "PRAGMA freelist_count") * QueryInt(diag, "PRAGMA page_size");

  // ---- choose queries ---------------------------------------------------------------------------
  std::unordered_map<std::string, int64_t> f1, f2, f4;
  {
    int64_t step = std::max<int64_t>(1, o.records / 100000);  // sample ≈100k rows
    Statement st = Prep(diag, "SELECT text FROM record_content WHERE id % ?1 = 0");
    st.Bind(1, step);
    Status err;
    while (st.Step(&err)) {
      HanRuns(st.Text(0), [&](const std::vector<std::string>& run) {
        for (size_t k = 0; k < run.size(); ++k) {
          ++f1[run[k]];
          if (k + 1 < run.size()) ++f2[run[k] + run[k + 1]];
          if (k + 3 < run.size()) ++f4[run[k] + run[k + 1] + run[k + 2] + run[k + 3]];
        }
      });
    }
  }
  std::vector<Query> queries;
  for (auto& q : Choose(0, f1, Chars("保伤婚爷险养失业工育葬"), Chars("龘鱻靐齉爨麤"), o.queries))
    queries.push_back(q);
  for (auto& q : Choose(
           1, f2, {"养老", "失业", "工伤", "补缴", "丧葬", "生育", "转移", "稽核", "爷爷", "离异"},
           {"龘龘", "鱼翅", "火箭", "熊猫", "钢琴"}, o.queries))
    queries.push_back(q);
  for (auto& q :
       Choose(2, f4,
              {"工伤认定", "养老保险", "生育津贴", "失业保险", "丧葬补助", "社会保障", "缴费基数"},
              {"量子计算", "航天发射", "熊猫基地", "钢琴比赛"}, o.queries))
    queries.push_back(q);
  {
    // ID numbers of seeded persons: records spread over the whole catalogue.
    std::set<std::string> ids;
    for (int64_t k = 0; static_cast<int>(ids.size()) < o.queries && k < 10 * o.queries; ++k) {
      int64_t i = static_cast<int64_t>(Mix(o.seed * 77 + static_cast<uint64_t>(k)) %
                                       static_cast<uint64_t>(o.records));
      std::string id = gen.MakePerson(gen.PersonOf(i)).id_number;
      if (!IsValidIdNumber(id)) Die("generated an invalid ID number " + id);
      if (ids.insert(id).second) queries.push_back(Query{3, id, 0});
    }
  }
  int per_cat[4] = {0, 0, 0, 0};
  for (auto& q : queries) ++per_cat[q.cat];
  std::printf(
      "queries: %d 1-char, %d 2-char, %d 4-char, %d ID numbers (common and rare n-grams from a"
      " sample of the catalogue, plus a few with no hits)\n",
      per_cat[0], per_cat[1], per_cat[2], per_cat[3]);

  // ---- 4. timed runs
  // -----------------------------------------------------------------------------
  struct Obs {
    std::vector<double> ours, base;
    int64_t equal = 0, ours_more = 0, ours_less = 0, capped = 0, zero = 0;
    std::vector<double> ours_capped, ours_ranked;  // by whether the count hit the cap
    std::vector<std::string> less_examples, more_examples;
    std::vector<std::pair<double, std::string>> slowest;  // ours: ms, query and its total
  } obs[4];
  auto run_ours = [&](const Query& q) {
    SearchSpec spec;
    spec.text = q.text;
    auto t = Clock::now();
    auto page = (*cat)->Search(spec);
    double ms = Ms(Clock::now() - t);
    if (!page.ok()) Die("Search(" + q.text + "): " + page.status().ToString());
    return std::make_pair(ms, std::move(*page));
  };
  auto run_base = [&](const Query& q) {
    bool use_match = q.cat >= 2;  // 4 chars and ID numbers: trigram MATCH; 1-2 chars: instr()
    auto t = Clock::now();
    auto page = base.Search(q.text, use_match);
    return std::make_pair(Ms(Clock::now() - t), page);
  };
  std::mt19937_64 shuffle_rng(o.seed);
  auto t_runs = Clock::now();
  for (int round = -1; round < o.rounds; ++round) {  // round -1: warm-up, not recorded
    std::vector<size_t> order;
    int taken[4] = {0, 0, 0, 0};
    for (size_t k = 0; k < queries.size(); ++k)
      if (round >= 0 || taken[queries[k].cat]++ < o.warmup) order.push_back(k);
    std::shuffle(order.begin(), order.end(), shuffle_rng);
    auto t_round = Clock::now();
    for (size_t k = 0; k < order.size(); ++k) {
      const Query& q = queries[order[k]];
      bool ours_first = ((k + round) & 1) == 0;
      std::pair<double, SearchPage> a;
      std::pair<double, Baseline::Page> b;
      if (o.ours_only) {
        a = run_ours(q);
      } else if (ours_first) {
        a = run_ours(q);
        b = run_base(q);
      } else {
        b = run_base(q);
        a = run_ours(q);
      }
      if (round < 0) continue;
      Obs& ob = obs[q.cat];
      ob.ours.push_back(a.first);
      ob.base.push_back(o.ours_only ? a.first : b.first);
      ob.slowest.push_back({a.first, q.text + " (" + std::to_string(a.second.total) +
                                         (a.second.total_is_lower_bound ? "+" : "") + " hits)"});
      (a.second.total_is_lower_bound ? ob.ours_capped : ob.ours_ranked).push_back(a.first);
      if (round == 0) {
        const SearchPage& p = a.second;
        if (p.hits.size() != static_cast<size_t>(std::min<int64_t>(20, p.total)))
          Die("Search(" + q.text + ") returned " + std::to_string(p.hits.size()) +
              " hits for total " + std::to_string(p.total));
        if (o.ours_only || p.total == b.second.total)
          ++ob.equal;
        else if (p.total > b.second.total) {
          ++ob.ours_more;
          if (ob.more_examples.size() < 3)
            ob.more_examples.push_back(q.text + " " + std::to_string(p.total) + "/" +
                                       std::to_string(b.second.total));
        } else {
          ++ob.ours_less;
          if (ob.less_examples.size() < 3)
            ob.less_examples.push_back(q.text + " " + std::to_string(p.total) + "/" +
                                       std::to_string(b.second.total));
        }
        if (p.total_is_lower_bound) ++ob.capped;
        if (p.total == 0) ++ob.zero;
      }
    }
    std::fprintf(stderr, "  %s: %zu queries x 2 sides in %.1f s\n",
                 round < 0 ? "warm-up" : ("round " + std::to_string(round + 1)).c_str(),
                 order.size(), Secs(Clock::now() - t_round));
  }
  double runs_s = Secs(Clock::now() - t_runs);

  // ---- report
  // ------------------------------------------------------------------------------------
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) < 0) load[0] = -1;
  std::printf(
      "\nlatency per query, ms (%d rounds after one warm-up round, interleaved; %.0f s in all;"
      " load average %.2f)\n",
      o.rounds, runs_s, load[0]);
  std::printf("%-10s %5s | %9s %9s | %9s %9s | %9s %9s | %s\n", "category", "n", "ours p50",
              "ours p99", "base p50", "base p99", "p50 ratio", "p99 ratio", "baseline method");
  double ours_p99_max = 0, ratio2 = 0, ratio2_99 = 0;
  for (int c = 0; c < 4; ++c) {
    Obs& ob = obs[c];
    double op50 = Pct(ob.ours, 50), op99 = Pct(ob.ours, 99), bp50 = Pct(ob.base, 50),
           bp99 = Pct(ob.base, 99);
    ours_p99_max = std::max(ours_p99_max, op99);
    if (c == 1) {
      ratio2 = bp50 / op50;
      ratio2_99 = bp99 / op99;
    }
    std::printf("%-10s %5zu | %9.3f %9.3f | %9.3f %9.3f | %8.1fx %8.1fx | %s\n", kCatNames[c],
                ob.ours.size(), op50, op99, bp50, bp99, bp50 / op50, bp99 / op99,
                c < 2 ? "instr() scan" : "trigram MATCH");
  }
  std::printf("(ratio = baseline / ours: above 1 means the catalogue is faster%s)\n",
              o.ours_only ? "; --ours-only: no baseline was run, ratios are 1" : "");
  std::printf("\nslowest single queries (ours, all rounds)\n");
  for (int c = 0; c < 4; ++c) {
    auto& v = obs[c].slowest;
    std::sort(v.begin(), v.end(), std::greater<>());
    std::printf("%-10s", kCatNames[c]);
    for (size_t k = 0; k < std::min<size_t>(6, v.size()); ++k)
      std::printf("  %.1f ms %s", v[k].first, v[k].second.c_str());
    std::printf("\n");
  }

  std::printf("\nresult counts (first timed round; both capped at %" PRId64
              " like Catalogue::Search)\n",
              Catalogue::kCountCap);
  int64_t mismatches = 0;
  for (int c = 0; c < 4; ++c) {
    Obs& ob = obs[c];
    mismatches += ob.ours_more + ob.ours_less;
    std::printf("%-10s equal %" PRId64 ", ours > baseline %" PRId64 ", ours < baseline %" PRId64
                " (capped %" PRId64 ", no hits %" PRId64 ")",
                kCatNames[c], ob.equal, ob.ours_more, ob.ours_less, ob.capped, ob.zero);
    std::printf("; ours p50 %.3f ms when capped (n=%zu), %.3f ms otherwise (n=%zu)",
                Pct(ob.ours_capped, 50), ob.ours_capped.size(), Pct(ob.ours_ranked, 50),
                ob.ours_ranked.size());
    for (auto& e : ob.less_examples) std::printf("  less: %s", e.c_str());
    for (auto& e : ob.more_examples) std::printf("  more: %s", e.c_str());
    std::printf("\n");
  }
  std::printf("count mismatches: %" PRId64 "\n", mismatches);

  std::printf("\nsizes\n");
  std::printf("raw text (title + body bytes, as indexed) %10.1f MB  (%.0f bytes/record)\n",
              raw / 1e6, static_cast<double>(raw) / o.records);
  std::printf(
      "catalogue file (after checkpoint)         %10.1f MB  = %.2fx raw  (freelist %.1f MB)\n",
      cat_bytes / 1e6, static_cast<double>(cat_bytes) / raw, freelist / 1e6);
  if (have_dbstat) {
    std::printf("  full-text indexes (records_fts*, _chars*) %8.1f MB  = %.2fx raw\n",
                fts_bytes / 1e6, static_cast<double>(fts_bytes) / raw);
    std::vector<std::pair<std::string, int64_t>> v(tables.begin(), tables.end());
    std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second > b.second; });
    for (auto& [name, b] : v)
      if (b * 200 >= static_cast<int64_t>(cat_bytes))  // ≥ 0.5 %
        std::printf("    %-36s %10.1f MB  = %.2fx raw\n", name.c_str(), b / 1e6,
                    static_cast<double>(b) / raw);
  } else {
    std::printf("  (dbstat not compiled into this SQLite: no per-table sizes)\n");
  }
  std::printf("baseline file (text table + trigram FTS)  %10.1f MB  = %.2fx raw\n",
              base_bytes / 1e6, static_cast<double>(base_bytes) / raw);

  std::printf("\ntargets\n");
  std::printf("%s  p99 <= 20 ms in every category (worst ours p99 %.3f ms)\n",
              ours_p99_max <= 20 ? "PASS" : "MISS", ours_p99_max);
  std::printf(
      "%s  >= 10x faster than the baseline on 2-character queries (median ratio %.1fx; p99 ratio "
      "%.1fx)\n",
      ratio2 >= 10 ? "PASS" : "MISS", ratio2, ratio2_99);
  double size_ratio = static_cast<double>(cat_bytes) / raw;
  std::printf("%s  catalogue <= 2x the raw text (%.2fx; full-text index alone %.2fx)\n",
              size_ratio <= 2 ? "PASS" : "MISS", size_ratio, static_cast<double>(fts_bytes) / raw);

  // ---- breakdown of the catalogue's search statements ------------------------------------------
  if (o.breakdown) {
    const int kPer = std::min(6, o.queries);
    std::printf(
        "\nbreakdown: the SQL Catalogue::Search runs and alternatives, timed on a second connection"
        " (median ms over %d queries per category spread from common to rare, one run each)\n",
        kPer);
    const std::string from =
        " FROM records_fts JOIN records r ON r.id = records_fts.rowid WHERE records_fts MATCH ?1";
    const std::string cap = std::to_string(Catalogue::kCountCap + 1);
    const std::string cols =
        "SELECT r.reference, r.title, r.year, r.class_code, r.item_code, r.retention, r.formed_on";
    const std::string snip = ", snippet(records_fts, -1, '[', ']', '…', 16)";
    struct Variant {
      const char* name;
      std::string capped_sql, ranked_sql;  // the page statement when the count is / is not capped
    };
    std::vector<Variant> vars = {
        {"count as Search (join records)",
         "SELECT count(*) FROM (SELECT 1" + from + " LIMIT " + cap + ")", ""},
        {"count without the join",
         "SELECT count(*) FROM (SELECT 1 FROM records_fts WHERE records_fts MATCH ?1 LIMIT " + cap +
             ")",
         ""},
        {"page as Search", cols + snip + from + " ORDER BY r.id DESC LIMIT 20 OFFSET 0",
         cols + snip + from + " ORDER BY records_fts.rank, r.id DESC LIMIT 20 OFFSET 0"},
        {"page without snippet()", cols + from + " ORDER BY r.id DESC LIMIT 20 OFFSET 0",
         cols + from + " ORDER BY records_fts.rank, r.id DESC LIMIT 20 OFFSET 0"},
        {"page ORDER BY records_fts.rowid DESC",
         cols + snip + from + " ORDER BY records_fts.rowid DESC LIMIT 20",
         cols + snip + from + " ORDER BY records_fts.rank, records_fts.rowid DESC LIMIT 20"},
        {"page: rowid DESC / rank in subquery",
         cols + snip + from + " ORDER BY records_fts.rowid DESC LIMIT 20",
         cols + snip +
             " FROM (SELECT rowid AS id, rank AS rk FROM records_fts WHERE records_fts MATCH ?1"
             " ORDER BY rank, rowid DESC LIMIT 20) h"
             " CROSS JOIN records_fts CROSS JOIN records r"
             " WHERE records_fts MATCH ?1 AND records_fts.rowid = h.id AND r.id = h.id ORDER BY "
             "h.rk, h.id DESC"},
    };
    std::printf("%-40s %10s %10s %10s\n", "statement", "1-char", "2-char", "4-char");
    for (const auto& v : vars) {
      std::printf("%-40s", v.name);
      for (int c = 0; c < 3; ++c) {
        std::vector<double> t;
        std::vector<const Query*> mine;
        for (const auto& q : queries)
          if (q.cat == c) mine.push_back(&q);
        for (int k = 0; k < kPer && !mine.empty(); ++k) {
          const Query& q = *mine[k * mine.size() / kPer];
          std::string m = "\"" + q.text + "\"";
          // Which page statement Search would run depends on whether the count hit the cap.
          Statement cs =
              Prep(diag, "SELECT count(*) FROM (SELECT 1" + from + " LIMIT " + cap + ")");
          cs.Bind(1, m);
          Status err;
          cs.Step(&err);
          bool capped = cs.Int(0) > Catalogue::kCountCap;
          const std::string& sql =
              v.ranked_sql.empty()
                  ? v.capped_sql
                  : (capped && !v.capped_sql.empty() ? v.capped_sql : v.ranked_sql);
          for (int rep = 0; rep < 1; ++rep) {
            auto t0 = Clock::now();
            Statement s = Prep(diag, sql);
            s.Bind(1, m);
            while (s.Step(&err)) {
            }
            if (!err.ok()) Die(std::string(v.name) + ": " + err.ToString());
            t.push_back(Ms(Clock::now() - t0));
          }
        }
        std::printf(" %10.3f", Pct(t, 50));
      }
      std::printf("\n");
    }
    // Plans, for a common 1-character query.
    std::string common = "\"" + queries.front().text + "\"";
    for (const auto& q : queries)
      if (q.cat == 0 && q.corpus_freq > 0) {
        common = "\"" + q.text + "\"";
        break;
      }
    std::printf("\nquery plans (EXPLAIN QUERY PLAN, MATCH %s)\n", common.c_str());
    for (int k : {0, 2, 4, 5}) {
      const Variant& v = vars[k];
      for (const std::string* sql : {&v.capped_sql, &v.ranked_sql}) {
        if (sql->empty()) continue;
        std::printf("  %s%s:\n", v.name, sql == &v.capped_sql ? " (count capped)" : " (ranked)");
        for (auto& line : PlanOf(diag, *sql, common)) std::printf("    %s\n", line.c_str());
      }
    }
  }
  std::fflush(stdout);
  return 0;
}
