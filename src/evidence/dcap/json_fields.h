#pragma once

// Typed, non-throwing field access for the Intel collateral JSON parsers (tcb_info.cc,
// qe_identity.cc). Every accessor checks presence and type before reading and fails with
// kMalformedEvidence / the caller's check id, naming the JSON path.

#include <array>
#include <cctype>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"
#include "base/result.h"
#include "base/time.h"

namespace vouch::dcap::json {

// Uppercase hex, as Intel writes hex values in its collateral JSON.
inline std::string upper_hex(ByteSpan b) {
  std::string s = hex_encode(b);
  for (char& c : s) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

class Fields {
 public:
  Fields(const nlohmann::json& object, std::string path, CheckId check)
      : obj_(object), path_(std::move(path)), check_(check) {}

  // Parses text as a JSON object (non-throwing).
  [[nodiscard]] static Result<nlohmann::json> parse_object(std::string_view text,
                                                           std::string_view what, CheckId check) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return malformed(check, std::string(what) + " is not a JSON object");
    }
    return j;
  }

  bool has(std::string_view key) const { return obj_.is_object() && obj_.contains(key); }

  [[nodiscard]] Result<const nlohmann::json*> member(std::string_view key,
                                                     nlohmann::json::value_t type) const {
    if (!obj_.is_object()) {
      return malformed(check_, path_ + " is not an object");
    }
    const auto it = obj_.find(key);
    if (it == obj_.end()) {
      return malformed(check_, name(key) + " is missing");
    }
    const bool number = type == nlohmann::json::value_t::number_unsigned;
    if (number ? !it->is_number_integer() : it->type() != type) {
      return malformed(check_, name(key) + " has the wrong type");
    }
    return &*it;
  }

  [[nodiscard]] Result<std::string> string(std::string_view key) const {
    VOUCH_TRY(const nlohmann::json* v, member(key, nlohmann::json::value_t::string));
    return v->get<std::string>();
  }

  [[nodiscard]] Result<std::uint64_t> uint(std::string_view key, std::uint64_t max) const {
    VOUCH_TRY(const nlohmann::json* v, member(key, nlohmann::json::value_t::number_unsigned));
    if (v->is_number_unsigned()) {
      const std::uint64_t u = v->get<std::uint64_t>();
      if (u <= max) {
        return u;
      }
    } else if (v->get<std::int64_t>() >= 0 &&
               static_cast<std::uint64_t>(v->get<std::int64_t>()) <= max) {
      return static_cast<std::uint64_t>(v->get<std::int64_t>());
    }
    return malformed(check_, name(key) + " is out of range 0.." + std::to_string(max));
  }

  [[nodiscard]] Result<Timestamp> time(std::string_view key) const {
    VOUCH_TRY(std::string s, string(key));
    auto t = parse_rfc3339(s);
    if (!t) {
      return malformed(check_, name(key) + " is not an RFC 3339 date-time");
    }
    return *t;
  }

  [[nodiscard]] Result<Bytes> hex(std::string_view key, std::size_t size) const {
    VOUCH_TRY(std::string s, string(key));
    auto b = hex_decode(s);
    if (!b || b->size() != size) {
      return malformed(check_, name(key) + " must be " + std::to_string(2 * size) + " hex digits");
    }
    return std::move(*b);
  }

  template <std::size_t N>
  [[nodiscard]] Status hex_array(std::string_view key, std::array<std::uint8_t, N>& out) const {
    VOUCH_TRY(Bytes b, hex(key, N));
    std::copy(b.begin(), b.end(), out.begin());
    return ok();
  }

  [[nodiscard]] Result<const nlohmann::json*> array(std::string_view key) const {
    return member(key, nlohmann::json::value_t::array);
  }

  [[nodiscard]] Result<const nlohmann::json*> object(std::string_view key) const {
    return member(key, nlohmann::json::value_t::object);
  }

  // An optional array of strings (absent means empty).
  [[nodiscard]] Result<std::vector<std::string>> strings(std::string_view key) const {
    std::vector<std::string> out;
    if (!has(key)) {
      return out;
    }
    VOUCH_TRY(const nlohmann::json* a, array(key));
    for (const auto& e : *a) {
      if (!e.is_string()) {
        return malformed(check_, name(key) + " must hold strings");
      }
      out.push_back(e.get<std::string>());
    }
    return out;
  }

  std::string name(std::string_view key) const { return path_ + "." + std::string(key); }
  const std::string& path() const noexcept { return path_; }
  CheckId check() const noexcept { return check_; }

 private:
  const nlohmann::json& obj_;
  std::string path_;
  CheckId check_;
};

}  // namespace vouch::dcap::json
