#include "attester/transport.h"

#include <algorithm>
#include <charconv>
#include <random>
#include <thread>

namespace vouch::attester {

std::string HttpResponse::header(std::string_view name) const {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto it = headers.find(lower);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

bool retryable(int status) {
  return status == 429 || status == 503;
}

double default_random() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

}  // namespace

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempt,
                                      const HttpResponse& response) {
  const std::string after = response.header("retry-after");
  if (!after.empty()) {
    std::int64_t seconds = 0;
    const char* end = after.data() + after.size();
    auto [p, ec] = std::from_chars(after.data(), end, seconds);
    if (ec == std::errc() && p == end && seconds >= 0) {
      const std::int64_t cap_s = policy.max_delay.count() / 1000;
      return std::chrono::milliseconds(std::min(seconds, cap_s) * 1000);
    }
    // An HTTP-date: fall back to the computed backoff.
  }
  std::int64_t base = policy.base_delay.count();
  for (int i = 1; i < attempt && base < policy.max_delay.count(); ++i) {
    base *= 2;
  }
  base = std::min<std::int64_t>(base, policy.max_delay.count());
  double r = policy.random ? policy.random() : default_random();
  r = std::clamp(r, 0.0, 1.0);
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(base) * (0.5 + r / 2.0)));
}

Result<HttpResponse> send_with_retry(Transport& transport, const RetryPolicy& policy,
                                     const HttpRequest& request, int* attempts_made) {
  const int max = std::max(1, policy.max_attempts);
  for (int attempt = 1;; ++attempt) {
    if (attempts_made != nullptr) {
      *attempts_made = attempt;
    }
    VOUCH_TRY(HttpResponse response, transport.send(request));
    if (!retryable(response.status) || attempt >= max) {
      return response;
    }
    const auto delay = retry_delay(policy, attempt, response);
    if (policy.sleep) {
      policy.sleep(delay);
    } else {
      std::this_thread::sleep_for(delay);
    }
  }
}

}  // namespace vouch::attester
