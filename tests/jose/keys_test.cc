#include "jose/keys.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "crypto/jwk.h"
#include "jose/check_ids.h"
#include "testing/matchers.h"
#include "testing/test_pki.h"
#include "tests/jose/test_keys.h"

namespace vouch::jose {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

crypto::Certificate self_signed(const crypto::PrivateKey& key) {
  return ::vouch::testing::issue_certificate(
      ::vouch::testing::CertSpec{.common_name = "Vouch JWK test", .extensions = {}},
      key.public_key(), key, nullptr);
}

TEST(Jwk, EmitsPlainMembersAndX5cAndParsesBack) {
  const crypto::PrivateKey& key = test::key_for(JwsAlg::kEs256);
  const Jwk jwk{key.public_key(), "kid-1", "ES256", "sig", {self_signed(key)}};
  const nlohmann::json json = jwk_to_json(jwk);
  EXPECT_EQ(json["kty"], "EC");
  EXPECT_EQ(json["crv"], "P-256");
  EXPECT_TRUE(json.contains("x") && json.contains("y"));
  EXPECT_EQ(json["kid"], "kid-1");
  EXPECT_EQ(json["x5c"][0], base64_encode(jwk.x5c[0].der()));
  auto back = parse_jwk(json);
  ASSERT_THAT(back, Succeeds());
  EXPECT_TRUE(back->key.equals(jwk.key));
  EXPECT_EQ(back->kid, "kid-1");
  EXPECT_EQ(back->alg, "ES256");
  EXPECT_EQ(back->use, "sig");
  ASSERT_EQ(back->x5c.size(), 1u);
}

TEST(Jwk, TakesTheKeyFromX5cWhenThereAreNoKeyMembers) {
  const crypto::PrivateKey& key = test::key_for(JwsAlg::kRs256);
  const nlohmann::json json = {
      {"kty", "RSA"}, {"kid", "maa-style"}, {"x5c", {base64_encode(self_signed(key).der())}}};
  auto jwk = parse_jwk(json);
  ASSERT_THAT(jwk, Succeeds());
  EXPECT_TRUE(jwk->key.equals(key.public_key()));
}

TEST(Jwk, RejectsBadKeys) {
  const crypto::PrivateKey& key = test::key_for(JwsAlg::kEs256);
  nlohmann::json plain = crypto::public_key_to_jwk(key.public_key());
  nlohmann::json mismatch = plain;
  mismatch["x5c"] = {base64_encode(self_signed(test::other_p256()).der())};
  EXPECT_THAT(parse_jwk(mismatch), FailsWith(ErrorKind::kInvalidArgument, checks::kJwkX5c));
  nlohmann::json bad_x5c = plain;
  bad_x5c["x5c"] = {"not base64!"};
  EXPECT_THAT(parse_jwk(bad_x5c), FailsWith(ErrorKind::kInvalidArgument, checks::kJwkX5c));
  bad_x5c["x5c"] = {base64_encode(as_bytes("not a certificate"))};
  EXPECT_THAT(parse_jwk(bad_x5c), FailsWith(ErrorKind::kInvalidArgument, checks::kJwkX5c));
  bad_x5c["x5c"] = nlohmann::json::array();
  EXPECT_THAT(parse_jwk(bad_x5c), FailsWith(ErrorKind::kInvalidArgument, checks::kJwkX5c));
  nlohmann::json with_private = plain;
  with_private["d"] = "AAAA";
  EXPECT_THAT(parse_jwk(with_private), FailsWith(ErrorKind::kInvalidArgument, checks::kJwk));
  nlohmann::json wrong_kty = plain;
  wrong_kty["x5c"] = {base64_encode(self_signed(key).der())};
  wrong_kty["kty"] = "RSA";
  wrong_kty.erase("x");
  wrong_kty.erase("y");
  EXPECT_THAT(parse_jwk(wrong_kty), FailsWith(ErrorKind::kInvalidArgument, checks::kJwk));
  EXPECT_THAT(parse_jwk(nlohmann::json{{"kty", "EC"}, {"kid", "empty"}}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kJwk));
  nlohmann::json kid_number = plain;
  kid_number["kid"] = 1;
  EXPECT_THAT(parse_jwk(kid_number), FailsWith(ErrorKind::kInvalidArgument, checks::kJwk));
}

TEST(Jwks, SkipsUnusableKeysAndRoundTrips) {
  const crypto::PrivateKey& key = test::key_for(JwsAlg::kEs384);
  const std::string doc = nlohmann::json{{"keys",
                                          {{{"kty", "oct"}, {"k", "AAAA"}},
                                           {{"kty", "OKP"}, {"crv", "X25519"}, {"x", "AAAA"}},
                                           jwk_to_json(Jwk{key.public_key(), "good", "", "", {}})}}}
                              .dump();
  auto set = parse_jwks(doc);
  ASSERT_THAT(set, Succeeds());
  ASSERT_EQ(set->keys.size(), 1u);
  EXPECT_EQ(set->skipped.size(), 2u);
  ASSERT_NE(set->find("good"), nullptr);
  EXPECT_EQ(set->find("other"), nullptr);
  auto again = parse_jwks_json(jwks_to_json(*set));
  ASSERT_THAT(again, Succeeds());
  EXPECT_TRUE(again->keys[0].key.equals(key.public_key()));
}

TEST(Jwks, RejectsDocumentsWithoutUsableKeys) {
  for (const char* bad :
       {"{}", "[]", R"({"keys":{}})", R"({"keys":[]})", R"({"keys":[{"kty":"oct","k":"AAAA"}]})",
        "not json", R"({"keys":[],"keys":[]})"}) {
    EXPECT_THAT(parse_jwks(std::string_view(bad)),
                FailsWith(ErrorKind::kInvalidArgument, checks::kJwks))
        << bad;
  }
}

}  // namespace
}  // namespace vouch::jose
