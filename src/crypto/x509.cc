#include "crypto/x509.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "crypto/check_ids.h"
#include "crypto/ossl.h"

namespace vouch::crypto {
namespace {

std::string name_string(const X509_NAME* name) {
  ossl::Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) {
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Timestamp asn1_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return Timestamp{};
  }
  using namespace std::chrono;
  const year_month_day ymd{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                           day{static_cast<unsigned>(tm.tm_mday)}};
  return sys_days{ymd} + hours{tm.tm_hour} + minutes{tm.tm_min} + seconds{tm.tm_sec};
}

bool is_pem(ByteSpan data) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());  // NOLINT
  return text.find("-----BEGIN") != std::string_view::npos;
}

}  // namespace

Result<Certificate> Certificate::from_der(ByteSpan der) {
  const unsigned char* p = der.data();
  X509* raw = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (raw == nullptr) {
    return fail(ossl::take_error(ErrorKind::kMalformedEvidence, checks::kCertParse,
                                 "not a DER X.509 certificate"));
  }
  std::shared_ptr<X509> x(raw, X509_free);
  const auto used = static_cast<std::size_t>(p - der.data());
  if (used != der.size()) {
    return fail(ErrorKind::kMalformedEvidence, checks::kCertTrailing,
                std::to_string(der.size() - used) + " trailing bytes after the certificate");
  }
  return Certificate(std::move(x), std::make_shared<const Bytes>(der.begin(), der.end()));
}

Result<Certificate> Certificate::from_pem(std::string_view pem) {
  VOUCH_TRY(auto certs, parse_bundle(as_bytes(pem)));
  if (certs.size() != 1) {
    return fail(ErrorKind::kMalformedEvidence, checks::kCertParse,
                "expected one PEM certificate, found " + std::to_string(certs.size()));
  }
  return certs.front();
}

Result<std::vector<Certificate>> Certificate::parse_bundle(ByteSpan data) {
  std::vector<Certificate> out;
  if (!is_pem(data)) {
    VOUCH_TRY(Certificate c, from_der(data));
    out.push_back(std::move(c));
    return out;
  }
  ossl::Ptr<BIO> bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) {
    return fail(ErrorKind::kInternal, checks::kInternal, "BIO_new_mem_buf");
  }
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* body = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &body, &len) != 1) {
      ossl::drain_errors();  // end of input
      break;
    }
    const std::string block_name(name);
    OPENSSL_free(name);
    OPENSSL_free(header);
    Bytes der(body, body + len);
    OPENSSL_free(body);
    if (block_name != "CERTIFICATE") {
      return fail(ErrorKind::kMalformedEvidence, checks::kCertParse,
                  "unexpected PEM block '" + block_name + "' in certificate bundle");
    }
    VOUCH_TRY(Certificate c, from_der(der));
    out.push_back(std::move(c));
  }
  // Text outside PEM blocks (openssl x509 -text output, comments) is ignored, as OpenSSL does;
  // everything inside a block must decode.
  if (out.empty()) {
    return fail(ErrorKind::kMalformedEvidence, checks::kCertParse, "no PEM certificate found");
  }
  return out;
}

Certificate Certificate::adopt(X509* x) {
  std::shared_ptr<X509> owned(x, X509_free);
  unsigned char* buf = nullptr;
  const int len = i2d_X509(x, &buf);  // re-encodes from the cached encoding: cheap
  if (len <= 0) {
    std::abort();  // invariant: a parsed certificate re-encodes
  }
  auto der = std::make_shared<const Bytes>(buf, buf + len);
  OPENSSL_free(buf);
  return Certificate(std::move(owned), std::move(der));
}

Result<PublicKey> Certificate::public_key() const {
  EVP_PKEY* k = X509_get0_pubkey(x509_.get());
  if (k == nullptr) {
    return fail(ossl::take_error(ErrorKind::kMalformedEvidence, checks::kKeyParse,
                                 "the certificate's public key cannot be decoded"));
  }
  EVP_PKEY_up_ref(k);
  return PublicKey::adopt(k);
}

std::string Certificate::subject() const {
  return name_string(X509_get_subject_name(x509_.get()));
}
std::string Certificate::issuer() const {
  return name_string(X509_get_issuer_name(x509_.get()));
}
Timestamp Certificate::not_before() const {
  return asn1_time(X509_get0_notBefore(x509_.get()));
}
Timestamp Certificate::not_after() const {
  return asn1_time(X509_get0_notAfter(x509_.get()));
}

Bytes Certificate::serial() const {
  const ASN1_INTEGER* s = X509_get0_serialNumber(x509_.get());
  ossl::Ptr<BIGNUM> bn(ASN1_INTEGER_to_BN(s, nullptr));
  if (!bn) {
    return {};
  }
  Bytes out(static_cast<std::size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

namespace {
int find_extension(X509* x, std::string_view oid) {
  ossl::Ptr<ASN1_OBJECT> obj(OBJ_txt2obj(std::string(oid).c_str(), 1));
  if (!obj) {
    return -1;
  }
  return X509_get_ext_by_OBJ(x, obj.get(), -1);
}
}  // namespace

std::optional<Bytes> Certificate::extension_value(std::string_view oid) const {
  const int idx = find_extension(x509_.get(), oid);
  if (idx < 0) {
    return std::nullopt;
  }
  X509_EXTENSION* ext = X509_get_ext(x509_.get(), idx);
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(ext);
  return Bytes(value->data, value->data + value->length);
}

bool Certificate::extension_critical(std::string_view oid) const {
  const int idx = find_extension(x509_.get(), oid);
  return idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x509_.get(), idx)) == 1;
}

// --- CRL ---

Result<Crl> Crl::from_der(ByteSpan der) {
  const unsigned char* p = der.data();
  X509_CRL* raw = d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size()));
  if (raw == nullptr) {
    return fail(
        ossl::take_error(ErrorKind::kMalformedEvidence, checks::kCrlParse, "not a DER CRL"));
  }
  std::shared_ptr<X509_CRL> crl(raw, X509_CRL_free);
  if (static_cast<std::size_t>(p - der.data()) != der.size()) {
    return fail(ErrorKind::kMalformedEvidence, checks::kCrlParse, "trailing bytes after the CRL");
  }
  return Crl(std::move(crl));
}

Result<Crl> Crl::from_pem(std::string_view pem) {
  ossl::Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509_CRL* raw = bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (raw == nullptr) {
    return fail(
        ossl::take_error(ErrorKind::kMalformedEvidence, checks::kCrlParse, "not a PEM CRL"));
  }
  return Crl(std::shared_ptr<X509_CRL>(raw, X509_CRL_free));
}

Result<Crl> Crl::parse(ByteSpan data) {
  if (is_pem(data)) {
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());  // NOLINT
    return from_pem(text);
  }
  return from_der(data);
}

std::string Crl::issuer() const {
  return name_string(X509_CRL_get_issuer(crl_.get()));
}
Timestamp Crl::this_update() const {
  return asn1_time(X509_CRL_get0_lastUpdate(crl_.get()));
}
std::optional<Timestamp> Crl::next_update() const {
  const ASN1_TIME* t = X509_CRL_get0_nextUpdate(crl_.get());
  if (t == nullptr) {
    return std::nullopt;
  }
  return asn1_time(t);
}

// --- chains ---

Result<TrustStore> TrustStore::create(const std::vector<Certificate>& anchors) {
  std::shared_ptr<X509_STORE> store(X509_STORE_new(), X509_STORE_free);
  if (!store) {
    return fail(ErrorKind::kInternal, checks::kInternal, "X509_STORE_new");
  }
  for (const Certificate& c : anchors) {
    if (X509_STORE_add_cert(store.get(), c.get()) != 1) {
      ossl::drain_errors();  // duplicate anchors are harmless
    }
  }
  return TrustStore(std::move(store), anchors.size());
}

Result<std::vector<Certificate>> verify_chain(const Certificate& leaf, const TrustStore& anchors,
                                              const ChainOptions& options) {
  if (anchors.empty()) {
    return fail(ErrorKind::kEvidenceRejected, checks::kChain, "no trust anchors configured");
  }
  ossl::X509Stack untrusted(sk_X509_new_null());
  ossl::X509CrlStack crls(sk_X509_CRL_new_null());
  if (!untrusted || !crls) {
    return fail(ErrorKind::kInternal, checks::kInternal, "sk_new");
  }
  for (const Certificate& c : options.intermediates) {
    X509_up_ref(c.get());
    if (sk_X509_push(untrusted.get(), c.get()) == 0) {
      X509_free(c.get());
      return fail(ErrorKind::kInternal, checks::kInternal, "sk_X509_push");
    }
  }
  for (const Crl& crl : options.crls) {
    X509_CRL_up_ref(crl.get());
    if (sk_X509_CRL_push(crls.get(), crl.get()) == 0) {
      X509_CRL_free(crl.get());
      return fail(ErrorKind::kInternal, checks::kInternal, "sk_X509_CRL_push");
    }
  }
  ossl::Ptr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), anchors.get(), leaf.get(), untrusted.get()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "X509_STORE_CTX_init"));
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  unsigned long flags = X509_V_FLAG_PARTIAL_CHAIN;
  if (!options.crls.empty()) {
    flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
    X509_STORE_CTX_set0_crls(ctx.get(), crls.get());
  }
  X509_VERIFY_PARAM_set_flags(param, flags);
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(unix_seconds(options.at)));
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY);

  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    X509* bad = X509_STORE_CTX_get_current_cert(ctx.get());
    std::string detail = "certificate at depth " + std::to_string(depth);
    if (bad != nullptr) {
      detail += " (" + name_string(X509_get_subject_name(bad)) + ")";
    }
    detail += ": ";
    detail += X509_verify_cert_error_string(err);
    detail += " at " + format_rfc3339(options.at);
    ossl::drain_errors();
    return fail(ErrorKind::kEvidenceRejected, checks::kChain, std::move(detail));
  }
  std::vector<Certificate> chain;
  STACK_OF(X509)* verified = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(verified); ++i) {
    X509* x = sk_X509_value(verified, i);
    X509_up_ref(x);
    chain.push_back(Certificate::adopt(x));
  }
  return chain;
}

}  // namespace vouch::crypto
