#pragma once

// The appraisal pipeline: verify -> claims -> policy -> result (ARCHITECTURE.md "Stage
// contracts"). Pure apart from what the context injects; the service issues the token.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "appraisal/verifier.h"
#include "evidence/check_log.h"
#include "policy/policy.h"

namespace vouch::appraisal {

// Appraisal is the outcome of appraising one piece of evidence. A rejected piece of evidence is
// an Appraisal too (verified = false, error set), so the caller can still sign a negative result.
struct Appraisal {
  AttestationType type = AttestationType::kTpm;
  bool verified = false;                         // every evidence check passed
  std::optional<Error> error;                    // the failed check (evidence or policy)
  evidence::CheckLog log;                        // every evidence step
  std::optional<VerifiedEvidence> evidence;      // when verified
  std::optional<policy::Evaluation> evaluation;  // when verified and a policy ran
  std::string policy_hash;                       // x-ms-policy-hash of the policy that ran
  bool permitted() const noexcept;               // verified and the policy permitted
};

// The incoming claims a policy sees for verified evidence: the Azure profile claims (x-ms-*),
// every canonical claim (maps also as JSON text, bytes as lowercase hex, and nested map entries
// flattened as "name.key.key" scalars), and x-ms-attestation-type.
std::vector<policy::Claim> incoming_claims(AttestationType type, const VerifiedEvidence& evidence);

// AppraiseOptions are what the caller adds around verification.
struct AppraiseOptions {
  bool explain = false;  // record the policy's explain trace
  // Claims added to the incoming set (reference values, deny lists), issuer AttestationPolicy.
  std::vector<policy::Claim> extra_claims;
  // Runs over the incoming claims after verification and before the policy; an error it returns
  // rejects the evidence (a deny list hit, appraisal.deny_list).
  std::function<std::optional<Error>(std::span<const policy::Claim>)> screen;
};

// appraise verifies `request` with `verifier`, then evaluates `policy` (nullptr: no policy, which
// denies) over the incoming claims. Evidence failures and denials are reported in the Appraisal,
// not as errors; only a failure to run at all (kInternal, kCollateralUnavailable,
// kRevocationUnavailable, kInvalidArgument) is returned as an error.
[[nodiscard]] Result<Appraisal> appraise(const EvidenceVerifier& verifier,
                                         const EvidenceRequest& request,
                                         const VerifyContext& context, const policy::Policy* policy,
                                         const AppraiseOptions& options = {});

}  // namespace vouch::appraisal
