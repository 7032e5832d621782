// The explain trace: rule by rule whether it fired, which claims matched, why a condition failed;
// its JSON and text renderings and the one-line summary for error details.

#include "policy/explain.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "policy/check_ids.h"
#include "tests/policy/engine/test_util.h"

namespace vouch::policy {
namespace {

using testutil::B;
using testutil::compiled;
using testutil::I;
using testutil::run;
using testutil::S;
using testutil::svc;
using testutil::with_issuer;

constexpr std::string_view kPolicy =
    "version=1.0;\n"
    "authorizationrules {\n"
    "  [type==\"x-ms-sgx-is-debuggable\", value==false] &&\n"
    "  [type==\"x-ms-sgx-svn\", value>=2]\n"
    "    => permit();\n"
    "  [type==\"x-ms-sgx-mrsigner\", value==\"trusted\", issuer==\"CustomClaim\"] => permit();\n"
    "};\n"
    "issuancerules {\n"
    "  c:[type==\"x-ms-sgx-mrsigner\"] => issue(type=\"signer\", value=c.value);\n"
    "};";

TEST(PolicyExplain, FailedConditionsSayWhy) {
  auto p = compiled(kPolicy);
  ASSERT_TRUE(p);
  const Evaluation ev = run(*p, {svc("x-ms-sgx-is-debuggable", B(false)), svc("x-ms-sgx-svn", I(1)),
                                 svc("x-ms-sgx-mrsigner", S("trusted"))});
  ASSERT_EQ(ev.decision, Decision::kDeny);
  ASSERT_EQ(ev.trace.size(), 3u);

  const RuleTrace& r1 = ev.trace[0];
  EXPECT_EQ(r1.rule.section, ast::Section::kAuthorization);
  EXPECT_EQ(r1.rule.index, 1u);
  EXPECT_EQ(r1.rule.pos.line, 3u);
  EXPECT_EQ(r1.rule.pos.column, 3u);
  EXPECT_EQ(r1.action, ast::ActionKind::kPermit);
  EXPECT_EQ(r1.outcome, RuleOutcome::kNotMatched);
  EXPECT_EQ(r1.text,
            "[type==\"x-ms-sgx-is-debuggable\", value==false] && [type==\"x-ms-sgx-svn\", "
            "value>=2] => permit();");
  ASSERT_EQ(r1.conditions.size(), 2u);
  EXPECT_TRUE(r1.conditions[0].satisfied);
  EXPECT_EQ(r1.conditions[0].matched, std::vector<std::size_t>{0});
  EXPECT_FALSE(r1.conditions[1].satisfied);
  EXPECT_EQ(r1.conditions[1].reason,
            "\"x-ms-sgx-svn\" is 1 (Integer); the condition needs value >= 2");
  EXPECT_EQ(r1.condition_texts[1], "[type==\"x-ms-sgx-svn\", value>=2]");

  const RuleTrace& r2 = ev.trace[1];
  EXPECT_EQ(r2.outcome, RuleOutcome::kNotMatched);
  EXPECT_EQ(r2.conditions[0].reason,
            "\"x-ms-sgx-mrsigner\" has issuer AttestationService; the condition needs issuer == "
            "\"CustomClaim\"");

  EXPECT_EQ(ev.trace[2].outcome, RuleOutcome::kNotEvaluated);
  EXPECT_FALSE(ev.trace[2].conditions[0].evaluated);
}

TEST(PolicyExplain, ReasonsForMissingClaimsAndTypeMismatches) {
  auto p = compiled(
      "version=1.0; authorizationrules {\n"
      "  [type==\"a\", value==1] => permit();\n"
      "  [type==\"b\", value==1] => permit();\n"
      "  [value==1] => permit();\n"
      "};");
  ASSERT_TRUE(p);
  const Evaluation ev = run(*p, {svc("b", S("1"))});
  EXPECT_EQ(ev.trace[0].conditions[0].reason, "no claim of type \"a\"");
  EXPECT_EQ(ev.trace[1].conditions[0].reason,
            "\"b\" is \"1\" (String), but the condition compares with value == 1 (Integer; values "
            "of different types never match)");
  EXPECT_EQ(ev.trace[2].conditions[0].reason, "no claim passes every test");
  const Evaluation none = run(*p, {});
  EXPECT_EQ(none.trace[2].conditions[0].reason, "there are no incoming claims");
}

TEST(PolicyExplain, EffectsAndMatchedClaimsAreRecorded) {
  auto p = compiled(kPolicy);
  ASSERT_TRUE(p);
  const Evaluation ev = run(*p, {svc("x-ms-sgx-is-debuggable", B(false)), svc("x-ms-sgx-svn", I(3)),
                                 svc("x-ms-sgx-mrsigner", S("abc"))});
  ASSERT_EQ(ev.decision, Decision::kPermit);
  EXPECT_EQ(ev.trace[0].outcome, RuleOutcome::kFired);
  EXPECT_EQ(ev.trace[1].outcome, RuleOutcome::kNotMatched);  // rules after a permit still run
  const RuleTrace& issue = ev.trace[2];
  EXPECT_EQ(issue.outcome, RuleOutcome::kFired);
  ASSERT_EQ(issue.effects.size(), 1u);
  EXPECT_EQ(issue.effects[0].action, ast::ActionKind::kIssue);
  EXPECT_EQ(issue.effects[0].claim.type, "signer");
  EXPECT_EQ(issue.effects[0].claim.value, S("abc"));
  EXPECT_EQ(issue.conditions[0].matched, std::vector<std::size_t>{2});
  EXPECT_EQ(ev.incoming.size(), 4u);  // three given, one issued
}

TEST(PolicyExplain, JsonRendering) {
  auto p = compiled(kPolicy);
  ASSERT_TRUE(p);
  const Evaluation ev = run(*p, {svc("x-ms-sgx-is-debuggable", B(false)), svc("x-ms-sgx-svn", I(3)),
                                 svc("x-ms-sgx-mrsigner", S("abc"))});
  const nlohmann::json j = evaluation_to_json(ev);
  EXPECT_EQ(j["decision"], "permit");
  EXPECT_EQ(j["issued"], nlohmann::json({{"signer", "abc"}}));
  EXPECT_EQ(j["properties"], nlohmann::json::object());
  EXPECT_FALSE(j.contains("reason"));
  EXPECT_FALSE(j.contains("error"));
  ASSERT_EQ(j["trace"].size(), 3u);
  const auto& r = j["trace"][0];
  EXPECT_EQ(r["section"], "authorizationrules");
  EXPECT_EQ(r["rule"], 1);
  EXPECT_EQ(r["line"], 3);
  EXPECT_EQ(r["column"], 3);
  EXPECT_EQ(r["action"], "permit");
  EXPECT_EQ(r["result"], "fired");
  EXPECT_EQ(
      r["conditions"][1]["matched"][0],
      nlohmann::json({{"type", "x-ms-sgx-svn"}, {"value", 3}, {"issuer", "AttestationService"}}));
  EXPECT_EQ(j["trace"][2]["effects"][0],
            nlohmann::json({{"action", "issue"}, {"type", "signer"}, {"value", "abc"}}));

  const nlohmann::json denied = evaluation_to_json(run(*p, {}));
  EXPECT_EQ(denied["decision"], "deny");
  EXPECT_EQ(denied["reason"], "no_permit");
  EXPECT_EQ(denied["issued"], nlohmann::json::object());
}

TEST(PolicyExplain, JsonRenderingOfAnError) {
  auto p = compiled(
      "version=1.2; authorizationrules { c:[type==\"j\"] => add(type=\"n\", "
      "value=JsonToClaimValue(c.value)); => permit(); };");
  ASSERT_TRUE(p);
  const nlohmann::json j = evaluation_to_json(run(*p, {svc("j", S("{}"))}));
  EXPECT_EQ(j["decision"], "deny");
  EXPECT_EQ(j["reason"], "error");
  EXPECT_EQ(j["error"]["check"], "policy.eval.json");
  EXPECT_EQ(j["error"]["kind"], "policy_denied");
  EXPECT_EQ(j["trace"][0]["result"], "error");
}

TEST(PolicyExplain, ClaimsToJsonGroupsRepeatedTypes) {
  const std::vector<Claim> claims = {svc("a", I(1)), svc("b", S("x")), svc("a", I(2)),
                                     svc("a", B(true))};
  EXPECT_EQ(claims_to_json(claims), nlohmann::json({{"a", {1, 2, true}}, {"b", "x"}}));
}

TEST(PolicyExplain, ShortExplanation) {
  auto p = compiled(kPolicy);
  ASSERT_TRUE(p);
  const std::vector<Claim> claims = {svc("x-ms-sgx-is-debuggable", B(true)),
                                     svc("x-ms-sgx-svn", I(3))};
  EXPECT_EQ(short_explanation(run(*p, claims)),
            "no permit() rule fired in authorizationrules; rule 1 (line 3): "
            "[type==\"x-ms-sgx-is-debuggable\", value==false] failed: "
            "\"x-ms-sgx-is-debuggable\" is true (Boolean); the condition needs value == false; "
            "rule 2 (line 6): [type==\"x-ms-sgx-mrsigner\", value==\"trusted\", "
            "issuer==\"CustomClaim\"] failed: no claim of type \"x-ms-sgx-mrsigner\"");
  // Without the trace it still says what happened.
  EXPECT_EQ(short_explanation(p->evaluate(claims)), "no permit() rule fired in authorizationrules");
  EXPECT_EQ(short_explanation(
                run(*p, {svc("x-ms-sgx-is-debuggable", B(false)), svc("x-ms-sgx-svn", I(3))})),
            "permitted");
  const std::string cut = short_explanation(run(*p, claims), 40);
  EXPECT_EQ(cut.size(), 40u);
  EXPECT_EQ(cut.substr(37), "...");

  auto deny =
      compiled("version=1.0; authorizationrules {\n => permit();\n [type==\"bad\"] => deny();\n};");
  ASSERT_TRUE(deny);
  EXPECT_EQ(short_explanation(deny->evaluate(std::vector<Claim>{svc("bad", I(1))})),
            "deny() fired in authorizationrules rule 2 (line 3)");
}

TEST(PolicyExplain, TextRendering) {
  auto p = compiled(kPolicy);
  ASSERT_TRUE(p);
  const std::string text =
      explain_text(run(*p, {svc("x-ms-sgx-is-debuggable", B(false)), svc("x-ms-sgx-svn", I(3)),
                            with_issuer("x-ms-sgx-mrsigner", S("abc"), Issuer::kCustomClaim)}));
  EXPECT_EQ(
      text,
      "decision: permit (permitted)\n"
      "authorizationrules\n"
      "  rule 1 (line 3): fired\n"
      "    [type==\"x-ms-sgx-is-debuggable\", value==false]  holds: 1 claim, e.g. "
      "\"x-ms-sgx-is-debuggable\" = false\n"
      "    [type==\"x-ms-sgx-svn\", value>=2]  holds: 1 claim, e.g. \"x-ms-sgx-svn\" = 3\n"
      "  rule 2 (line 6): not_matched\n"
      "    [type==\"x-ms-sgx-mrsigner\", value==\"trusted\", issuer==\"CustomClaim\"]  FAILS: "
      "\"x-ms-sgx-mrsigner\" is \"abc\" (String); the condition needs value == \"trusted\"\n"
      "issuancerules\n"
      "  rule 1 (line 9): fired\n"
      "    c:[type==\"x-ms-sgx-mrsigner\"]  holds: 1 claim, e.g. \"x-ms-sgx-mrsigner\" = "
      "\"abc\"\n"
      "    -> issue \"signer\" = \"abc\"\n"
      "issued: {\"signer\":\"abc\"}\n");
}

}  // namespace
}  // namespace vouch::policy
