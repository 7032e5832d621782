#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/digest.h"

typedef struct evp_pkey_st EVP_PKEY;  // NOLINT: OpenSSL's own forward declaration

namespace vouch::crypto {

enum class KeyType : std::uint8_t { kRsa, kEc, kEd25519 };
enum class Curve : std::uint8_t { kP256, kP384, kP521 };

std::string_view curve_name(Curve c) noexcept;   // "P-256", "P-384", "P-521" (JOSE names)
std::size_t curve_field_size(Curve c) noexcept;  // 32, 48, 66

// PublicKey is an immutable, cheaply copyable public key (RSA, EC or Ed25519). Import it once and
// reuse it: decoding costs more than a verification in OpenSSL 3.
class PublicKey {
 public:
  // SubjectPublicKeyInfo in DER; trailing bytes are rejected.
  [[nodiscard]] static Result<PublicKey> from_der(ByteSpan spki);
  // "-----BEGIN PUBLIC KEY-----" PEM (SubjectPublicKeyInfo).
  [[nodiscard]] static Result<PublicKey> from_pem(std::string_view pem);
  // Either encoding, detected from the content.
  [[nodiscard]] static Result<PublicKey> from_pem_or_der(ByteSpan data);
  // RSA from big-endian modulus and exponent.
  [[nodiscard]] static Result<PublicKey> from_rsa(ByteSpan n, ByteSpan e);
  // EC from big-endian affine coordinates (each at most the field size; shorter ones are
  // left-padded, as TPM2B_ECC_PARAMETER may drop leading zeros).
  [[nodiscard]] static Result<PublicKey> from_ec_point(Curve curve, ByteSpan x, ByteSpan y);
  // Ed25519 from its 32 raw bytes.
  [[nodiscard]] static Result<PublicKey> from_ed25519(ByteSpan raw);
  // Takes ownership of an EVP_PKEY (crypto-internal use).
  static PublicKey adopt(EVP_PKEY* pkey);

  KeyType type() const noexcept { return type_; }
  // Modulus bits for RSA, field bits for EC, 256 for Ed25519.
  int bits() const noexcept;
  std::optional<Curve> curve() const noexcept { return curve_; }
  // DER SubjectPublicKeyInfo.
  Bytes spki_der() const;
  std::string pem() const;
  // RSA: big-endian modulus and exponent (empty for other types).
  Bytes rsa_modulus() const;
  Bytes rsa_exponent() const;
  // EC: x and y padded to the field size (empty for other types). Ed25519: x is the raw key.
  Bytes ec_x() const;
  Bytes ec_y() const;
  // Same key material.
  bool equals(const PublicKey& other) const;

  EVP_PKEY* get() const noexcept { return pkey_.get(); }

 private:
  PublicKey(std::shared_ptr<EVP_PKEY> pkey, KeyType type, std::optional<Curve> curve)
      : pkey_(std::move(pkey)), type_(type), curve_(curve) {}
  std::shared_ptr<EVP_PKEY> pkey_;
  KeyType type_ = KeyType::kRsa;
  std::optional<Curve> curve_;
};

// SigScheme names the signature algorithm family; the digest is passed alongside.
enum class SigScheme : std::uint8_t { kRsaPkcs1v15, kRsaPss, kEcdsa, kEd25519 };

// PrivateKey signs (test fixtures, benchmarks, and later result tokens).
class PrivateKey {
 public:
  [[nodiscard]] static Result<PrivateKey> generate_ec(Curve curve);
  [[nodiscard]] static Result<PrivateKey> generate_rsa(int bits);
  [[nodiscard]] static Result<PrivateKey> from_pem(std::string_view pem);

  PublicKey public_key() const;
  std::string pem() const;  // PKCS#8 PEM, unencrypted
  // Signs msg. ECDSA signatures are DER-encoded; RSA-PSS uses salt length = digest length.
  [[nodiscard]] Result<Bytes> sign(SigScheme scheme, HashAlg hash, ByteSpan msg) const;
  EVP_PKEY* get() const noexcept { return pkey_.get(); }

 private:
  explicit PrivateKey(std::shared_ptr<EVP_PKEY> pkey) : pkey_(std::move(pkey)) {}
  std::shared_ptr<EVP_PKEY> pkey_;
};

// Verifies sig over msg. ECDSA signatures are DER; use ecdsa_rs_to_der for raw forms. RSA-PSS
// accepts any salt length the signature encodes. Fails with crypto.signature (kEvidenceRejected)
// when the signature does not verify and crypto.signature.format when it cannot be decoded or
// does not fit the key type.
[[nodiscard]] Status verify_signature(const PublicKey& key, SigScheme scheme, HashAlg hash,
                                      ByteSpan msg, ByteSpan sig);

// Encodes big-endian r and s as a DER ECDSA-Sig-Value.
[[nodiscard]] Result<Bytes> ecdsa_rs_to_der(ByteSpan r, ByteSpan s);
// Encodes little-endian r and s (AMD SEV-SNP layout) as DER.
[[nodiscard]] Result<Bytes> ecdsa_raw_le_to_der(ByteSpan r_le, ByteSpan s_le);
// Decodes a DER ECDSA signature into fixed-width big-endian r||s (JOSE form).
[[nodiscard]] Result<Bytes> ecdsa_der_to_raw(ByteSpan der, std::size_t field_size);

// Fills a buffer with cryptographically secure random bytes.
[[nodiscard]] Result<Bytes> random_bytes(std::size_t n);

}  // namespace vouch::crypto

namespace vouch::crypto {

// Random is the injected source of randomness for values a test may want to pin (nonces, seeds).
class Random {
 public:
  virtual ~Random() = default;
  [[nodiscard]] virtual Result<Bytes> bytes(std::size_t n) = 0;
};

// SystemRandom draws from OpenSSL's CSPRNG.
class SystemRandom final : public Random {
 public:
  [[nodiscard]] Result<Bytes> bytes(std::size_t n) override { return random_bytes(n); }
};

}  // namespace vouch::crypto
