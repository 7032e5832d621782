#pragma once

#include <map>
#include <string>

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

// Fetcher is the only network seam of the verifier: vendor collateral clients (AMD KDS, Intel
// PCS) are written against it, and tests inject fakes that serve a test PKI. Implementations
// return kCollateralUnavailable (check collateral.fetch) when the source cannot be reached;
// any HTTP status is a successful fetch and the client decides what it means.
class Fetcher {
 public:
  virtual ~Fetcher() = default;
  [[nodiscard]] virtual Result<FetchResponse> get(const std::string& url) = 0;
};

namespace checks {
inline constexpr CheckId kFetch{"collateral.fetch"};
}  // namespace checks

}  // namespace vouch::collateral
