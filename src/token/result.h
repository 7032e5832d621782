#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "crypto/keys.h"

namespace vouch::token {

// Tier is an AR4SI trustworthiness tier (draft-ietf-rats-ar4si section 3.2), which is also an EAR
// status ("none", "affirming", "warning", "contraindicated").
enum class Tier : std::uint8_t { kNone, kAffirming, kWarning, kContraindicated };
std::string_view tier_name(Tier tier) noexcept;
std::optional<Tier> tier_from_name(std::string_view name) noexcept;
// The tier of one trustworthiness claim value (0/1/-1 none, 2..31 affirming, 32..95 warning,
// 96..127 contraindicated, and the negative non-standard ranges alike).
Tier tier_of_claim(std::int8_t value) noexcept;

// TrustVector is the AR4SI trustworthiness vector of one appraisal; an unset claim is omitted.
struct TrustVector {
  std::optional<std::int8_t> instance_identity;
  std::optional<std::int8_t> configuration;
  std::optional<std::int8_t> executables;
  std::optional<std::int8_t> file_system;
  std::optional<std::int8_t> hardware;
  std::optional<std::int8_t> runtime_opaque;
  std::optional<std::int8_t> storage_opaque;
  std::optional<std::int8_t> sourced_data;

  // {"instance-identity": 2, ...} with the AR4SI claim names.
  nlohmann::json to_json() const;
  // Reads the same form; unknown members are ignored (receivers must ignore unknown claims),
  // values outside -128..127 fail with token.ear.
  [[nodiscard]] static Result<TrustVector> from_json(const nlohmann::json& json);
  // The worst tier among the set claims (kNone when none is set).
  Tier worst() const noexcept;
};

// SubmoduleResult is the appraisal of one attester component (EAR "submods" entry).
struct SubmoduleResult {
  std::string name;  // the EAR submodule label ("tpm", "cpu0")
  Tier status = Tier::kNone;
  TrustVector trust_vector;
  nlohmann::json claims = nlohmann::json::object();         // verified evidence claims
  nlohmann::json policy_claims = nlohmann::json::object();  // claims the policy issued
  std::optional<std::string> evidence_nonce;  // a nonce found in the evidence (EAR -03)
};

// VerifierId names the software that appraised the evidence (EAR ear_verifier_id).
struct VerifierId {
  std::string developer = "https://github.com/vouch-attestation/vouch";
  std::string build;
};

// StatusReference points a token at its entry in a Token Status List.
struct StatusReference {
  std::uint64_t idx = 0;
  std::string uri;
};

// AppraisalResult is everything a result token says: the input of the claim-profile builders.
// Only the appraisal pipeline fills one, after verification and policy.
struct AppraisalResult {
  std::string issuer;                    // "iss": the tenant's issuer URL, no trailing slash
  std::vector<std::string> audience;     // "aud" when non-empty (one entry: a string)
  Timestamp issued_at;                   // "iat" = "nbf"
  std::chrono::seconds lifetime{28800};  // "exp" = iat + lifetime (MAA: 8 hours)
  std::string jti;                       // 64 lowercase hex digits (make_jti)

  Tier decision = Tier::kNone;   // overall: no better than the worst submodule
  std::string attestation_type;  // MAA "x-ms-attestation-type" ("sgx", "sevsnpvm", "tpm")
  std::vector<SubmoduleResult> submodules;  // at least one
  std::string policy_hash;                  // MAA "x-ms-policy-hash" (base64url SHA-256)
  std::vector<std::string> policy_ids;      // EAR appraisal policy ids, in application order

  std::optional<std::string> nonce;          // the caller's nonce: MAA "nonce", EAR "eat_nonce"
  std::optional<crypto::PublicKey> tee_key;  // "cnf": {"jwk": ...} (RFC 7800)
  nlohmann::json runtime = nullptr;   // MAA "x-ms-runtime" (JSON runtime data), when an object
  nlohmann::json inittime = nullptr;  // MAA "x-ms-inittime"
  VerifierId verifier;
  std::optional<StatusReference> status;  // "status": {"status_list": {"idx", "uri"}}
};

// Returns 64 lowercase hex digits from 32 random bytes, for "jti".
[[nodiscard]] Result<std::string> make_jti(crypto::Random& random);

}  // namespace vouch::token
