// soak_load: the load program of scripts/bench/soak.sh. A mixed workload against a running
// `dangan serve` (intake of new cases, search, lookup by 档号, downloads of files and packages):
// first closed-loop to find the peak rate, then open-loop at a fraction of it, reporting
// throughput, latency percentiles and the server's resident memory every interval.
//
// Open-loop means request k is due at start + k / rate whatever happened before it, and its
// latency is measured from when it was due, so a stall shows up as latency instead of silently
// slowing the load (coordinated omission). Standard output: one line per phase/interval plus
// PASS/MISS verdicts; exit 1 if any request failed, 2 on bad usage.
#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

enum Kind { kIntake, kSearch, kLookup, kDownload, kKinds };
const char* const kKindNames[kKinds] = {"intake", "search", "lookup", "download"};

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string intake_key, reader_key;
  std::string cases_file, refs_file, queries_file;
  int mix[kKinds] = {2, 38, 40, 20};
  int connections = 16;
  double peak_seconds = 30;
  double fraction = 0.8;
  double rate = 0;  // fixed rate instead of fraction × peak
  double seconds = 600;
  double interval = 60;
  long pid = 0;
  std::string run_id = "soak";
  std::string download_file = "扫描件.tif";
};

[[noreturn]] void Usage(const std::string& why) {
  std::cerr
      << "soak_load: " << why << "\n"
      << "usage: soak_load --port N --intake-key K --reader-key K --cases FILE --refs FILE\n"
         "         --queries FILE [--host H] [--mix intake=2,search=38,lookup=40,download=20]\n"
         "         [--connections 16] [--peak-seconds 30] [--fraction 0.8 | --rate R]\n"
         "         [--seconds 600] [--interval 60] [--pid PID] [--run-id ID]\n";
  std::exit(2);
}

double Number(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !std::isfinite(d) || d < 0)
    Usage(flag + " needs a non-negative number, got '" + v + "'");
  return d;
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) Usage("cannot read " + path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  if (out.empty()) Usage(path + " is empty");
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Usage("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Encode(const std::string& s) {
  std::string out;
  Poco::URI::encode(s, "/?#&=+%; ", out);
  return out;
}

// A case of the `dangan ingest` format turned into a JSON intake body with base64 content, split
// around its case_id so each request can file it under a new one.
struct CaseTemplate {
  std::string before, after;
};

CaseTemplate LoadCase(const std::string& case_json_path) {
  const std::string dir = case_json_path.substr(0, case_json_path.find_last_of('/') + 1);
  Poco::JSON::Parser parser;
  auto obj = parser.parse(ReadFile(case_json_path)).extract<Poco::JSON::Object::Ptr>();
  auto files = obj->getArray("files");
  for (size_t i = 0; files && i < files->size(); ++i) {
    auto f = files->getObject(static_cast<unsigned>(i));
    std::ostringstream enc;
    Poco::Base64Encoder e(enc);
    e.rdbuf()->setLineLength(0);
    e << ReadFile(dir + f->getValue<std::string>("path"));
    e.close();
    f->remove("path");
    f->set("content", enc.str());
  }
  const std::string marker = "__SOAK_CASE_ID__";
  obj->set("case_id", marker);
  std::ostringstream out;
  obj->stringify(out);
  const std::string body = out.str();
  const size_t at = body.find(marker);
  if (at == std::string::npos) Usage("cannot template " + case_json_path);
  return {body.substr(0, at), body.substr(at + marker.size())};
}

struct Sample {
  Kind kind;
  double at_s;  // completion, seconds since the phase started
  double ms;
  bool ok;
};

// One phase's results; workers append under a mutex (a few thousand per second at most).
struct Results {
  std::mutex mu;
  std::vector<Sample> samples;
  std::map<std::string, int> errors;  // first few error descriptions, counted
  void Add(const Sample& s, const std::string& error) {
    std::lock_guard<std::mutex> l(mu);
    samples.push_back(s);
    if (!s.ok && errors.size() < 20) ++errors[error];
  }
};

class Workload {
 public:
  explicit Workload(const Options& o) : o_(o) {
    for (const auto& p : Lines(o.cases_file)) cases_.push_back(LoadCase(p));
    for (const auto& r : Lines(o.refs_file)) refs_.push_back(Encode(r));
    for (const auto& q : Lines(o.queries_file)) queries_.push_back(Encode(q));
    download_ = Encode(o.download_file);
    int total = 0;
    for (int k = 0; k < kKinds; ++k) {
      total += o.mix[k];
      cumulative_[k] = total;
    }
    if (total <= 0) Usage("--mix sums to zero");
  }

  // The k-th request's kind: a fixed interleaving of the mix (the same sequence every run).
  Kind KindOf(uint64_t k) const {
    const int total = cumulative_[kKinds - 1];
    const int slot = static_cast<int>((k * 37) % static_cast<uint64_t>(total));
    for (int i = 0; i < kKinds; ++i)
      if (slot < cumulative_[i]) return static_cast<Kind>(i);
    return kLookup;
  }

  // Sends request k on `session`; returns "" or an error description.
  std::string Send(Poco::Net::HTTPClientSession& session, uint64_t k, Kind kind) {
    using Poco::Net::HTTPRequest;
    const uint64_t h = k * 0x9E3779B97F4A7C15ull;
    std::string path, body;
    int expect = 200;
    const std::string* key = &o_.reader_key;
    std::string range;
    switch (kind) {
      case kIntake: {
        const auto& c = cases_[h % cases_.size()];
        body = c.before + o_.run_id + "-" + phase_ + std::to_string(k) + c.after;
        path = "/api/v1/cases";
        key = &o_.intake_key;
        expect = 201;
        break;
      }
      case kSearch:
        path = "/api/v1/records?q=" + queries_[h % queries_.size()] + "&size=20";
        break;
      case kLookup:
        path = "/api/v1/records/" + refs_[h % refs_.size()];
        break;
      case kDownload:
        if (k % 2) {
          path = "/api/v1/records/" + refs_[h % refs_.size()] + "/package";
        } else {
          path = "/api/v1/records/" + refs_[h % refs_.size()] + "/files/" + download_;
          range = "bytes=0-65535";
          expect = 206;
        }
        break;
      default:
        return "unknown kind";
    }
    HTTPRequest req(body.empty() ? HTTPRequest::HTTP_GET : HTTPRequest::HTTP_POST, path,
                    HTTPRequest::HTTP_1_1);
    req.setKeepAlive(true);
    req.set("Authorization", "Bearer " + *key);
    if (!range.empty()) req.set("Range", range);
    if (!body.empty()) {
      req.setContentType("application/json");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    try {
      std::ostream& out = session.sendRequest(req);
      if (!body.empty()) out << body;
      Poco::Net::HTTPResponse resp;
      std::istream& in = session.receiveResponse(resp);
      std::string text;
      Poco::StreamCopier::copyToString(in, text);
      if (static_cast<int>(resp.getStatus()) != expect)
        return std::string(kKindNames[kind]) + " HTTP " + std::to_string(resp.getStatus()) + " " +
               text.substr(0, 160);
      return "";
    } catch (const Poco::Exception& e) {
      session.reset();
      return std::string(kKindNames[kind]) + " " + e.displayText();
    } catch (const std::exception& e) {
      session.reset();
      return std::string(kKindNames[kind]) + " " + e.what();
    }
  }

  // Closed-loop (rate 0) or open-loop at `rate` requests/s for `seconds`. `phase` keeps the
  // case_ids of the phases apart (each phase numbers its requests from 0).
  void Run(const std::string& phase, double rate, double seconds, Results* results,
           std::atomic<uint64_t>* next) {
    phase_ = phase;
    const auto start = Clock::now();
    const auto end =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    auto worker = [&]() {
      Poco::Net::HTTPClientSession session(o_.host, static_cast<Poco::UInt16>(o_.port));
      session.setKeepAlive(true);
      session.setTimeout(Poco::Timespan(120, 0));
      for (;;) {
        const uint64_t k = next->fetch_add(1);
        Clock::time_point due = Clock::now();
        if (rate > 0) {
          due = start + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(static_cast<double>(k) / rate));
          if (due >= end) return;
          std::this_thread::sleep_until(due);
        } else if (due >= end) {
          return;
        }
        const Kind kind = KindOf(k);
        const std::string error = Send(session, k, kind);
        const auto done = Clock::now();
        results->Add({kind, std::chrono::duration<double>(done - start).count(),
                      std::chrono::duration<double, std::milli>(done - due).count(), error.empty()},
                     error);
      }
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < o_.connections; ++i) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
  }

 private:
  const Options& o_;
  std::vector<CaseTemplate> cases_;
  std::vector<std::string> refs_, queries_;
  std::string download_;
  std::string phase_;
  int cumulative_[kKinds] = {};
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, i == 0 ? 0 : i - 1)];
}

double ResidentMiB(long pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  return 0;
}

struct IntervalFigures {
  double rps = 0, p50 = 0, p99 = 0, rss = 0;
  size_t requests = 0, errors = 0;
  double kind_p99[kKinds] = {};
};

IntervalFigures Summarise(const std::vector<Sample>& samples, double from, double to) {
  IntervalFigures f;
  std::vector<double> all, by_kind[kKinds];
  for (const auto& s : samples) {
    if (s.at_s < from || s.at_s >= to) continue;
    ++f.requests;
    if (!s.ok) ++f.errors;
    all.push_back(s.ms);
    by_kind[s.kind].push_back(s.ms);
  }
  f.rps = static_cast<double>(f.requests) / (to - from);
  f.p50 = Percentile(all, 50);
  f.p99 = Percentile(all, 99);
  for (int k = 0; k < kKinds; ++k) f.kind_p99[k] = Percentile(by_kind[k], 99);
  return f;
}

void PrintErrors(const Results& r) {
  for (const auto& [what, n] : r.errors) std::printf("  error x%d: %s\n", n, what.c_str());
}

size_t Filed(const std::vector<Sample>& samples) {
  size_t n = 0;
  for (const auto& s : samples) n += s.kind == kIntake && s.ok;
  return n;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return 0;
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) Usage(a + " needs a value");
    const std::string v = argv[++i];
    if (a == "--host")
      o.host = v;
    else if (a == "--port")
      o.port = static_cast<int>(Number(a, v));
    else if (a == "--intake-key")
      o.intake_key = v;
    else if (a == "--reader-key")
      o.reader_key = v;
    else if (a == "--cases")
      o.cases_file = v;
    else if (a == "--refs")
      o.refs_file = v;
    else if (a == "--queries")
      o.queries_file = v;
    else if (a == "--connections")
      o.connections = static_cast<int>(Number(a, v));
    else if (a == "--peak-seconds")
      o.peak_seconds = Number(a, v);
    else if (a == "--fraction")
      o.fraction = Number(a, v);
    else if (a == "--rate")
      o.rate = Number(a, v);
    else if (a == "--seconds")
      o.seconds = Number(a, v);
    else if (a == "--interval")
      o.interval = Number(a, v);
    else if (a == "--pid")
      o.pid = static_cast<long>(Number(a, v));
    else if (a == "--run-id")
      o.run_id = v;
    else if (a == "--download-file")
      o.download_file = v;
    else if (a == "--mix") {
      std::istringstream in(v);
      for (std::string part; std::getline(in, part, ',');) {
        const size_t eq = part.find('=');
        const std::string name = part.substr(0, eq);
        int k = 0;
        while (k < kKinds && name != kKindNames[k]) ++k;
        if (eq == std::string::npos || k == kKinds) Usage("--mix takes intake=N,search=N,…");
        o.mix[k] = static_cast<int>(Number(a, part.substr(eq + 1)));
      }
    } else {
      Usage("unknown option " + a);
    }
  }
  if (o.port <= 0 || o.intake_key.empty() || o.reader_key.empty() || o.cases_file.empty() ||
      o.refs_file.empty() || o.queries_file.empty())
    Usage("--port, --intake-key, --reader-key, --cases, --refs and --queries are required");
  if (o.connections < 1 || o.seconds <= 0 || o.interval <= 0 ||
      (o.rate <= 0 && (o.peak_seconds <= 0 || o.fraction <= 0)))
    Usage("connections, seconds, interval and the rate (or peak seconds and fraction) must be > 0");

  Workload load(o);
  std::atomic<uint64_t> next{0};
  bool failed = false;

  double rate = o.rate;
  if (rate <= 0) {
    Results peak;
    load.Run("p", 0, o.peak_seconds, &peak, &next);
    IntervalFigures f = Summarise(peak.samples, 0, o.peak_seconds);
    std::printf(
        "peak: %d connections closed-loop for %.0f s: %.1f req/s, p50 %.1f ms, p99 %.1f ms, "
        "errors %zu, cases filed %zu (p99 intake %.1f search %.1f lookup %.1f download %.1f ms)\n",
        o.connections, o.peak_seconds, f.rps, f.p50, f.p99, f.errors, Filed(peak.samples),
        f.kind_p99[kIntake], f.kind_p99[kSearch], f.kind_p99[kLookup], f.kind_p99[kDownload]);
    PrintErrors(peak);
    failed |= f.errors > 0;
    rate = f.rps * o.fraction;
    if (rate <= 0) {
      std::printf("no request succeeded at peak\n");
      return 1;
    }
  }
  std::printf(
      "soak: open-loop at %.1f req/s (%s) for %.0f s, %d connections, mix intake %d "
      "search %d lookup %d download %d\n",
      rate, o.rate > 0 ? "fixed" : "fraction of peak", o.seconds, o.connections, o.mix[kIntake],
      o.mix[kSearch], o.mix[kLookup], o.mix[kDownload]);
  std::fflush(stdout);

  Results soak;
  std::vector<double> rss;
  std::atomic<bool> done{false};
  // Memory is read while the load runs, at the end of each interval.
  std::thread sampler([&]() {
    const auto start = Clock::now();
    for (int i = 1; !done; ++i) {
      const auto at = start + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(i * o.interval));
      while (!done && Clock::now() < at) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (done) break;
      rss.push_back(ResidentMiB(o.pid));
    }
  });
  next = 0;
  load.Run("s", rate, o.seconds, &soak, &next);
  done = true;
  sampler.join();
  // The load usually ends a moment before the sampler's last tick: the server is still up.
  while (rss.size() < static_cast<size_t>(o.seconds / o.interval))
    rss.push_back(ResidentMiB(o.pid));

  const int intervals = static_cast<int>(o.seconds / o.interval);
  std::vector<IntervalFigures> per;
  std::printf("%-8s %9s %9s %7s %9s %9s %9s %9s %9s %9s %9s\n", "interval", "requests", "req/s",
              "errors", "p50_ms", "p99_ms", "intake99", "search99", "lookup99", "downl99",
              "rss_MiB");
  for (int i = 0; i < intervals; ++i) {
    IntervalFigures f = Summarise(soak.samples, i * o.interval, (i + 1) * o.interval);
    f.rss = i < static_cast<int>(rss.size()) ? rss[static_cast<size_t>(i)] : 0;
    per.push_back(f);
    std::printf("%-8d %9zu %9.1f %7zu %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.1f\n", i + 1,
                f.requests, f.rps, f.errors, f.p50, f.p99, f.kind_p99[kIntake], f.kind_p99[kSearch],
                f.kind_p99[kLookup], f.kind_p99[kDownload], f.rss);
  }
  IntervalFigures all = Summarise(soak.samples, 0, o.seconds + 1e9);
  const size_t filed = Filed(soak.samples);
  std::printf(
      "total: %zu requests, %.1f req/s, p50 %.2f ms, p99 %.2f ms, errors %zu, "
      "cases filed %zu\n",
      all.requests, static_cast<double>(all.requests) / o.seconds, all.p50, all.p99, all.errors,
      filed);
  PrintErrors(soak);
  failed |= all.errors > 0;
  if (per.size() >= 2) {
    // Verdicts compare the first and last thirds of the run (at least one interval each).
    const size_t third = std::max<size_t>(1, per.size() / 3);
    std::vector<double> first_p99, last_p99;
    double min_rps = per[0].rps;
    for (size_t i = 0; i < per.size(); ++i) {
      min_rps = std::min(min_rps, per[i].rps);
      if (i < third) first_p99.push_back(per[i].p99);
      if (i >= per.size() - third) last_p99.push_back(per[i].p99);
    }
    const double drift = Median(first_p99) > 0 ? Median(last_p99) / Median(first_p99) : 0;
    // Memory after warm-up: the first interval's figure includes start-up growth of caches.
    const double rss_from = per.size() > 2 ? per[1].rss : per[0].rss;
    const double rss_to = per.back().rss;
    const double growth = rss_from > 0 ? (rss_to - rss_from) / rss_from : 0;
    auto verdict = [](bool ok) { return ok ? "PASS" : "MISS"; };
    std::printf("%s errors: %zu of %zu requests failed (target 0)\n", verdict(all.errors == 0),
                all.errors, all.requests);
    std::printf(
        "%s throughput: slowest interval %.1f req/s = %.2f of the %.1f req/s offered "
        "(target >= 0.95)\n",
        verdict(min_rps >= 0.95 * rate), min_rps, min_rps / rate, rate);
    std::printf(
        "%s latency drift: median p99 of the last third %.2f ms vs the first third "
        "%.2f ms = %.2fx (target <= 1.5x)\n",
        verdict(drift <= 1.5), Median(last_p99), Median(first_p99), drift);
    if (o.pid > 0)
      std::printf(
          "%s memory: resident %.1f MiB after interval %d, %.1f MiB at the end: %+.1f%% "
          "(target <= +10%%)\n",
          verdict(growth <= 0.10), rss_from, per.size() > 2 ? 2 : 1, rss_to, growth * 100);
  }
  return failed ? 1 : 0;
}
