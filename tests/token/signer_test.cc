#include "token/signer.h"

#include <gtest/gtest.h>

#include "crypto/aead.h"
#include "jose/signature.h"
#include "testing/matchers.h"
#include "testing/test_pki.h"
#include "tests/token/fixtures.h"
#include "token/check_ids.h"

namespace vouch::token {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

const Bytes kKek(32, 0x4b);

class EveryAlg : public ::testing::TestWithParam<jose::JwsAlg> {};

TEST_P(EveryAlg, GeneratesASelfSignedKeyThatSignsVerifiableTokens) {
  const LocalSigner& s = test::signer(GetParam());
  EXPECT_EQ(s.alg(), GetParam());
  EXPECT_EQ(s.kid().size(), 43u);  // base64url SHA-256 thumbprint
  const jose::Jwk& jwk = s.public_jwk();
  EXPECT_EQ(jwk.use, "sig");
  EXPECT_EQ(jwk.alg, jose::jws_alg_name(GetParam()));
  ASSERT_EQ(jwk.x5c.size(), 1u);
  EXPECT_EQ(jwk.x5c[0].subject(), jwk.x5c[0].issuer());
  EXPECT_TRUE(jwk.x5c[0].public_key()->equals(jwk.key));
  auto token = jose::jws_sign_compact(GetParam(), {{"kid", s.kid()}}, as_bytes("{}"),
                                      [&](ByteSpan in) { return s.sign(in); });
  ASSERT_THAT(token, Succeeds());
  EXPECT_THAT(jose::jws_verify_compact(*token, test::keys_of(s)), Succeeds());
}

TEST_P(EveryAlg, SealsAndUnsealsUnderTheKek) {
  const SigningKey& key = test::signer(GetParam()).signing_key();
  auto sealed = seal_signing_key(key, kKek);
  ASSERT_THAT(sealed, Succeeds());
  EXPECT_EQ(sealed->find("PRIVATE KEY"), std::string::npos);
  auto opened = unseal_signing_key(*sealed, kKek);
  ASSERT_THAT(opened, Succeeds());
  EXPECT_EQ(opened->kid, key.kid);
  EXPECT_EQ(opened->alg, key.alg);
  EXPECT_TRUE(opened->key.public_key().equals(key.key.public_key()));
  ASSERT_EQ(opened->chain.size(), 1u);
  EXPECT_EQ(opened->chain[0].der(), key.chain[0].der());
  EXPECT_THAT(LocalSigner::create(std::move(*opened)), Succeeds());
}

INSTANTIATE_TEST_SUITE_P(Token, EveryAlg,
                         ::testing::Values(jose::JwsAlg::kEs256, jose::JwsAlg::kEs384,
                                           jose::JwsAlg::kRs256, jose::JwsAlg::kPs256),
                         [](const auto& param_info) {
                           return std::string(jose::jws_alg_name(param_info.param));
                         });

TEST(Signer, CaIssuedCertificateChainsToTheCa) {
  const auto pki = ::vouch::testing::TestPki::create("Vouch token CA");
  CertificateOptions options = test::cert_options();
  options.issuer = &pki.intermediate;
  options.issuer_key = &pki.intermediate_key;
  auto key = generate_signing_key(jose::JwsAlg::kEs256, options);
  ASSERT_THAT(key, Succeeds());
  ASSERT_EQ(key->chain.size(), 2u);
  auto chain = crypto::verify_chain(
      key->chain[0], pki.anchors(),
      {.at = from_unix_seconds(test::kNow), .intermediates = {pki.intermediate}, .crls = {}});
  EXPECT_THAT(chain, Succeeds());
  options.issuer_key = nullptr;
  EXPECT_THAT(generate_signing_key(jose::JwsAlg::kEs256, options),
              FailsWith(ErrorKind::kInvalidArgument, checks::kKeyGenerate));
}

TEST(Signer, RefusesKeysThatDoNotFitAtConstruction) {
  SigningKey key = test::signer(jose::JwsAlg::kEs256).signing_key();
  key.alg = jose::JwsAlg::kRs256;
  EXPECT_THAT(LocalSigner::create(key), FailsWith(ErrorKind::kInvalidArgument, checks::kKeyFit));
  key = test::signer(jose::JwsAlg::kEs256).signing_key();
  key.chain = test::signer(jose::JwsAlg::kEs384).signing_key().chain;
  EXPECT_THAT(LocalSigner::create(key), FailsWith(ErrorKind::kInvalidArgument, checks::kKeyFit));
  key = test::signer(jose::JwsAlg::kEs256).signing_key();
  key.kid.clear();
  EXPECT_THAT(LocalSigner::create(key), FailsWith(ErrorKind::kInvalidArgument, checks::kKeyFit));
  EXPECT_THAT(generate_signing_key(jose::JwsAlg::kEs256, CertificateOptions{}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kKeyGenerate));
}

TEST(Signer, UnsealRefusesAWrongKekAndAnyTampering) {
  const SigningKey& key = test::signer(jose::JwsAlg::kEs256).signing_key();
  const std::string sealed = seal_signing_key(key, kKek).value();
  EXPECT_THAT(unseal_signing_key(sealed, Bytes(32, 0x4c)),
              FailsWith(ErrorKind::kInvalidArgument, checks::kUnseal));
  EXPECT_THAT(seal_signing_key(key, Bytes(16, 0)),
              FailsWith(ErrorKind::kInvalidArgument, crypto::checks::kAeadParams));
  nlohmann::json doc = nlohmann::json::parse(sealed);
  nlohmann::json changed_kid = doc;
  changed_kid["kid"] = "another";
  EXPECT_THAT(unseal_signing_key(changed_kid.dump(), kKek),
              FailsWith(ErrorKind::kInvalidArgument, checks::kUnseal));
  nlohmann::json changed_alg = doc;
  changed_alg["alg"] = "ES384";
  EXPECT_THAT(unseal_signing_key(changed_alg.dump(), kKek),
              FailsWith(ErrorKind::kInvalidArgument, checks::kUnseal));
  nlohmann::json swapped_chain = doc;
  swapped_chain["x5c"] = nlohmann::json::array();
  EXPECT_THAT(unseal_signing_key(swapped_chain.dump(), kKek),
              FailsWith(ErrorKind::kInvalidArgument, checks::kUnseal));
  for (const char* member : {"iv", "ct", "tag"}) {
    nlohmann::json broken = doc;
    broken[member] = "not base64url!";
    EXPECT_THAT(unseal_signing_key(broken.dump(), kKek),
                FailsWith(ErrorKind::kInvalidArgument, checks::kSealedKey))
        << member;
  }
  EXPECT_THAT(unseal_signing_key("{\"v\":2}", kKek),
              FailsWith(ErrorKind::kInvalidArgument, checks::kSealedKey));
  EXPECT_THAT(unseal_signing_key("not json", kKek),
              FailsWith(ErrorKind::kInvalidArgument, checks::kSealedKey));
}

}  // namespace
}  // namespace vouch::token
