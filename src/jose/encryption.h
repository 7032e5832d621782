#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/keys.h"
#include "jose/alg.h"
#include "jose/compact.h"

namespace vouch::jose {

// Encrypts plaintext to recipient as a compact JWE (RFC 7516) with content encryption A256GCM and
// key management `alg`: ECDH-ES+A256KW for an EC key, RSA-OAEP-256 for an RSA key (the default,
// from the key type, when alg is nullopt). extra_header may add members such as kid, cty or typ;
// it may not set alg, enc, epk, zip or crit. Every header member is integrity-protected (compact
// serialization has only the protected header). The ECDH-ES key agreement, Concat KDF, AES key
// wrap and AES-GCM run in the packaged JOSE library (latchset jose); RSA-OAEP-256 is one OpenSSL
// call because Debian 12's build of that library lacks it (docs/adr/0010-jose.md). Fails with
// jose.jwe.alg when alg does not fit the key, jose.jwe.encrypt on an empty plaintext (nothing to
// release) or a library failure.
[[nodiscard]] Result<std::string> jwe_encrypt_compact(
    const crypto::PublicKey& recipient, ByteSpan plaintext,
    const nlohmann::json& extra_header = nlohmann::json::object(),
    std::optional<JweAlg> alg = std::nullopt);

// DecryptOptions are the recipient's rules for accepting a JWE.
struct JweDecryptOptions {
  std::vector<JweAlg> allowed_algs = {JweAlg::kEcdhEsA256kw, JweAlg::kRsaOaep256};
  CompactLimits limits;
};

// DecryptedJwe is an authenticated, decrypted JWE.
struct DecryptedJwe {
  nlohmann::json header;
  Bytes plaintext;
  JweAlg alg = JweAlg::kEcdhEsA256kw;
};

// Decrypts a compact JWE with the recipient's private key. Checks, before any cryptography:
// strict compact parsing (jose.compact.*, jose.header.json); "alg" allowed and fitting the key
// (jose.jwe.alg); "enc" A256GCM (jose.jwe.enc); no "zip" (no decompression of untrusted data), no
// "crit", and for ECDH-ES an "epk" on the key's curve (jose.jwe.header); a 12-byte IV, a 16-byte
// tag and an encrypted key of the algorithm's size (jose.jwe.params). Any unwrap or
// authentication failure is the single jose.jwe.decrypt, whatever step failed (no padding or
// key-unwrap oracle).
[[nodiscard]] Result<DecryptedJwe> jwe_decrypt_compact(std::string_view jwe,
                                                       const crypto::PrivateKey& key,
                                                       const JweDecryptOptions& options = {});

}  // namespace vouch::jose
