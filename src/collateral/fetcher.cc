#include "collateral/fetcher.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <thread>

namespace vouch::collateral {

std::string FetchResponse::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

Result<FetchResponse> Fetcher::get_with_headers(const std::string& url,
                                                const FetchHeaders& /*headers*/) {
  return get(url);
}

std::optional<std::chrono::seconds> parse_retry_after(const std::string& value) {
  std::size_t begin = value.find_first_not_of(" \t");
  std::size_t end = value.find_last_not_of(" \t");
  if (begin == std::string::npos) {
    return std::nullopt;
  }
  const std::string_view digits(value.data() + begin, end - begin + 1);
  std::uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec == std::errc::result_out_of_range && ptr == digits.data() + digits.size()) {
    n = 86'400;  // a pause longer than any we would wait: the max_retry_after check gives up
  } else if (ec != std::errc() || ptr != digits.data() + digits.size()) {
    return std::nullopt;
  }
  // Clamped, not dropped: a server asking for a long pause must not be retried at our backoff.
  return std::chrono::seconds(static_cast<std::int64_t>(std::min<std::uint64_t>(n, 86'400)));
}

// --- RetryingFetcher ---

Result<FetchResponse> RetryingFetcher::get(const std::string& url) {
  return get_with_headers(url, {});
}

void RetryingFetcher::wait(std::chrono::milliseconds d) const {
  if (options_.sleep) {
    options_.sleep(d);
  } else {
    std::this_thread::sleep_for(d);
  }
}

Result<FetchResponse> RetryingFetcher::get_with_headers(const std::string& url,
                                                        const FetchHeaders& headers) {
  const std::size_t attempts = std::max<std::size_t>(1, options_.max_attempts);
  std::chrono::milliseconds backoff = options_.initial_backoff;
  for (std::size_t attempt = 1;; ++attempt) {
    Result<FetchResponse> r = inner_.get_with_headers(url, headers);
    const bool last = attempt >= attempts;
    std::chrono::milliseconds delay = std::min(backoff, options_.max_backoff);
    if (!r) {
      if (last || r.error().kind != ErrorKind::kCollateralUnavailable) {
        return r;
      }
    } else {
      const int status = r->status;
      if (last || (status != 429 && (status < 500 || status > 599))) {
        return r;
      }
      if (auto after = parse_retry_after(r->header("retry-after"))) {
        const auto wanted = std::chrono::duration_cast<std::chrono::milliseconds>(*after);
        if (wanted > options_.max_retry_after) {
          return r;  // the source asks for longer than we wait: let the caller decide
        }
        delay = wanted;
      }
    }
    {
      std::lock_guard lock(mu_);
      ++retries_;
    }
    wait(delay);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

std::size_t RetryingFetcher::retries() const {
  std::lock_guard lock(mu_);
  return retries_;
}

// --- CoalescingFetcher ---

Result<FetchResponse> CoalescingFetcher::get(const std::string& url) {
  return get_with_headers(url, {});
}

Result<FetchResponse> CoalescingFetcher::get_with_headers(const std::string& url,
                                                          const FetchHeaders& headers) {
  std::string key = url;
  for (const auto& [name, value] : headers) {
    key += '\n' + name + ':' + value;
  }
  std::shared_ptr<Flight> flight;
  {
    std::unique_lock lock(mu_);
    if (auto it = in_flight_.find(key); it != in_flight_.end()) {
      flight = it->second;
      ++coalesced_;
      flight->done.wait(lock, [&] { return flight->result.has_value(); });
      return *flight->result;
    }
    flight = std::make_shared<Flight>();
    in_flight_.emplace(key, flight);
    ++fetches_;
  }
  Result<FetchResponse> r = inner_.get_with_headers(url, headers);
  {
    std::lock_guard lock(mu_);
    flight->result = r;
    in_flight_.erase(key);
  }
  flight->done.notify_all();
  return r;
}

std::size_t CoalescingFetcher::fetches() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

std::size_t CoalescingFetcher::coalesced() const {
  std::lock_guard lock(mu_);
  return coalesced_;
}

}  // namespace vouch::collateral
