// Search on the PostgreSQL catalogue against the embedded SQLite one, side by side in one run:
// both seeded with the same synthetic records through their filing insert path
// (record_generator.h), then the same mixed queries (1-, 2- and 4-character Chinese, ID numbers;
// a page of 20 with facet counts, as the records API asks) from N concurrent clients. Prints
// p50/p99 per kind and overall, queries per second, and the ratios. A benchmark, not a test:
// exits non-zero only on errors.
// As `dangan serve` does, at most --slots searches run at once (default, as there: twice the
// cores), the other clients waiting their turn in order; a client's time includes its wait.
// --slots 0 lets every client search at once.
//
// usage: pg_search_bench --pg URL --sqlite FILE [--records N] [--clients N] [--queries N]
//                        [--slots N] [--seed N] [--reuse]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "scripts/bench/record_generator.h"
#include "storage/catalogue.h"
#include "storage/cjk_tokenizer.h"
#include "storage/fair_gate.h"
#include "storage/pg_catalogue.h"

using namespace dangan;
using namespace dangan::bench;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "pg_search_bench: %s\n", what.c_str());
  std::exit(2);
}
void Check(const Status& st, const std::string& what) {
  if (!st.ok()) Die(what + ": " + st.ToString());
}

// Files `records` generated records into `catalogue`, `batch` per transaction.
void Seed(RecordCatalogue& catalogue, int64_t records, uint64_t seed, const ReferenceTemplate& t,
          const char* name) {
  Generator gen(seed, records, t);
  const int batch = 1000;
  auto start = Clock::now();
  for (int64_t i = 0; i < records;) {
    auto txn = catalogue.BeginFiling();
    Check(txn.status(), "begin");
    for (int k = 0; k < batch && i < records; ++k, ++i) {
      Record r = gen.Make(i);
      r.package_path = "packages/bench/" + std::to_string(i) + ".tar";
      r.package_sha256 = std::string(64, 'a');
      r.filed_at = r.closed_at;
      Check((*txn)->InsertRecord(r), "insert");
    }
    Check((*txn)->Commit(), "commit");
    if (i % 100000 == 0 || i == records)
      std::fprintf(stderr, "  %s: %lld records, %.0f s\n", name, static_cast<long long>(i),
                   std::chrono::duration<double>(Clock::now() - start).count());
  }
}

struct Query {
  int kind;  // 0: 1 char, 1: 2 chars, 2: 4 chars, 3: ID number
  std::string text;
};
const char* kKinds[] = {"1-char", "2-char", "4-char", "ID number"};

std::vector<Query> MakeQueries(int n, uint64_t seed, int64_t records, const ReferenceTemplate& t) {
  // Han n-grams of the item titles: words every catalogue of this field is searched by.
  std::vector<std::string> one, two, four;
  std::set<std::string> seen;
  for (const auto& item : kItems) {
    auto chars = Chars(item.title);
    for (size_t i = 0; i < chars.size(); ++i) {
      if (seen.insert(chars[i]).second) one.push_back(chars[i]);
      if (i + 1 < chars.size() && seen.insert(chars[i] + chars[i + 1]).second)
        two.push_back(chars[i] + chars[i + 1]);
      if (i + 3 < chars.size()) {
        std::string q = chars[i] + chars[i + 1] + chars[i + 2] + chars[i + 3];
        if (seen.insert(q).second) four.push_back(q);
      }
    }
  }
  for (const auto& c : kSurnames) one.push_back(c);
  Generator gen(seed, records, t);
  Rng r(seed, 99, 0);
  std::vector<Query> out;
  for (int i = 0; i < n; ++i) {
    int kind = i % 4;
    if (kind == 0) out.push_back({0, r.Pick(one)});
    if (kind == 1) out.push_back({1, r.Pick(two)});
    if (kind == 2) out.push_back({2, r.Pick(four)});
    if (kind == 3)
      out.push_back({3, gen.MakePerson(gen.PersonOf(static_cast<int64_t>(
                                           r.Next() % static_cast<uint64_t>(records))))
                            .id_number});
  }
  return out;
}

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

struct RunResult {
  std::vector<double> ms[4];
  std::vector<double> all;
  double seconds = 0;
  int64_t hits = 0;
};

RunResult RunQueries(RecordCatalogue& catalogue, const std::vector<Query>& queries, int clients,
                     int slots) {
  RunResult out;
  FairGate gate(slots > 0 ? static_cast<uint64_t>(slots) : 1);
  std::mutex mu;
  std::atomic<size_t> next{0};
  std::atomic<int64_t> hits{0};
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      std::vector<std::pair<int, double>> mine;
      for (size_t i = next++; i < queries.size(); i = next++) {
        SearchSpec spec;
        spec.text = queries[i].text;
        spec.facets = true;
        auto t0 = Clock::now();
        FairGate::Turn turn;
        if (slots > 0) turn = gate.Enter();
        auto page = catalogue.Search(spec);
        turn.Release();
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (!page.ok()) Die("search " + queries[i].text + ": " + page.status().ToString());
        hits += page->total;
        mine.push_back({queries[i].kind, ms});
      }
      std::lock_guard<std::mutex> lock(mu);
      for (auto& [k, ms] : mine) {
        out.ms[k].push_back(ms);
        out.all.push_back(ms);
      }
    });
  }
  for (auto& t : threads) t.join();
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  out.hits = hits;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string pg_url, sqlite_path;
  int64_t records = 100000;
  int clients = 50, queries = 4000;
  int slots = 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  uint64_t seed = 1;
  bool reuse = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--pg")
        pg_url = value();
      else if (a == "--sqlite")
        sqlite_path = value();
      else if (a == "--records")
        records = std::stoll(value());
      else if (a == "--clients")
        clients = std::stoi(value());
      else if (a == "--queries")
        queries = std::stoi(value());
      else if (a == "--slots")
        slots = std::stoi(value());
      else if (a == "--seed")
        seed = std::stoull(value());
      else if (a == "--reuse")
        reuse = true;
      else
        Die("unknown option " + a);
    } catch (const std::logic_error&) {
      Die(a + " needs a number");
    }
  }
  if (pg_url.empty() || sqlite_path.empty()) Die("usage: pg_search_bench --pg URL --sqlite FILE …");
  if (records < 1 || clients < 1 || queries < 1) Die("--records, --clients, --queries must be > 0");
  if (slots < 0) Die("--slots must be ≥ 0");

  auto tmpl = ReferenceTemplate::Parse(ReferenceTemplate::kDefault);
  Check(tmpl.status(), "template");
  auto pg = PgCatalogue::Open(pg_url, &*tmpl);
  Check(pg.status(), "PostgreSQL catalogue");
  // One connection per client, as each of them would be a server thread of its own; a search
  // can take seconds, longer than a capped pool lets a caller wait.
  (*pg)->SetMaxConnections(static_cast<size_t>(clients), std::chrono::minutes(10));
  const bool fresh_sqlite = !std::filesystem::exists(sqlite_path);
  auto sqlite = Catalogue::Open(sqlite_path, fresh_sqlite, &*tmpl);
  Check(sqlite.status(), "SQLite catalogue");
  const bool seed_pg = !reuse || (*pg)->CountRecords().value() == 0;
  const bool seed_sqlite = !reuse || (*sqlite)->CountRecords().value() == 0;
  {
    // Side by side: PostgreSQL's server does its share of the work in another process, so the
    // SQLite seeding on this side mostly fills time the PostgreSQL one spends waiting.
    std::thread sqlite_seeder([&] {
      if (seed_sqlite) Seed(**sqlite, records, seed, *tmpl, "SQLite");
    });
    if (seed_pg) Seed(**pg, records, seed, *tmpl, "PostgreSQL");
    sqlite_seeder.join();
  }
  if (seed_pg) {
    // Fresh statistics for the planner, as autovacuum would give a long-running server.
    auto db = (*pg)->Borrow();
    Check(db.status(), "connect");
    Check((*db)->Exec("VACUUM ANALYZE records, record_search"), "analyze");
  }
  auto qs = MakeQueries(queries, seed, records, *tmpl);
  // One warm-up pass each, so both answer from a warm cache.
  std::vector<Query> warm(qs.begin(), qs.begin() + std::min<size_t>(qs.size(), 400));
  RunQueries(**pg, warm, clients, slots);
  RunQueries(**sqlite, warm, clients, slots);
  RunResult p = RunQueries(**pg, qs, clients, slots);
  RunResult s = RunQueries(**sqlite, qs, clients, slots);
  std::printf(
      "  %lld records, %d clients, %d queries (a page of 20 with facets), %s\n",
      static_cast<long long>(records), clients, queries,
      slots > 0 ? ("at most " + std::to_string(slots) + " at once").c_str() : "all at once");
  std::printf("  %-10s %12s %12s %12s %12s\n", "kind", "PG p50 ms", "PG p99 ms", "SQLite p50",
              "SQLite p99");
  for (int k = 0; k < 4; ++k)
    std::printf("  %-10s %12.1f %12.1f %12.1f %12.1f\n", kKinds[k], Pct(p.ms[k], 50),
                Pct(p.ms[k], 99), Pct(s.ms[k], 50), Pct(s.ms[k], 99));
  std::printf("  %-10s %12.1f %12.1f %12.1f %12.1f\n", "all", Pct(p.all, 50), Pct(p.all, 99),
              Pct(s.all, 50), Pct(s.all, 99));
  const double pq = queries / p.seconds, sq = queries / s.seconds;
  std::printf("  queries/s: PostgreSQL %.0f, SQLite %.0f (%.2f×); p99 PostgreSQL/SQLite %.2f×\n",
              pq, sq, pq / sq, Pct(p.all, 99) / std::max(0.001, Pct(s.all, 99)));
  std::printf("  matches counted: PostgreSQL %lld, SQLite %lld%s\n", static_cast<long long>(p.hits),
              static_cast<long long>(s.hits), p.hits == s.hits ? " (same)" : " (DIFFER)");
  return 0;
}
