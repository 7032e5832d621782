#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "crypto/digest.h"
#include "crypto/keys.h"

namespace vouch::jose {

// JwsAlg lists the JWS algorithms Vouch signs and verifies (RFC 7518 section 3). There is no
// "none" and no HMAC member: an unsecured token has its own, separately named functions, and a
// symmetric algorithm can never be selected by a token header.
enum class JwsAlg : std::uint8_t { kEs256, kEs384, kRs256, kPs256 };

// The JOSE name ("ES256", ...).
std::string_view jws_alg_name(JwsAlg alg) noexcept;
// Parses a JOSE name exactly (case-sensitive, as RFC 7518 requires). nullopt for anything else,
// including "none" and "HS256".
std::optional<JwsAlg> jws_alg_from_name(std::string_view name) noexcept;
// Every algorithm, in the order above (the default allow-list of verifiers).
const std::vector<JwsAlg>& all_jws_algs();

// The digest, signature scheme and key family of alg.
crypto::HashAlg jws_alg_hash(JwsAlg alg) noexcept;
crypto::SigScheme jws_alg_scheme(JwsAlg alg) noexcept;
// Whether key can produce or check alg signatures: ES256 needs a P-256 key, ES384 P-384, RS256
// and PS256 an RSA key of at least 2048 bits.
bool key_fits_jws_alg(const crypto::PublicKey& key, JwsAlg alg) noexcept;

// JweAlg lists the JWE key-management algorithms (RFC 7518 section 4) for releasing a secret to
// a TEE key; content encryption is always A256GCM.
enum class JweAlg : std::uint8_t { kEcdhEsA256kw, kRsaOaep256 };

std::string_view jwe_alg_name(JweAlg alg) noexcept;  // "ECDH-ES+A256KW", "RSA-OAEP-256"
std::optional<JweAlg> jwe_alg_from_name(std::string_view name) noexcept;
// The algorithm for a recipient key: ECDH-ES+A256KW for EC keys, RSA-OAEP-256 for RSA keys.
std::optional<JweAlg> jwe_alg_for_key(const crypto::PublicKey& key) noexcept;

inline constexpr std::string_view kJweEncA256Gcm = "A256GCM";

}  // namespace vouch::jose
