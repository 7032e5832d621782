#pragma once

#include "base/error.h"

// Stable ids of every check of the token module (issuing attestation results and checking them
// as a relying party). Tests and callers branch on these, never on the detail text.
namespace vouch::token::checks {

// Signing keys (start-up time: a failure here means the service must not start).
inline constexpr CheckId kKeyFit{"token.key.fit"};  // the key cannot sign the configured alg
inline constexpr CheckId kSelfTest{"token.key.self_test"};    // test signature did not verify
inline constexpr CheckId kKeyGenerate{"token.key.generate"};  // key or certificate generation
inline constexpr CheckId kSealedKey{"token.key.sealed"};      // a sealed key blob is malformed
inline constexpr CheckId kUnseal{"token.key.unseal"};  // wrong key-encryption key, or tampered
inline constexpr CheckId kSign{"token.sign"};          // signing failed at request time

// Building claims from an appraisal result (caller's input is wrong: kInvalidArgument).
inline constexpr CheckId kInput{"token.input"};

// Token Status List (draft-ietf-oauth-status-list).
inline constexpr CheckId kStatusList{"token.status_list"};         // malformed list or list token
inline constexpr CheckId kStatusIndex{"token.status_list.index"};  // index outside the list

// Relying-party result checks, in the order they run (check_result_token).
inline constexpr CheckId kResultFormat{"token.result.format"};  // not a well-formed JWT
inline constexpr CheckId kResultAlg{"token.result.alg"};        // "none" or not allowed
// The header kid names no key of the issuer's JWKS (a relying party may refresh it once).
inline constexpr CheckId kResultKid{"token.result.kid"};
inline constexpr CheckId kResultSignature{"token.result.signature"};  // no trusted key verifies
inline constexpr CheckId kResultIss{"token.result.iss"};              // iss missing or not trusted
inline constexpr CheckId kResultAud{"token.result.aud"};              // aud missing or not ours
inline constexpr CheckId kResultExp{"token.result.exp"};  // exp missing or passed (with skew)
inline constexpr CheckId kResultNbf{"token.result.nbf"};  // nbf in the future (with skew)
// The "status" claim is malformed, or absent where the options require one.
inline constexpr CheckId kResultStatusClaim{"token.result.status_claim"};
inline constexpr CheckId kResultRevoked{"token.result.revoked"};  // the status list says so
// The status list could not be fetched or verified (kRevocationUnavailable; fail-open mode
// records it instead of failing).
inline constexpr CheckId kResultStatusUnavailable{"token.result.status_unavailable"};

// Reading an EAR (either claim spelling).
inline constexpr CheckId kEar{"token.ear"};

}  // namespace vouch::token::checks
