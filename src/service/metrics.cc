#include "service/metrics.h"

#include <sstream>

namespace vouch::service {
namespace {

// Escapes a label value for the exposition format.
std::string esc(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string fmt_double(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

void Metrics::observe_request(const std::string& route, const std::string& method, int status,
                              double seconds) {
  const std::string base = "route=\"" + esc(route) + "\",method=\"" + esc(method) + "\"";
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[base + ",status=\"" + std::to_string(status) + "\""];
  Histogram& h = latency_[base];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++h.buckets[i];
    }
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::count_attestation(const std::string& type, const std::string& verdict) {
  std::lock_guard<std::mutex> lock(mu_);
  ++attestations_["type=\"" + esc(type) + "\",verdict=\"" + esc(verdict) + "\""];
}

void Metrics::count_policy_evaluation(const std::string& decision) {
  std::lock_guard<std::mutex> lock(mu_);
  ++policy_evals_["decision=\"" + esc(decision) + "\""];
}

void Metrics::count_cache(const std::string& cache, bool hit) {
  std::lock_guard<std::mutex> lock(mu_);
  ++cache_["cache=\"" + esc(cache) + "\",result=\"" + (hit ? "hit" : "miss") + "\""];
}

std::string Metrics::render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream out;
  auto counter = [&](const char* name, const char* help,
                     const std::map<std::string, std::uint64_t>& m) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
    for (const auto& [labels, v] : m) {
      out << name << "{" << labels << "} " << v << "\n";
    }
  };
  counter("vouch_http_requests_total", "HTTP requests by route, method and status.", requests_);
  out << "# HELP vouch_http_request_duration_seconds Request latency by route and method.\n"
      << "# TYPE vouch_http_request_duration_seconds histogram\n";
  for (const auto& [labels, h] : latency_) {
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out << "vouch_http_request_duration_seconds_bucket{" << labels << ",le=\""
          << fmt_double(kBuckets[i]) << "\"} " << h.buckets[i] << "\n";
    }
    out << "vouch_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << h.count
        << "\n";
    out << "vouch_http_request_duration_seconds_sum{" << labels << "} " << fmt_double(h.sum)
        << "\n";
    out << "vouch_http_request_duration_seconds_count{" << labels << "} " << h.count << "\n";
  }
  counter("vouch_attestations_total", "Attestations by evidence type and verdict.", attestations_);
  counter("vouch_policy_evaluations_total", "Policy evaluations by decision.", policy_evals_);
  counter("vouch_cache_lookups_total", "Cache lookups by cache and result.", cache_);
  return out.str();
}

}  // namespace vouch::service
