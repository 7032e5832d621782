#pragma once

// Per-client rate limiting: a token bucket per client address (the same address always drains the
// same bucket, whatever route it calls). A client that exceeds its rate gets 429 with
// Retry-After instead of a share of the workers; other clients are unaffected. Global overload
// is the worker queue's load shedding (service.cc), not this.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vouch::service {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // rate: requests per second refilled; burst: bucket size. rate 0 disables the limiter.
  RateLimiter(double rate, double burst, std::size_t max_clients = 65536);

  bool enabled() const noexcept { return rate_ > 0; }
  // Takes one token from `client`'s bucket at `now`; false when it is empty (then
  // retry_after_seconds() says when the next token arrives).
  bool allow(std::string_view client, Clock::time_point now);
  // Whole seconds until one token is back at the configured rate (at least 1).
  int retry_after_seconds() const noexcept;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  double rate_;
  double burst_;
  std::size_t max_clients_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace vouch::service
