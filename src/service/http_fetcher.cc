#include "service/http_fetcher.h"

#include <utility>
#include <vector>

namespace vouch::service {

http::ClientOptions HttpFetcher::default_options() {
  http::ClientOptions options;
  options.max_body_bytes = std::size_t{8} << 20;
  return options;
}

HttpFetcher::HttpFetcher(http::ClientOptions options) : client_(std::move(options)) {}

Result<collateral::FetchResponse> HttpFetcher::get(const std::string& url) {
  return get_with_headers(url, {});
}

Result<collateral::FetchResponse> HttpFetcher::get_with_headers(
    const std::string& url, const collateral::FetchHeaders& headers) {
  std::vector<std::pair<std::string, std::string>> all = {{"accept", "*/*"}};
  all.insert(all.end(), headers.begin(), headers.end());
  auto response = client_.get(url, std::move(all));
  if (!response) {
    if (response.error().kind == ErrorKind::kInvalidArgument) {
      return tl::unexpected(std::move(response).error());  // configuration, not the network
    }
    return fail(ErrorKind::kCollateralUnavailable, collateral::checks::kFetch,
                "GET " + url + ": " + response.error().to_string());
  }
  collateral::FetchResponse out;
  out.status = response->status;
  out.headers = std::move(response->headers);
  out.body.assign(response->body.begin(), response->body.end());
  return out;
}

}  // namespace vouch::service
