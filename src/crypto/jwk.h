#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "base/result.h"
#include "crypto/keys.h"

namespace vouch::crypto {

// Imports a public JWK (RFC 7517): kty RSA (n, e), EC (crv P-256/P-384/P-521, x, y) or OKP
// (crv Ed25519, x). Private members, if present, are ignored. Fails with crypto.jwk naming the
// missing or malformed member.
[[nodiscard]] Result<PublicKey> public_key_from_jwk(const nlohmann::json& jwk);
// Exports the public JWK members (kty, crv, n/e or x/y) of key.
nlohmann::json public_key_to_jwk(const PublicKey& key);
// RFC 7638 JWK thumbprint (SHA-256 over the required members), base64url.
std::string jwk_thumbprint(const PublicKey& key);

}  // namespace vouch::crypto
