#include "token/ear.h"

#include "token/check_ids.h"
#include "token/profiles.h"

namespace vouch::token {
namespace {

tl::unexpected<Error> bad_ear(std::string detail) {
  return malformed(checks::kEar, std::move(detail));
}

// The claim names of one spelling.
struct Names {
  const char* status;
  const char* vector;
  const char* verifier_id;
};
constexpr Names kNames03{"ear_status", "ear_trustworthiness_vector", "ear_verifier_id"};
constexpr Names kNames02{"ear.status", "ear.trustworthiness-vector", "ear.verifier-id"};

Result<Tier> read_tier(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return bad_ear(std::string("\"") + name + "\" is missing");
  }
  const auto tier = tier_from_name(it->get<std::string>());
  if (!tier) {
    return bad_ear(std::string("\"") + name + "\" is not a tier name");
  }
  return *tier;
}

Result<EarAppraisal> read_appraisal(const nlohmann::json& m, const Names& n, bool v03) {
  if (!m.is_object()) {
    return bad_ear("a submodule is not an object");
  }
  EarAppraisal out;
  VOUCH_TRY(out.status, read_tier(m, n.status));
  if (const auto tv = m.find(n.vector); tv != m.end()) {
    VOUCH_TRY(out.trust_vector, TrustVector::from_json(*tv));
  }
  if (v03) {
    if (const auto ids = m.find("ear_appraisal_policy_ids"); ids != m.end()) {
      if (!ids->is_array()) {
        return bad_ear("\"ear_appraisal_policy_ids\" is not an array");
      }
      for (const auto& id : *ids) {
        if (!id.is_string()) {
          return bad_ear("a policy id is not a string");
        }
        out.policy_ids.push_back(id.get<std::string>());
      }
    }
  } else if (const auto id = m.find("ear.appraisal-policy-id"); id != m.end()) {
    if (!id->is_string()) {
      return bad_ear("\"ear.appraisal-policy-id\" is not a string");
    }
    out.policy_ids.push_back(id->get<std::string>());
  }
  return out;
}

}  // namespace

Tier Ear::worst() const noexcept {
  int worst = status ? static_cast<int>(*status) : 0;
  for (const auto& [name, appraisal] : submods) {
    worst = std::max(worst, static_cast<int>(appraisal.status));
  }
  return static_cast<Tier>(worst);
}

Result<Ear> parse_ear(const nlohmann::json& claims) {
  if (!claims.is_object() || !claims.contains("eat_profile") ||
      !claims["eat_profile"].is_string()) {
    return bad_ear("no \"eat_profile\"");
  }
  Ear out;
  out.profile = claims["eat_profile"].get<std::string>();
  const bool v03 = out.profile == kEarProfile03;
  const Names& n = v03 ? kNames03 : kNames02;
  if (v03 && claims.contains("ear_status")) {
    VOUCH_TRY(const Tier overall, read_tier(claims, "ear_status"));
    out.status = overall;
  }
  const auto vid = claims.find(n.verifier_id);
  if (vid == claims.end() || !vid->is_object() || !(*vid)["developer"].is_string() ||
      !(*vid)["build"].is_string()) {
    return bad_ear(std::string("\"") + n.verifier_id + "\" is missing or malformed");
  }
  out.developer = (*vid)["developer"].get<std::string>();
  out.build = (*vid)["build"].get<std::string>();
  if (const auto nonce = claims.find("eat_nonce"); nonce != claims.end()) {
    if (!nonce->is_string()) {
      return bad_ear("\"eat_nonce\" is not a string");
    }
    out.nonce = nonce->get<std::string>();
  }
  const auto submods = claims.find("submods");
  if (submods == claims.end() || !submods->is_object() || submods->empty()) {
    return bad_ear("\"submods\" is missing or empty");
  }
  for (const auto& [name, m] : submods->items()) {
    VOUCH_TRY(EarAppraisal appraisal, read_appraisal(m, n, v03));
    out.submods.emplace(name, std::move(appraisal));
  }
  return out;
}

}  // namespace vouch::token
