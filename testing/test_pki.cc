#include "testing/test_pki.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <cstdlib>

#include "crypto/ossl.h"

namespace vouch::testing {
namespace {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "test PKI: %s failed: %s\n", what, ::vouch::ossl::drain_errors().c_str());
  std::abort();
}

void add_ext(X509* cert, X509* issuer, const std::string& name, const std::string& value,
             bool critical) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  const std::string v = (critical ? "critical," : "") + value;
  // Dotted OIDs take OpenSSL's generic "DER:<hex>" or "ASN1:..." values.
  X509_EXTENSION* ext = X509V3_EXT_conf(nullptr, &ctx, name.c_str(), v.c_str());
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) {
    die("X509_add_ext");
  }
  X509_EXTENSION_free(ext);
}

}  // namespace

crypto::Certificate issue_certificate(const CertSpec& spec, const crypto::PublicKey& subject_key,
                                      const crypto::PrivateKey& issuer_key,
                                      const crypto::Certificate* issuer) {
  ::vouch::ossl::Ptr<X509> cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), spec.serial) != 1) {
    die("X509_new");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Vouch Test"), -1, -1,
                             0);  // NOLINT
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),  // NOLINT
      -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer->get()) : name);
  ::vouch::ossl::Ptr<ASN1_TIME> nb(
      ASN1_TIME_set(nullptr, static_cast<time_t>(unix_seconds(spec.not_before))));
  ::vouch::ossl::Ptr<ASN1_TIME> na(
      ASN1_TIME_set(nullptr, static_cast<time_t>(unix_seconds(spec.not_after))));
  X509_set1_notBefore(cert.get(), nb.get());
  X509_set1_notAfter(cert.get(), na.get());
  if (X509_set_pubkey(cert.get(), subject_key.get()) != 1) {
    die("X509_set_pubkey");
  }
  X509* issuer_x = issuer != nullptr ? issuer->get() : cert.get();
  add_ext(cert.get(), issuer_x, "basicConstraints", spec.is_ca ? "CA:TRUE" : "CA:FALSE", true);
  add_ext(cert.get(), issuer_x, "keyUsage", spec.is_ca ? "keyCertSign,cRLSign" : "digitalSignature",
          true);
  add_ext(cert.get(), issuer_x, "subjectKeyIdentifier", "hash", false);
  if (issuer != nullptr) {
    add_ext(cert.get(), issuer_x, "authorityKeyIdentifier", "keyid:always", false);
  }
  for (const auto& e : spec.extensions) {
    add_ext(cert.get(), issuer_x, e.name, e.value, e.critical);
  }
  const EVP_MD* md =
      issuer_key.public_key().type() == crypto::KeyType::kEd25519 ? nullptr : EVP_sha256();
  if (X509_sign(cert.get(), issuer_key.get(), md) <= 0) {
    die("X509_sign");
  }
  X509* raw = cert.release();
  return crypto::Certificate::adopt(raw);
}

crypto::Crl issue_crl(const crypto::Certificate& issuer, const crypto::PrivateKey& issuer_key,
                      const std::vector<long>& revoked_serials, Timestamp this_update,
                      Timestamp next_update) {
  ::vouch::ossl::Ptr<X509_CRL> crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get())) != 1) {
    die("X509_CRL_new");
  }
  ::vouch::ossl::Ptr<ASN1_TIME> tu(
      ASN1_TIME_set(nullptr, static_cast<time_t>(unix_seconds(this_update))));
  ::vouch::ossl::Ptr<ASN1_TIME> nu(
      ASN1_TIME_set(nullptr, static_cast<time_t>(unix_seconds(next_update))));
  X509_CRL_set1_lastUpdate(crl.get(), tu.get());
  X509_CRL_set1_nextUpdate(crl.get(), nu.get());
  for (long serial : revoked_serials) {
    X509_REVOKED* rev = X509_REVOKED_new();
    ASN1_INTEGER* s = ASN1_INTEGER_new();
    ASN1_INTEGER_set(s, serial);
    X509_REVOKED_set_serialNumber(rev, s);
    X509_REVOKED_set_revocationDate(rev, tu.get());
    X509_CRL_add0_revoked(crl.get(), rev);
    ASN1_INTEGER_free(s);
  }
  X509_CRL_sort(crl.get());
  if (X509_CRL_sign(crl.get(), issuer_key.get(), EVP_sha256()) <= 0) {
    die("X509_CRL_sign");
  }
  unsigned char* buf = nullptr;
  const int len = i2d_X509_CRL(crl.get(), &buf);
  Bytes der(buf, buf + len);
  OPENSSL_free(buf);
  auto parsed = crypto::Crl::from_der(der);
  if (!parsed) {
    die("CRL round trip");
  }
  return *parsed;
}

TestPki TestPki::create(const std::string& name) {
  auto root_key = crypto::PrivateKey::generate_ec(crypto::Curve::kP256);
  auto inter_key = crypto::PrivateKey::generate_ec(crypto::Curve::kP256);
  if (!root_key || !inter_key) {
    die("key generation");
  }
  CertSpec root_spec;
  root_spec.common_name = name + " Root CA";
  root_spec.is_ca = true;
  crypto::Certificate root =
      issue_certificate(root_spec, root_key->public_key(), *root_key, nullptr);
  CertSpec inter_spec;
  inter_spec.common_name = name + " Intermediate CA";
  inter_spec.is_ca = true;
  inter_spec.serial = 2;
  crypto::Certificate inter =
      issue_certificate(inter_spec, inter_key->public_key(), *root_key, &root);
  return TestPki{*root_key, root, *inter_key, inter};
}

crypto::Certificate TestPki::issue_leaf(const crypto::PublicKey& key, CertSpec spec) const {
  if (spec.serial == 1) {
    spec.serial = 100;
  }
  return issue_certificate(spec, key, intermediate_key, &intermediate);
}

crypto::TrustStore TestPki::anchors() const {
  auto store = crypto::TrustStore::create({root});
  if (!store) {
    die("TrustStore");
  }
  return *store;
}

}  // namespace vouch::testing
