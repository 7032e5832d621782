#include "claims/registry.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "claims/tables/tables.h"

namespace vouch::claims {
namespace {

// All tables merged and sorted once; a duplicate name is a programming error.
const std::vector<ClaimSpec>& merged() {
  static const std::vector<ClaimSpec> kAll = [] {
    std::vector<ClaimSpec> all;
    for (std::span<const ClaimSpec> table : {tables::tpm(), tables::snp(), tables::dcap()}) {
      all.insert(all.end(), table.begin(), table.end());
    }
    std::sort(all.begin(), all.end(),
              [](const ClaimSpec& a, const ClaimSpec& b) { return a.name < b.name; });
    for (std::size_t i = 1; i < all.size(); ++i) {
      if (all[i - 1].name == all[i].name) {
        std::fprintf(stderr, "vouch: claim '%.*s' is registered twice\n",
                     static_cast<int>(all[i].name.size()), all[i].name.data());
        std::abort();
      }
    }
    return all;
  }();
  return kAll;
}

}  // namespace

std::span<const ClaimSpec> registry() {
  return merged();
}

const ClaimSpec* find_claim(std::string_view name) {
  const auto& all = merged();
  const auto it =
      std::lower_bound(all.begin(), all.end(), name,
                       [](const ClaimSpec& s, std::string_view n) { return s.name < n; });
  if (it == all.end() || it->name != name) {
    return nullptr;
  }
  return &*it;
}

}  // namespace vouch::claims
