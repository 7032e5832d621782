#pragma once

#include "base/error.h"

// Check ids of the relying party. The result-token checks themselves (algorithm, signature, kid,
// iss, aud, exp, nbf, status list) keep their token.result.* ids (token/check_ids.h); these are
// the relying party's own steps around them.
namespace vouch::rp::checks {

// A secret name that is not 1..128 characters of [A-Za-z0-9._-] in '/'-separated segments.
inline constexpr CheckId kSecretName{"rp.secret.name"};
// A secret value that is empty or over the size limit.
inline constexpr CheckId kSecretValue{"rp.secret.value"};
// A release policy that does not parse, or an empty or malformed trusted-issuer list.
inline constexpr CheckId kSecretConfig{"rp.secret.config"};
// A stored secret could not be unsealed (wrong KEK, tampered row): never released.
inline constexpr CheckId kSecretUnseal{"rp.secret.unseal"};
// The token's issuer is not among the secret's trusted issuers (checked before any key fetch, so
// an untrusted issuer never makes the relying party fetch anything).
inline constexpr CheckId kIssuerUntrusted{"rp.issuer.untrusted"};
// The trusted issuer's JWKS could not be fetched or parsed (kUnavailable): no secret.
inline constexpr CheckId kJwksUnavailable{"rp.jwks.unavailable"};
// The release policy denied the token's claims (kPolicyDenied).
inline constexpr CheckId kReleasePolicy{"rp.release_policy.deny"};
// The token binds no TEE key (no "cnf" and no key in "x-ms-runtime"): nothing to encrypt to.
inline constexpr CheckId kTeeKeyMissing{"rp.tee_key.missing"};
// The caller presented a key other than the one bound in the token.
inline constexpr CheckId kTeeKeyMismatch{"rp.tee_key.mismatch"};

}  // namespace vouch::rp::checks
