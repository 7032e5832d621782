// Real tokens from ../shared/vectors (MANIFEST.md "tokens/" and "ear/"): Microsoft Azure
// Attestation JWTs with their recordings' JWKS, and EAR JWTs from veraison/ear and Trustee.
#include "testing/vectors.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/jwk.h"
#include "jose/check_ids.h"
#include "jose/signature.h"
#include "testing/matchers.h"

namespace vouch::jose {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::read_vector_text;
using ::vouch::testing::Succeeds;

const std::string kMaaDir = "tokens/azure-sdk-for-cpp-maa/";
const std::string kEarDir = "ear/veraison-ear/";

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

class MaaToken : public ::testing::TestWithParam<const char*> {};

TEST_P(MaaToken, VerifiesWithItsRecordingsJwks) {
  VOUCH_REQUIRE_VECTORS();
  const std::string name = GetParam();
  auto jwks = parse_jwks(read_vector_text(kMaaDir + name + ".certs.derived.json"));
  ASSERT_THAT(jwks, Succeeds());
  EXPECT_EQ(jwks->keys.size(), 3u);  // x5c-only RSA keys
  const std::string token = trimmed(read_vector_text(kMaaDir + name + ".token.derived.jwt"));
  VerifyOptions rs256;
  rs256.allowed_algs = {JwsAlg::kRs256};
  auto verified = jwt_verify_compact(token, *jwks, rs256);
  ASSERT_THAT(verified, Succeeds());
  EXPECT_EQ(verified->alg, JwsAlg::kRs256);
  EXPECT_EQ(verified->kid, "XxRc2vLh1E5FrsNawnRH3PzuFgqg3q7NvCdnjoJHBGE=");
  EXPECT_EQ(verified->claims["x-ms-sgx-mrenclave"],
            "292a1f4b519e46627eb2478a3d9851405653c5b4b0a6925de843834d9216850e");
  EXPECT_EQ(
      verified->claims["exp"].get<std::int64_t>() - verified->claims["iat"].get<std::int64_t>(),
      28800);
  // The same token with its kid removed from the key set is refused (kid selects).
  JwkSet without = *jwks;
  const std::string kid = verified->kid;
  std::erase_if(without.keys, [&kid](const Jwk& k) { return k.kid == kid; });
  EXPECT_THAT(jwt_verify_compact(token, without, rs256),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kUnknownKid));
}

INSTANTIATE_TEST_SUITE_P(Vectors, MaaToken,
                         ::testing::Values("AttestWithRuntimeData-SgxEnclave_Shared",
                                           "AttestWithRuntimeData-OpenEnclave_Shared",
                                           "AttestWithRuntimeData-SgxEnclave_Isolated"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           std::erase(n, '-');
                           std::erase(n, '_');
                           return n;
                         });

TEST(MaaDraftPolicyToken, IsUnsecuredAndRefusedByVerification) {
  VOUCH_REQUIRE_VECTORS();
  const std::string name = "AttestWithDraftPolicy-SgxEnclave_Shared";
  auto jwks = parse_jwks(read_vector_text(kMaaDir + name + ".certs.derived.json"));
  ASSERT_THAT(jwks, Succeeds());
  const std::string token = trimmed(read_vector_text(kMaaDir + name + ".token.derived.jwt"));
  EXPECT_THAT(jwt_verify_compact(token, *jwks),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kAlgNone));
  auto claims = decode_unsecured_jwt(token);
  ASSERT_THAT(claims, Succeeds());
  EXPECT_EQ((*claims)["x-ms-attestation-type"], "sgx");
}

JwkSet pkey_set() {
  JwkSet set;
  set.keys.push_back(Jwk{
      crypto::public_key_from_jwk(nlohmann::json::parse(read_vector_text(kEarDir + "pkey.json")))
          .value(),
      "",
      "",
      "",
      {}});
  return set;
}

TEST(EarVectors, VeraisonTokenVerifiesWithItsPublishedKey) {
  VOUCH_REQUIRE_VECTORS();
  auto verified = jwt_verify_compact(
      trimmed(read_vector_text(kEarDir + "ear-veraison-test.derived.jwt")), pkey_set());
  ASSERT_THAT(verified, Succeeds());
  EXPECT_EQ(verified->claims["eat_profile"], "tag:github.com,2023:veraison/ear");
  EXPECT_EQ(verified->claims["submods"]["test"]["ear.status"], "affirming");
}

TEST(EarVectors, JwkInTheHeaderIsNeverTrusted) {
  VOUCH_REQUIRE_VECTORS();
  const std::string token =
      trimmed(read_vector_text(kEarDir + "ear-veraison-test-jwk-in-header.derived.jwt"));
  // The header's jwk would verify it, but it is not the caller's key: refused.
  JwkSet unrelated;
  unrelated.keys.push_back(Jwk{
      crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value().public_key(), "", "", "", {}});
  EXPECT_THAT(jwt_verify_compact(token, unrelated),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kSignature));
  // With the same key supplied by the caller (pkey.json), it verifies.
  EXPECT_THAT(jwt_verify_compact(token, pkey_set()), Succeeds());
}

TEST(EarVectors, TrusteeTokenVerifiesOnlyWithACallerSuppliedKey) {
  VOUCH_REQUIRE_VECTORS();
  const std::string token =
      trimmed(read_vector_text(kEarDir + "ear-trustee-realm-expired.derived.jwt"));
  // Its key travels only in its own header: a verifier with other keys refuses it.
  EXPECT_THAT(jwt_verify_compact(token, pkey_set()),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kSignature));
  // The signature itself is sound: a caller who pins that key (out of band) accepts it. Expiry
  // is the result checks' business (token::check_result), tested there.
  auto parts = parse_jws_compact(token);
  ASSERT_THAT(parts, Succeeds());
  JwkSet pinned;
  pinned.keys.push_back(
      Jwk{crypto::public_key_from_jwk(parts->header["jwk"]).value(), "", "", "", {}});
  auto verified = jwt_verify_compact(token, pinned);
  ASSERT_THAT(verified, Succeeds());
  EXPECT_EQ(verified->claims["eat_profile"], "tag:github.com,2024:confidential-containers/Trustee");
}

}  // namespace
}  // namespace vouch::jose
