#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/result.h"
#include "token/result.h"
#include "token/signer.h"

namespace vouch::token {

// Builds the MAA claim profile (../shared/reference/maa.md sections 3.2, 3.3, 7.4): iss, iat,
// nbf = iat, exp = iat + lifetime, jti, x-ms-ver "1.0", x-ms-attestation-type, x-ms-policy-hash,
// x-ms-policy (the policy-issued claims of every submodule), nonce when given, x-ms-runtime /
// x-ms-inittime when they are objects, cnf when a TEE key is bound, aud when configured, status
// when the token has a status-list entry; the verified claims of each submodule at top level.
// Pure. Fails with token.input when the input is incomplete (no issuer, no submodule, a jti that
// is not 64 hex digits, a non-positive lifetime) or a submodule claim collides with a profile
// claim.
[[nodiscard]] Result<nlohmann::json> maa_claims(const AppraisalResult& result);

// The MAA token header members besides alg: jku = issuer + "/certs", kid, typ "JWT".
nlohmann::json maa_header(std::string_view issuer, const Signer& signer);

// EarNames picks the EAR claim spelling: draft -03 (underscores; the default) or the dotted -02
// names that deployed relying parties (veraison/ear, Trustee) still read.
enum class EarNames : std::uint8_t { kDraft03, kDraft02 };

inline constexpr std::string_view kEarProfile03 = "tag:ietf.org,2026:rats/ear#03";
inline constexpr std::string_view kEarProfileVeraison = "tag:github.com,2023:veraison/ear";

// Builds an EAR claim set (draft-ietf-rats-ear): eat_profile, iat, exp, iss, jti, aud when
// configured, ear_status (-03 only), ear_verifier_id, eat_nonce, submods with ear_status, the
// AR4SI ear_trustworthiness_vector, ear_appraisal_policy_ids (-02: one ear.appraisal-policy-id,
// the last applied), the submodule's evidence eat_nonce (-03 only), ear_veraison_annotated_evidence
// (its claims) and ear_veraison_policy_claims; cnf and status as for MAA. Pure. Fails with
// token.input as maa_claims does, and when the nonce is not base64url of 8..64 bytes, or the
// overall decision is better than a submodule's status.
[[nodiscard]] Result<nlohmann::json> ear_claims(const AppraisalResult& result,
                                                EarNames names = EarNames::kDraft03);

// The EAR token header members besides alg: kid, typ "JWT", and jku = issuer + "/certs".
nlohmann::json ear_header(std::string_view issuer, const Signer& signer);

// Signs a claim set with signer as a compact JWT under header (kid is set from the signer).
// Fails with token.sign.
[[nodiscard]] Result<std::string> issue_jwt(const Signer& signer, nlohmann::json header,
                                            const nlohmann::json& claims);

}  // namespace vouch::token
