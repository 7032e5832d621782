#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "crypto/keys.h"

typedef struct x509_st X509;              // NOLINT: OpenSSL forward declarations
typedef struct X509_crl_st X509_CRL;      // NOLINT
typedef struct x509_store_st X509_STORE;  // NOLINT

namespace vouch::crypto {

// Certificate is an immutable, cheaply copyable parsed X.509 certificate.
class Certificate {
 public:
  // One DER certificate; trailing bytes are rejected.
  [[nodiscard]] static Result<Certificate> from_der(ByteSpan der);
  // Exactly one PEM certificate.
  [[nodiscard]] static Result<Certificate> from_pem(std::string_view pem);
  // A single DER certificate, or one or more PEM CERTIFICATE blocks (text between blocks is
  // ignored; any other block type is an error), detected from the content.
  [[nodiscard]] static Result<std::vector<Certificate>> parse_bundle(ByteSpan data);
  // Takes ownership of one reference to x (crypto-internal use).
  static Certificate adopt(X509* x);

  // The subject public key. Fails with crypto.key.parse when OpenSSL cannot decode it (d2i_X509
  // accepts certificates whose key it cannot use).
  [[nodiscard]] Result<PublicKey> public_key() const;
  std::string subject() const;  // RFC 2253 one-line form
  std::string issuer() const;
  Timestamp not_before() const;
  Timestamp not_after() const;
  Bytes serial() const;  // big-endian magnitude
  const Bytes& der() const noexcept { return *der_; }
  // DER content (the OCTET STRING value) of the extension with this dotted OID, if present.
  std::optional<Bytes> extension_value(std::string_view oid) const;
  // Whether the extension with this OID is marked critical (false if absent).
  bool extension_critical(std::string_view oid) const;

  X509* get() const noexcept { return x509_.get(); }

 private:
  Certificate(std::shared_ptr<X509> x, std::shared_ptr<const Bytes> der)
      : x509_(std::move(x)), der_(std::move(der)) {}
  std::shared_ptr<X509> x509_;
  std::shared_ptr<const Bytes> der_;
};

// Crl is an immutable parsed certificate revocation list.
class Crl {
 public:
  [[nodiscard]] static Result<Crl> from_der(ByteSpan der);
  [[nodiscard]] static Result<Crl> from_pem(std::string_view pem);
  [[nodiscard]] static Result<Crl> parse(ByteSpan data);  // PEM or DER

  std::string issuer() const;
  Timestamp this_update() const;
  std::optional<Timestamp> next_update() const;
  X509_CRL* get() const noexcept { return crl_.get(); }

 private:
  explicit Crl(std::shared_ptr<X509_CRL> crl) : crl_(std::move(crl)) {}
  std::shared_ptr<X509_CRL> crl_;
};

// TrustStore holds trust anchors. Any anchor ends a chain, self-signed or not (partial chains),
// so a deployment may pin an intermediate CA. Build once, share between threads.
class TrustStore {
 public:
  [[nodiscard]] static Result<TrustStore> create(const std::vector<Certificate>& anchors);
  bool empty() const noexcept { return num_anchors_ == 0; }
  X509_STORE* get() const noexcept { return store_.get(); }

 private:
  TrustStore(std::shared_ptr<X509_STORE> s, std::size_t n)
      : store_(std::move(s)), num_anchors_(n) {}
  std::shared_ptr<X509_STORE> store_;
  std::size_t num_anchors_ = 0;
};

// ChainOptions are the inputs of a chain verification besides the leaf and the anchors.
struct ChainOptions {
  Timestamp at;                            // verification time (from the injected Clock)
  std::vector<Certificate> intermediates;  // untrusted certificates that may complete the chain
  std::vector<Crl> crls;                   // when non-empty, every certificate must be covered
};

// Verifies leaf up to an anchor in `anchors` at options.at with X.509 path validation (purpose:
// any; no policy checks). Returns the chain from leaf to anchor. Fails with crypto.x509.chain
// (kEvidenceRejected) naming the failing depth, subject and reason.
[[nodiscard]] Result<std::vector<Certificate>> verify_chain(const Certificate& leaf,
                                                            const TrustStore& anchors,
                                                            const ChainOptions& options);

}  // namespace vouch::crypto
