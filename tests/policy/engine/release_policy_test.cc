// Key Vault / Managed HSM secure key release policies (maa.md section 2.5).

#include "policy/release_policy.h"

#include <gtest/gtest.h>

#include <string>

#include "policy/check_ids.h"
#include "testing/matchers.h"

namespace vouch::policy {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;
using json = nlohmann::json;
namespace c = checks;

constexpr std::string_view kIssuer = "https://sharedweu.weu.attest.azure.net";

// The CVM policy of cvm-securekey-release-app (maa.md section 2.5), in our own words.
constexpr std::string_view kCvmPolicy = R"({
  "version": "1.0.0",
  "anyOf": [
    {
      "authority": "https://sharedweu.weu.attest.azure.net",
      "allOf": [
        {"claim": "x-ms-isolation-tee.x-ms-attestation-type", "equals": "sevsnpvm"},
        {"claim": "x-ms-isolation-tee.x-ms-compliance-status", "equals": "azure-compliant-cvm"}
      ]
    }
  ]
})";

json cvm_token(const std::string& tee, const std::string& compliance) {
  return {{"iss", std::string(kIssuer)},
          {"x-ms-attestation-type", "azurevm"},
          {"x-ms-isolation-tee",
           {{"x-ms-attestation-type", tee},
            {"x-ms-compliance-status", compliance},
            {"x-ms-sevsnpvm-is-debuggable", false}}},
          {"x-ms-policy", {{"edge-compliant-cvm", true}}}};
}

ReleasePolicy parse_ok(std::string_view text) {
  auto p = ReleasePolicy::parse(text);
  EXPECT_THAT(p, Succeeds());
  return p ? *p : ReleasePolicy{};
}

TEST(ReleasePolicy, CvmPolicyReleasesToCompliantSevSnpVms) {
  const ReleasePolicy p = parse_ok(kCvmPolicy);
  EXPECT_EQ(p.version(), "1.0.0");
  ASSERT_EQ(p.authorities().size(), 1u);
  EXPECT_EQ(p.authorities()[0].condition.kind, ReleaseCondition::Kind::kAllOf);
  EXPECT_EQ(p.authorities()[0].condition.children[1].location, "/anyOf/0/allOf/1");

  const ReleaseEvaluation ok = p.evaluate(cvm_token("sevsnpvm", "azure-compliant-cvm"), kIssuer);
  EXPECT_EQ(ok.decision, Decision::kPermit);
  EXPECT_EQ(release_summary(ok),
            "released: the conditions of authority https://sharedweu.weu.attest.azure.net hold");

  const ReleaseEvaluation tdx = p.evaluate(cvm_token("tdxvm", "azure-compliant-cvm"), kIssuer);
  EXPECT_EQ(tdx.decision, Decision::kDeny);
  EXPECT_EQ(release_summary(tdx),
            "refused: authority https://sharedweu.weu.attest.azure.net: /anyOf/0/allOf/0 "
            "x-ms-isolation-tee.x-ms-attestation-type equals \"sevsnpvm\" failed: the claim is "
            "\"tdxvm\"");
}

TEST(ReleasePolicy, AuthorityMustMatchTheIssuer) {
  const ReleasePolicy p = parse_ok(kCvmPolicy);
  const json token = cvm_token("sevsnpvm", "azure-compliant-cvm");
  EXPECT_EQ(p.evaluate(token, "https://evil.example").decision, Decision::kDeny);
  EXPECT_EQ(release_summary(p.evaluate(token, "https://evil.example")),
            "refused: no authority matches the token issuer \"https://evil.example\"");
  EXPECT_EQ(p.evaluate(token, "").decision, Decision::kDeny);
  // ASCII case and a trailing slash do not matter.
  EXPECT_EQ(p.evaluate(token, "HTTPS://SharedWEU.weu.attest.azure.net/").decision,
            Decision::kPermit);
  const ReleaseEvaluation other = p.evaluate(token, "https://evil.example");
  ASSERT_EQ(other.trace.size(), 1u);
  EXPECT_FALSE(other.trace[0].issuer_matches);
  EXPECT_FALSE(other.trace[0].conditions.has_value());
}

TEST(ReleasePolicy, AnyAuthorityMayGrant) {
  const ReleasePolicy p = parse_ok(R"({"anyOf": [
      {"authority": "https://a", "allOf": [{"claim": "x", "equals": 1}]},
      {"authority": "https://b", "anyOf": [{"claim": "x", "equals": 2}, {"claim": "y", "exists": true}]}
  ]})");
  EXPECT_EQ(p.version(), "1.0.0");
  EXPECT_EQ(p.evaluate(json{{"x", 1}}, "https://a").decision, Decision::kPermit);
  EXPECT_EQ(p.evaluate(json{{"x", 1}}, "https://b").decision, Decision::kDeny);
  EXPECT_EQ(p.evaluate(json{{"x", 2}}, "https://b").decision, Decision::kPermit);
  EXPECT_EQ(p.evaluate(json{{"y", nullptr}}, "https://b").decision, Decision::kPermit);
}

TEST(ReleasePolicy, NestedAnyOfAllOf) {
  const ReleasePolicy p = parse_ok(R"({"version": "1.0.0", "anyOf": [{"authority": "i", "allOf": [
      {"claim": "a", "equals": "1"},
      {"anyOf": [{"claim": "b", "equals": true},
                 {"allOf": [{"claim": "c", "greaterOrEquals": 3}, {"claim": "d", "less": 10}]}]}
  ]}]})");
  EXPECT_EQ(p.evaluate(json{{"a", "1"}, {"b", true}}, "i").decision, Decision::kPermit);
  EXPECT_EQ(p.evaluate(json{{"a", "1"}, {"c", 3}, {"d", 9}}, "i").decision, Decision::kPermit);
  EXPECT_EQ(p.evaluate(json{{"a", "1"}, {"c", 3}, {"d", 10}}, "i").decision, Decision::kDeny);
  EXPECT_EQ(p.evaluate(json{{"a", "2"}, {"b", true}}, "i").decision, Decision::kDeny);
  const ReleaseEvaluation ev = p.evaluate(json{{"a", "1"}, {"c", 2}}, "i");
  ASSERT_TRUE(ev.trace[0].conditions.has_value());
  const auto& any = ev.trace[0].conditions->children[1];
  EXPECT_FALSE(any.satisfied);
  ASSERT_EQ(any.children.size(), 2u);
  EXPECT_EQ(any.children[0].reason, "the claim is absent");
  EXPECT_EQ(any.children[1].children[0].reason, "the claim is 2");
  EXPECT_EQ(any.children[1].children[1].reason, "the claim is absent");
}

TEST(ReleasePolicy, EveryOperator) {
  struct Case {
    const char* op;
    json operand;
    json claim;
    bool holds;
  };
  const Case cases[] = {
      {"equals", "sevsnpvm", "sevsnpvm", true},
      {"equals", "sevsnpvm", "SEVSNPVM", false},
      {"equals", "false", false, true},  // Key Vault compares text: "false" equals false
      {"equals", false, "false", true},
      {"equals", 2, "2", true},
      {"equals", 2, 2, true},
      {"equals", true, 1, false},
      {"equals", "x", json::object(), false},
      {"equals", "x", json::array({"x"}), false},
      {"equals", "null", nullptr, false},
      {"notEquals", "a", "b", true},
      {"notEquals", "a", "a", false},
      {"notEquals", "a", json::object(), false},
      {"less", 5, 4, true},
      {"less", 5, 5, false},
      {"lessOrEquals", 5, 5, true},
      {"lessOrEquals", 5, 6, false},
      {"greater", 5, 6, true},
      {"greater", 5, "6", true},  // a numeric string counts as its number
      {"greater", "5", 6, true},
      {"greater", 5, 5, false},
      {"greaterOrEquals", 5, 5, true},
      {"greaterOrEquals", 5, 4, false},
      {"greaterOrEquals", 1.5, 2, true},
      {"greaterOrEquals", 2, 1.5, false},
      {"greater", 5, "six", false},
      {"greater", "five", 6, false},
      {"greater", 5, true, false},
      {"greater", -1, -9223372036854775807LL, false},
  };
  for (const auto& k : cases) {
    json policy = {
        {"anyOf", {{{"authority", "i"}, {"allOf", {{{"claim", "x"}, {k.op, k.operand}}}}}}}};
    auto p = ReleasePolicy::from_json(policy);
    ASSERT_THAT(p, Succeeds()) << policy.dump();
    const bool holds = p->evaluate(json{{"x", k.claim}}, "i").decision == Decision::kPermit;
    EXPECT_EQ(holds, k.holds) << k.op << " " << k.operand.dump() << " vs " << k.claim.dump();
  }
}

TEST(ReleasePolicy, MissingClaimsFailEveryOperatorButExistsFalse) {
  for (const char* op :
       {"equals", "notEquals", "less", "lessOrEquals", "greater", "greaterOrEquals"}) {
    json policy = {{"anyOf", {{{"authority", "i"}, {"allOf", {{{"claim", "x"}, {op, 1}}}}}}}};
    EXPECT_EQ(ReleasePolicy::from_json(policy)->evaluate(json::object(), "i").decision,
              Decision::kDeny)
        << op;
  }
  const ReleasePolicy absent =
      parse_ok(R"({"anyOf": [{"authority": "i", "allOf": [{"claim": "x", "exists": false}]}]})");
  EXPECT_EQ(absent.evaluate(json::object(), "i").decision, Decision::kPermit);
  EXPECT_EQ(absent.evaluate(json{{"x", 1}}, "i").decision, Decision::kDeny);
}

TEST(ReleasePolicy, DottedClaimPaths) {
  const json claims = {{"a", {{"b", {{"c", 1}}}, {"b.c", 2}}},
                       {"tpm.pcrs", "flat"},
                       {"x", {{"y", 3}}},
                       {"arr", json::array({1})}};
  EXPECT_EQ(*resolve_claim_path(claims, "a.b.c"), 2);          // the longest key wins: "b.c"
  EXPECT_EQ(*resolve_claim_path(claims, "tpm.pcrs"), "flat");  // flat names with dots
  EXPECT_EQ(*resolve_claim_path(claims, "x.y"), 3);
  EXPECT_EQ(resolve_claim_path(claims, "x.z"), nullptr);
  EXPECT_EQ(resolve_claim_path(claims, "x.y.z"), nullptr);
  EXPECT_EQ(resolve_claim_path(claims, "arr.0"), nullptr);  // arrays are not indexed
  EXPECT_EQ(resolve_claim_path(claims, "missing"), nullptr);
  EXPECT_EQ(resolve_claim_path(json::array(), "x"), nullptr);
}

TEST(ReleasePolicy, ParseErrorsNameTheMember) {
  struct Case {
    const char* text;
    CheckId check;
    const char* detail_prefix;
  };
  const Case cases[] = {
      {"{", c::kReleaseSyntax, "not JSON (line 1"},
      {"[]", c::kReleaseStructure, "/: "},
      {R"({"version": "2.0", "anyOf": []})", c::kReleaseVersion, "/version: "},
      {R"({"version": "1.0.0"})", c::kReleaseStructure, "/: missing anyOf"},
      {R"({"anyOf": []})", c::kReleaseStructure, "/anyOf: "},
      {R"({"anyOf": [], "extra": 1})", c::kReleaseStructure, "/extra: "},
      {R"({"anyOf": [1]})", c::kReleaseStructure, "/anyOf/0: "},
      {R"({"anyOf": [{"allOf": [{"claim": "a", "equals": 1}]}]})", c::kReleaseStructure,
       "/anyOf/0: missing authority"},
      {R"({"anyOf": [{"authority": "i"}]})", c::kReleaseStructure, "/anyOf/0: missing allOf"},
      {R"({"anyOf": [{"authority": "", "allOf": [{"claim": "a", "equals": 1}]}]})",
       c::kReleaseStructure, "/anyOf/0/authority: "},
      {R"({"anyOf": [{"authority": "i", "allOf": [{"claim": "a", "equals": 1}],
                      "anyOf": [{"claim": "a", "equals": 1}]}]})",
       c::kReleaseStructure, "/anyOf/0/anyOf: "},
      {R"({"anyOf": [{"authority": "i", "allOf": []}]})", c::kReleaseStructure, "/anyOf/0/allOf: "},
      {R"({"anyOf": [{"authority": "i", "allOf": [{"claim": "a", "equal": 1}]}]})",
       c::kReleaseOperator, "/anyOf/0/allOf/0/equal: unknown operator"},
      {R"({"anyOf": [{"authority": "i", "allOf": [{"claim": "a"}]}]})", c::kReleaseOperator,
       "/anyOf/0/allOf/0: missing operator"},
      {R"({"anyOf": [{"authority": "i", "allOf": [{"claim": "a", "equals": 1, "less": 2}]}]})",
       c::kReleaseOperator, "/anyOf/0/allOf/0/less: "},
      {R"({"anyOf": [{"authority": "i", "allOf": [{"equals": 1}]}]})", c::kReleaseStructure,
       "/anyOf/0/allOf/0: missing claim"},
      {R"({"anyOf": [{"authority": "i", "allOf": [{"claim": "a..b", "equals": 1}]}]})",
       c::kReleaseStructure, "/anyOf/0/allOf/0/claim: "},
      {R"({"anyOf": [{"authority": "i", "allOf": [{"claim": 1, "equals": 1}]}]})",
       c::kReleaseStructure, "/anyOf/0/allOf/0/claim: "},
      {R"({"anyOf": [{"authority": "i", "allOf": [{"claim": "a", "equals": {"x": 1}}]}]})",
       c::kReleaseValue, "/anyOf/0/allOf/0/equals: "},
      {R"({"anyOf": [{"authority": "i", "allOf": [{"claim": "a", "equals": null}]}]})",
       c::kReleaseValue, "/anyOf/0/allOf/0/equals: "},
      {R"({"anyOf": [{"authority": "i", "allOf": [{"claim": "a", "exists": "yes"}]}]})",
       c::kReleaseValue, "/anyOf/0/allOf/0/exists: "},
      {R"({"anyOf": [{"authority": "i", "allOf": [{"anyOf": []}]}]})", c::kReleaseStructure,
       "/anyOf/0/allOf/0/anyOf: "},
  };
  for (const auto& k : cases) {
    auto p = ReleasePolicy::parse(k.text);
    ASSERT_THAT(p, FailsWith(ErrorKind::kInvalidArgument, k.check)) << k.text;
    EXPECT_EQ(p.error().detail.rfind(k.detail_prefix, 0), 0u) << p.error().detail;
  }
}

TEST(ReleasePolicy, MemberNamesMatchCaseInsensitively) {
  // The grammar writes "anyof:"/"allof:", the examples anyOf/allOf; Azure accepts both.
  const ReleasePolicy p = parse_ok(
      R"({"Version": "1.0.0", "anyof": [{"Authority": "i", "allof": [{"Claim": "a", "EQUALS": 1}]}]})");
  EXPECT_EQ(p.evaluate(json{{"a", 1}}, "i").decision, Decision::kPermit);
}

TEST(ReleasePolicy, Limits) {
  std::string deep = R"({"anyOf": [{"authority": "i", "allOf": [)";
  for (int i = 0; i < 40; ++i) {
    deep += R"({"anyOf": [)";
  }
  deep += R"({"claim": "a", "equals": 1})";
  for (int i = 0; i < 40; ++i) {
    deep += "]}";
  }
  deep += "]}]}";
  EXPECT_THAT(ReleasePolicy::parse(deep), FailsWith(ErrorKind::kInvalidArgument, c::kReleaseLimit));
  EXPECT_THAT(ReleasePolicy::parse(std::string(100000, '[')),
              FailsWith(ErrorKind::kInvalidArgument, c::kReleaseLimit));
  EXPECT_THAT(ReleasePolicy::parse(std::string(300 * 1024, ' ')),
              FailsWith(ErrorKind::kInvalidArgument, c::kReleaseLimit));
  json many = {{"anyOf", {{{"authority", "i"}, {"allOf", json::array()}}}}};
  for (int i = 0; i < 1100; ++i) {
    many["anyOf"][0]["allOf"].push_back({{"claim", "a"}, {"equals", i}});
  }
  EXPECT_THAT(ReleasePolicy::from_json(many),
              FailsWith(ErrorKind::kInvalidArgument, c::kReleaseLimit));
  std::string path = "a";
  for (int i = 0; i < 40; ++i) {
    path += ".a";
  }
  json long_path = {
      {"anyOf", {{{"authority", "i"}, {"allOf", {{{"claim", path}, {"exists", true}}}}}}}};
  EXPECT_THAT(ReleasePolicy::from_json(long_path),
              FailsWith(ErrorKind::kInvalidArgument, c::kReleaseLimit));
}

TEST(ReleasePolicy, TraceJsonAndText) {
  const ReleasePolicy p = parse_ok(kCvmPolicy);
  const ReleaseEvaluation ev = p.evaluate(cvm_token("sevsnpvm", "noncompliant"), kIssuer);
  const json j = release_evaluation_to_json(ev);
  EXPECT_EQ(j["decision"], "deny");
  EXPECT_EQ(j["issued"], json::object());
  EXPECT_EQ(j["properties"], json::object());
  EXPECT_EQ(j["issuer"], kIssuer);
  ASSERT_EQ(j["trace"].size(), 1u);
  const json& a = j["trace"][0];
  EXPECT_EQ(a["authority"], kIssuer);
  EXPECT_EQ(a["issuer_matches"], true);
  EXPECT_EQ(a["satisfied"], false);
  EXPECT_EQ(a["condition"]["kind"], "allOf");
  EXPECT_EQ(a["condition"]["children"][0]["satisfied"], true);
  EXPECT_EQ(a["condition"]["children"][0]["actual"], "sevsnpvm");
  const json& failed = a["condition"]["children"][1];
  EXPECT_EQ(failed["claim"], "x-ms-isolation-tee.x-ms-compliance-status");
  EXPECT_EQ(failed["operator"], "equals");
  EXPECT_EQ(failed["expected"], "azure-compliant-cvm");
  EXPECT_EQ(failed["actual"], "noncompliant");
  EXPECT_EQ(failed["reason"], "the claim is \"noncompliant\"");
  EXPECT_EQ(release_explain_text(ev),
            "decision: deny (refused: authority https://sharedweu.weu.attest.azure.net: "
            "/anyOf/0/allOf/1 x-ms-isolation-tee.x-ms-compliance-status equals "
            "\"azure-compliant-cvm\" failed: the claim is \"noncompliant\")\n"
            "authority https://sharedweu.weu.attest.azure.net (/anyOf/0): fails\n"
            "  allOf (/anyOf/0/allOf)  fails\n"
            "    x-ms-isolation-tee.x-ms-attestation-type equals \"sevsnpvm\"  holds\n"
            "    x-ms-isolation-tee.x-ms-compliance-status equals \"azure-compliant-cvm\"  FAILS: "
            "the claim is \"noncompliant\"\n");
}

TEST(ReleasePolicy, AzureLocalVariantComparesBooleansAsText) {
  // The Azure Local policy checks x-ms-sevsnpvm-is-debuggable equals "false" and a policy-issued
  // claim under x-ms-policy equals "true" (maa.md section 2.5).
  const ReleasePolicy p = parse_ok(R"({"version": "1.0.0", "anyOf": [{
      "authority": "https://sharedweu.weu.attest.azure.net",
      "allOf": [
        {"claim": "x-ms-isolation-tee.x-ms-sevsnpvm-is-debuggable", "equals": "false"},
        {"claim": "x-ms-policy.edge-compliant-cvm", "equals": "true"}]}]})");
  EXPECT_EQ(p.evaluate(cvm_token("sevsnpvm", "azure-compliant-cvm"), kIssuer).decision,
            Decision::kPermit);
}

}  // namespace
}  // namespace vouch::policy
