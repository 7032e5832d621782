#include "jose/encryption.h"

#include <jansson.h>
// The JOSE library's headers have no extern "C" guards of their own.
extern "C" {
#include <jose/jwe.h>
#include <jose/openssl.h>
}
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>

#include "base/encoding.h"
#include "crypto/jwk.h"
#include "crypto/kdf.h"
#include "crypto/ossl.h"
#include "jose/check_ids.h"

namespace vouch::jose {
namespace {

// Ownership of the JOSE library's jansson values and buffers (same rule as ossl::Ptr).
struct JsonDecref {
  void operator()(json_t* j) const noexcept { json_decref(j); }
};
using JsonPtr = std::unique_ptr<json_t, JsonDecref>;

// A plaintext or key buffer the library malloc()ed: cleansed, then freed.
struct Cleansed {
  std::size_t size = 0;
  void operator()(void* p) const noexcept {
    if (p != nullptr) {
      OPENSSL_cleanse(p, size);
      std::free(p);  // NOLINT: the library allocates with malloc
    }
  }
};

constexpr std::size_t kCekSize = 32;                   // A256GCM
constexpr std::size_t kWrappedCekSize = kCekSize + 8;  // AES key wrap adds one 64-bit block
constexpr std::size_t kIvSize = 12;
constexpr std::size_t kTagSize = 16;

Error encrypt_error(std::string what) {
  return Error{ErrorKind::kInternal, checks::kJweEncrypt, std::move(what)};
}

Result<JsonPtr> to_jansson(const nlohmann::json& value, CheckId check) {
  VOUCH_TRY(const std::string text, canonical_json(value, check));
  json_error_t err;
  JsonPtr out(json_loadb(text.data(), text.size(), 0, &err));
  if (!out) {
    return fail(ErrorKind::kInternal, check, std::string("jansson: ") + err.text);
  }
  return out;
}

JsonPtr oct_jwk(ByteSpan cek) {
  const std::string k = base64url_encode(cek);
  return JsonPtr(json_pack("{s:s,s:s}", "kty", "oct", "k", k.c_str()));
}

// RSA-OAEP with SHA-256 and MGF1-SHA-256 (RFC 7518 section 4.3). A failed decryption yields a
// random CEK instead of an error (RFC 3218 section 2.3.2), so the caller fails later at the
// authentication tag in the same way as for any other tampering.
Bytes rsa_oaep256_unwrap(const crypto::PrivateKey& key, ByteSpan wrapped) {
  Bytes cek(kCekSize);
  std::size_t len = cek.size();
  ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  const bool ok = ctx && EVP_PKEY_decrypt_init(ctx.get()) == 1 &&
                  EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) == 1 &&
                  EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) == 1 &&
                  EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) == 1 &&
                  EVP_PKEY_decrypt(ctx.get(), nullptr, &len, wrapped.data(), wrapped.size()) == 1;
  Bytes out(ok ? len : 0);
  std::size_t out_len = out.size();
  if (ok &&
      EVP_PKEY_decrypt(ctx.get(), out.data(), &out_len, wrapped.data(), wrapped.size()) == 1 &&
      out_len == kCekSize) {
    std::copy(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(kCekSize), cek.begin());
  } else {
    ossl::drain_errors();
    auto random = crypto::random_bytes(kCekSize);
    if (random) {
      cek = std::move(*random);
    }
  }
  if (!out.empty()) {
    OPENSSL_cleanse(out.data(), out.size());
  }
  return cek;
}

Status check_extra_header(const nlohmann::json& extra) {
  if (!extra.is_object()) {
    return fail(ErrorKind::kInvalidArgument, checks::kJweEncrypt,
                "the extra JWE header must be an object");
  }
  for (const char* reserved : {"alg", "enc", "epk", "zip", "crit", "apu", "apv"}) {
    if (extra.contains(reserved)) {
      return fail(ErrorKind::kInvalidArgument, checks::kJweEncrypt,
                  std::string("the extra JWE header may not set '") + reserved + "'");
    }
  }
  return ok();
}

// Builds the compact form from the flattened JSON JWE the library produced.
Result<std::string> compact_from(const json_t* jwe) {
  if (json_object_get(jwe, "header") != nullptr || json_object_get(jwe, "unprotected") != nullptr) {
    return fail(encrypt_error("the library left an unprotected header"));
  }
  const std::array<const char*, 5> members = {"protected", "encrypted_key", "iv", "ciphertext",
                                              "tag"};
  std::string out;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const json_t* v = json_object_get(jwe, members[i]);
    if (!json_is_string(v)) {
      return fail(encrypt_error(std::string("the library produced no '") + members[i] + "'"));
    }
    if (i > 0) {
      out += '.';
    }
    out += json_string_value(v);
  }
  return out;
}

// ECDH-ES+A256KW through the library: wrap first, then move the generated "epk" from the
// per-recipient header into the protected header before the content is encrypted, so that it is
// covered by the AAD and fits the compact serialization.
Result<std::string> encrypt_ecdh(const crypto::PublicKey& recipient, json_t* jwe,
                                 ByteSpan plaintext) {
  JsonPtr jwk(jose_openssl_jwk_from_EVP_PKEY(nullptr, recipient.get()));
  JsonPtr rcp(json_object());
  JsonPtr cek(json_object());
  if (!jwk || !rcp || !cek || !jose_jwe_enc_jwk(nullptr, jwe, rcp.get(), jwk.get(), cek.get())) {
    return fail(encrypt_error("ECDH-ES+A256KW key wrap failed"));
  }
  json_t* prot = json_object_get(jwe, "protected");
  json_t* hdr = json_object_get(jwe, "header");
  if (!json_is_object(prot) || (hdr != nullptr && json_object_update(prot, hdr) != 0) ||
      (hdr != nullptr && json_object_del(jwe, "header") != 0) ||
      json_object_get(prot, "epk") == nullptr) {
    return fail(encrypt_error("cannot move the ephemeral key into the protected header"));
  }
  if (!jose_jwe_enc_cek(nullptr, jwe, cek.get(), plaintext.data(), plaintext.size())) {
    return fail(encrypt_error("A256GCM content encryption failed"));
  }
  return compact_from(jwe);
}

// RSA-OAEP-256: the CEK is wrapped here and handed to the library for A256GCM.
Result<std::string> encrypt_rsa(const crypto::PublicKey& recipient, json_t* jwe,
                                ByteSpan plaintext) {
  VOUCH_TRY(Bytes cek, crypto::random_bytes(kCekSize).map_error(retag(checks::kJweEncrypt)));
  auto wrapped = crypto::rsa_oaep_encrypt(recipient, crypto::HashAlg::kSha256, {}, cek);
  JsonPtr cek_jwk = oct_jwk(cek);
  OPENSSL_cleanse(cek.data(), cek.size());
  if (!wrapped) {
    Error e = std::move(wrapped).error();
    e.check = checks::kJweEncrypt;
    return fail(std::move(e));
  }
  const std::string ek = base64url_encode(*wrapped);
  if (!cek_jwk || json_object_set_new(jwe, "encrypted_key", json_string(ek.c_str())) != 0 ||
      !jose_jwe_enc_cek(nullptr, jwe, cek_jwk.get(), plaintext.data(), plaintext.size())) {
    return fail(encrypt_error("A256GCM content encryption failed"));
  }
  return compact_from(jwe);
}

Result<JweAlg> header_alg(const nlohmann::json& header, const crypto::PublicKey& key,
                          const JweDecryptOptions& options) {
  const auto alg_it = header.find("alg");
  if (alg_it == header.end() || !alg_it->is_string()) {
    return malformed(checks::kHeaderAlg, "the JWE header has no string \"alg\"");
  }
  const std::string name = alg_it->get<std::string>();
  const auto alg = jwe_alg_from_name(name);
  if (!alg ||
      std::find(options.allowed_algs.begin(), options.allowed_algs.end(), *alg) ==
          options.allowed_algs.end() ||
      jwe_alg_for_key(key) != alg) {
    return rejected(checks::kJweAlg, "JWE algorithm \"" + name + "\" is not allowed for this key");
  }
  return *alg;
}

Status check_header(const nlohmann::json& header, const crypto::PublicKey& key, JweAlg alg) {
  const auto enc = header.find("enc");
  if (enc == header.end() || *enc != kJweEncA256Gcm) {
    return rejected(checks::kJweEnc, "JWE \"enc\" must be A256GCM");
  }
  if (header.contains("zip") || header.contains("crit")) {
    return rejected(checks::kJweHeader, "JWE \"zip\" and \"crit\" are not supported");
  }
  if (alg != JweAlg::kEcdhEsA256kw) {
    return ok();
  }
  const auto epk = header.find("epk");
  if (epk == header.end() || !epk->is_object() || epk->contains("d")) {
    return rejected(checks::kJweHeader, "JWE \"epk\" is missing or not a public JWK");
  }
  auto ephemeral = crypto::public_key_from_jwk(*epk);
  if (!ephemeral || ephemeral->type() != crypto::KeyType::kEc ||
      ephemeral->curve() != key.curve()) {
    return rejected(checks::kJweHeader, "JWE \"epk\" is not a valid point on the key's curve");
  }
  return ok();
}

Status check_lengths(const JweCompact& parts, const crypto::PublicKey& key, JweAlg alg) {
  if (parts.iv.size() != kIvSize || parts.tag.size() != kTagSize) {
    return rejected(checks::kJweParams, "A256GCM needs a 12-byte IV and a 16-byte tag");
  }
  const std::size_t want =
      alg == JweAlg::kEcdhEsA256kw ? kWrappedCekSize : static_cast<std::size_t>(key.bits() + 7) / 8;
  if (parts.encrypted_key.size() != want) {
    return rejected(checks::kJweParams, "the encrypted key must be " + std::to_string(want) +
                                            " bytes, got " +
                                            std::to_string(parts.encrypted_key.size()));
  }
  return ok();
}

}  // namespace

Result<std::string> jwe_encrypt_compact(const crypto::PublicKey& recipient, ByteSpan plaintext,
                                        const nlohmann::json& extra_header,
                                        std::optional<JweAlg> alg) {
  VOUCH_RETURN_IF_ERROR(check_extra_header(extra_header));
  if (plaintext.empty()) {
    // The library's decryption cannot hand back an empty plaintext; a secret is never empty.
    return fail(ErrorKind::kInvalidArgument, checks::kJweEncrypt, "nothing to encrypt");
  }
  const auto key_alg = jwe_alg_for_key(recipient);
  if (!key_alg || (alg && *alg != *key_alg)) {
    return fail(ErrorKind::kInvalidArgument, checks::kJweAlg,
                "no supported JWE key management for this recipient key");
  }
  nlohmann::json header = extra_header;
  header["alg"] = std::string(jwe_alg_name(*key_alg));
  header["enc"] = std::string(kJweEncA256Gcm);
  VOUCH_TRY(JsonPtr prot, to_jansson(header, checks::kJweEncrypt));
  JsonPtr jwe(json_object());
  if (!jwe || json_object_set(jwe.get(), "protected", prot.get()) != 0) {
    return fail(encrypt_error("out of memory"));
  }
  switch (*key_alg) {
    case JweAlg::kEcdhEsA256kw:
      return encrypt_ecdh(recipient, jwe.get(), plaintext);
    case JweAlg::kRsaOaep256:
      return encrypt_rsa(recipient, jwe.get(), plaintext);
  }
  return fail(encrypt_error("unreachable"));
}

Result<DecryptedJwe> jwe_decrypt_compact(std::string_view jwe, const crypto::PrivateKey& key,
                                         const JweDecryptOptions& options) {
  VOUCH_TRY(JweCompact parts, parse_jwe_compact(jwe, options.limits));
  const crypto::PublicKey pub = key.public_key();
  VOUCH_TRY(const JweAlg alg, header_alg(parts.header, pub, options));
  VOUCH_RETURN_IF_ERROR(check_header(parts.header, pub, alg));
  VOUCH_RETURN_IF_ERROR(check_lengths(parts, pub, alg));

  JsonPtr flat(json_pack("{s:s,s:s,s:s,s:s,s:s}", "protected", parts.header_b64.c_str(),
                         "encrypted_key", base64url_encode(parts.encrypted_key).c_str(), "iv",
                         base64url_encode(parts.iv).c_str(), "ciphertext",
                         base64url_encode(parts.ciphertext).c_str(), "tag",
                         base64url_encode(parts.tag).c_str()));
  if (!flat) {
    return fail(ErrorKind::kInternal, checks::kJweDecrypt, "out of memory");
  }
  JsonPtr cek;
  if (alg == JweAlg::kEcdhEsA256kw) {
    JsonPtr jwk(jose_openssl_jwk_from_EVP_PKEY(nullptr, key.get()));
    if (jwk) {
      cek.reset(jose_jwe_dec_jwk(nullptr, flat.get(), nullptr, jwk.get()));
    }
  } else {
    Bytes raw = rsa_oaep256_unwrap(key, parts.encrypted_key);
    cek = oct_jwk(raw);
    OPENSSL_cleanse(raw.data(), raw.size());
  }
  std::size_t len = 0;
  void* plain =
      cek ? jose_jwe_dec_cek(nullptr, flat.get(), cek.get(), &len) : static_cast<void*>(nullptr);
  std::unique_ptr<void, Cleansed> owned(plain, Cleansed{len});
  if (!owned) {
    return rejected(checks::kJweDecrypt, "the JWE does not decrypt with this key");
  }
  const ByteSpan view(static_cast<const std::uint8_t*>(owned.get()), len);
  return DecryptedJwe{std::move(parts.header), to_bytes(view), alg};
}

}  // namespace vouch::jose
