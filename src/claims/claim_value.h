#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.h"

namespace vouch::claims {

class ClaimValue;
using ClaimList = std::vector<ClaimValue>;
using ClaimMap = std::map<std::string, ClaimValue, std::less<>>;

// ClaimType is the type of a claim value as the registry declares it.
enum class ClaimType : std::uint8_t { kBool, kInteger, kString, kBytes, kList, kMap };
std::string_view claim_type_name(ClaimType t) noexcept;

// ClaimValue is one typed claim value. Bytes are kept as bytes and encoded in exactly one way,
// lowercase hex, in the canonical JSON form.
class ClaimValue {
 public:
  using Variant = std::variant<bool, std::int64_t, std::string, Bytes, ClaimList, ClaimMap>;

  ClaimValue() : v_(false) {}
  ClaimValue(bool b) : v_(b) {}                         // NOLINT(google-explicit-constructor)
  ClaimValue(std::int64_t i) : v_(i) {}                 // NOLINT(google-explicit-constructor)
  ClaimValue(int i) : v_(std::int64_t{i}) {}            // NOLINT(google-explicit-constructor)
  ClaimValue(std::uint32_t i) : v_(std::int64_t{i}) {}  // NOLINT(google-explicit-constructor)
  ClaimValue(std::string s) : v_(std::move(s)) {}       // NOLINT(google-explicit-constructor)
  ClaimValue(const char* s) : v_(std::string(s)) {}     // NOLINT(google-explicit-constructor)
  ClaimValue(Bytes b) : v_(std::move(b)) {}             // NOLINT(google-explicit-constructor)
  ClaimValue(ClaimList l) : v_(std::move(l)) {}         // NOLINT(google-explicit-constructor)
  ClaimValue(ClaimMap m) : v_(std::move(m)) {}          // NOLINT(google-explicit-constructor)

  ClaimType type() const noexcept;
  const Variant& variant() const noexcept { return v_; }

  const bool* as_bool() const noexcept { return std::get_if<bool>(&v_); }
  const std::int64_t* as_int() const noexcept { return std::get_if<std::int64_t>(&v_); }
  const std::string* as_string() const noexcept { return std::get_if<std::string>(&v_); }
  const Bytes* as_bytes() const noexcept { return std::get_if<Bytes>(&v_); }
  const ClaimList* as_list() const noexcept { return std::get_if<ClaimList>(&v_); }
  const ClaimMap* as_map() const noexcept { return std::get_if<ClaimMap>(&v_); }

  // Canonical JSON: bool, integer, string, lowercase hex string for bytes, array, object.
  nlohmann::json to_json() const;

  friend bool operator==(const ClaimValue& a, const ClaimValue& b) { return a.v_ == b.v_; }

 private:
  Variant v_;
};

}  // namespace vouch::claims
