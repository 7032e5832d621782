#pragma once

// The production collateral::Fetcher: HTTP(S) GETs through service/http's client, so the online
// Intel PCS and AMD KDS sources (collateral/*_sources.h) can reach the vendors. Composition roots
// pick it; verification code only ever sees the Fetcher interface.

#include <string>

#include "collateral/fetcher.h"
#include "service/http/client.h"

namespace vouch::service {

// HttpFetcher answers every HTTP status as a FetchResponse (the vendor client decides what a 404
// or 429 means). Transport failures (resolve, connect, TLS verification, timeouts, a response
// over the size limit) are kCollateralUnavailable with check collateral.fetch, naming the URL; a
// URL that does not parse or an unusable CA file is kInvalidArgument (service.client.url,
// service.client.ca_file). Certificate verification is on unless the options say otherwise.
class HttpFetcher final : public collateral::Fetcher {
 public:
  explicit HttpFetcher(http::ClientOptions options = default_options());

  [[nodiscard]] Result<collateral::FetchResponse> get(const std::string& url) override;
  // The same with extra request headers (Intel's Ocp-Apim-Subscription-Key).
  [[nodiscard]] Result<collateral::FetchResponse> get_with_headers(
      const std::string& url, const collateral::FetchHeaders& headers) override;

  // The client defaults with the limits collateral needs: CRLs and certificate chains are small,
  // so bodies over 8 MiB are refused; 10 s to connect, 30 s to answer.
  static http::ClientOptions default_options();

 private:
  http::HttpClient client_;
};

}  // namespace vouch::service
