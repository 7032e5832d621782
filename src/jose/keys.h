#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace vouch::jose {

// Jwk is one public JSON Web Key (RFC 7517) with the members Vouch reads and writes.
struct Jwk {
  crypto::PublicKey key;
  std::string kid;  // empty when absent
  std::string alg;  // empty when absent ("RS256", "ECDH-ES+A256KW", ...)
  std::string use;  // empty when absent ("sig", "enc")
  // x5c: the certificate chain for the key, leaf first (section 4.7: standard base64 DER).
  std::vector<crypto::Certificate> x5c;
};

// Parses one public JWK. The key comes from the plain members (kty RSA: n, e; EC: crv, x, y;
// OKP Ed25519: x) or, when those are absent (as in MAA's /certs), from the first x5c
// certificate; when both are present they must be the same key. Private members ("d", "p", ...)
// are refused: a public key set must never carry them. Fails with jose.jwk or jose.jwk.x5c
// (kInvalidArgument).
[[nodiscard]] Result<Jwk> parse_jwk(const nlohmann::json& jwk);

// Emits the plain key members, kid, alg and use when set, and x5c when there are certificates:
// both forms, since clients differ (jose npm needs n/e or x/y; MAA SDKs read x5c).
nlohmann::json jwk_to_json(const Jwk& jwk);

// JwkSet is a JWKS: the keys a caller trusts. Verification only ever uses keys from here.
struct JwkSet {
  std::vector<Jwk> keys;
  // Keys of the document that were skipped as unusable (unsupported kty or curve, symmetric or
  // private keys, malformed members), with the reason for each.
  std::vector<std::string> skipped;

  // The key with this kid, or nullptr.
  const Jwk* find(std::string_view kid) const noexcept;
};

// Parses a JWKS document ({"keys": [...]}) strictly (no duplicate member names). Unusable keys
// are skipped and listed, as RFC 7517 section 5 asks; a document with no usable key, or that is
// not a JWKS, fails with jose.jwks (kInvalidArgument).
[[nodiscard]] Result<JwkSet> parse_jwks(std::string_view document);
[[nodiscard]] Result<JwkSet> parse_jwks_json(const nlohmann::json& document);

// Emits {"keys": [...]} with jwk_to_json for each key.
nlohmann::json jwks_to_json(const JwkSet& set);

}  // namespace vouch::jose
