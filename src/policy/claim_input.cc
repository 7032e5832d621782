#include "policy/claim_input.h"

#include <nlohmann/json.hpp>
#include <string>

#include "base/encoding.h"
#include "policy/catalogue.h"
#include "policy/check_ids.h"
#include "policy/functions.h"
#include "policy/limits.h"

namespace vouch::policy {
namespace {

tl::unexpected<Error> bad_input(std::string detail) {
  return fail(ErrorKind::kInvalidArgument, checks::kInput, std::move(detail));
}

bool is_scalar_json(const nlohmann::json& j) {
  return j.is_boolean() || j.is_number() || j.is_string();
}

// Appends the claims `value` stands for (see claims_from_json).
Status append_claims(std::vector<Claim>& out, const std::string& type, const nlohmann::json& value,
                     Issuer issuer, std::optional<bool> read_only) {
  const bool ro = read_only.value_or(is_read_only_claim(type, issuer));
  std::vector<Value> values;
  if (value.is_null()) {
    return bad_input("claim \"" + type + "\": null is not a claim value");
  }
  if (is_scalar_json(value) ||
      (value.is_array() && std::all_of(value.begin(), value.end(), is_scalar_json))) {
    auto converted = detail::json_to_claim_value(value);
    if (!converted) {
      return bad_input("claim \"" + type + "\": " + converted.error().detail);
    }
    for (const Value* v : detail::elements(*converted)) {
      values.push_back(*v);
    }
  } else {
    values.push_back(Value::json(value));
  }
  if (values.size() > limits::kMaxClaims - out.size()) {
    return bad_input("more than " + std::to_string(limits::kMaxClaims) + " claims");
  }
  for (auto& v : values) {
    out.push_back(Claim{type, std::move(v), issuer, ro});
  }
  return ok();
}

Result<std::vector<Claim>> from_array(const nlohmann::json& j, Issuer default_issuer) {
  std::vector<Claim> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& entry = j[i];
    const std::string where = "claims[" + std::to_string(i) + "]";
    if (!entry.is_object()) {
      return bad_input(where + " is not an object {\"type\", \"value\", \"issuer\"?}");
    }
    for (const auto& [key, v] : entry.items()) {
      if (key != "type" && key != "value" && key != "issuer" && key != "readOnly") {
        return bad_input(where + " has an unknown member \"" + key + "\"");
      }
      (void)v;
    }
    const auto type = entry.find("type");
    if (type == entry.end() || !type->is_string()) {
      return bad_input(where + " needs a string \"type\"");
    }
    const auto value = entry.find("value");
    if (value == entry.end()) {
      return bad_input(where + " needs a \"value\"");
    }
    Issuer issuer = default_issuer;
    if (const auto it = entry.find("issuer"); it != entry.end()) {
      const auto parsed = it->is_string() ? parse_issuer(it->get<std::string>()) : std::nullopt;
      if (!parsed) {
        return bad_input(where +
                         ": issuer must be AttestationService, AttestationPolicy or CustomClaim");
      }
      issuer = *parsed;
    }
    std::optional<bool> read_only;
    if (const auto it = entry.find("readOnly"); it != entry.end()) {
      if (!it->is_boolean()) {
        return bad_input(where + ": readOnly must be true or false");
      }
      read_only = it->get<bool>();
    }
    VOUCH_RETURN_IF_ERROR(append_claims(out, type->get<std::string>(), *value, issuer, read_only));
  }
  return out;
}

}  // namespace

Result<std::vector<Claim>> claims_from_json(const nlohmann::json& j, Issuer default_issuer) {
  if (j.is_array()) {
    return from_array(j, default_issuer);
  }
  if (!j.is_object()) {
    return bad_input(
        "claims must be an array of {\"type\", \"value\", \"issuer\"?} or an object "
        "of type: value");
  }
  std::vector<Claim> out;
  for (const auto& [type, value] : j.items()) {
    VOUCH_RETURN_IF_ERROR(append_claims(out, type, value, default_issuer, std::nullopt));
  }
  return out;
}

std::vector<Claim> claims_from_claim_set(const claims::ClaimSet& set, Issuer issuer) {
  std::vector<Claim> out;
  for (const auto& [name, value] : set.entries()) {
    const nlohmann::json j = value.to_json();  // bytes become lowercase hex here
    if (is_scalar_json(j) || (j.is_array() && std::all_of(j.begin(), j.end(), is_scalar_json))) {
      auto converted = detail::json_to_claim_value(j);
      if (converted) {
        for (const Value* v : detail::elements(*converted)) {
          out.push_back(Claim{name, *v, issuer, false});
        }
        continue;
      }
    }
    out.push_back(Claim{name, Value::json(j), issuer, false});
  }
  return out;
}

}  // namespace vouch::policy
