#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "token/result.h"

namespace vouch::token {

// EarAppraisal is one submodule of an EAR as a relying party reads it.
struct EarAppraisal {
  Tier status = Tier::kNone;
  TrustVector trust_vector;
  std::vector<std::string> policy_ids;
};

// Ear is a verified EAR's claims, read in either spelling.
struct Ear {
  std::string profile;
  std::optional<Tier> status;  // the overall ear_status (-03 only)
  std::string developer;       // ear_verifier_id / ear.verifier-id
  std::string build;
  std::optional<std::string> nonce;  // eat_nonce
  std::map<std::string, EarAppraisal> submods;

  // The worst status over every submodule (and the overall status when present).
  Tier worst() const noexcept;
};

// Reads an EAR claim set. The spelling is chosen by eat_profile: the -03 profile
// (tag:ietf.org,2026:rats/ear#03) uses underscore names and ear_appraisal_policy_ids; any other
// profile (veraison, Trustee, -02) the dotted names and one ear.appraisal-policy-id. Unknown
// claims are ignored. Fails with token.ear (kMalformedEvidence) when eat_profile, the verifier id
// or submods are missing, a status is not a tier name, or a trust vector is malformed.
[[nodiscard]] Result<Ear> parse_ear(const nlohmann::json& claims);

}  // namespace vouch::token
