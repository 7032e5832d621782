#pragma once

#include <cstddef>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/digest.h"
#include "crypto/keys.h"

namespace vouch::crypto {

// HMAC over data with key.
Bytes hmac(HashAlg hash, ByteSpan key, ByteSpan data);

// TPM 2.0 KDFa (SP 800-108 counter mode with HMAC; TPM 2.0 Part 1, 11.4.10.2): `label` is used
// with its terminating zero octet, as the TPM does. Returns bits/8 bytes.
Bytes kdf_a(HashAlg hash, ByteSpan key, std::string_view label, ByteSpan context_u,
            ByteSpan context_v, std::size_t bits);

// TPM 2.0 KDFe (SP 800-56A concatenation KDF; TPM 2.0 Part 1, 11.4.10.3).
Bytes kdf_e(HashAlg hash, ByteSpan z, std::string_view label, ByteSpan party_u, ByteSpan party_v,
            std::size_t bits);

// AES-CFB128 encryption with a zero IV, as TPM credential and duplication blobs use it.
[[nodiscard]] Result<Bytes> aes_cfb_encrypt(ByteSpan key, ByteSpan plaintext);

// RSA-OAEP encryption to key with hash for OAEP and MGF1; `label` is used as given (the TPM
// expects its labels with a terminating zero, so pass that byte explicitly).
[[nodiscard]] Result<Bytes> rsa_oaep_encrypt(const PublicKey& key, HashAlg hash, ByteSpan label,
                                             ByteSpan plaintext);

// ECDH: the x-coordinate of own * peer, padded to the field size.
[[nodiscard]] Result<Bytes> ecdh_shared_x(const PrivateKey& own, const PublicKey& peer);

}  // namespace vouch::crypto
