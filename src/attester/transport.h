#pragma once

// The attester's HTTP seam. The attester library may not depend on the service module (which owns
// the HTTP client), so the flows take a Transport and the CLI adapts service::http::HttpClient to
// it; tests script responses (docs/adr/0014-attester.md).

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace vouch::attester {

struct HttpExchange {
  struct Request {
    std::string method;
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
  };
  struct Response {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string header(std::string_view name) const;
  };
};
using HttpRequest = HttpExchange::Request;
using HttpResponse = HttpExchange::Response;

// Transport sends one request and returns the final response (any status is a success).
class Transport {
 public:
  virtual ~Transport() = default;
  [[nodiscard]] virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

// Retries on 429 and 503: up to max_attempts sends in all. The wait before attempt n+1 is the
// server's Retry-After (delta-seconds, capped at max_delay) when present, else
// min(max_delay, base_delay * 2^(n-1)) scaled by a jitter factor in [0.5, 1.0) (random() in [0,1)).
struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{30'000};
  std::function<void(std::chrono::milliseconds)> sleep;  // default: std::this_thread::sleep_for
  std::function<double()> random;                        // default: a uniform [0,1) generator
};

// The delay before the next attempt after `attempt` (1-based) answered `response`.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempt,
                                      const HttpResponse& response);

// Sends with retries. After the last attempt a 429/503 answer is returned as it is (the caller
// maps it like any other refusal). Transport failures are not retried.
[[nodiscard]] Result<HttpResponse> send_with_retry(Transport& transport, const RetryPolicy& policy,
                                                   const HttpRequest& request,
                                                   int* attempts_made = nullptr);

}  // namespace vouch::attester
