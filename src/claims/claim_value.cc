#include "claims/claim_value.h"

#include <nlohmann/json.hpp>

#include "base/encoding.h"

namespace vouch::claims {

std::string_view claim_type_name(ClaimType t) noexcept {
  switch (t) {
    case ClaimType::kBool:
      return "bool";
    case ClaimType::kInteger:
      return "integer";
    case ClaimType::kString:
      return "string";
    case ClaimType::kBytes:
      return "bytes";
    case ClaimType::kList:
      return "list";
    case ClaimType::kMap:
      return "map";
  }
  return "unknown";
}

ClaimType ClaimValue::type() const noexcept {
  return std::visit(
      [](const auto& v) -> ClaimType {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return ClaimType::kBool;
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return ClaimType::kInteger;
        } else if constexpr (std::is_same_v<T, std::string>) {
          return ClaimType::kString;
        } else if constexpr (std::is_same_v<T, Bytes>) {
          return ClaimType::kBytes;
        } else if constexpr (std::is_same_v<T, ClaimList>) {
          return ClaimType::kList;
        } else {
          static_assert(std::is_same_v<T, ClaimMap>);
          return ClaimType::kMap;
        }
      },
      v_);
}

nlohmann::json ClaimValue::to_json() const {
  return std::visit(
      [](const auto& v) -> nlohmann::json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Bytes>) {
          return hex_encode(v);
        } else if constexpr (std::is_same_v<T, ClaimList>) {
          nlohmann::json a = nlohmann::json::array();
          for (const ClaimValue& e : v) {
            a.push_back(e.to_json());
          }
          return a;
        } else if constexpr (std::is_same_v<T, ClaimMap>) {
          nlohmann::json o = nlohmann::json::object();
          for (const auto& [k, e] : v) {
            o[k] = e.to_json();
          }
          return o;
        } else {
          return nlohmann::json(v);
        }
      },
      v_);
}

}  // namespace vouch::claims
