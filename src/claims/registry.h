#pragma once

#include <span>
#include <string_view>

#include "claims/claim_value.h"

namespace vouch::claims {

// ClaimSpec declares one claim: its canonical name, its type, which evidence kinds emit it and
// what it means. The policy linter and the documentation read the same table.
struct ClaimSpec {
  std::string_view name;
  ClaimType type;
  std::string_view evidence;  // "tpm", "common", ...
  std::string_view description;
};

// All registered claims, sorted by name.
std::span<const ClaimSpec> registry();
// The spec for name, or nullptr.
const ClaimSpec* find_claim(std::string_view name);

}  // namespace vouch::claims
