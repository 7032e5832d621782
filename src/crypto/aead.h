#pragma once

#include <cstddef>

#include "base/bytes.h"
#include "base/error.h"
#include "base/result.h"

namespace vouch::crypto {

namespace checks {
// An AES-GCM open failed: wrong key, tampered ciphertext, tag or associated data
// (ErrorKind::kInvalidArgument: the input is not what was sealed).
inline constexpr CheckId kAeadOpen{"crypto.aead.open"};
// A key, nonce or tag of the wrong length was passed to AES-GCM.
inline constexpr CheckId kAeadParams{"crypto.aead.params"};
}  // namespace checks

inline constexpr std::size_t kAes256KeySize = 32;
inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;

// AeadSealed is the output of AES-256-GCM: the 96-bit nonce, the ciphertext (same length as the
// plaintext) and the 128-bit tag.
struct AeadSealed {
  Bytes nonce;
  Bytes ciphertext;
  Bytes tag;
};

// Encrypts plaintext with AES-256-GCM under key (32 bytes) and nonce (12 bytes; never reuse a
// nonce under one key: draw it from random_bytes), authenticating aad as well. Fails with
// crypto.aead.params on a wrong key or nonce length.
[[nodiscard]] Result<AeadSealed> aes256_gcm_seal(ByteSpan key, ByteSpan nonce, ByteSpan plaintext,
                                                 ByteSpan aad);

// Same, with a fresh random nonce.
[[nodiscard]] Result<AeadSealed> aes256_gcm_seal(ByteSpan key, ByteSpan plaintext, ByteSpan aad);

// Decrypts and authenticates an AES-256-GCM ciphertext. Returns the plaintext only when the tag
// verifies over ciphertext and aad; fails with crypto.aead.open otherwise (no partial plaintext is
// ever returned) and with crypto.aead.params on wrong key, nonce or tag lengths.
[[nodiscard]] Result<Bytes> aes256_gcm_open(ByteSpan key, ByteSpan nonce, ByteSpan ciphertext,
                                            ByteSpan tag, ByteSpan aad);

}  // namespace vouch::crypto
