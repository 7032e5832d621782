#pragma once

#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "base/result.h"
#include "claims/claim_set.h"
#include "policy/value.h"

// Building incoming claim lists for evaluate() from JSON (the CLI's claims files, test fixtures)
// and from Vouch's own verified ClaimSet.
namespace vouch::policy {

// claims_from_json accepts either
//   - an array of {"type": string, "value": any, "issuer"?: string, "readOnly"?: bool}, or
//   - an object {type: value, ...}.
// A value that is a Boolean, an integer or a string becomes one claim; an array of those becomes
// one claim per element (as JsonToClaimValue() does), in order; any other object or array becomes
// a String holding its JSON text (the `events`, `pcrs` and `x-ms-runtime` claims). null and
// non-integral numbers are refused. Without "issuer" a claim gets `default_issuer`; without
// "readOnly" the catalogue decides (the TPM `pcrs` claim from the AttestationService is read-only).
// Fails with kInvalidArgument / policy.input naming the offending entry.
[[nodiscard]] Result<std::vector<Claim>> claims_from_json(const nlohmann::json& j,
                                                          Issuer default_issuer);

// claims_from_claim_set converts a verified ClaimSet: Booleans, integers and strings as they are,
// bytes as lowercase hex strings, lists of scalars as one claim per element, anything else as JSON
// text. Every claim gets `issuer`.
std::vector<Claim> claims_from_claim_set(const claims::ClaimSet& set, Issuer issuer);

}  // namespace vouch::policy
