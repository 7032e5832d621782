#pragma once

// The one hot operation of SEV-SNP verification: ECDSA P-384 over SHA-384. Debian's OpenSSL 3.0
// has no optimised P-384 code (about 1,550 verifies/s/core here); wolfCrypt from libwolfssl does
// about 6,000-6,500/s (docs/adr/0007-p384-verify.md). X.509 stays in OpenSSL; only this verify
// runs in wolfCrypt, with the key's affine coordinates extracted once per VCEK and cached.

#include <array>
#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/keys.h"

namespace vouch::sevsnp {

// P384PublicKey holds the big-endian affine coordinates of a P-384 public key. Importing it into
// wolfCrypt costs about 0.15 us, so each verification imports it afresh: no shared mutable
// library state between threads.
struct P384PublicKey {
  std::array<std::uint8_t, 48> x{};
  std::array<std::uint8_t, 48> y{};
};

// Extracts the coordinates of an OpenSSL-parsed EC P-384 key. Fails with crypto.key.unsupported
// for any other key.
[[nodiscard]] Result<P384PublicKey> p384_public_key(const crypto::PublicKey& key);

// Verifies a DER ECDSA signature over a 48-byte SHA-384 digest. Fails with
// snp.report.signature (kEvidenceRejected) when it does not verify or cannot be decoded.
[[nodiscard]] Status verify_p384_digest(const P384PublicKey& key, ByteSpan digest,
                                        ByteSpan der_sig);

// Name and version of the implementation in use ("wolfCrypt 5.5.4").
std::string_view p384_backend() noexcept;

}  // namespace vouch::sevsnp
