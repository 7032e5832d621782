#pragma once

#include <cstddef>
#include <cstdint>

// Size limits the store enforces on every write (kInvalidArgument / store.limit beyond them). They
// bound what one request can make the database hold; the HTTP layer's own body limits are lower.
namespace vouch::store::limits {

// Identifiers: tenant names, attestation types, kinds, kids, key ids, session ids, jti, secret
// names. 1 to 128 printable ASCII characters, no space.
inline constexpr std::size_t kMaxId = 128;
// URLs (issuers, trusted issuers) and collateral cache keys.
inline constexpr std::size_t kMaxUrl = 2048;
// Short free text: authors, labels, reasons, release policy kinds, key-encryption key ids.
inline constexpr std::size_t kMaxShortText = 1024;
// Canonical JSON text: tenant settings, metadata, audit payloads, session context.
inline constexpr std::size_t kMaxJson = 64 * 1024;
// Policy text (attestation and release policies).
inline constexpr std::size_t kMaxPolicy = 256 * 1024;
// Reference and deny-list values (hex digests, signer ids, TCB levels).
inline constexpr std::size_t kMaxValue = 4096;
// Opaque binary values: encrypted keys, certificates, wrapped keys, ciphertexts, AK publics,
// digests, session results.
inline constexpr std::size_t kMaxBlob = 1024 * 1024;
// Nonces (RATS allows 8 to 64 bytes; caller nonces may be longer).
inline constexpr std::size_t kMaxNonce = 1024;
// Collateral bodies and issuer chains (CRLs and TCB info).
inline constexpr std::size_t kMaxCollateral = 16 * 1024 * 1024;
// Rows returned by one page or list call.
inline constexpr std::size_t kMaxPage = 1000;
// Trusted issuers of one secret.
inline constexpr std::size_t kMaxTrustedIssuers = 64;
// Bits of one token status list (2^20 bits = 128 KiB).
inline constexpr std::uint32_t kMaxStatusListCapacity = 1u << 20;
// Default bits of a new token status list (2^16 bits = 8 KiB published).
inline constexpr std::uint32_t kDefaultStatusListCapacity = 1u << 16;

}  // namespace vouch::store::limits
