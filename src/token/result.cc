#include "token/result.h"

#include <array>

#include "base/encoding.h"
#include "token/check_ids.h"

namespace vouch::token {
namespace {

using Member = std::optional<std::int8_t> TrustVector::*;
constexpr std::array<std::pair<const char*, Member>, 8> kClaims = {{
    {"instance-identity", &TrustVector::instance_identity},
    {"configuration", &TrustVector::configuration},
    {"executables", &TrustVector::executables},
    {"file-system", &TrustVector::file_system},
    {"hardware", &TrustVector::hardware},
    {"runtime-opaque", &TrustVector::runtime_opaque},
    {"storage-opaque", &TrustVector::storage_opaque},
    {"sourced-data", &TrustVector::sourced_data},
}};

}  // namespace

std::string_view tier_name(Tier tier) noexcept {
  switch (tier) {
    case Tier::kNone:
      return "none";
    case Tier::kAffirming:
      return "affirming";
    case Tier::kWarning:
      return "warning";
    case Tier::kContraindicated:
      return "contraindicated";
  }
  return "none";
}

std::optional<Tier> tier_from_name(std::string_view name) noexcept {
  for (Tier t : {Tier::kNone, Tier::kAffirming, Tier::kWarning, Tier::kContraindicated}) {
    if (tier_name(t) == name) {
      return t;
    }
  }
  return std::nullopt;
}

Tier tier_of_claim(std::int8_t value) noexcept {
  // Standard values 2..31 / 32..95 / 96..127; non-standard -2..-32 / -33..-96 / -97..-128.
  const int v = value;
  if (v >= -1 && v <= 1) {
    return Tier::kNone;
  }
  if (v > 0) {
    return v >= 96 ? Tier::kContraindicated : v >= 32 ? Tier::kWarning : Tier::kAffirming;
  }
  return v <= -97 ? Tier::kContraindicated : v <= -33 ? Tier::kWarning : Tier::kAffirming;
}

nlohmann::json TrustVector::to_json() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, member] : kClaims) {
    if (this->*member) {
      out[name] = static_cast<int>(*(this->*member));
    }
  }
  return out;
}

Result<TrustVector> TrustVector::from_json(const nlohmann::json& json) {
  if (!json.is_object()) {
    return fail(ErrorKind::kMalformedEvidence, checks::kEar, "trust vector is not an object");
  }
  TrustVector out;
  for (const auto& [name, member] : kClaims) {
    const auto it = json.find(name);
    if (it == json.end()) {
      continue;
    }
    if (!it->is_number_integer() || *it < -128 || *it > 127) {
      return fail(ErrorKind::kMalformedEvidence, checks::kEar,
                  std::string("trust vector claim '") + name + "' is not an int8");
    }
    out.*member = static_cast<std::int8_t>(it->get<int>());
  }
  return out;
}

Tier TrustVector::worst() const noexcept {
  Tier worst = Tier::kNone;
  for (const auto& entry : kClaims) {
    const auto& value = this->*(entry.second);
    if (value) {
      const Tier t = tier_of_claim(*value);
      if (static_cast<int>(t) > static_cast<int>(worst)) {
        worst = t;
      }
    }
  }
  return worst;
}

Result<std::string> make_jti(crypto::Random& random) {
  VOUCH_TRY(const Bytes bytes, random.bytes(32));
  return hex_encode(bytes);
}

}  // namespace vouch::token
