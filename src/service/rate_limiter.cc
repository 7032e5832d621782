#include "service/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace vouch::service {

RateLimiter::RateLimiter(double rate, double burst, std::size_t max_clients)
    : rate_(rate),
      burst_(std::max(burst, 1.0)),
      max_clients_(std::max<std::size_t>(max_clients, 1)) {}

bool RateLimiter::allow(std::string_view client, Clock::time_point now) {
  if (!enabled()) {
    return true;
  }
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(client));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) {
      // Full: drop the buckets that have refilled completely (they hold no state worth keeping);
      // if none has, drop an arbitrary one rather than grow without bound.
      std::erase_if(buckets_, [&](const auto& e) {
        const double idle = std::chrono::duration<double>(now - e.second.updated).count();
        return e.second.tokens + idle * rate_ >= burst_;
      });
      if (buckets_.size() >= max_clients_) {
        buckets_.erase(buckets_.begin());
      }
    }
    it = buckets_.emplace(std::string(client), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  if (elapsed > 0) {
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.updated = now;
  }
  if (b.tokens < 1.0) {
    return false;
  }
  b.tokens -= 1.0;
  return true;
}

int RateLimiter::retry_after_seconds() const noexcept {
  if (rate_ <= 0) {
    return 1;
  }
  return std::max(1, static_cast<int>(std::ceil(1.0 / rate_)));
}

}  // namespace vouch::service
