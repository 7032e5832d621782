#include "token/profiles.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "crypto/jwk.h"
#include "jose/signature.h"
#include "testing/matchers.h"
#include "tests/token/fixtures.h"
#include "token/check_ids.h"
#include "token/ear.h"

namespace vouch::token {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

AppraisalResult sample() {
  AppraisalResult r;
  r.issuer = test::kIssuer;
  r.issued_at = from_unix_seconds(test::kNow);
  r.jti = std::string(64, 'a');
  r.decision = Tier::kWarning;
  r.attestation_type = "tpm";
  r.policy_hash = "9NY0VnTQ-IiBriBplVUpFbczcDaEBUwsiFYAzHu_gco";
  r.policy_ids = {"https://vouch.test/policies/tpm/1", "https://vouch.test/policies/tpm/2"};
  SubmoduleResult tpm;
  tpm.name = "tpm";
  tpm.status = Tier::kWarning;
  tpm.trust_vector.hardware = 2;
  tpm.trust_vector.executables = 33;
  tpm.claims = {{"tpm.pcrs", {{"0", "00ff"}}}, {"tpm.quote.nonce", "abcd"}};
  tpm.policy_claims = {{"secure-boot", true}};
  tpm.evidence_nonce = "AAECAwQFBgc";
  r.submodules.push_back(tpm);
  r.verifier.build = "vouch 0.1.0";
  return r;
}

TEST(Jti, Is64HexDigits) {
  crypto::SystemRandom random;
  auto jti = make_jti(random);
  ASSERT_THAT(jti, Succeeds());
  EXPECT_EQ(jti->size(), 64u);
  EXPECT_THAT(hex_decode(*jti), Succeeds());
}

TEST(Maa, HasTheProfileClaims) {
  AppraisalResult r = sample();
  r.nonce = "noncesevsnp987";
  r.runtime = {{"keys", nlohmann::json::array()}};
  r.tee_key = test::signer(jose::JwsAlg::kEs256).public_jwk().key;
  r.status = StatusReference{7, "https://vouch.test/status-lists/1"};
  auto c = maa_claims(r);
  ASSERT_THAT(c, Succeeds());
  EXPECT_EQ((*c)["iss"], test::kIssuer);
  EXPECT_EQ((*c)["iat"], test::kNow);
  EXPECT_EQ((*c)["nbf"], test::kNow);
  EXPECT_EQ((*c)["exp"], test::kNow + 28800);
  EXPECT_EQ((*c)["jti"], r.jti);
  EXPECT_EQ((*c)["x-ms-ver"], "1.0");
  EXPECT_EQ((*c)["x-ms-attestation-type"], "tpm");
  EXPECT_EQ((*c)["x-ms-policy-hash"], r.policy_hash);
  EXPECT_EQ((*c)["x-ms-policy"]["secure-boot"], true);
  EXPECT_EQ((*c)["nonce"], "noncesevsnp987");
  EXPECT_EQ((*c)["x-ms-runtime"], r.runtime);
  EXPECT_FALSE(c->contains("x-ms-inittime"));
  EXPECT_FALSE(c->contains("aud"));
  EXPECT_EQ((*c)["cnf"]["jwk"], crypto::public_key_to_jwk(*r.tee_key));
  EXPECT_EQ((*c)["status"]["status_list"]["idx"], 7);
  EXPECT_EQ((*c)["tpm.quote.nonce"], "abcd");
}

TEST(Maa, AudienceAndLifetimeAreConfigurable) {
  AppraisalResult r = sample();
  r.audience = {"https://rp.test"};
  r.lifetime = std::chrono::seconds(300);
  auto c = maa_claims(r).value();
  EXPECT_EQ(c["aud"], "https://rp.test");
  EXPECT_EQ(c["exp"], test::kNow + 300);
  r.audience.push_back("https://rp2.test");
  EXPECT_EQ(maa_claims(r).value()["aud"].size(), 2u);
}

TEST(Maa, RefusesIncompleteInput) {
  const auto fails = [](const std::function<void(AppraisalResult&)>& edit) {
    AppraisalResult r = sample();
    edit(r);
    return maa_claims(r);
  };
  EXPECT_THAT(fails([](auto& r) { r.issuer.clear(); }),
              FailsWith(ErrorKind::kInvalidArgument, checks::kInput));
  EXPECT_THAT(fails([](auto& r) { r.submodules.clear(); }),
              FailsWith(ErrorKind::kInvalidArgument, checks::kInput));
  EXPECT_THAT(fails([](auto& r) { r.jti = std::string(64, 'A'); }),
              FailsWith(ErrorKind::kInvalidArgument, checks::kInput));
  EXPECT_THAT(fails([](auto& r) { r.lifetime = std::chrono::seconds(0); }),
              FailsWith(ErrorKind::kInvalidArgument, checks::kInput));
  EXPECT_THAT(fails([](auto& r) { r.policy_hash.clear(); }),
              FailsWith(ErrorKind::kInvalidArgument, checks::kInput));
  EXPECT_THAT(fails([](auto& r) { r.submodules[0].claims["iss"] = "https://evil.test"; }),
              FailsWith(ErrorKind::kInvalidArgument, checks::kInput));
}

TEST(Maa, IssuedTokenVerifiesWithTheHeaderMaaClientsExpect) {
  const LocalSigner& s = test::signer(jose::JwsAlg::kRs256);
  auto token = issue_jwt(s, maa_header(test::kIssuer, s), maa_claims(sample()).value());
  ASSERT_THAT(token, Succeeds());
  auto verified = jose::jwt_verify_compact(*token, test::keys_of(s));
  ASSERT_THAT(verified, Succeeds());
  EXPECT_EQ(verified->header, (nlohmann::json{{"alg", "RS256"},
                                              {"jku", std::string(test::kIssuer) + "/certs"},
                                              {"kid", s.kid()},
                                              {"typ", "JWT"}}));
}

TEST(Ear, Draft03NamesAndShape) {
  AppraisalResult r = sample();
  r.nonce = "AAECAwQFBgcICQ";
  auto c = ear_claims(r);
  ASSERT_THAT(c, Succeeds());
  EXPECT_EQ((*c)["eat_profile"], "tag:ietf.org,2026:rats/ear#03");
  EXPECT_EQ((*c)["ear_status"], "warning");
  EXPECT_EQ((*c)["ear_verifier_id"]["build"], "vouch 0.1.0");
  EXPECT_EQ((*c)["eat_nonce"], "AAECAwQFBgcICQ");
  const nlohmann::json& tpm = (*c)["submods"]["tpm"];
  EXPECT_EQ(tpm["ear_status"], "warning");
  EXPECT_EQ(tpm["ear_trustworthiness_vector"],
            (nlohmann::json{{"hardware", 2}, {"executables", 33}}));
  EXPECT_EQ(tpm["ear_appraisal_policy_ids"], r.policy_ids);
  EXPECT_EQ(tpm["eat_nonce"], "AAECAwQFBgc");
  EXPECT_EQ(tpm["ear_veraison_annotated_evidence"]["tpm.quote.nonce"], "abcd");
  EXPECT_EQ(tpm["ear_veraison_policy_claims"]["secure-boot"], true);
  EXPECT_FALSE(c->contains("ear.verifier-id"));
}

TEST(Ear, Draft02DottedNamesOnRequest) {
  auto c = ear_claims(sample(), EarNames::kDraft02);
  ASSERT_THAT(c, Succeeds());
  EXPECT_EQ((*c)["eat_profile"], "tag:github.com,2023:veraison/ear");
  EXPECT_FALSE(c->contains("ear_status"));
  EXPECT_EQ((*c)["ear.verifier-id"]["build"], "vouch 0.1.0");
  const nlohmann::json& tpm = (*c)["submods"]["tpm"];
  EXPECT_EQ(tpm["ear.status"], "warning");
  EXPECT_EQ(tpm["ear.appraisal-policy-id"], "https://vouch.test/policies/tpm/2");
  EXPECT_EQ(tpm["ear.trustworthiness-vector"]["executables"], 33);
  EXPECT_FALSE(tpm.contains("eat_nonce"));
}

TEST(Ear, RefusesBadInput) {
  AppraisalResult r = sample();
  r.nonce = "AAEC";  // 3 bytes
  EXPECT_THAT(ear_claims(r), FailsWith(ErrorKind::kInvalidArgument, checks::kInput));
  r = sample();
  r.decision = Tier::kAffirming;  // better than the warning submodule
  EXPECT_THAT(ear_claims(r), FailsWith(ErrorKind::kInvalidArgument, checks::kInput));
  r = sample();
  r.submodules.push_back(r.submodules[0]);
  EXPECT_THAT(ear_claims(r), FailsWith(ErrorKind::kInvalidArgument, checks::kInput));
}

TEST(Ear, OurTokensReadBackInBothSpellings) {
  for (EarNames names : {EarNames::kDraft03, EarNames::kDraft02}) {
    auto ear = parse_ear(ear_claims(sample(), names).value());
    ASSERT_THAT(ear, Succeeds());
    const EarAppraisal& tpm = ear->submods.at("tpm");
    EXPECT_EQ(tpm.status, Tier::kWarning);
    EXPECT_EQ(tpm.trust_vector.executables, 33);
    EXPECT_EQ(ear->worst(), Tier::kWarning);
    EXPECT_EQ(ear->build, "vouch 0.1.0");
  }
}

TEST(TrustVector, TiersFollowAr4si) {
  EXPECT_EQ(tier_of_claim(0), Tier::kNone);
  EXPECT_EQ(tier_of_claim(-1), Tier::kNone);
  EXPECT_EQ(tier_of_claim(2), Tier::kAffirming);
  EXPECT_EQ(tier_of_claim(31), Tier::kAffirming);
  EXPECT_EQ(tier_of_claim(32), Tier::kWarning);
  EXPECT_EQ(tier_of_claim(95), Tier::kWarning);
  EXPECT_EQ(tier_of_claim(96), Tier::kContraindicated);
  EXPECT_EQ(tier_of_claim(127), Tier::kContraindicated);
  EXPECT_EQ(tier_of_claim(-2), Tier::kAffirming);
  EXPECT_EQ(tier_of_claim(-33), Tier::kWarning);
  EXPECT_EQ(tier_of_claim(-97), Tier::kContraindicated);
  EXPECT_EQ(tier_of_claim(-128), Tier::kContraindicated);
  TrustVector tv;
  EXPECT_EQ(tv.worst(), Tier::kNone);
  tv.hardware = 97;
  tv.configuration = 2;
  EXPECT_EQ(tv.worst(), Tier::kContraindicated);
  EXPECT_THAT(TrustVector::from_json({{"hardware", 200}}),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kEar));
}

}  // namespace
}  // namespace vouch::token
