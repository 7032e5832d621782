#include "crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <string>

#include "crypto/check_ids.h"
#include "crypto/internal.h"
#include "crypto/ossl.h"

namespace vouch::crypto {
namespace {

std::shared_ptr<EVP_PKEY> share(EVP_PKEY* p) {
  return std::shared_ptr<EVP_PKEY>(p, EVP_PKEY_free);
}

const char* curve_group_name(Curve c) noexcept {
  switch (c) {
    case Curve::kP256:
      return "prime256v1";
    case Curve::kP384:
      return "secp384r1";
    case Curve::kP521:
      return "secp521r1";
  }
  return "";
}

std::optional<Curve> curve_from_group(std::string_view g) noexcept {
  if (g == "prime256v1" || g == "P-256" || g == "secp256r1") {
    return Curve::kP256;
  }
  if (g == "secp384r1" || g == "P-384") {
    return Curve::kP384;
  }
  if (g == "secp521r1" || g == "P-521") {
    return Curve::kP521;
  }
  return std::nullopt;
}

// Classifies a decoded EVP_PKEY; rejects key types and curves we do not support.
Result<PublicKey> classify(ossl::Ptr<EVP_PKEY> pkey) {
  const int id = EVP_PKEY_get_base_id(pkey.get());
  if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS || id == EVP_PKEY_EC || id == EVP_PKEY_ED25519) {
    return PublicKey::adopt(pkey.release());
  }
  return fail(ErrorKind::kInvalidArgument, checks::kKeyUnsupported,
              "unsupported public key type " + std::to_string(id));
}

Bytes bn_param(EVP_PKEY* p, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(p, name, &raw) != 1) {
    return {};
  }
  ossl::Ptr<BIGNUM> bn(raw);
  Bytes out(static_cast<std::size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

// Left-pads a big-endian integer to width bytes; fails if it is wider after removing leading zeros.
bool pad_left(ByteSpan in, std::size_t width, Bytes& out) {
  std::size_t skip = 0;
  while (skip < in.size() && in[skip] == 0) {
    ++skip;
  }
  const std::size_t len = in.size() - skip;
  if (len > width) {
    return false;
  }
  out.assign(width - len, 0);
  out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(skip), in.end());
  return true;
}

}  // namespace

std::string_view curve_name(Curve c) noexcept {
  switch (c) {
    case Curve::kP256:
      return "P-256";
    case Curve::kP384:
      return "P-384";
    case Curve::kP521:
      return "P-521";
  }
  return "";
}

std::size_t curve_field_size(Curve c) noexcept {
  switch (c) {
    case Curve::kP256:
      return 32;
    case Curve::kP384:
      return 48;
    case Curve::kP521:
      return 66;
  }
  return 0;
}

PublicKey PublicKey::adopt(EVP_PKEY* pkey) {
  KeyType type = KeyType::kRsa;
  std::optional<Curve> curve;
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_EC: {
      type = KeyType::kEc;
      char group[64] = {};
      std::size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                         &len) == 1) {
        curve = curve_from_group(std::string_view(group, len));
      }
      break;
    }
    case EVP_PKEY_ED25519:
      type = KeyType::kEd25519;
      break;
    default:
      type = KeyType::kRsa;
      break;
  }
  return PublicKey(share(pkey), type, curve);
}

Result<PublicKey> PublicKey::from_der(ByteSpan spki) {
  const unsigned char* p = spki.data();
  ossl::Ptr<EVP_PKEY> pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  if (!pkey) {
    return fail(ossl::take_error(ErrorKind::kInvalidArgument, checks::kKeyParse,
                                 "not a DER SubjectPublicKeyInfo"));
  }
  if (static_cast<std::size_t>(p - spki.data()) != spki.size()) {
    return fail(ErrorKind::kInvalidArgument, checks::kKeyParse,
                "trailing bytes after DER public key");
  }
  VOUCH_TRY(PublicKey key, classify(std::move(pkey)));
  if (key.type() == KeyType::kEc && !key.curve()) {
    return fail(ErrorKind::kInvalidArgument, checks::kKeyUnsupported, "unsupported EC curve");
  }
  return key;
}

Result<PublicKey> PublicKey::from_pem(std::string_view pem) {
  ossl::Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    return fail(ErrorKind::kInternal, checks::kInternal, "BIO_new_mem_buf failed");
  }
  ossl::Ptr<EVP_PKEY> pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) {
    return fail(
        ossl::take_error(ErrorKind::kInvalidArgument, checks::kKeyParse, "not a PEM public key"));
  }
  VOUCH_TRY(PublicKey key, classify(std::move(pkey)));
  if (key.type() == KeyType::kEc && !key.curve()) {
    return fail(ErrorKind::kInvalidArgument, checks::kKeyUnsupported, "unsupported EC curve");
  }
  return key;
}

Result<PublicKey> PublicKey::from_pem_or_der(ByteSpan data) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());  // NOLINT
  if (text.find("-----BEGIN") != std::string_view::npos) {
    return from_pem(text);
  }
  return from_der(data);
}

Result<PublicKey> PublicKey::from_rsa(ByteSpan n, ByteSpan e) {
  if (n.empty() || e.empty()) {
    return fail(ErrorKind::kInvalidArgument, checks::kKeyParse, "empty RSA modulus or exponent");
  }
  ossl::Ptr<BIGNUM> bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  ossl::Ptr<BIGNUM> bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
  ossl::Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "building RSA params"));
  }
  ossl::Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return fail(
        ossl::take_error(ErrorKind::kInvalidArgument, checks::kKeyParse, "invalid RSA public key"));
  }
  return adopt(raw);
}

Result<PublicKey> PublicKey::from_ec_point(Curve curve, ByteSpan x, ByteSpan y) {
  const std::size_t width = curve_field_size(curve);
  Bytes px, py;
  if (!pad_left(x, width, px) || !pad_left(y, width, py)) {
    return fail(ErrorKind::kInvalidArgument, checks::kKeyParse,
                "EC coordinate longer than the " + std::string(curve_name(curve)) + " field");
  }
  Bytes point;
  point.reserve(1 + 2 * width);
  point.push_back(0x04);
  append(point, px);
  append(point, py);
  ossl::Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      curve_group_name(curve), 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "building EC params"));
  }
  ossl::Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInvalidArgument, checks::kKeyParse,
                                 "EC point is not on the curve"));
  }
  PublicKey key = adopt(raw);
  // fromdata does not always validate the point; do it explicitly.
  ossl::Ptr<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInvalidArgument, checks::kKeyParse,
                                 "EC point is not on the curve"));
  }
  return key;
}

Result<PublicKey> PublicKey::from_ed25519(ByteSpan raw) {
  if (raw.size() != 32) {
    return fail(ErrorKind::kInvalidArgument, checks::kKeyParse, "Ed25519 key must be 32 bytes");
  }
  EVP_PKEY* p = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size());
  if (p == nullptr) {
    return fail(
        ossl::take_error(ErrorKind::kInvalidArgument, checks::kKeyParse, "bad Ed25519 key"));
  }
  return adopt(p);
}

int PublicKey::bits() const noexcept {
  return EVP_PKEY_get_bits(pkey_.get());
}

Bytes PublicKey::spki_der() const {
  unsigned char* buf = nullptr;
  const int len = i2d_PUBKEY(pkey_.get(), &buf);
  if (len <= 0) {
    return {};
  }
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

std::string PublicKey::pem() const {
  ossl::Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) {
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Bytes PublicKey::rsa_modulus() const {
  return type_ == KeyType::kRsa ? bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_N) : Bytes{};
}
Bytes PublicKey::rsa_exponent() const {
  return type_ == KeyType::kRsa ? bn_param(pkey_.get(), OSSL_PKEY_PARAM_RSA_E) : Bytes{};
}

Bytes PublicKey::ec_x() const {
  if (type_ == KeyType::kEd25519) {
    Bytes raw(32);
    std::size_t len = raw.size();
    if (EVP_PKEY_get_raw_public_key(pkey_.get(), raw.data(), &len) != 1) {
      return {};
    }
    return raw;
  }
  if (type_ != KeyType::kEc || !curve_) {
    return {};
  }
  Bytes out;
  return pad_left(bn_param(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_X), curve_field_size(*curve_), out)
             ? out
             : Bytes{};
}

Bytes PublicKey::ec_y() const {
  if (type_ != KeyType::kEc || !curve_) {
    return {};
  }
  Bytes out;
  return pad_left(bn_param(pkey_.get(), OSSL_PKEY_PARAM_EC_PUB_Y), curve_field_size(*curve_), out)
             ? out
             : Bytes{};
}

bool PublicKey::equals(const PublicKey& other) const {
  return EVP_PKEY_eq(pkey_.get(), other.pkey_.get()) == 1;
}

// --- private keys ---

Result<PrivateKey> PrivateKey::generate_ec(Curve curve) {
  // EVP_EC_gen's macro casts away const; call what it expands to with a mutable name instead.
  std::string group = curve_group_name(curve);
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group.data());
  if (raw == nullptr) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "EC key generation"));
  }
  return PrivateKey(share(raw));
}

Result<PrivateKey> PrivateKey::generate_rsa(int bits) {
  EVP_PKEY* raw = EVP_RSA_gen(static_cast<unsigned int>(bits));
  if (raw == nullptr) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "RSA key generation"));
  }
  return PrivateKey(share(raw));
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  ossl::Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::Ptr<EVP_PKEY> pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                               : nullptr);
  if (!pkey) {
    return fail(
        ossl::take_error(ErrorKind::kInvalidArgument, checks::kKeyParse, "not a PEM private key"));
  }
  return PrivateKey(share(pkey.release()));
}

PublicKey PrivateKey::public_key() const {
  // Round-trip through SPKI so the public object holds no private material.
  unsigned char* buf = nullptr;
  const int len = i2d_PUBKEY(pkey_.get(), &buf);
  const unsigned char* p = buf;
  EVP_PKEY* pub = len > 0 ? d2i_PUBKEY(nullptr, &p, len) : nullptr;
  OPENSSL_free(buf);
  if (pub == nullptr) {
    std::abort();  // invariant: a key we hold always has an encodable public half
  }
  return PublicKey::adopt(pub);
}

std::string PrivateKey::pem() const {
  ossl::Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Result<Bytes> PrivateKey::sign(SigScheme scheme, HashAlg hash, ByteSpan msg) const {
  ossl::Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = scheme == SigScheme::kEd25519 ? nullptr : internal::evp_md(hash);
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, pkey_.get()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "sign init"));
  }
  if (scheme == SigScheme::kRsaPss) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1) {
      return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "PSS parameters"));
    }
  }
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, msg.data(), msg.size()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "sign size"));
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, msg.data(), msg.size()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "sign"));
  }
  sig.resize(len);
  return sig;
}

// --- verification ---

Status verify_signature(const PublicKey& key, SigScheme scheme, HashAlg hash, ByteSpan msg,
                        ByteSpan sig) {
  const bool rsa_scheme = scheme == SigScheme::kRsaPkcs1v15 || scheme == SigScheme::kRsaPss;
  if ((rsa_scheme && key.type() != KeyType::kRsa) ||
      (scheme == SigScheme::kEcdsa && key.type() != KeyType::kEc) ||
      (scheme == SigScheme::kEd25519 && key.type() != KeyType::kEd25519)) {
    return fail(ErrorKind::kEvidenceRejected, checks::kSignatureFormat,
                "signature scheme does not match the key type");
  }
  ossl::Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = scheme == SigScheme::kEd25519 ? nullptr : internal::evp_md(hash);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key.get()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "verify init"));
  }
  if (scheme == SigScheme::kRsaPss) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1) {
      return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "PSS parameters"));
    }
  } else if (scheme == SigScheme::kRsaPkcs1v15) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
      return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "PKCS#1 padding"));
    }
  }
  const int rc = EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), msg.data(), msg.size());
  if (rc != 1) {
    ossl::drain_errors();
    return fail(ErrorKind::kEvidenceRejected, checks::kSignature, "signature does not verify");
  }
  return ok();
}

Result<Bytes> ecdsa_rs_to_der(ByteSpan r, ByteSpan s) {
  if (r.empty() || s.empty() || r.size() > 66 || s.size() > 66) {
    return fail(ErrorKind::kEvidenceRejected, checks::kSignatureFormat,
                "ECDSA r or s has an invalid length");
  }
  ossl::Ptr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* br = BN_bin2bn(r.data(), static_cast<int>(r.size()), nullptr);
  BIGNUM* bs = BN_bin2bn(s.data(), static_cast<int>(s.size()), nullptr);
  if (!sig || br == nullptr || bs == nullptr || ECDSA_SIG_set0(sig.get(), br, bs) != 1) {
    BN_free(br);
    BN_free(bs);
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "ECDSA_SIG_set0"));
  }
  unsigned char* buf = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &buf);
  if (len <= 0) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "i2d_ECDSA_SIG"));
  }
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

Result<Bytes> ecdsa_raw_le_to_der(ByteSpan r_le, ByteSpan s_le) {
  Bytes r(r_le.rbegin(), r_le.rend());
  Bytes s(s_le.rbegin(), s_le.rend());
  return ecdsa_rs_to_der(r, s);
}

Result<Bytes> ecdsa_der_to_raw(ByteSpan der, std::size_t field_size) {
  const unsigned char* p = der.data();
  ossl::Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || static_cast<std::size_t>(p - der.data()) != der.size()) {
    return fail(ErrorKind::kInvalidArgument, checks::kSignatureFormat, "bad DER ECDSA signature");
  }
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  Bytes out(2 * field_size);
  if (BN_bn2binpad(r, out.data(), static_cast<int>(field_size)) < 0 ||
      BN_bn2binpad(s, out.data() + field_size, static_cast<int>(field_size)) < 0) {
    return fail(ErrorKind::kInvalidArgument, checks::kSignatureFormat,
                "ECDSA value wider than the field");
  }
  return out;
}

Result<Bytes> random_bytes(std::size_t n) {
  Bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kRandom, "RAND_bytes"));
  }
  return out;
}

}  // namespace vouch::crypto
