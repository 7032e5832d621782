#pragma once

// Binding a TEE-held key to a verifier's or relying party's nonce (docs/relying-party.md):
//
//   runtime data   = compact JSON {"jwk": <public JWK of an ephemeral EC P-256 key>}
//   binding digest = SHA-256(nonce || runtime data bytes)
//   TPM extraData  = the digest;  SEV-SNP/TDX/SGX report data = digest || 32 zero bytes
//
// The runtime data bytes travel next to the evidence (Vouch-Runtime-Data header or "runtimeData"
// member) and are hashed exactly as sent, so they are produced once here and never re-serialized.

#include <array>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/keys.h"

namespace vouch::attester {

class Binding {
 public:
  // Makes a fresh EC P-256 key and its runtime data. Errors: attester.binding.key.
  [[nodiscard]] static Result<Binding> generate();
  // Wraps an existing key (tests, or a key the TEE already holds).
  [[nodiscard]] static Result<Binding> from_key(crypto::PrivateKey key);

  const crypto::PrivateKey& key() const noexcept { return key_; }
  // The exact runtime data bytes: {"jwk":{"crv":"P-256","kty":"EC","x":…,"y":…}}.
  const std::string& runtime_data() const noexcept { return runtime_data_; }
  // base64url (no padding) of runtime_data(), for the Vouch-Runtime-Data header.
  std::string runtime_data_b64url() const;

  // SHA-256(nonce || runtime data). Errors: attester.binding.nonce for an empty nonce.
  [[nodiscard]] Result<Bytes> digest(ByteSpan nonce) const;
  // 64-byte report data for SEV-SNP/TDX/SGX: digest || 32 zero bytes.
  [[nodiscard]] Result<std::array<std::uint8_t, 64>> report_data(ByteSpan nonce) const;

 private:
  Binding(crypto::PrivateKey key, std::string runtime_data)
      : key_(std::move(key)), runtime_data_(std::move(runtime_data)) {}
  crypto::PrivateKey key_;
  std::string runtime_data_;
};

// The runtime data for a public key (compact JSON, keys sorted).
std::string runtime_data_for(const crypto::PublicKey& key);

}  // namespace vouch::attester
