// Metrics: counters and latency histograms for /metrics in the Prometheus text format. Every
// method is thread-safe (one mutex; updates are a few map operations per request).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace dangan::web {

class Metrics {
 public:
  void ObserveRequest(const std::string& method, const std::string& route, int status,
                      double seconds);
  void CountFiling(const std::string& result);  // "created", "replayed", "conflict", "invalid",
                                                // "forbidden", "error"
  // Gauges supplied when /metrics is rendered (e.g. fixity status from the catalogue).
  std::string Render(const std::map<std::string, double>& gauges) const;

 private:
  static constexpr double kBuckets[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                        0.25,  0.5,   1,    2.5,   10};
  struct Histogram {
    uint64_t counts[sizeof(kBuckets) / sizeof(double)] = {};
    uint64_t total = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;  // by route
  std::map<std::string, uint64_t> filings_;
};

}  // namespace dangan::web
