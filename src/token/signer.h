#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "jose/alg.h"
#include "jose/keys.h"

namespace vouch::token {

// Signer signs attestation results. Implementations are checked when they are built (a key that
// cannot sign never reaches a request); sign() failing later is an internal error.
class Signer {
 public:
  virtual ~Signer() = default;
  // The key id published in the JWKS and put in every token header.
  virtual const std::string& kid() const = 0;
  virtual jose::JwsAlg alg() const = 0;
  // The public JWK (kid, alg, use "sig", x5c when there is a certificate) for the JWKS.
  virtual const jose::Jwk& public_jwk() const = 0;
  // The JWS signature over signing_input (ECDSA as r||s). Fails with token.sign.
  [[nodiscard]] virtual Result<Bytes> sign(ByteSpan signing_input) const = 0;
};

// SigningKey is a token-signing key with its certificate chain (leaf first) for x5c.
struct SigningKey {
  jose::JwsAlg alg = jose::JwsAlg::kEs256;
  std::string kid;  // RFC 7638 thumbprint of the public key, unless set otherwise
  crypto::PrivateKey key;
  std::vector<crypto::Certificate> chain;
};

// CertificateOptions describe the certificate made for a signing key: issued by issuer_key
// under `issuer`, or self-signed (as MAA's are) when issuer is null.
struct CertificateOptions {
  std::string common_name;  // e.g. the issuer URL, as in MAA's signing certificates
  Timestamp not_before;     // from the injected Clock
  Timestamp not_after;
  const crypto::Certificate* issuer = nullptr;     // null: self-signed
  const crypto::PrivateKey* issuer_key = nullptr;  // required with issuer
  // subjectAltName entries in OpenSSL's notation ("DNS:localhost", "IP:127.0.0.1"); TLS server
  // certificates need them (clients match the host against SANs, not the CN).
  std::vector<std::string> subject_alt_names;
};

// Issues an X.509 v3 certificate for `subject` signed by `signer` (the subject's own key when
// options.issuer is null): random 128-bit serial, CA false, digitalSignature key usage, subject
// key id; SHA-256, or SHA-384 for a P-384 signer. Fails with token.key.generate.
[[nodiscard]] Result<crypto::Certificate> issue_certificate(const crypto::PublicKey& subject,
                                                            const crypto::PrivateKey& signer,
                                                            const CertificateOptions& options);

// Generates a key for alg (ES256: P-256, ES384: P-384, RS256/PS256: RSA-2048, as MAA uses; on
// this hardware RSA-3072 signing costs ~8x more) with its certificate; kid is the RFC 7638
// thumbprint. Fails with token.key.generate.
[[nodiscard]] Result<SigningKey> generate_signing_key(jose::JwsAlg alg,
                                                      const CertificateOptions& options);

// LocalSigner signs with an in-process key.
class LocalSigner final : public Signer {
 public:
  // Checks that the key fits alg (token.key.fit), that the chain's leaf (if any) holds the same
  // key (token.key.fit), then signs a test message and verifies it (token.key.self_test), so a
  // broken key fails here, at start-up, never at request time.
  [[nodiscard]] static Result<std::unique_ptr<LocalSigner>> create(SigningKey key);

  const std::string& kid() const override { return key_.kid; }
  jose::JwsAlg alg() const override { return key_.alg; }
  const jose::Jwk& public_jwk() const override { return jwk_; }
  [[nodiscard]] Result<Bytes> sign(ByteSpan signing_input) const override;
  const SigningKey& signing_key() const noexcept { return key_; }

 private:
  LocalSigner(SigningKey key, jose::Jwk jwk) : key_(std::move(key)), jwk_(std::move(jwk)) {}
  SigningKey key_;
  jose::Jwk jwk_;
};

// Seals a signing key for storage at rest: the PKCS#8 private key is encrypted with AES-256-GCM
// under kek (32 bytes); alg, kid and the certificate chain stay readable but are authenticated
// as associated data. The result is a JSON document. Fails with crypto.aead.params on a wrong
// KEK length.
[[nodiscard]] Result<std::string> seal_signing_key(const SigningKey& key, ByteSpan kek);

// Opens a sealed signing key. Fails with token.key.sealed when the document is malformed and
// token.key.unseal when the KEK is wrong or anything was altered.
[[nodiscard]] Result<SigningKey> unseal_signing_key(std::string_view sealed, ByteSpan kek);

}  // namespace vouch::token
