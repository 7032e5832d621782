#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace vouch::collateral {

// FetchResponse is what an HTTP GET returned. Header names are lowercase.
struct FetchResponse {
  int status = 0;
  std::map<std::string, std::string> headers;
  Bytes body;

  // Value of a header (name in lowercase), or empty.
  std::string header(const std::string& name) const;
};

// Extra request headers (name, value), e.g. Intel PCS's Ocp-Apim-Subscription-Key.
using FetchHeaders = std::vector<std::pair<std::string, std::string>>;

// Fetcher is the only network seam of the verifier: vendor collateral clients (AMD KDS, Intel
// PCS) are written against it, and tests inject fakes that serve a test PKI. Implementations
// return kCollateralUnavailable (check collateral.fetch) when the source cannot be reached;
// any HTTP status is a successful fetch and the client decides what it means.
class Fetcher {
 public:
  virtual ~Fetcher() = default;
  [[nodiscard]] virtual Result<FetchResponse> get(const std::string& url) = 0;
  // GET with extra request headers. The default drops the headers and calls get(url), so
  // fetchers that never need any (fakes, offline mirrors) implement get() only.
  [[nodiscard]] virtual Result<FetchResponse> get_with_headers(const std::string& url,
                                                               const FetchHeaders& headers);
};

namespace checks {
inline constexpr CheckId kFetch{"collateral.fetch"};
}  // namespace checks

// RetryingFetcher retries what may succeed later: transport failures (kCollateralUnavailable),
// HTTP 429 and 5xx. It waits Retry-After (delta-seconds) when the answer carries one, else an
// exponential backoff (initial_backoff, doubled per attempt, capped at max_backoff). A
// Retry-After longer than max_retry_after is not waited for: the answer is returned as it is
// (the caller serves cached collateral or fails). The last answer or error is returned.
class RetryingFetcher final : public Fetcher {
 public:
  struct Options {
    std::size_t max_attempts = 3;  // tries in all (1: no retry)
    std::chrono::milliseconds initial_backoff{500};
    std::chrono::milliseconds max_backoff{8'000};
    std::chrono::milliseconds max_retry_after{30'000};
    // How to wait (tests inject a recorder); empty: std::this_thread::sleep_for.
    std::function<void(std::chrono::milliseconds)> sleep;
  };
  RetryingFetcher(Fetcher& inner, Options options) : inner_(inner), options_(std::move(options)) {}
  explicit RetryingFetcher(Fetcher& inner) : RetryingFetcher(inner, Options{}) {}

  Result<FetchResponse> get(const std::string& url) override;
  Result<FetchResponse> get_with_headers(const std::string& url,
                                         const FetchHeaders& headers) override;

  // Retries made so far (for tests and metrics).
  std::size_t retries() const;

 private:
  void wait(std::chrono::milliseconds d) const;
  Fetcher& inner_;
  Options options_;
  mutable std::mutex mu_;
  std::size_t retries_ = 0;
};

// CoalescingFetcher merges identical concurrent requests (same URL and headers): the first
// caller fetches, callers arriving while it is in flight wait for its answer and get a copy.
// Nothing is cached after the answer arrives.
class CoalescingFetcher final : public Fetcher {
 public:
  explicit CoalescingFetcher(Fetcher& inner) : inner_(inner) {}

  Result<FetchResponse> get(const std::string& url) override;
  Result<FetchResponse> get_with_headers(const std::string& url,
                                         const FetchHeaders& headers) override;

  // Requests forwarded to the inner fetcher / answered by waiting for another caller's fetch.
  std::size_t fetches() const;
  std::size_t coalesced() const;

 private:
  struct Flight {
    std::optional<Result<FetchResponse>> result;
    std::condition_variable done;
  };
  Fetcher& inner_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Flight>> in_flight_;
  std::size_t fetches_ = 0;
  std::size_t coalesced_ = 0;
};

// Parses a Retry-After header value given in delta-seconds ("120"), clamped to one day; nullopt
// for anything else (HTTP-dates included: the caller falls back to its own backoff).
std::optional<std::chrono::seconds> parse_retry_after(const std::string& value);

}  // namespace vouch::collateral
