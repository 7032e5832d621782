#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace vouch::crypto {

// HashAlg lists the digests Vouch computes; TPM banks, quote signatures, certificates and JOSE all
// map onto it.
enum class HashAlg : std::uint8_t { kSha1, kSha256, kSha384, kSha512, kSm3 };

// Canonical lowercase name ("sha1", "sha256", "sha384", "sha512", "sm3_256").
std::string_view hash_name(HashAlg alg) noexcept;
// Parses a canonical name (case-insensitive; also "sha-256" style). nullopt if unknown.
std::optional<HashAlg> hash_from_name(std::string_view name) noexcept;
// Digest length in bytes.
std::size_t digest_size(HashAlg alg) noexcept;

// One-shot digest. Aborts only if OpenSSL cannot provide a standard digest (broken install).
Bytes digest(HashAlg alg, ByteSpan data);

// Hasher computes a digest over several pieces.
class Hasher {
 public:
  explicit Hasher(HashAlg alg);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  Hasher& update(ByteSpan data);
  Bytes finish();

 private:
  struct State;
  std::unique_ptr<State> state_;  // EVP_MD_CTX behind a pimpl keeps OpenSSL out of this header
};

}  // namespace vouch::crypto
