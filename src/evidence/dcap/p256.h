#pragma once

// Building the quote's ECDSA attestation key from its raw x || y.

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/keys.h"

namespace vouch::dcap {

// Imports a P-256 public key from 64 bytes x || y (big-endian) with EVP_PKEY_fromdata, which
// rejects points not on the curve (OpenSSL's EC_POINT_set_affine_coordinates checks it). P-256
// has cofactor 1, so an on-curve point is in the prime-order group and the full key check that
// crypto::PublicKey::from_ec_point adds (a scalar multiplication, as costly as a signature
// verification) is not needed on this per-quote path. Fails with kEvidenceRejected / `check`.
[[nodiscard]] Result<crypto::PublicKey> p256_from_raw(ByteSpan xy, CheckId check);

}  // namespace vouch::dcap
