#include "testing/fake_amd_pki.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "base/encoding.h"
#include "crypto/ossl.h"

namespace vouch::testing {
namespace {

#include "testing/fake_amd_test_keys.inc"

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fake AMD PKI: %s failed: %s\n", what,
               ::vouch::ossl::drain_errors().c_str());
  std::abort();
}

crypto::PrivateKey load_key(std::string_view pem) {
  auto k = crypto::PrivateKey::from_pem(pem);
  if (!k) {
    die("loading a committed test key");
  }
  return *k;
}

void set_amd_name(X509_NAME* name, const std::string& cn) {
  const std::pair<const char*, std::string> parts[] = {
      {"OU", "Engineering"},           {"C", "US"}, {"L", "Santa Clara"}, {"ST", "CA"},
      {"O", "Advanced Micro Devices"}, {"CN", cn}};
  for (const auto& [field, value] : parts) {
    if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(value.c_str()),  // NOLINT
                                   -1, -1, 0) != 1) {
      die("X509_NAME_add_entry_by_txt");
    }
  }
}

void add_ext(X509* cert, X509* issuer, const std::string& name, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf(nullptr, &ctx, name.c_str(), value.c_str());
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) {
    die("X509_add_ext");
  }
  X509_EXTENSION_free(ext);
}

// An EVP_MD_CTX set up for RSASSA-PSS/SHA-384 (salt 48, MGF1-SHA-384), AMD's choice, or
// PKCS#1 v1.5 when `pkcs1`.
::vouch::ossl::Ptr<EVP_MD_CTX> signing_ctx(const crypto::PrivateKey& key, bool pkcs1) {
  ::vouch::ossl::Ptr<EVP_MD_CTX> mctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!mctx || EVP_DigestSignInit(mctx.get(), &pctx, EVP_sha384(), nullptr, key.get()) != 1) {
    die("EVP_DigestSignInit");
  }
  if (!pkcs1 && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                 EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) != 1 ||
                 EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) != 1)) {
    die("PSS parameters");
  }
  return mctx;
}

struct CertParams {
  std::string subject_cn;
  const crypto::Certificate* issuer = nullptr;  // nullptr: self-signed
  std::string issuer_cn;
  long serial = 1;
  Timestamp not_before;
  Timestamp not_after;
  bool ca = false;
  bool pkcs1 = false;
  std::vector<std::pair<std::string, std::string>> extensions;
};

crypto::Certificate make_cert(const CertParams& p, const crypto::PublicKey& subject_key,
                              const crypto::PrivateKey& issuer_key) {
  ::vouch::ossl::Ptr<X509> cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), p.serial) != 1) {
    die("X509_new");
  }
  set_amd_name(X509_get_subject_name(cert.get()), p.subject_cn);
  if (p.issuer != nullptr) {
    X509_set_issuer_name(cert.get(), X509_get_subject_name(p.issuer->get()));
  } else {
    set_amd_name(X509_get_issuer_name(cert.get()), p.subject_cn);
  }
  ::vouch::ossl::Ptr<ASN1_TIME> nb(
      ASN1_TIME_set(nullptr, static_cast<time_t>(unix_seconds(p.not_before))));
  ::vouch::ossl::Ptr<ASN1_TIME> na(
      ASN1_TIME_set(nullptr, static_cast<time_t>(unix_seconds(p.not_after))));
  X509_set1_notBefore(cert.get(), nb.get());
  X509_set1_notAfter(cert.get(), na.get());
  if (X509_set_pubkey(cert.get(), subject_key.get()) != 1) {
    die("X509_set_pubkey");
  }
  X509* issuer_x = p.issuer != nullptr ? p.issuer->get() : cert.get();
  if (p.ca) {
    add_ext(cert.get(), issuer_x, "basicConstraints",
            p.issuer != nullptr ? "critical,CA:TRUE,pathlen:0" : "critical,CA:TRUE");
    add_ext(cert.get(), issuer_x, "keyUsage", "critical,keyCertSign,cRLSign");
    add_ext(cert.get(), issuer_x, "subjectKeyIdentifier", "hash");
    if (p.issuer != nullptr) {
      add_ext(cert.get(), issuer_x, "authorityKeyIdentifier", "keyid:always");
    }
  }
  for (const auto& [name, value] : p.extensions) {
    add_ext(cert.get(), issuer_x, name, value);
  }
  auto ctx = signing_ctx(issuer_key, p.pkcs1);
  if (X509_sign_ctx(cert.get(), ctx.get()) <= 0) {
    die("X509_sign_ctx");
  }
  return crypto::Certificate::adopt(cert.release());
}

std::string der_u8(int v) {
  char buf[32];  // room for any int, so -Wformat-truncation (asan preset) has nothing to say
  if (v >= 0x80) {
    std::snprintf(buf, sizeof buf, "DER:020200%02X", v);
  } else {
    std::snprintf(buf, sizeof buf, "DER:0201%02X", v);
  }
  return buf;
}

std::string der_ia5(const std::string& s) {
  Bytes b = {0x16, static_cast<std::uint8_t>(s.size())};
  b.insert(b.end(), s.begin(), s.end());
  return "DER:" + hex_encode(b);
}

std::string pem_of(const crypto::Certificate& c) {
  ::vouch::ossl::Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), c.get()) != 1) {
    die("PEM_write_bio_X509");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

const Timestamp kRootNotBefore = from_unix_seconds(1577836800);  // 2020-01-01
const Timestamp kRootNotAfter = from_unix_seconds(2524608000);   // 2050-01-01

}  // namespace

FakeAmdPki::FakeAmdPki(AmdProduct p)
    : product_(p),
      ark_key_(load_key(kArkTestOnlyKey)),
      ask_key_(load_key(kAskTestOnlyKey)),
      asvk_key_(load_key(kAsvkTestOnlyKey)),
      ark_(make_cert(CertParams{sevsnp::ark_common_name(p),
                                nullptr,
                                "",
                                0x10000,
                                kRootNotBefore,
                                kRootNotAfter,
                                true,
                                false,
                                {}},
                     ark_key_.public_key(), ark_key_)),
      ask_(make_cert(CertParams{sevsnp::intermediate_common_name(p, AmdKeyKind::kVcek),
                                &ark_,
                                "",
                                0x10001,
                                kRootNotBefore,
                                kRootNotAfter,
                                true,
                                false,
                                {}},
                     ask_key_.public_key(), ark_key_)),
      asvk_(make_cert(CertParams{sevsnp::intermediate_common_name(p, AmdKeyKind::kVlek),
                                 &ark_,
                                 "",
                                 0x10002,
                                 kRootNotBefore,
                                 kRootNotAfter,
                                 true,
                                 false,
                                 {}},
                      asvk_key_.public_key(), ark_key_)) {}

const FakeAmdPki& FakeAmdPki::get(AmdProduct product) {
  static std::mutex mu;
  static std::map<AmdProduct, std::unique_ptr<FakeAmdPki>> pkis;
  std::lock_guard lock(mu);
  auto& slot = pkis[product];
  if (!slot) {
    slot.reset(new FakeAmdPki(product));
  }
  return *slot;
}

std::string FakeAmdPki::default_product_name() const {
  switch (product_) {
    case AmdProduct::kMilan:
      return "Milan-B0";
    case AmdProduct::kGenoa:
      return "Genoa";
    case AmdProduct::kTurin:
      return "Turin";
  }
  return "Milan-B0";
}

sevsnp::Cpuid FakeAmdPki::cpuid() const {
  switch (product_) {
    case AmdProduct::kMilan:
      return {0x19, 0x01, 0x01};
    case AmdProduct::kGenoa:
      return {0x19, 0x11, 0x01};
    case AmdProduct::kTurin:
      return {0x1a, 0x02, 0x00};
  }
  return {};
}

FakeVek FakeAmdPki::issue_vek(const VekSpec& spec) const {
  auto key =
      crypto::PrivateKey::generate_ec(spec.p256_key ? crypto::Curve::kP256 : crypto::Curve::kP384);
  if (!key) {
    die("EC key generation");
  }
  const bool vcek = spec.kind == AmdKeyKind::kVcek;
  CertParams p;
  p.subject_cn = spec.subject_cn.value_or(sevsnp::vek_common_name(spec.kind));
  p.issuer = vcek ? &ask_ : &asvk_;
  p.serial = spec.serial;
  p.not_before = spec.not_before;
  p.not_after = spec.not_after;
  p.pkcs1 = spec.sign_with_pkcs1;
  const std::string oid = "1.3.6.1.4.1.3704.1.";
  p.extensions.emplace_back(oid + "1", der_u8(product_ == AmdProduct::kTurin ? 1 : 0));
  p.extensions.emplace_back(oid + "2", der_ia5(spec.product_name.value_or(default_product_name())));
  // SPLs from the TCB in the product's layout (3.<n> -> byte).
  const bool turin = product_ == AmdProduct::kTurin;
  const std::vector<std::pair<int, int>> spl_bytes =
      turin ? std::vector<std::pair<int, int>>{{9, 0}, {1, 1}, {2, 2}, {3, 3},
                                               {5, 4}, {6, 5}, {7, 6}, {8, 7}}
            : std::vector<std::pair<int, int>>{{1, 0}, {2, 1}, {4, 2}, {5, 3},
                                               {6, 4}, {7, 5}, {3, 6}, {8, 7}};
  for (const auto& [n, byte] : spl_bytes) {
    if (std::find(spec.omit_spl.begin(), spec.omit_spl.end(), n) != spec.omit_spl.end()) {
      continue;
    }
    p.extensions.emplace_back(oid + "3." + std::to_string(n),
                              der_u8(static_cast<int>((spec.tcb >> (8 * byte)) & 0xff)));
  }
  if ((vcek && !spec.omit_hwid) || (!vcek && spec.add_hwid_to_vlek)) {
    const Bytes hwid(
        spec.chip_id.begin(),
        spec.chip_id.begin() + static_cast<std::ptrdiff_t>(collateral::amd_hwid_size(product_)));
    Bytes value = hwid;
    if (spec.hwid_tagged) {
      value = {0x04, static_cast<std::uint8_t>(hwid.size())};
      value.insert(value.end(), hwid.begin(), hwid.end());
    }
    p.extensions.emplace_back(oid + "4", "DER:" + hex_encode(value));
  }
  if (!vcek) {
    p.extensions.emplace_back(oid + "5", der_ia5(spec.csp_id));
  }
  crypto::Certificate cert = make_cert(p, key->public_key(), vcek ? ask_key_ : asvk_key_);
  return FakeVek{*key, cert};
}

crypto::Crl FakeAmdPki::issue_crl(const std::vector<long>& revoked, Timestamp this_update,
                                  Timestamp next_update) const {
  ::vouch::ossl::Ptr<X509_CRL> crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ark_.get())) != 1) {
    die("X509_CRL_new");
  }
  ::vouch::ossl::Ptr<ASN1_TIME> tu(
      ASN1_TIME_set(nullptr, static_cast<time_t>(unix_seconds(this_update))));
  ::vouch::ossl::Ptr<ASN1_TIME> nu(
      ASN1_TIME_set(nullptr, static_cast<time_t>(unix_seconds(next_update))));
  X509_CRL_set1_lastUpdate(crl.get(), tu.get());
  X509_CRL_set1_nextUpdate(crl.get(), nu.get());
  for (long serial : revoked) {
    X509_REVOKED* rev = X509_REVOKED_new();
    ::vouch::ossl::Ptr<ASN1_INTEGER> s(ASN1_INTEGER_new());
    ASN1_INTEGER_set(s.get(), serial);
    X509_REVOKED_set_serialNumber(rev, s.get());
    X509_REVOKED_set_revocationDate(rev, tu.get());
    X509_CRL_add0_revoked(crl.get(), rev);
  }
  X509_CRL_sort(crl.get());
  auto ctx = signing_ctx(ark_key_, false);
  if (X509_CRL_sign_ctx(crl.get(), ctx.get()) <= 0) {
    die("X509_CRL_sign_ctx");
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

Bytes FakeAmdPki::crl_der(const crypto::Crl& crl) {
  unsigned char* buf = nullptr;
  const int len = i2d_X509_CRL(crl.get(), &buf);
  Bytes der(buf, buf + len);
  OPENSSL_free(buf);
  return der;
}

std::string FakeAmdPki::chain_pem(AmdKeyKind kind) const {
  return pem_of(kind == AmdKeyKind::kVcek ? ask_ : asvk_) + pem_of(ark_);
}

sevsnp::ProductRoots FakeAmdPki::roots(bool with_intermediates) const {
  sevsnp::ProductRoots r{product_, ark_, {}};
  if (with_intermediates) {
    r.intermediates = {ask_, asvk_};
  }
  return r;
}

sevsnp::TrustAnchors FakeAmdPki::anchors(const std::vector<AmdProduct>& products,
                                         bool with_intermediates) {
  std::vector<sevsnp::ProductRoots> roots;
  for (AmdProduct p : products) {
    roots.push_back(get(p).roots(with_intermediates));
  }
  auto a = sevsnp::TrustAnchors::create(roots);
  if (!a) {
    die("TrustAnchors::create");
  }
  return std::move(*a);
}

crypto::Certificate FakeAmdPki::other_ark() const {
  const crypto::PrivateKey other = load_key(kArkOtherTestOnlyKey);
  return make_cert(CertParams{sevsnp::ark_common_name(product_),
                              nullptr,
                              "",
                              0x10000,
                              kRootNotBefore,
                              kRootNotAfter,
                              true,
                              false,
                              {}},
                   other.public_key(), other);
}

collateral::ChipId test_chip_id() {
  collateral::ChipId id{};
  for (std::size_t i = 0; i < id.size(); ++i) {
    id[i] = static_cast<std::uint8_t>(0xc0 + i);
  }
  return id;
}

std::uint64_t test_tcb(AmdProduct product) {
  collateral::TcbParts parts;
  parts.bootloader = 3;
  parts.tee = 0;
  parts.snp = 8;
  parts.microcode = 115;
  if (product == AmdProduct::kTurin) {
    parts.fmc = 1;
  }
  return collateral::compose_tcb(product, parts);
}

sevsnp::Report default_report(AmdProduct product, std::uint32_t version, std::uint64_t tcb,
                              AmdKeyKind kind) {
  sevsnp::Report r;
  r.version = version;
  r.guest_svn = 2;
  sevsnp::GuestPolicy pol;
  pol.smt = true;
  r.policy = sevsnp::encode_guest_policy(pol);
  r.family_id[0] = 1;
  r.image_id[0] = 2;
  r.vmpl = 0;
  r.signature_algo = sevsnp::kSigAlgoEcdsaP384Sha384;
  r.current_tcb = tcb;
  r.platform_info = 0x25;
  r.signer_info = sevsnp::encode_signer_info(sevsnp::SignerInfo{
      kind == AmdKeyKind::kVcek ? sevsnp::SigningKey::kVcek : sevsnp::SigningKey::kVlek, false,
      false});
  for (std::size_t i = 0; i < r.measurement.size(); ++i) {
    r.measurement[i] = static_cast<std::uint8_t>(0x40 + i);
  }
  for (std::size_t i = 0; i < r.report_id.size(); ++i) {
    r.report_id[i] = static_cast<std::uint8_t>(0x80 + i);
  }
  r.reported_tcb = tcb;
  if (version >= 3) {
    r.cpuid = FakeAmdPki::get(product).cpuid();
  }
  if (kind == AmdKeyKind::kVcek) {
    r.chip_id = test_chip_id();
  }
  r.committed_tcb = tcb;
  r.current_version = {3, 55, 1};
  r.committed_version = {3, 55, 1};
  r.launch_tcb = tcb;
  if (version >= 5) {
    r.launch_mit_vector = 0x0b;
    r.current_mit_vector = 0x0b;
  }
  return r;
}

Bytes sign_report(sevsnp::Report report, const crypto::PrivateKey& key) {
  report.signature_r = {};
  report.signature_s = {};
  const Bytes unsigned_bytes = sevsnp::serialize(report);
  auto der = key.sign(crypto::SigScheme::kEcdsa, crypto::HashAlg::kSha384,
                      ByteSpan(unsigned_bytes).first(sevsnp::kSignedSize));
  if (!der) {
    die("ECDSA sign");
  }
  auto raw = crypto::ecdsa_der_to_raw(*der, 48);
  if (!raw) {
    die("ecdsa_der_to_raw");
  }
  for (std::size_t i = 0; i < 48; ++i) {
    report.signature_r[i] = (*raw)[47 - i];
    report.signature_s[i] = (*raw)[95 - i];
  }
  return sevsnp::serialize(report);
}

}  // namespace vouch::testing
