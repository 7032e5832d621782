#include "token/signer.h"

#include <openssl/crypto.h>
#include <openssl/x509v3.h>

#include <array>
#include <limits>

#include "base/encoding.h"
#include "crypto/aead.h"
#include "crypto/jwk.h"
#include "crypto/ossl.h"
#include "jose/compact.h"
#include "jose/signature.h"
#include "token/check_ids.h"

namespace vouch::token {
namespace {

Error generate_error(std::string what) {
  return ossl::take_error(ErrorKind::kInternal, checks::kKeyGenerate, std::move(what));
}

bool add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  const bool ok = ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool set_name(X509_NAME* name, const std::string& cn) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(cn.c_str());  // NOLINT: OpenSSL API
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, bytes, -1, -1, 0) == 1;
}

// A fixed message signed and verified at start-up.
constexpr std::string_view kSelfTestInput = "vouch token signer self-test";

nlohmann::json sealed_metadata(std::string_view alg, std::string_view kid,
                               const nlohmann::json& x5c) {
  return {{"v", 1}, {"alg", alg}, {"kid", kid}, {"x5c", x5c}};
}

}  // namespace

Result<crypto::Certificate> issue_certificate(const crypto::PublicKey& subject,
                                              const crypto::PrivateKey& signer,
                                              const CertificateOptions& options) {
  if (options.common_name.empty() || options.not_after <= options.not_before) {
    return fail(ErrorKind::kInvalidArgument, checks::kKeyGenerate,
                "a certificate needs a common name and a validity window");
  }
  VOUCH_TRY(Bytes serial, crypto::random_bytes(16));
  serial[0] = static_cast<std::uint8_t>((serial[0] & 0x7f) | 0x01);  // positive, full length
  ossl::Ptr<X509> cert(X509_new());
  ossl::Ptr<BIGNUM> bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  if (!cert || !bn || X509_set_version(cert.get(), 2) != 1 ||
      BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      !set_name(X509_get_subject_name(cert.get()), options.common_name)) {
    return fail(generate_error("certificate fields"));
  }
  X509* issuer_x = options.issuer != nullptr ? options.issuer->get() : cert.get();
  ossl::Ptr<ASN1_TIME> nb(
      ASN1_TIME_set(nullptr, static_cast<time_t>(unix_seconds(options.not_before))));
  ossl::Ptr<ASN1_TIME> na(
      ASN1_TIME_set(nullptr, static_cast<time_t>(unix_seconds(options.not_after))));
  if (!nb || !na || X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_x)) != 1 ||
      X509_set1_notBefore(cert.get(), nb.get()) != 1 ||
      X509_set1_notAfter(cert.get(), na.get()) != 1 ||
      X509_set_pubkey(cert.get(), subject.get()) != 1 ||
      !add_extension(cert.get(), issuer_x, NID_basic_constraints, "critical,CA:FALSE") ||
      !add_extension(cert.get(), issuer_x, NID_key_usage, "critical,digitalSignature") ||
      !add_extension(cert.get(), issuer_x, NID_subject_key_identifier, "hash") ||
      (options.issuer != nullptr &&
       !add_extension(cert.get(), issuer_x, NID_authority_key_identifier, "keyid:always"))) {
    return fail(generate_error("certificate extensions"));
  }
  if (!options.subject_alt_names.empty()) {
    std::string san;
    for (const std::string& name : options.subject_alt_names) {
      san += (san.empty() ? "" : ",") + name;
    }
    if (!add_extension(cert.get(), issuer_x, NID_subject_alt_name, san.c_str())) {
      return fail(generate_error("subject alternative names"));
    }
  }
  const crypto::PublicKey signer_pub = signer.public_key();
  const EVP_MD* md =
      signer_pub.type() == crypto::KeyType::kEc && signer_pub.curve() == crypto::Curve::kP384
          ? EVP_sha384()
          : EVP_sha256();
  if (X509_sign(cert.get(), signer.get(), md) <= 0) {
    return fail(generate_error("certificate signature"));
  }
  return crypto::Certificate::adopt(cert.release());
}

Result<SigningKey> generate_signing_key(jose::JwsAlg alg, const CertificateOptions& options) {
  auto key = [&]() -> Result<crypto::PrivateKey> {
    switch (alg) {
      case jose::JwsAlg::kEs256:
        return crypto::PrivateKey::generate_ec(crypto::Curve::kP256);
      case jose::JwsAlg::kEs384:
        return crypto::PrivateKey::generate_ec(crypto::Curve::kP384);
      case jose::JwsAlg::kRs256:
      case jose::JwsAlg::kPs256:
        return crypto::PrivateKey::generate_rsa(2048);
    }
    return crypto::PrivateKey::generate_ec(crypto::Curve::kP256);
  }();
  if (!key) {
    return fail(ErrorKind::kInternal, checks::kKeyGenerate, key.error().to_string());
  }
  const crypto::PublicKey pub = key->public_key();
  const crypto::PrivateKey& signer =
      options.issuer != nullptr && options.issuer_key != nullptr ? *options.issuer_key : *key;
  if (options.issuer != nullptr && options.issuer_key == nullptr) {
    return fail(ErrorKind::kInvalidArgument, checks::kKeyGenerate,
                "a CA-issued certificate needs the issuer's key");
  }
  VOUCH_TRY(crypto::Certificate cert, issue_certificate(pub, signer, options));
  std::vector<crypto::Certificate> chain{std::move(cert)};
  if (options.issuer != nullptr) {
    chain.push_back(*options.issuer);
  }
  return SigningKey{alg, crypto::jwk_thumbprint(pub), std::move(*key), std::move(chain)};
}

Result<std::unique_ptr<LocalSigner>> LocalSigner::create(SigningKey key) {
  const crypto::PublicKey pub = key.key.public_key();
  if (!jose::key_fits_jws_alg(pub, key.alg)) {
    return fail(ErrorKind::kInvalidArgument, checks::kKeyFit,
                "the signing key cannot sign " + std::string(jose::jws_alg_name(key.alg)));
  }
  if (key.kid.empty()) {
    return fail(ErrorKind::kInvalidArgument, checks::kKeyFit, "the signing key has no kid");
  }
  if (!key.chain.empty()) {
    auto leaf_key = key.chain.front().public_key();
    if (!leaf_key || !leaf_key->equals(pub)) {
      return fail(ErrorKind::kInvalidArgument, checks::kKeyFit,
                  "the certificate does not hold the signing key");
    }
  }
  jose::Jwk jwk{pub, key.kid, std::string(jose::jws_alg_name(key.alg)), "sig", key.chain};
  // The self-test goes through the same JWS path a token does, and verifies independently of it.
  jose::JwkSet self;
  self.keys.push_back(jwk);
  auto token =
      jose::jws_sign_compact(key.alg, nlohmann::json::object(), as_bytes(kSelfTestInput), key.key);
  if (!token) {
    return fail(ErrorKind::kFailedPrecondition, checks::kSelfTest, token.error().to_string());
  }
  jose::VerifyOptions only_this;
  only_this.allowed_algs = {key.alg};
  auto verified = jose::jws_verify_compact(*token, self, only_this);
  if (!verified) {
    return fail(ErrorKind::kFailedPrecondition, checks::kSelfTest, verified.error().to_string());
  }
  return std::unique_ptr<LocalSigner>(new LocalSigner(std::move(key), std::move(jwk)));
}

Result<Bytes> LocalSigner::sign(ByteSpan signing_input) const {
  return jose::jws_signature(key_.alg, key_.key, jwk_.key, signing_input)
      .map_error(retag(checks::kSign));
}

Result<std::string> seal_signing_key(const SigningKey& key, ByteSpan kek) {
  nlohmann::json x5c = nlohmann::json::array();
  for (const crypto::Certificate& c : key.chain) {
    x5c.push_back(base64_encode(c.der()));
  }
  nlohmann::json doc = sealed_metadata(jose::jws_alg_name(key.alg), key.kid, x5c);
  VOUCH_TRY(const std::string aad, jose::canonical_json(doc, checks::kSealedKey));
  std::string pem = key.key.pem();
  auto sealed = crypto::aes256_gcm_seal(kek, as_bytes(pem), as_bytes(aad));
  OPENSSL_cleanse(pem.data(), pem.size());
  VOUCH_TRY(const crypto::AeadSealed box, std::move(sealed));
  doc["iv"] = base64url_encode(box.nonce);
  doc["ct"] = base64url_encode(box.ciphertext);
  doc["tag"] = base64url_encode(box.tag);
  return jose::canonical_json(doc, checks::kSealedKey);
}

Result<SigningKey> unseal_signing_key(std::string_view sealed, ByteSpan kek) {
  const auto bad = [](std::string what) {
    return fail(ErrorKind::kInvalidArgument, checks::kSealedKey, std::move(what));
  };
  VOUCH_TRY(
      const nlohmann::json doc,
      jose::parse_json_strict(sealed, checks::kSealedKey, "sealed key", 8).map_error([](Error e) {
        e.kind = ErrorKind::kInvalidArgument;
        return e;
      }));
  if (!doc.is_object() || doc.value("v", 0) != 1 || !doc["alg"].is_string() ||
      !doc["kid"].is_string() || !doc["x5c"].is_array()) {
    return bad("not a version 1 sealed signing key");
  }
  const auto alg = jose::jws_alg_from_name(doc["alg"].get<std::string>());
  if (!alg) {
    return bad("unknown algorithm in the sealed key");
  }
  std::array<Bytes, 3> parts;
  const std::array<const char*, 3> names = {"iv", "ct", "tag"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto it = doc.find(names[i]);
    auto decoded = base64url_decode(it != doc.end() && it->is_string() ? it->get<std::string>()
                                                                       : std::string("!"));
    if (!decoded) {
      return bad(std::string("sealed key member '") + names[i] + "' is missing or malformed");
    }
    parts[i] = std::move(*decoded);
  }
  std::vector<crypto::Certificate> chain;
  for (const auto& c : doc["x5c"]) {
    auto der = base64_decode(c.is_string() ? c.get<std::string>() : std::string("!"));
    auto cert = crypto::Certificate::from_der(der.value_or(Bytes{}));
    if (!der || !cert) {
      return bad("sealed key certificate chain is malformed");
    }
    chain.push_back(std::move(*cert));
  }
  const nlohmann::json meta =
      sealed_metadata(doc["alg"].get<std::string>(), doc["kid"].get<std::string>(), doc["x5c"]);
  VOUCH_TRY(const std::string aad, jose::canonical_json(meta, checks::kSealedKey));
  auto pem = crypto::aes256_gcm_open(kek, parts[0], parts[1], parts[2], as_bytes(aad));
  if (!pem) {
    return fail(ErrorKind::kInvalidArgument, checks::kUnseal,
                "cannot open the sealed key: " + pem.error().detail);
  }
  auto key = crypto::PrivateKey::from_pem(
      std::string_view(reinterpret_cast<const char*>(pem->data()), pem->size()));  // NOLINT
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!key) {
    return bad("the sealed private key does not parse");
  }
  return SigningKey{*alg, doc["kid"].get<std::string>(), std::move(*key), std::move(chain)};
}

}  // namespace vouch::token
