#include "web/metrics.h"

#include <set>
#include <sstream>

namespace dangan::web {

void Metrics::ObserveRequest(const std::string& method, const std::string& route, int status,
                             double seconds) {
  static const std::set<std::string> kMethods = {"GET",    "HEAD",  "POST",   "PUT",
                                                 "DELETE", "PATCH", "OPTIONS"};
  // Clients choose the method string: unknown ones share one label so they cannot grow /metrics.
  static const std::string kOther = "OTHER";
  const std::string& m = kMethods.count(method) ? method : kOther;
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{m, route, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < sizeof(kBuckets) / sizeof(double); ++i)
    if (seconds <= kBuckets[i]) ++h.counts[i];
  ++h.total;
  h.sum += seconds;
}

void Metrics::CountFiling(const std::string& result) {
  std::lock_guard<std::mutex> lock(mu_);
  ++filings_[result];
}

namespace {
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace

std::string Metrics::Render(const std::map<std::string, double>& gauges) const {
  std::ostringstream out;
  std::lock_guard<std::mutex> lock(mu_);
  out << "# HELP dangan_http_requests_total HTTP requests by method, route and status.\n"
      << "# TYPE dangan_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << "dangan_http_requests_total{method=\"" << Label(std::get<0>(key)) << "\",route=\""
        << Label(std::get<1>(key)) << "\",status=\"" << std::get<2>(key) << "\"} " << n << "\n";
  }
  out << "# HELP dangan_http_request_duration_seconds Time to answer a request.\n"
      << "# TYPE dangan_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (size_t i = 0; i < sizeof(kBuckets) / sizeof(double); ++i)
      out << "dangan_http_request_duration_seconds_bucket{route=\"" << Label(route) << "\",le=\""
          << kBuckets[i] << "\"} " << h.counts[i] << "\n";
    out << "dangan_http_request_duration_seconds_bucket{route=\"" << Label(route)
        << "\",le=\"+Inf\"} " << h.total << "\n"
        << "dangan_http_request_duration_seconds_sum{route=\"" << Label(route) << "\"} " << h.sum
        << "\n"
        << "dangan_http_request_duration_seconds_count{route=\"" << Label(route) << "\"} "
        << h.total << "\n";
  }
  out << "# HELP dangan_filings_total Cases received through the intake API, by outcome.\n"
      << "# TYPE dangan_filings_total counter\n";
  for (const auto& [result, n] : filings_)
    out << "dangan_filings_total{result=\"" << Label(result) << "\"} " << n << "\n";
  std::string last_type;
  for (const auto& [name, v] : gauges) {
    std::string base = name.substr(0, name.find('{'));
    // Supplied totals (…_total) only ever grow: Prometheus calls those counters.
    const bool total = base.size() > 6 && base.compare(base.size() - 6, 6, "_total") == 0;
    if (base != last_type) out << "# TYPE " << base << (total ? " counter\n" : " gauge\n");
    last_type = base;
    out << name << " " << v << "\n";
  }
  return out.str();
}

}  // namespace dangan::web
