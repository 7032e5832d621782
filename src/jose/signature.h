#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/keys.h"
#include "jose/alg.h"
#include "jose/compact.h"
#include "jose/keys.h"

namespace vouch::jose {

// SignFunction computes a JWS signature (ECDSA as fixed-width r||s) over a signing input. A
// token::Signer provides one; so does jws_signature with a local key.
using SignFunction = std::function<Result<Bytes>(ByteSpan signing_input)>;

// Computes the JWS signature of `alg` over signing_input with key (RFC 7518 section 3: ECDSA as
// fixed-width big-endian r||s, RSASSA-PKCS1-v1_5, RSASSA-PSS with MGF1 and a salt as long as the
// hash). Fails with jose.sign (kInvalidArgument) when the key does not fit alg.
[[nodiscard]] Result<Bytes> jws_signature(JwsAlg alg, const crypto::PrivateKey& key,
                                          ByteSpan signing_input);
// Same, with key's public half already derived (PrivateKey::public_key() re-encodes the key,
// which costs more than an ES256 signature; long-lived signers keep it).
[[nodiscard]] Result<Bytes> jws_signature(JwsAlg alg, const crypto::PrivateKey& key,
                                          const crypto::PublicKey& public_key,
                                          ByteSpan signing_input);

// Builds a compact JWS of payload under `header` (a JSON object; its "alg" is set to alg, any
// other members such as kid, jku, typ or x5c are kept) signed by `sign`. The header is
// serialized with sorted members. Fails with jose.sign when `sign` fails or header is not an
// object.
[[nodiscard]] Result<std::string> jws_sign_compact(JwsAlg alg, nlohmann::json header,
                                                   ByteSpan payload, const SignFunction& sign);
// Same, with a local key.
[[nodiscard]] Result<std::string> jws_sign_compact(JwsAlg alg, nlohmann::json header,
                                                   ByteSpan payload, const crypto::PrivateKey& key);
// Same, with a JSON claim set as the payload (a JWT); claims must be an object.
[[nodiscard]] Result<std::string> jwt_sign_compact(JwsAlg alg, nlohmann::json header,
                                                   const nlohmann::json& claims,
                                                   const SignFunction& sign);

// VerifyOptions are the caller's rules for accepting a JWS.
struct VerifyOptions {
  // Explicit allow-list; "none" and HMAC algorithms can never be in it.
  std::vector<JwsAlg> allowed_algs = all_jws_algs();
  CompactLimits limits;
  // When non-empty, the header "typ" must equal this (ASCII case-insensitive, RFC 7515 4.1.9).
  std::string required_typ;
};

// VerifiedJws is a JWS whose signature one of the caller's keys verified.
struct VerifiedJws {
  nlohmann::json header;
  Bytes payload;
  JwsAlg alg = JwsAlg::kEs256;
  std::string kid;  // kid of the caller's key that verified (empty if that key has none)
};

// Verifies a compact JWS against the caller's keys only. In order: strict compact parsing
// (jose.compact.*, jose.header.json); "alg" present (jose.header.alg); not "none" in any case
// (jose.alg.none); in options.allowed_algs (jose.alg.not_allowed: also every HMAC or unknown
// name); no "crit" and no "b64": false (jose.header.crit); "typ" when required
// (jose.header.typ); key selection: a header kid selects among keys with that kid
// (jose.key.unknown_kid when none has it, jose.key.mismatch when they do not fit the algorithm),
// without a kid every key fitting the algorithm is tried (jose.key.none when there is none); the
// signature length for the algorithm (jose.signature.format) and the signature itself
// (jose.signature). Header members jwk, jku, x5c and x5u never provide a key.
[[nodiscard]] Result<VerifiedJws> jws_verify_compact(std::string_view token, const JwkSet& keys,
                                                     const VerifyOptions& options = {});

// VerifiedJwt is a verified JWS whose payload is a JSON object (a claim set).
struct VerifiedJwt {
  nlohmann::json header;
  nlohmann::json claims;
  JwsAlg alg = JwsAlg::kEs256;
  std::string kid;
};

// jws_verify_compact, then the payload must be one strict JSON object (jose.payload.json).
// Registered claims (exp, nbf, iss, aud) are the caller's to check (see token::check_result).
[[nodiscard]] Result<VerifiedJwt> jwt_verify_compact(std::string_view token, const JwkSet& keys,
                                                     const VerifyOptions& options = {});

// Builds an unsecured JWT (RFC 7519 section 6: "alg": "none", empty signature), as MAA returns
// for draft policies. `header` may add members (jku, kid, typ); claims must be an object. Such a
// token proves nothing: every verifying function refuses it.
[[nodiscard]] Result<std::string> make_unsecured_jwt(nlohmann::json header,
                                                     const nlohmann::json& claims);

// Reads the claims of an unsecured JWT: the header must say "alg": "none" and the signature must
// be empty (jose.unsecured otherwise). For displaying draft-policy results only; nothing read
// here is trustworthy.
[[nodiscard]] Result<nlohmann::json> decode_unsecured_jwt(std::string_view token,
                                                          const CompactLimits& limits = {});

}  // namespace vouch::jose
