#include "jose/encryption.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "base/encoding.h"
#include "crypto/aead.h"
#include "crypto/jwk.h"
#include "crypto/kdf.h"
#include "crypto/ossl.h"
#include "jose/check_ids.h"
#include "testing/matchers.h"
#include "tests/jose/test_keys.h"

namespace vouch::jose {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

const std::string kSecret = "the TEE's database password";

const crypto::PrivateKey& rsa_key() {
  return test::key_for(JwsAlg::kRs256);
}

std::vector<std::string> segments(const std::string& jwe) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t dot = jwe.find('.'); dot != std::string::npos; dot = jwe.find('.', start)) {
    out.push_back(jwe.substr(start, dot - start));
    start = dot + 1;
  }
  out.push_back(jwe.substr(start));
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out += (i ? "." : "") + parts[i];
  }
  return out;
}

// Independent decryption of the content with crypto::aead (AAD = the protected header segment).
std::string open_content(const std::vector<std::string>& parts, const Bytes& cek) {
  auto plain = crypto::aes256_gcm_open(cek, base64url_decode(parts[2]).value(),
                                       base64url_decode(parts[3]).value(),
                                       base64url_decode(parts[4]).value(), as_bytes(parts[0]));
  EXPECT_THAT(plain, Succeeds());
  return plain ? std::string(plain->begin(), plain->end()) : std::string();
}

// Independent ECDH-ES+A256KW unwrap (RFC 7518 4.6: Concat KDF with SHA-256, then RFC 3394).
Bytes ecdh_es_a256kw_cek(const crypto::PrivateKey& key, const nlohmann::json& header,
                         const Bytes& wrapped) {
  const crypto::PublicKey epk = crypto::public_key_from_jwk(header["epk"]).value();
  const Bytes z = crypto::ecdh_shared_x(key, epk).value();
  const std::string alg = "ECDH-ES+A256KW";
  crypto::Hasher h(crypto::HashAlg::kSha256);
  const auto be32 = [](std::uint32_t v) {
    return Bytes{static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                 static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  };
  h.update(be32(1)).update(z).update(be32(static_cast<std::uint32_t>(alg.size())));
  h.update(as_bytes(alg)).update(be32(0)).update(be32(0)).update(be32(256));
  const Bytes kek = h.finish();
  ossl::Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  Bytes cek(wrapped.size());
  int len = 0;
  EXPECT_EQ(EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_wrap(), nullptr, kek.data(), nullptr), 1);
  EXPECT_EQ(EVP_DecryptUpdate(ctx.get(), cek.data(), &len, wrapped.data(),
                              static_cast<int>(wrapped.size())),
            1);
  cek.resize(static_cast<std::size_t>(len));
  return cek;
}

Bytes rsa_oaep256_cek(const crypto::PrivateKey& key, const Bytes& wrapped) {
  ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  EXPECT_EQ(EVP_PKEY_decrypt_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()), 1);
  Bytes cek(wrapped.size());
  std::size_t len = cek.size();
  EXPECT_EQ(EVP_PKEY_decrypt(ctx.get(), cek.data(), &len, wrapped.data(), wrapped.size()), 1);
  cek.resize(len);
  return cek;
}

struct Case {
  const char* name;
  const crypto::PrivateKey* key;
  JweAlg alg;
};

class EveryKey : public ::testing::TestWithParam<Case> {};

TEST_P(EveryKey, RoundTripsWithEverythingInTheProtectedHeader) {
  const crypto::PrivateKey& key = *GetParam().key;
  auto jwe = jwe_encrypt_compact(key.public_key(), as_bytes(kSecret), {{"kid", "tee-key"}});
  ASSERT_THAT(jwe, Succeeds());
  const auto parts = segments(*jwe);
  ASSERT_EQ(parts.size(), 5u);
  const nlohmann::json header = nlohmann::json::parse(base64url_decode(parts[0]).value());
  EXPECT_EQ(header["alg"], jwe_alg_name(GetParam().alg));
  EXPECT_EQ(header["enc"], "A256GCM");
  EXPECT_EQ(header["kid"], "tee-key");
  EXPECT_EQ(header.contains("epk"), GetParam().alg == JweAlg::kEcdhEsA256kw);

  auto plain = jwe_decrypt_compact(*jwe, key);
  ASSERT_THAT(plain, Succeeds());
  EXPECT_EQ(std::string(plain->plaintext.begin(), plain->plaintext.end()), kSecret);
  EXPECT_EQ(plain->alg, GetParam().alg);
  EXPECT_EQ(plain->header["kid"], "tee-key");

  // An independent implementation recovers the same plaintext.
  const Bytes wrapped = base64url_decode(parts[1]).value();
  const Bytes cek = GetParam().alg == JweAlg::kEcdhEsA256kw
                        ? ecdh_es_a256kw_cek(key, header, wrapped)
                        : rsa_oaep256_cek(key, wrapped);
  ASSERT_EQ(cek.size(), 32u);
  EXPECT_EQ(open_content(parts, cek), kSecret);
}

TEST_P(EveryKey, RejectsTamperingWithAnySegment) {
  const crypto::PrivateKey& key = *GetParam().key;
  const std::string jwe = jwe_encrypt_compact(key.public_key(), as_bytes(kSecret)).value();
  const auto parts = segments(jwe);
  for (std::size_t i = 1; i < 5; ++i) {
    auto tampered = parts;
    Bytes raw = base64url_decode(parts[i]).value();
    raw[raw.size() / 2] ^= 0x01;
    tampered[i] = base64url_encode(raw);
    EXPECT_THAT(jwe_decrypt_compact(join(tampered), key),
                FailsWith(ErrorKind::kEvidenceRejected, checks::kJweDecrypt))
        << "segment " << i;
  }
  // The protected header is the AAD: any change to it fails authentication.
  nlohmann::json header = nlohmann::json::parse(base64url_decode(parts[0]).value());
  header["kid"] = "added";
  auto tampered = parts;
  tampered[0] = base64url_encode(as_bytes(header.dump()));
  EXPECT_THAT(jwe_decrypt_compact(join(tampered), key),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kJweDecrypt));
}

TEST_P(EveryKey, RejectsTheWrongKey) {
  const crypto::PrivateKey& key = *GetParam().key;
  const std::string jwe = jwe_encrypt_compact(key.public_key(), as_bytes(kSecret)).value();
  const crypto::PrivateKey other =
      GetParam().alg == JweAlg::kRsaOaep256
          ? crypto::PrivateKey::generate_rsa(2048).value()
          : crypto::PrivateKey::generate_ec(*key.public_key().curve()).value();
  EXPECT_THAT(jwe_decrypt_compact(jwe, other),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kJweDecrypt));
}

INSTANTIATE_TEST_SUITE_P(
    Jose, EveryKey,
    ::testing::Values(Case{"P256", &test::key_for(JwsAlg::kEs256), JweAlg::kEcdhEsA256kw},
                      Case{"P384", &test::key_for(JwsAlg::kEs384), JweAlg::kEcdhEsA256kw},
                      Case{"Rsa2048", &rsa_key(), JweAlg::kRsaOaep256}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

// Rewrites the protected header of a valid JWE (which breaks its tag, but the header checks run
// before any cryptography and must name their own ids).
std::string with_header(const std::string& jwe, const std::function<void(nlohmann::json&)>& edit) {
  auto parts = segments(jwe);
  nlohmann::json header = nlohmann::json::parse(base64url_decode(parts[0]).value());
  edit(header);
  parts[0] = base64url_encode(as_bytes(header.dump()));
  return join(parts);
}

TEST(Jwe, HeaderChecksRunBeforeDecryption) {
  const crypto::PrivateKey& ec = test::key_for(JwsAlg::kEs256);
  const std::string jwe = jwe_encrypt_compact(ec.public_key(), as_bytes(kSecret)).value();
  EXPECT_THAT(jwe_decrypt_compact(with_header(jwe, [](auto& h) { h["zip"] = "DEF"; }), ec),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kJweHeader));
  EXPECT_THAT(jwe_decrypt_compact(with_header(jwe, [](auto& h) { h["enc"] = "A128GCM"; }), ec),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kJweEnc));
  EXPECT_THAT(jwe_decrypt_compact(with_header(jwe, [](auto& h) { h["alg"] = "ECDH-ES"; }), ec),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kJweAlg));
  EXPECT_THAT(jwe_decrypt_compact(with_header(jwe, [](auto& h) { h["alg"] = "RSA-OAEP-256"; }), ec),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kJweAlg));
  EXPECT_THAT(jwe_decrypt_compact(with_header(jwe, [](auto& h) { h.erase("alg"); }), ec),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kHeaderAlg));
  EXPECT_THAT(jwe_decrypt_compact(with_header(jwe, [](auto& h) { h.erase("epk"); }), ec),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kJweHeader));
  const nlohmann::json p384_epk =
      crypto::public_key_to_jwk(test::key_for(JwsAlg::kEs384).public_key());
  EXPECT_THAT(jwe_decrypt_compact(with_header(jwe, [&](auto& h) { h["epk"] = p384_epk; }), ec),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kJweHeader));
  // A point that is not on the curve (invalid-curve attack).
  EXPECT_THAT(
      jwe_decrypt_compact(with_header(jwe, [](auto& h) { h["epk"]["y"] = h["epk"]["x"]; }), ec),
      FailsWith(ErrorKind::kEvidenceRejected, checks::kJweHeader));
  JweDecryptOptions rsa_only;
  rsa_only.allowed_algs = {JweAlg::kRsaOaep256};
  EXPECT_THAT(jwe_decrypt_compact(jwe, ec, rsa_only),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kJweAlg));
}

TEST(Jwe, ChecksLengthsBeforeDecryption) {
  const crypto::PrivateKey& ec = test::key_for(JwsAlg::kEs256);
  const auto parts = segments(jwe_encrypt_compact(ec.public_key(), as_bytes(kSecret)).value());
  for (std::size_t i : {1u, 2u, 4u}) {
    auto bad = parts;
    Bytes raw = base64url_decode(parts[i]).value();
    raw.push_back(0);
    bad[i] = base64url_encode(raw);
    EXPECT_THAT(jwe_decrypt_compact(join(bad), ec),
                FailsWith(ErrorKind::kEvidenceRejected, checks::kJweParams))
        << "segment " << i;
  }
}

TEST(Jwe, EncryptRefusesReservedHeaderMembersAndUnfitKeys) {
  const crypto::PublicKey ec = test::key_for(JwsAlg::kEs256).public_key();
  EXPECT_THAT(jwe_encrypt_compact(ec, as_bytes(kSecret), {{"zip", "DEF"}}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kJweEncrypt));
  EXPECT_THAT(jwe_encrypt_compact(ec, as_bytes(kSecret), {{"alg", "dir"}}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kJweEncrypt));
  EXPECT_THAT(
      jwe_encrypt_compact(ec, as_bytes(kSecret), nlohmann::json::object(), JweAlg::kRsaOaep256),
      FailsWith(ErrorKind::kInvalidArgument, checks::kJweAlg));
}

TEST(Jwe, RefusesAnEmptyPlaintext) {
  const crypto::PrivateKey& ec = test::key_for(JwsAlg::kEs256);
  EXPECT_THAT(jwe_encrypt_compact(ec.public_key(), {}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kJweEncrypt));
  // An empty ciphertext parses but never authenticates.
  auto parts = segments(jwe_encrypt_compact(ec.public_key(), as_bytes(kSecret)).value());
  parts[3] = "";
  EXPECT_THAT(jwe_decrypt_compact(join(parts), ec),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kJweDecrypt));
}

}  // namespace
}  // namespace vouch::jose
