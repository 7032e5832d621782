#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "jose/alg.h"
#include "jose/compact.h"
#include "jose/keys.h"

namespace vouch::token {

// StatusListFetcher fetches the status list token served at a uri (the relying party's HTTP
// client with its cache, or the verifier's own list in-process). Any failure means the status is
// unavailable.
class StatusListFetcher {
 public:
  virtual ~StatusListFetcher() = default;
  [[nodiscard]] virtual Result<std::string> fetch(std::string_view uri) = 0;
};

// RevocationMode says what an unavailable status list means: refuse (the default) or accept, the
// latter only by explicit configuration, and recorded in CheckedResult for the audit log.
enum class RevocationMode : std::uint8_t { kFailClosed, kFailOpen };

// ResultCheckOptions are a relying party's rules for one issuer's result tokens.
struct ResultCheckOptions {
  std::vector<jose::JwsAlg> allowed_algs = jose::all_jws_algs();
  std::vector<std::string> trusted_issuers;  // "iss" must be one of these; empty trusts none
  std::optional<std::string> audience;       // when set, "aud" must contain it
  std::chrono::seconds skew{30};             // tolerance for exp, nbf and the status list
  RevocationMode revocation = RevocationMode::kFailClosed;
  bool require_status = false;  // refuse tokens without a "status" claim
  jose::CompactLimits limits;
};

// RevocationOutcome is what the status-list step concluded.
enum class RevocationOutcome : std::uint8_t {
  kValid,                // the list says VALID
  kNoStatusClaim,        // the token has no status entry (and none was required)
  kUnavailableFailOpen,  // the list was unavailable and the options accept that
};

// CheckedResult is a result token that passed every check.
struct CheckedResult {
  nlohmann::json header;
  nlohmann::json claims;
  jose::JwsAlg alg = jose::JwsAlg::kEs256;
  std::string kid;
  RevocationOutcome revocation = RevocationOutcome::kValid;
  std::optional<Error> revocation_error;  // why the list was unavailable, in fail-open mode
};

// Checks an attestation result token as a relying party, in this order, each with its own id:
//  1. a well-formed compact JWT (token.result.format, kMalformedEvidence);
//  2. an allowed algorithm, never "none" (token.result.alg);
//  3. the signature by one of issuer_keys: kid selects among them, no key is ever taken from the
//     token's header (token.result.kid when the kid is unknown, so the caller may refresh the
//     JWKS once; token.result.signature otherwise);
//  4. "iss" one of options.trusted_issuers (token.result.iss);
//  5. "aud" containing options.audience when configured (token.result.aud);
//  6. "exp" present and not passed, "nbf" and "iat" (if present) reached, all with options.skew
//     (token.result.exp, token.result.nbf);
//  7. revocation through the token's status list (token.result.status_claim when malformed or
//     missing but required; token.result.revoked; token.result.status_unavailable,
//     kRevocationUnavailable, when the list cannot be fetched or verified and the mode is fail
//     closed, or fetcher is null).
// The release policy is the caller's next step.
[[nodiscard]] Result<CheckedResult> check_result_token(std::string_view token,
                                                       const jose::JwkSet& issuer_keys,
                                                       const ResultCheckOptions& options,
                                                       const Clock& clock,
                                                       StatusListFetcher* fetcher);

// Reads "iss" from a token WITHOUT verifying it, so a relying party can pick which trusted
// issuer's JWKS to verify with. Never use the value for anything else. Fails with
// token.result.format.
[[nodiscard]] Result<std::string> peek_issuer(std::string_view token,
                                              const jose::CompactLimits& limits = {});

}  // namespace vouch::token
