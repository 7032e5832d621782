#include "collateral/fetcher.h"

namespace vouch::collateral {

std::string FetchResponse::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

}  // namespace vouch::collateral
