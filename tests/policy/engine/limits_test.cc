// Hostile policies: every size, count and nesting limit gives a clear error, never a crash.

#include "policy/limits.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "policy/check_ids.h"
#include "policy/lint.h"
#include "policy/policy.h"
#include "testing/matchers.h"
#include "tests/policy/engine/test_util.h"

namespace vouch::policy {
namespace {

using testutil::At;
using testutil::rejected_at;
using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

TEST(PolicyLimits, PolicyLength) {
  std::string text = "version=1.0; authorizationrules{ => permit(); };";
  text += "//" + std::string(limits::kMaxPolicyBytes, 'x');
  EXPECT_TRUE(rejected_at(text, At{1, 1, checks::kLimit}));
}

TEST(PolicyLimits, RuleCount) {
  std::string rules;
  for (std::size_t i = 0; i <= limits::kMaxRules; ++i) {
    rules += "=> permit();\n";
  }
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{\n" + rules + "};",
                  At{static_cast<std::uint32_t>(limits::kMaxRules) + 2, 1, checks::kLimit}));
  std::string fewer;
  for (std::size_t i = 0; i < limits::kMaxRules; ++i) {
    fewer += "=> permit();\n";
  }
  EXPECT_THAT(Policy::compile("version=1.0; authorizationrules{\n" + fewer + "};"), Succeeds());
}

TEST(PolicyLimits, ConditionsPerRuleAndTestsPerCondition) {
  std::string conditions = "[type==\"a\"]";
  for (std::size_t i = 1; i <= limits::kMaxConditionsPerRule; ++i) {
    conditions += " && [type==\"a\"]";
  }
  EXPECT_THAT(
      Policy::compile("version=1.0; authorizationrules{ " + conditions + " => permit(); };"),
      FailsWith(ErrorKind::kInvalidArgument, checks::kLimit));
  std::string tests = "type==\"a\"";
  for (std::size_t i = 1; i <= limits::kMaxPropertiesPerCondition; ++i) {
    tests += ", value==1";
  }
  EXPECT_THAT(Policy::compile("version=1.0; authorizationrules{ [" + tests + "] => permit(); };"),
              FailsWith(ErrorKind::kInvalidArgument, checks::kLimit));
}

TEST(PolicyLimits, FunctionNestingNeverOverflowsTheStack) {
  for (const std::size_t depth : {limits::kMaxExpressionDepth + 1, std::size_t{200000}}) {
    std::string expr;
    for (std::size_t i = 0; i < depth; ++i) {
      expr += "NegateBool(";
    }
    expr += "true";
    for (std::size_t i = 0; i < depth; ++i) {
      expr += ")";
    }
    const std::string text =
        "version=1.2; authorizationrules{}; issuancerules{ => issue(type=\"a\", "
        "value=" +
        expr + "); };";
    EXPECT_THAT(Policy::compile(text), FailsWith(ErrorKind::kInvalidArgument, checks::kLimit));
  }
  // Right at the limit it compiles and evaluates.
  std::string expr = "true";
  for (std::size_t i = 0; i < limits::kMaxExpressionDepth; ++i) {
    expr = "NegateBool(" + expr + ")";
  }
  auto p = Policy::compile(
      "version=1.2; authorizationrules{ => permit(); }; issuancerules{ => "
      "issue(type=\"a\", value=" +
      expr + "); };");
  ASSERT_THAT(p, Succeeds());
  const Evaluation ev = p->evaluate(std::vector<Claim>{});
  ASSERT_EQ(ev.issued.size(), 1u);
  EXPECT_EQ(ev.issued[0].value, Value::boolean(true));  // 32 negations
}

TEST(PolicyLimits, StringLiteralLength) {
  const std::string text = "version=1.0; authorizationrules{ [type==\"" +
                           std::string(limits::kMaxStringLiteralBytes + 1, 'a') +
                           "\"] => permit(); };";
  EXPECT_TRUE(rejected_at(text, At{1, 41, checks::kLimit}));
}

TEST(PolicyLimits, ManySemanticErrorsAreCapped) {
  std::string rules;
  for (int i = 0; i < 1000; ++i) {
    rules += "=> deny();\n";
  }
  const auto found = lint("version=1.0; authorizationrules{}; issuancerules{\n" + rules + "};");
  EXPECT_LE(count_errors(found), 100u);
  EXPECT_GE(count_errors(found), 1u);
}

// A fixed-seed mutation run over a rich policy: compile, lint and evaluate never crash, and a
// policy that compiles evaluates to a decision.
TEST(PolicyLimits, MutatedPoliciesNeverCrash) {
  const std::string base =
      "version=1.2;\n"
      "configurationrules{ => issueproperty(type=\"required_pcr_mask\", value=15); };\n"
      "authorizationrules{\n"
      "  c:[type==\"events\", issuer==\"AttestationService\"] && ![type==\"x\"] &&\n"
      "  [type==\"n\", value>=-3, valueType==\"Integer\"] => add(type=\"j\", "
      "value=JsonToClaimValue(JmesPath(c.value, \"a[0]\")));\n"
      "  [type==\"j\"] => permit();\n"
      "};\n"
      "issuancerules{ c:[type==\"j\"] => issue(claim=c); => issue(type=\"s\", "
      "value=AppendString(\"a\\\"b\", \"c\")); // comment\n};";
  const std::vector<Claim> claims = {testutil::svc("events", Value::string("{\"a\": [1, 2]}")),
                                     testutil::svc("n", Value::integer(1))};
  ASSERT_EQ(Policy::compile(base)->evaluate(claims).decision, Decision::kPermit);
  std::mt19937 rng(1234);
  const std::string alphabet = "[]{}()!=<>&\",;:.-_ acvtxy0123456789\n\\\xc3\xa9\xe2";
  for (int round = 0; round < 3000; ++round) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.erase(at, 1 + rng() % 8);
          break;
        default:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
      }
    }
    auto p = Policy::compile(text);
    const auto found = lint(text);
    EXPECT_EQ(p.has_value(), count_errors(found) == 0) << text;
    if (p) {
      const Evaluation ev = p->evaluate(claims, EvaluateOptions{.explain = true});
      EXPECT_TRUE(ev.decision == Decision::kPermit || ev.decision == Decision::kDeny);
    }
  }
}

}  // namespace
}  // namespace vouch::policy
