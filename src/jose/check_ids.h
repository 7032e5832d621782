#pragma once

#include "base/error.h"

// Stable ids of every check of the JOSE adapter. Callers and tests branch on these, never on the
// detail text. Parse failures of a token or JWE are kMalformedEvidence; refusals (algorithm, key,
// signature, decryption) are kEvidenceRejected; bad caller input (keys, options) is
// kInvalidArgument.
namespace vouch::jose::checks {

// Compact serialization (RFC 7515 section 7.1, RFC 7516 section 7.1).
inline constexpr CheckId kSize{"jose.compact.size"};          // over the size limit
inline constexpr CheckId kSegments{"jose.compact.segments"};  // wrong segment count or empty part
inline constexpr CheckId kBase64{"jose.compact.base64"};      // a segment is not strict base64url

// The JOSE header.
inline constexpr CheckId kHeaderJson{"jose.header.json"};  // not one JSON object, duplicate names
inline constexpr CheckId kHeaderAlg{"jose.header.alg"};    // "alg" missing or not a string
// "crit" present (no extension is understood), or "b64": false (RFC 7797 is not supported).
inline constexpr CheckId kHeaderCrit{"jose.header.crit"};
inline constexpr CheckId kHeaderTyp{"jose.header.typ"};  // "typ" differs from the required one

// Algorithm policy on verifying paths.
inline constexpr CheckId kAlgNone{"jose.alg.none"};               // "none": never verified
inline constexpr CheckId kAlgNotAllowed{"jose.alg.not_allowed"};  // not in the caller's list

// Key selection: only the caller's keys are ever used; jwk/jku/x5c/x5u in a header are ignored.
inline constexpr CheckId kUnknownKid{"jose.key.unknown_kid"};  // the header kid names no key
inline constexpr CheckId kNoKey{"jose.key.none"};              // no caller key fits the algorithm
inline constexpr CheckId kKeyMismatch{"jose.key.mismatch"};    // the kid's key does not fit the alg

// Signatures.
inline constexpr CheckId kSignatureFormat{"jose.signature.format"};  // wrong length for the alg
inline constexpr CheckId kSignature{"jose.signature"};               // does not verify
inline constexpr CheckId kSign{"jose.sign"};  // signing failed or the key does not fit the alg

// JWT payloads.
inline constexpr CheckId kPayloadJson{"jose.payload.json"};  // not one JSON object
// decode_unsecured_jwt: the token is not an unsecured JWT (alg "none", empty signature).
inline constexpr CheckId kUnsecured{"jose.unsecured"};

// JWK / JWKS (RFC 7517).
inline constexpr CheckId kJwk{"jose.jwk"};         // malformed or unsupported key members
inline constexpr CheckId kJwkX5c{"jose.jwk.x5c"};  // bad x5c, or its key differs from n/e, x/y
inline constexpr CheckId kJwks{"jose.jwks"};       // not a JWKS, or no usable key in it

// JWE (RFC 7516) for releasing secrets to a TEE key.
inline constexpr CheckId kJweAlg{"jose.jwe.alg"};          // alg not allowed or not for this key
inline constexpr CheckId kJweEnc{"jose.jwe.enc"};          // enc other than A256GCM
inline constexpr CheckId kJweHeader{"jose.jwe.header"};    // zip, missing or wrong-curve epk
inline constexpr CheckId kJweParams{"jose.jwe.params"};    // iv, tag or encrypted key length
inline constexpr CheckId kJweDecrypt{"jose.jwe.decrypt"};  // unwrap or authentication failed
inline constexpr CheckId kJweEncrypt{"jose.jwe.encrypt"};  // encryption failed (library error)

}  // namespace vouch::jose::checks
