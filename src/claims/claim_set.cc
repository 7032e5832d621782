#include "claims/claim_set.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "claims/registry.h"

namespace vouch::claims {

void ClaimSet::set(std::string_view name, ClaimValue value) {
  const ClaimSpec* spec = find_claim(name);
  if (spec == nullptr || spec->type != value.type()) {
    std::fprintf(stderr, "vouch: claim '%.*s' is %s\n", static_cast<int>(name.size()), name.data(),
                 spec == nullptr ? "not registered" : "set with the wrong type");
    std::abort();  // programming error: every emitted claim is declared in claims/registry.cc
  }
  claims_.insert_or_assign(std::string(name), std::move(value));
}

const ClaimValue* ClaimSet::get(std::string_view name) const {
  const auto it = claims_.find(name);
  return it == claims_.end() ? nullptr : &it->second;
}

nlohmann::json ClaimSet::to_json() const {
  nlohmann::json o = nlohmann::json::object();
  for (const auto& [k, v] : claims_) {
    o[k] = v.to_json();
  }
  return o;
}

}  // namespace vouch::claims
