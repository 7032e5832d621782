#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "claims/claim_value.h"

namespace vouch::claims {

// ClaimSet maps registered claim names ("tpm.pcrs", "tpm.quote.nonce") to typed values. Only a
// verifier's to_claims() stage fills one, from verified evidence.
class ClaimSet {
 public:
  // Sets (or replaces) a claim. The name must be registered with a matching type; anything else is
  // a programming error that aborts in every build, so an unregistered claim can never ship.
  void set(std::string_view name, ClaimValue value);
  const ClaimValue* get(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name) != nullptr; }
  bool empty() const noexcept { return claims_.empty(); }
  std::size_t size() const noexcept { return claims_.size(); }
  const ClaimMap& entries() const noexcept { return claims_; }

  // The one canonical encoding: a JSON object whose members are sorted by name.
  nlohmann::json to_json() const;

 private:
  ClaimMap claims_;
};

}  // namespace vouch::claims
