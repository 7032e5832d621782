#include "crypto/jwk.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/check_ids.h"
#include "testing/matchers.h"

namespace vouch::crypto {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

TEST(Jwk, Rfc7638ThumbprintExample) {
  // RFC 7638 section 3.1.
  const auto jwk =
      nlohmann::json::parse(R"({"kty":"RSA","e":"AQAB","alg":"RS256","kid":"2011-04-29",
    "n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"})");
  auto key = public_key_from_jwk(jwk);
  ASSERT_THAT(key, Succeeds());
  EXPECT_EQ(jwk_thumbprint(*key), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(Jwk, RoundTripsEveryKeyType) {
  for (auto key : {PrivateKey::generate_ec(Curve::kP256), PrivateKey::generate_ec(Curve::kP384),
                   PrivateKey::generate_rsa(2048)}) {
    ASSERT_THAT(key, Succeeds());
    const PublicKey pub = key->public_key();
    auto again = public_key_from_jwk(public_key_to_jwk(pub));
    ASSERT_THAT(again, Succeeds());
    EXPECT_TRUE(again->equals(pub));
  }
  auto ed = public_key_from_jwk(nlohmann::json::parse(
      R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})"));
  ASSERT_THAT(ed, Succeeds());
  EXPECT_EQ(ed->type(), KeyType::kEd25519);
}

TEST(Jwk, RejectsMalformedMembers) {
  for (const char* bad :
       {R"([])", R"({})", R"({"kty":"RSA","n":"AQAB"})", R"({"kty":"RSA","n":5,"e":"AQAB"})",
        R"({"kty":"EC","crv":"P-256","x":"AA","y":"AA"})",
        R"({"kty":"EC","crv":"P-192","x":"AA","y":"AA"})", R"({"kty":"EC","x":"AA","y":"AA"})",
        R"({"kty":"oct","k":"AA"})", R"({"kty":"RSA","n":"+/+/","e":"AQAB"})",
        R"({"kty":"OKP","crv":"Ed25519","x":"AAAA"})"}) {
    auto r = public_key_from_jwk(nlohmann::json::parse(bad));
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace vouch::crypto
