// EAR claim sets from ../shared/vectors/ear (veraison/ear's arc data), read as a relying party.
#include "token/ear.h"

#include <gtest/gtest.h>

#include "testing/matchers.h"
#include "testing/vectors.h"
#include "token/check_ids.h"

namespace vouch::token {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::read_vector_text;
using ::vouch::testing::Succeeds;

nlohmann::json vector_json(const std::string& name) {
  return nlohmann::json::parse(read_vector_text("ear/veraison-ear/" + name));
}

TEST(EarVectors, DottedClaimSetsParse) {
  VOUCH_REQUIRE_VECTORS();
  auto ok = parse_ear(vector_json("ear-claims-key-attestation-ok.json"));
  ASSERT_THAT(ok, Succeeds());
  EXPECT_EQ(ok->profile, "tag:github.com,2023:veraison/ear");
  const EarAppraisal& tpm = ok->submods.at("PARSEC_TPM");
  EXPECT_EQ(tpm.status, Tier::kAffirming);
  EXPECT_EQ(tpm.trust_vector.instance_identity, 2);
  EXPECT_EQ(tpm.policy_ids, std::vector<std::string>{"policy://parsec/60a0068d"});
  EXPECT_EQ(ok->developer, "https://veraison-project.org");

  auto ko = parse_ear(vector_json("ear-claims-key-attestation-ko.json"));
  ASSERT_THAT(ko, Succeeds());
  EXPECT_EQ(ko->worst(), Tier::kContraindicated);
  EXPECT_EQ(ko->submods.at("PARSEC_TPM").trust_vector.worst(), Tier::kContraindicated);

  for (const char* name :
       {"ear-claims.json", "ear-claims-tv-ok.json", "ear-claims-extension-ok.json"}) {
    EXPECT_THAT(parse_ear(vector_json(name)), Succeeds()) << name;
  }
}

TEST(Ear, RefusesMalformedClaimSets) {
  const nlohmann::json good = {{"eat_profile", "tag:ietf.org,2026:rats/ear#03"},
                               {"ear_verifier_id", {{"developer", "d"}, {"build", "b"}}},
                               {"submods", {{"x", {{"ear_status", "affirming"}}}}}};
  ASSERT_THAT(parse_ear(good), Succeeds());
  for (const auto& edit : std::vector<std::function<void(nlohmann::json&)>>{
           [](auto& c) { c.erase("eat_profile"); }, [](auto& c) { c.erase("ear_verifier_id"); },
           [](auto& c) { c["submods"] = nlohmann::json::object(); },
           [](auto& c) { c["submods"]["x"]["ear_status"] = "fine"; },
           [](auto& c) {
             c["submods"]["x"]["ear.status"] = "affirming";
             c["submods"]["x"].erase("ear_status");
           },
           [](auto& c) { c["submods"]["x"]["ear_appraisal_policy_ids"] = "p"; },
           [](auto& c) { c["ear_status"] = 2; }}) {
    nlohmann::json bad = good;
    edit(bad);
    EXPECT_THAT(parse_ear(bad), FailsWith(ErrorKind::kMalformedEvidence, checks::kEar))
        << bad.dump();
  }
}

}  // namespace
}  // namespace vouch::token
