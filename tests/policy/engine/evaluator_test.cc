// Evaluation semantics of the claim-rule language (claim-rule-grammar.md, policy-version-1-*.md,
// maa.md section 2.3; our decisions in docs/adr/0006-policy-language.md).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/check_ids.h"
#include "policy/policy.h"
#include "testing/matchers.h"
#include "tests/policy/engine/test_util.h"

namespace vouch::policy {
namespace {

using testutil::B;
using testutil::compiled;
using testutil::find_claim;
using testutil::I;
using testutil::run;
using testutil::S;
using testutil::svc;
using testutil::with_issuer;

std::string authorize(const std::string& rules) {
  return "version=1.2; authorizationrules {\n" + rules + "\n};";
}

Decision decide(const std::string& text, const std::vector<Claim>& claims) {
  auto p = compiled(text);
  if (!p) {
    return Decision::kDeny;
  }
  return p->evaluate(claims).decision;
}

TEST(PolicyEvaluate, DefaultDenyWhenNoPermitFires) {
  auto p = compiled(authorize("[type==\"a\"] => permit();"));
  ASSERT_TRUE(p);
  const Evaluation ev = p->evaluate(std::vector<Claim>{});
  EXPECT_EQ(ev.decision, Decision::kDeny);
  EXPECT_EQ(ev.deny_reason, DenyReason::kNoPermit);
  EXPECT_FALSE(ev.error.has_value());
  EXPECT_EQ(p->evaluate(std::vector<Claim>{svc("a", I(1))}).decision, Decision::kPermit);
  EXPECT_EQ(p->evaluate(std::vector<Claim>{svc("a", I(1))}).deny_reason, DenyReason::kNone);
  // An empty authorizationrules section permits nothing.
  EXPECT_EQ(decide("version=1.0; authorizationrules{};", {svc("a", I(1))}), Decision::kDeny);
}

TEST(PolicyEvaluate, DenyWinsOverPermitAndStopsAuthorization) {
  auto p =
      compiled(authorize("=> permit();\n"
                         "[type==\"debug\", value==true] => deny();\n"
                         "=> add(type=\"after\", value=1);"));
  ASSERT_TRUE(p);
  const Evaluation ev = run(*p, {svc("debug", B(true))});
  EXPECT_EQ(ev.decision, Decision::kDeny);
  EXPECT_EQ(ev.deny_reason, DenyReason::kDenyRule);
  ASSERT_TRUE(ev.decisive_rule.has_value());
  EXPECT_EQ(ev.decisive_rule->index, 2u);
  EXPECT_EQ(ev.decisive_rule->pos.line, 3u);
  ASSERT_EQ(ev.trace.size(), 3u);
  EXPECT_EQ(ev.trace[2].outcome, RuleOutcome::kNotEvaluated);
  EXPECT_EQ(find_claim(ev.incoming, "after"), nullptr);
  EXPECT_EQ(p->evaluate(std::vector<Claim>{svc("debug", B(false))}).decision, Decision::kPermit);
}

TEST(PolicyEvaluate, ConditionNeedsOneClaimPassingEveryTest) {
  // Two claims of type "svn": one with value 1, one with 5. [type=="svn", value>=3] holds via the
  // second; the tests in one pair of brackets must hold for the same claim.
  const std::string text =
      authorize("[type==\"svn\", value>=3, issuer==\"CustomClaim\"] => permit();");
  EXPECT_EQ(decide(text, {with_issuer("svn", I(5), Issuer::kAttestationService),
                          with_issuer("svn", I(1), Issuer::kCustomClaim)}),
            Decision::kDeny);
  EXPECT_EQ(decide(text, {with_issuer("svn", I(1), Issuer::kAttestationService),
                          with_issuer("svn", I(5), Issuer::kCustomClaim)}),
            Decision::kPermit);
}

TEST(PolicyEvaluate, AndJoinsConditionsAndRulesAreAlternatives) {
  const std::string text = authorize(
      "[type==\"signer\", value==\"s1\"] && [type==\"debug\", value==false] => permit();\n"
      "[type==\"signer\", value==\"s2\"] && [type==\"debug\", value==false] => permit();");
  EXPECT_EQ(decide(text, {svc("signer", S("s1")), svc("debug", B(false))}), Decision::kPermit);
  EXPECT_EQ(decide(text, {svc("signer", S("s2")), svc("debug", B(false))}), Decision::kPermit);
  EXPECT_EQ(decide(text, {svc("signer", S("s2")), svc("debug", B(true))}), Decision::kDeny);
  EXPECT_EQ(decide(text, {svc("signer", S("s3")), svc("debug", B(false))}), Decision::kDeny);
  EXPECT_EQ(decide(text, {svc("signer", S("s1"))}), Decision::kDeny);
}

TEST(PolicyEvaluate, IntegerComparisons) {
  struct Case {
    const char* op;
    std::int64_t value;
    bool holds;
  };
  const Case cases[] = {{"==", 5, true}, {"==", 4, false}, {"!=", 4, true}, {"!=", 5, false},
                        {"<", 6, true},  {"<", 5, false},  {"<=", 5, true}, {"<=", 4, false},
                        {">", 4, true},  {">", 5, false},  {">=", 5, true}, {">=", 6, false},
                        {">", -1, true}, {"<", -4, false}};
  for (const auto& k : cases) {
    const std::string text = authorize(std::string("[type==\"n\", value") + k.op +
                                       std::to_string(k.value) + "] => permit();");
    EXPECT_EQ(decide(text, {svc("n", I(5))}) == Decision::kPermit, k.holds)
        << "5 " << k.op << " " << k.value;
  }
}

TEST(PolicyEvaluate, StringAndBooleanComparisons) {
  EXPECT_EQ(decide(authorize("[type==\"s\", value==\"abc\"] => permit();"), {svc("s", S("abc"))}),
            Decision::kPermit);
  EXPECT_EQ(decide(authorize("[type==\"s\", value==\"ABC\"] => permit();"), {svc("s", S("abc"))}),
            Decision::kDeny);  // case-sensitive
  EXPECT_EQ(decide(authorize("[type==\"s\", value!=\"x\"] => permit();"), {svc("s", S("abc"))}),
            Decision::kPermit);
  EXPECT_EQ(decide(authorize("[type==\"b\", value==false] => permit();"), {svc("b", B(false))}),
            Decision::kPermit);
  EXPECT_EQ(decide(authorize("[type==\"b\", value!=false] => permit();"), {svc("b", B(false))}),
            Decision::kDeny);
}

TEST(PolicyEvaluate, ValuesOfDifferentTypesNeverMatch) {
  // No implicit conversion: "5" is not 5 and true is not "true", not even for !=.
  for (const char* test : {"value==5", "value!=5", "value>=1"}) {
    EXPECT_EQ(decide(authorize(std::string("[type==\"n\", ") + test + "] => permit();"),
                     {svc("n", S("5"))}),
              Decision::kDeny)
        << test;
  }
  EXPECT_EQ(decide(authorize("[type==\"b\", value==\"true\"] => permit();"), {svc("b", B(true))}),
            Decision::kDeny);
  EXPECT_EQ(decide(authorize("[type==\"b\", value!=\"false\"] => permit();"), {svc("b", B(true))}),
            Decision::kDeny);
}

TEST(PolicyEvaluate, IssuerAndValueTypeTests) {
  const std::vector<Claim> claims = {with_issuer("os", S("linux"), Issuer::kCustomClaim),
                                     svc("os", S("windows"))};
  EXPECT_EQ(decide(authorize("[type==\"os\", issuer==\"AttestationService\", value==\"linux\"] "
                             "=> permit();"),
                   claims),
            Decision::kDeny);
  EXPECT_EQ(decide(authorize("[type==\"os\", issuer==\"CustomClaim\", value==\"linux\"] => "
                             "permit();"),
                   claims),
            Decision::kPermit);
  EXPECT_EQ(decide(authorize("[type==\"os\", issuer!=\"CustomClaim\", value==\"windows\"] => "
                             "permit();"),
                   claims),
            Decision::kPermit);
  EXPECT_EQ(
      decide(authorize("[type==\"n\", valueType==\"Integer\"] => permit();"), {svc("n", I(1))}),
      Decision::kPermit);
  EXPECT_EQ(
      decide(authorize("[type==\"n\", valueType==\"String\"] => permit();"), {svc("n", I(1))}),
      Decision::kDeny);
  EXPECT_EQ(
      decide(authorize("[valueType==\"Boolean\", value==true] => permit();"), {svc("x", B(true))}),
      Decision::kPermit);
}

TEST(PolicyEvaluate, RulesRunInOrderAndAddedClaimsAreSeenLater) {
  auto p = compiled(
      "version=1.0; authorizationrules {\n"
      "  [type==\"late\"] => add(type=\"early-saw-late\", value=true);\n"
      "  [type==\"a\"] => add(type=\"late\", value=1);\n"
      "  [type==\"late\", issuer==\"AttestationPolicy\"] => permit();\n"
      "};");
  ASSERT_TRUE(p);
  const Evaluation ev = run(*p, {svc("a", I(0))});
  EXPECT_EQ(ev.decision, Decision::kPermit);
  EXPECT_EQ(find_claim(ev.incoming, "early-saw-late"), nullptr);
  const Claim* late = find_claim(ev.incoming, "late");
  ASSERT_NE(late, nullptr);
  EXPECT_EQ(late->issuer, Issuer::kAttestationPolicy);
  EXPECT_TRUE(ev.issued.empty());  // add() never reaches the token
}

TEST(PolicyEvaluate, SectionsRunConfigurationAuthorizationIssuance) {
  auto p = compiled(
      "version=1.1;\n"
      "configurationrules { => issueproperty(type=\"required_pcr_mask\", value=15); };\n"
      "authorizationrules { [type==\"required_pcr_mask\", issuer==\"AttestationPolicy\", "
      "value==15] => permit(); };\n"
      "issuancerules {\n"
      "  c:[type==\"x\"] => issue(type=\"out\", value=c.value);\n"
      "  => issueproperty(type=\"report_validity_in_minutes\", value=60);\n"
      "  [type==\"out\", issuer==\"AttestationPolicy\"] => issue(type=\"saw-out\", value=true);\n"
      "};");
  ASSERT_TRUE(p);
  const Evaluation ev = run(*p, {svc("x", S("v"))});
  ASSERT_EQ(ev.decision, Decision::kPermit);
  ASSERT_EQ(ev.issued.size(), 2u);
  EXPECT_EQ(ev.issued[0].type, "out");
  EXPECT_EQ(ev.issued[0].value, S("v"));
  EXPECT_EQ(ev.issued[0].issuer, Issuer::kAttestationPolicy);
  EXPECT_EQ(ev.issued[1].type, "saw-out");
  ASSERT_EQ(ev.properties.size(), 2u);
  EXPECT_EQ(ev.properties[0].type, "required_pcr_mask");
  EXPECT_EQ(ev.properties[0].value, I(15));
  EXPECT_EQ(ev.properties[1].type, "report_validity_in_minutes");
}

TEST(PolicyEvaluate, IssuanceRulesDoNotRunWhenDenied) {
  auto p = compiled(
      "version=1.1; configurationrules { => issueproperty(type=\"p\", value=1); };\n"
      "authorizationrules { [type==\"ok\"] => permit(); };\n"
      "issuancerules { => issue(type=\"out\", value=1); };");
  ASSERT_TRUE(p);
  const Evaluation denied = run(*p, {});
  EXPECT_EQ(denied.decision, Decision::kDeny);
  EXPECT_TRUE(denied.issued.empty());
  EXPECT_TRUE(denied.properties.empty());  // a denied request carries nothing
  ASSERT_EQ(denied.trace.size(), 3u);
  EXPECT_EQ(denied.trace[0].outcome, RuleOutcome::kFired);
  EXPECT_EQ(denied.trace[2].outcome, RuleOutcome::kNotEvaluated);
  const Evaluation permitted = run(*p, {svc("ok", B(true))});
  EXPECT_EQ(permitted.issued.size(), 1u);
  EXPECT_EQ(permitted.properties.size(), 1u);
}

TEST(PolicyEvaluate, BindingsJoinConditions) {
  // claim-rule-grammar.md's example: an OSName the client claims that the service confirms.
  auto p = compiled(
      "version=1.0; authorizationrules { => permit(); };\n"
      "issuancerules {\n"
      "  F1:[type==\"OSName\", issuer==\"CustomClaim\"] &&\n"
      "  [type==\"OSName\", issuer==\"AttestationService\", value==F1.value]\n"
      "  => issueproperty(type=\"report_validity_in_minutes\", value=1440);\n"
      "  F1:[type==\"OSName\", issuer==\"CustomClaim\"] &&\n"
      "  C2:[type==\"OSName\", issuer==\"AttestationService\", value==F1.value]\n"
      "  => issue(claim=C2);\n"
      "};");
  ASSERT_TRUE(p);
  const Evaluation agree = run(
      *p, {with_issuer("OSName", S("Windows"), Issuer::kCustomClaim), svc("OSName", S("Windows"))});
  ASSERT_EQ(agree.properties.size(), 1u);
  ASSERT_EQ(agree.issued.size(), 1u);
  EXPECT_EQ(agree.issued[0].type, "OSName");
  EXPECT_EQ(agree.issued[0].value, S("Windows"));
  const Evaluation differ = run(
      *p, {with_issuer("OSName", S("Linux"), Issuer::kCustomClaim), svc("OSName", S("Windows"))});
  EXPECT_TRUE(differ.properties.empty());
  EXPECT_TRUE(differ.issued.empty());
}

TEST(PolicyEvaluate, BindingToSeveralClaimsIsASet) {
  auto p = compiled(
      "version=1.0; authorizationrules { => permit(); };\n"
      "issuancerules {\n"
      "  c:[type==\"allowed\"] && [type==\"signer\", value==c.value] => issue(type=\"member\", "
      "value=true);\n"
      "  c:[type==\"allowed\"] && [type==\"signer\", value!=c.value] => issue(type=\"outsider\", "
      "value=true);\n"
      "  c:[type==\"allowed\"] => issue(type=\"copy\", value=c.value);\n"
      "  c:[type==\"allowed\"] => issue(claim=c);\n"
      "  c:[type==\"allowed\"] && [type==\"label\", type==c.type] => issue(type=\"t\", value=1);\n"
      "};");
  ASSERT_TRUE(p);
  const std::vector<Claim> claims = {svc("allowed", S("a")), svc("allowed", S("b")),
                                     svc("signer", S("b"))};
  const Evaluation ev = run(*p, claims);
  EXPECT_NE(find_claim(ev.issued, "member"), nullptr);    // == means "one of"
  EXPECT_EQ(find_claim(ev.issued, "outsider"), nullptr);  // != means "none of"
  std::vector<Value> copies;
  std::vector<Value> copied_claims;
  for (const auto& c : ev.issued) {
    if (c.type == "copy") {
      copies.push_back(c.value);
    }
    if (c.type == "allowed") {
      copied_claims.push_back(c.value);
    }
  }
  EXPECT_EQ(copies, (std::vector<Value>{S("a"), S("b")}));  // one claim per value, in order
  EXPECT_EQ(copied_claims, (std::vector<Value>{S("a"), S("b")}));
  EXPECT_EQ(find_claim(ev.issued, "t"), nullptr);  // no claim of type "label"
  const Evaluation outsider = run(*p, {svc("allowed", S("a")), svc("signer", S("z"))});
  EXPECT_NE(find_claim(outsider.issued, "outsider"), nullptr);
}

TEST(PolicyEvaluate, AbsenceOperator) {
  // claim-rule-functions.md's example.
  auto p = compiled(
      "version=1.2; authorizationrules { => permit(); };\n"
      "issuancerules {\n"
      "  ![type==\"Claim3\"] => add(type=\"Claim3\", value=300);\n"
      "  ![type==\"Claim3\"] => issue(type=\"second\", value=true);\n"
      "  [type==\"Claim3\", value==300] => issue(type=\"added\", value=true);\n"
      "};");
  ASSERT_TRUE(p);
  const Evaluation ev = run(*p, {svc("Claim1", I(100)), svc("Claim2", I(200))});
  const Claim* added = find_claim(ev.incoming, "Claim3");
  ASSERT_NE(added, nullptr);
  EXPECT_EQ(added->value, I(300));
  EXPECT_EQ(find_claim(ev.issued, "second"), nullptr);  // Claim3 exists by then
  EXPECT_NE(find_claim(ev.issued, "added"), nullptr);
  const Evaluation present = run(*p, {svc("Claim3", I(1))});
  EXPECT_EQ(find_claim(present.issued, "added"), nullptr);
  // A negated condition that fails names the claim that made it fail.
  ASSERT_GE(present.trace.size(), 2u);
  EXPECT_FALSE(present.trace[1].conditions[0].satisfied);
  EXPECT_EQ(present.trace[1].conditions[0].matched.size(), 1u);
}

TEST(PolicyEvaluate, ReadOnlyClaimsCanBeAddedButNotIssued) {
  auto p = compiled(
      "version=1.2; authorizationrules { => permit(); };\n"
      "issuancerules {\n"
      "  c:[type==\"pcrs\"] => add(type=\"copy\", value=c.value);\n"
      "  c:[type==\"copy\"] => add(type=\"pcr0\", value=JmesPath(c.value, \"PCRs[0].Index\"));\n"
      "  c:[type==\"pcr0\"] => issue(type=\"out\", value=c.value);\n"
      "};");
  ASSERT_TRUE(p);
  Claim pcrs = svc("pcrs", Value::string(R"({"PCRs":[{"Index":0}]})"));
  pcrs.read_only = true;
  const Evaluation ev = run(*p, {pcrs});
  EXPECT_EQ(ev.decision, Decision::kDeny);
  EXPECT_EQ(ev.deny_reason, DenyReason::kError);
  ASSERT_TRUE(ev.error.has_value());
  EXPECT_EQ(ev.error->kind, ErrorKind::kPolicyDenied);
  EXPECT_EQ(ev.error->check, checks::kEvalReadOnly);
  ASSERT_TRUE(ev.decisive_rule.has_value());
  EXPECT_EQ(ev.decisive_rule->index, 3u);
  const Claim* pcr0 = find_claim(ev.incoming, "pcr0");
  ASSERT_NE(pcr0, nullptr);
  EXPECT_TRUE(pcr0->read_only);
  pcrs.read_only = false;
  EXPECT_EQ(p->evaluate(std::vector<Claim>{pcrs}).decision, Decision::kPermit);
}

TEST(PolicyEvaluate, EvaluationErrorsDenyAndSayWhere) {
  auto p = compiled(
      "version=1.2; authorizationrules {\n"
      "  c:[type==\"j\"] => add(type=\"n\", value=JsonToClaimValue(c.value));\n"
      "  => permit();\n"
      "};");
  ASSERT_TRUE(p);
  const Evaluation ev = run(*p, {svc("j", S("{\"an\": \"object\"}"))});
  EXPECT_EQ(ev.decision, Decision::kDeny);
  ASSERT_TRUE(ev.error.has_value());
  EXPECT_EQ(ev.error->check, checks::kEvalJson);
  ASSERT_TRUE(ev.decisive_rule.has_value());
  EXPECT_EQ(ev.decisive_rule->pos.line, 2u);
  EXPECT_EQ(ev.trace[0].outcome, RuleOutcome::kError);
  EXPECT_EQ(ev.trace[1].outcome, RuleOutcome::kNotEvaluated);  // fail closed: nothing after
  EXPECT_EQ(p->evaluate(std::vector<Claim>{svc("j", S("7"))}).decision, Decision::kPermit);
}

TEST(PolicyEvaluate, ClaimTypeMustBeAString) {
  auto p = compiled(
      "version=1.0; authorizationrules { => permit(); };\n"
      "issuancerules { c:[type==\"n\"] => issue(type=c.value, value=1); c:[type==\"s\"] => "
      "issue(type=c.value, value=2); };");
  ASSERT_TRUE(p);
  const Evaluation bad = p->evaluate(std::vector<Claim>{svc("n", I(3))});
  ASSERT_TRUE(bad.error.has_value());
  EXPECT_EQ(bad.error->check, checks::kEvalType);
  const Evaluation good = p->evaluate(std::vector<Claim>{svc("s", S("dynamic"))});
  ASSERT_EQ(good.issued.size(), 1u);
  EXPECT_EQ(good.issued[0].type, "dynamic");
}

TEST(PolicyEvaluate, IncomingClaimsMustBeScalars) {
  auto p = compiled(authorize("=> permit();"));
  ASSERT_TRUE(p);
  for (const Value& bad : {Value::set({I(1), I(2)}), Value()}) {
    const Evaluation ev = p->evaluate(std::vector<Claim>{svc("x", bad)});
    EXPECT_EQ(ev.decision, Decision::kDeny);
    ASSERT_TRUE(ev.error.has_value());
    EXPECT_EQ(ev.error->check, checks::kInput);
  }
}

TEST(PolicyEvaluate, ExponentialClaimGrowthHitsTheLimit) {
  // Each rule doubles the "x" claims; 20 rules would make a million claims.
  std::string rules;
  for (int i = 0; i < 20; ++i) {
    rules += "c:[type==\"x\"] => add(type=\"x\", value=c.value);\n";
  }
  auto p =
      compiled("version=1.0; authorizationrules{ => permit(); };\nissuancerules{\n" + rules + "};");
  ASSERT_TRUE(p);
  std::vector<Claim> claims;
  for (int i = 0; i < 4; ++i) {
    claims.push_back(svc("x", I(i)));
  }
  const Evaluation ev = p->evaluate(claims);
  EXPECT_EQ(ev.decision, Decision::kDeny);
  ASSERT_TRUE(ev.error.has_value());
  EXPECT_EQ(ev.error->check, checks::kEvalLimit);
}

TEST(PolicyEvaluate, AddedClaimBytesAreBounded) {
  // A 60 KB value copied into twice as many claims by each rule: memory, not the claim count, is
  // what runs out first.
  std::string rules = "=> add(type=\"s\", value=\"" + std::string(60000, 'x') + "\");\n";
  for (int i = 0; i < 12; ++i) {
    rules += "c:[type==\"s\"] => add(type=\"s\", value=c.value);\n";
  }
  auto p =
      compiled("version=1.0; authorizationrules{ => permit(); };\nissuancerules{\n" + rules + "};");
  ASSERT_TRUE(p);
  const Evaluation ev = p->evaluate(std::vector<Claim>{});
  ASSERT_TRUE(ev.error.has_value());
  EXPECT_EQ(ev.error->check, checks::kEvalLimit);
  ASSERT_TRUE(ev.decisive_rule.has_value());
  EXPECT_EQ(ev.decisive_rule->index, 12u);  // 60 KB * 2^10 claims passes 64 MiB
}

TEST(PolicyEvaluate, TooManyIncomingClaims) {
  auto p = compiled(authorize("=> permit();"));
  ASSERT_TRUE(p);
  const std::vector<Claim> claims(65537, svc("x", I(1)));
  const Evaluation ev = p->evaluate(claims);
  ASSERT_TRUE(ev.error.has_value());
  EXPECT_EQ(ev.error->check, checks::kEvalLimit);
}

TEST(PolicyEvaluate, CompiledPolicyIsImmutableAndShared) {
  auto p = compiled(
      "version=1.0; authorizationrules{ [type==\"a\"] => permit(); };\n"
      "issuancerules{ c:[type==\"a\"] => issue(type=\"b\", value=c.value); };");
  ASSERT_TRUE(p);
  const Policy copy = *p;
  const Evaluation first = p->evaluate(std::vector<Claim>{svc("a", I(1))});
  const Evaluation second = copy.evaluate(std::vector<Claim>{svc("a", I(2))});
  const Evaluation third = p->evaluate(std::vector<Claim>{svc("a", I(1))});
  EXPECT_EQ(first.issued, third.issued);
  EXPECT_EQ(second.issued[0].value, I(2));
  EXPECT_EQ(&copy.tree(), &p->tree());
  EXPECT_EQ(copy.hash(), p->hash());
}

TEST(PolicyEvaluate, TraceOnlyWhenExplained) {
  auto p = compiled(authorize("[type==\"a\"] => permit();"));
  ASSERT_TRUE(p);
  const Evaluation quiet = p->evaluate(std::vector<Claim>{svc("a", I(1))});
  EXPECT_TRUE(quiet.trace.empty());
  EXPECT_TRUE(quiet.incoming.empty());
  const Evaluation explained = run(*p, {svc("a", I(1))});
  ASSERT_EQ(explained.trace.size(), 1u);
  EXPECT_EQ(explained.incoming.size(), 1u);
  EXPECT_EQ(explained.decision, quiet.decision);
}

}  // namespace
}  // namespace vouch::policy
