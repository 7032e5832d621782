#pragma once

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>

namespace vouch::service {

// Metrics collects counters and latency histograms and renders them in the Prometheus text
// exposition format (version 0.0.4). Thread-safe; label sets are created on first use.
class Metrics {
 public:
  // Latency bucket upper bounds in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  void observe_request(const std::string& route, const std::string& method, int status,
                       double seconds);
  void count_attestation(const std::string& type, const std::string& verdict);
  void count_policy_evaluation(const std::string& decision);
  void count_cache(const std::string& cache, bool hit);

  std::string render() const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> requests_;      // labels -> count
  std::map<std::string, Histogram> latency_;           // labels -> histogram
  std::map<std::string, std::uint64_t> attestations_;  // labels -> count
  std::map<std::string, std::uint64_t> policy_evals_;  // labels -> count
  std::map<std::string, std::uint64_t> cache_;         // labels -> count
};

}  // namespace vouch::service
