// The version 1.2 functions, checked against the examples of claim-rule-functions.md.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "policy/check_ids.h"
#include "policy/policy.h"
#include "tests/policy/engine/test_util.h"

namespace vouch::policy {
namespace {

using testutil::B;
using testutil::compiled;
using testutil::I;
using testutil::S;
using testutil::svc;

// Runs `rules` as issuancerules of a permitting 1.2 policy and returns the evaluation.
Evaluation issuance(const std::string& rules, const std::vector<Claim>& claims) {
  auto p = compiled("version=1.2; authorizationrules { => permit(); };\nissuancerules {\n" + rules +
                    "\n};");
  if (!p) {
    return Evaluation{};
  }
  return p->evaluate(claims, EvaluateOptions{.explain = true});
}

std::vector<Value> values_of(const std::vector<Claim>& claims, std::string_view type) {
  std::vector<Value> out;
  for (const auto& c : claims) {
    if (c.type == type) {
      out.push_back(c.value);
    }
  }
  return out;
}

TEST(PolicyFunctions, JmesPathOverLiteralJson) {
  // "=>add(type="JmesPathResult", value=JmesPath("{\"foo\": \"bar\"}", "foo"));" gives the JSON
  // value "bar", carried as JSON text.
  const Evaluation ev = issuance(
      "=> issue(type=\"JmesPathResult\", value=JmesPath(\"{\\\"foo\\\": \\\"bar\\\"}\", \"foo\"));",
      {});
  EXPECT_EQ(values_of(ev.issued, "JmesPathResult"), std::vector<Value>{S("\"bar\"")});
}

TEST(PolicyFunctions, JmesPathOverClaims) {
  // Claim1 {"values": [0,1,2,3,4]}, Claim2 "values[2]": the result is the JSON text 2.
  const Evaluation ev = issuance(
      "c1:[type==\"JsonData\"] && c2:[type==\"JmesPathQuery\"] => issue(type=\"JmesPathResult\", "
      "value=JmesPath(c1.value, c2.value));",
      {svc("JsonData", S("{\"values\": [0,1,2,3,4]}")), svc("JmesPathQuery", S("values[2]"))});
  EXPECT_EQ(values_of(ev.issued, "JmesPathResult"), std::vector<Value>{S("2")});
}

TEST(PolicyFunctions, JmesPathResultsAreJsonText) {
  // Nothing found is the JSON text null (the Boot Manager SVN sample compares with "null").
  const Evaluation ev = issuance(
      "c:[type==\"events\"] => add(type=\"seq\", value=JmesPath(c.value, \"Events[? "
      "EventTypeString == 'EV_SEPARATOR'] | @[0].EventSeq\"));\n"
      "c:[type==\"seq\", value != \"null\", issuer==\"AttestationPolicy\"] => issue(type=\"q\", "
      "value=AppendString(AppendString(\"Events[? EventSeq < `\", c.value), \"`]\"));\n"
      "c:[type==\"seq\", value == \"null\"] => issue(type=\"none\", value=true);",
      {svc("events", S(R"({"Events":[{"EventTypeString":"EV_SEPARATOR","EventSeq":7}]})"))});
  EXPECT_EQ(values_of(ev.issued, "q"), std::vector<Value>{S("Events[? EventSeq < `7`]")});
  const Evaluation empty = issuance(
      "c:[type==\"events\"] => add(type=\"seq\", value=JmesPath(c.value, "
      "\"Events[0].EventSeq\"));\n"
      "c:[type==\"seq\", value == \"null\"] => issue(type=\"none\", value=true);",
      {svc("events", S(R"({"Events":[]})"))});
  EXPECT_EQ(values_of(empty.issued, "none"), std::vector<Value>{B(true)});
}

TEST(PolicyFunctions, JmesPathWithAQueryBuiltAtEvaluation) {
  const Evaluation ev = issuance(
      "c:[type==\"field\"] => add(type=\"query\", value=AppendString(\"a.\", c.value));\n"
      "c1:[type==\"doc\"] && c2:[type==\"query\"] => issue(type=\"r\", "
      "value=JsonToClaimValue(JmesPath(c1.value, c2.value)));",
      {svc("doc", S(R"({"a": {"b": 42}})")), svc("field", S("b"))});
  EXPECT_EQ(values_of(ev.issued, "r"), std::vector<Value>{I(42)});
  // A computed query that is not JMESPath fails the evaluation.
  const Evaluation bad = issuance(
      "c:[type==\"q\"] && d:[type==\"doc\"] => issue(type=\"r\", value=JmesPath(d.value, "
      "c.value));",
      {svc("doc", S("{}")), svc("q", S("a[")), svc("x", I(1))});
  ASSERT_TRUE(bad.error.has_value());
  EXPECT_EQ(bad.error->check, checks::kEvalJmesPath);
  EXPECT_EQ(bad.decision, Decision::kDeny);
}

TEST(PolicyFunctions, JmesPathArgumentErrors) {
  struct Case {
    Claim doc;
    CheckId check;
  };
  const Case cases[] = {
      {svc("doc", S("not json")), checks::kEvalJson},
      {svc("doc", I(3)), checks::kEvalType},
      {svc("doc", S("[[[[1]]]]")), checks::kEvalJmesPath},  // `length` of a number
  };
  for (const auto& k : cases) {
    const Evaluation ev = issuance(
        "c:[type==\"doc\"] => issue(type=\"r\", value=JmesPath(c.value, "
        "\"length(@[0][0][0][0])\"));",
        {k.doc});
    ASSERT_TRUE(ev.error.has_value()) << k.doc.value.to_display();
    EXPECT_EQ(ev.error->check, k.check) << ev.error->to_string();
  }
  const Evaluation deep =
      issuance("c:[type==\"doc\"] => issue(type=\"r\", value=JmesPath(c.value, \"a\"));",
               {svc("doc", S(std::string(300, '[') + std::string(300, ']')))});
  ASSERT_TRUE(deep.error.has_value());
  EXPECT_EQ(deep.error->check, checks::kEvalJson);
}

TEST(PolicyFunctions, JsonToClaimValueScalars) {
  // claim-rule-functions.md: Integer, Boolean and String results.
  const Evaluation ev = issuance(
      "c:[type==\"JsonIntegerData\"] => issue(type=\"IntegerResult\", "
      "value=JsonToClaimValue(c.value));\n"
      "c:[type==\"JsonBooleanData\"] => issue(type=\"BooleanResult\", "
      "value=JsonToClaimValue(c.value));\n"
      "c:[type==\"JsonStringData\"] => issue(type=\"StringResult\", "
      "value=JsonToClaimValue(c.value));\n"
      "c:[type==\"JsonFloatInteger\"] => issue(type=\"FloatResult\", "
      "value=JsonToClaimValue(c.value));",
      {svc("JsonIntegerData", S("100")), svc("JsonBooleanData", S("true")),
       svc("JsonStringData", S("\"abc\"")), svc("JsonFloatInteger", S("-2.0"))});
  EXPECT_EQ(values_of(ev.issued, "IntegerResult"), std::vector<Value>{I(100)});
  EXPECT_EQ(values_of(ev.issued, "BooleanResult"), std::vector<Value>{B(true)});
  EXPECT_EQ(values_of(ev.issued, "StringResult"), std::vector<Value>{S("abc")});
  EXPECT_EQ(values_of(ev.issued, "FloatResult"), std::vector<Value>{I(-2)});
}

TEST(PolicyFunctions, JsonToClaimValueArrayMakesOneClaimPerElement) {
  const Evaluation ev = issuance(
      "c:[type==\"JsonData\"] => add(type=\"Result\", value=JsonToClaimValue(c.value));\n"
      "c:[type==\"Result\"] => issue(claim=c);",
      {svc("JsonData", S("[0, \"abc\", true, null, 0]"))});
  // Duplicates stay; null elements make no claim.
  EXPECT_EQ(values_of(ev.issued, "Result"), (std::vector<Value>{I(0), S("abc"), B(true), I(0)}));
}

TEST(PolicyFunctions, JsonToClaimValueNullIsANoOp) {
  const Evaluation ev = issuance(
      "c:[type==\"JsonData\"] => add(type=\"Result\", value=JsonToClaimValue(c.value));\n"
      "![type==\"Result\"] => issue(type=\"nothing-added\", value=true);",
      {svc("JsonData", S("null"))});
  EXPECT_EQ(values_of(ev.issued, "nothing-added"), std::vector<Value>{B(true)});
  EXPECT_FALSE(ev.error.has_value());
}

TEST(PolicyFunctions, JsonToClaimValueRefusesWhatIsNoClaimValue) {
  for (const char* json :
       {"{\"a\": 1}", "[[1]]", "[{}]", "1.5", "18446744073709551615", "9.3e18", "nope"}) {
    const Evaluation ev =
        issuance("c:[type==\"JsonData\"] => issue(type=\"r\", value=JsonToClaimValue(c.value));",
                 {svc("JsonData", S(json))});
    ASSERT_TRUE(ev.error.has_value()) << json;
    EXPECT_EQ(ev.error->check, checks::kEvalJson) << json;
  }
  const Evaluation wrong_type = issuance(
      "c:[type==\"n\"] => issue(type=\"r\", value=JsonToClaimValue(c.value));", {svc("n", I(1))});
  ASSERT_TRUE(wrong_type.error.has_value());
  EXPECT_EQ(wrong_type.error->check, checks::kEvalType);
}

TEST(PolicyFunctions, IsSubsetOf) {
  // The documented example: {"abc", 100} is a subset of {true, "abc", 100}.
  const std::vector<Claim> claims = {svc("Subset", S("abc")), svc("Subset", I(100)),
                                     svc("Superset", B(true)), svc("Superset", S("abc")),
                                     svc("Superset", I(100))};
  const std::string rule =
      "c1:[type == \"Subset\"] && c2:[type==\"Superset\"] => issue(type=\"IsSubset\", "
      "value=IsSubsetOf(c1.value, c2.value));\n"
      "c1:[type == \"Subset\"] && c2:[type==\"Superset\"] => issue(type=\"IsSuperset\", "
      "value=IsSubsetOf(c2.value, c1.value));\n"
      "c:[type==\"Subset\"] => issue(type=\"FromJson\", value=IsSubsetOf(JsonToClaimValue(\"[100, "
      "\\\"abc\\\"]\"), c.value));\n"
      "c:[type==\"Subset\"] => issue(type=\"Empty\", value=IsSubsetOf(JsonToClaimValue(\"[]\"), "
      "c.value));";
  const Evaluation ev = issuance(rule, claims);
  EXPECT_EQ(values_of(ev.issued, "IsSubset"), std::vector<Value>{B(true)});
  EXPECT_EQ(values_of(ev.issued, "IsSuperset"), std::vector<Value>{B(false)});
  EXPECT_EQ(values_of(ev.issued, "FromJson"), std::vector<Value>{B(true)});
  EXPECT_EQ(values_of(ev.issued, "Empty"), std::vector<Value>{B(true)});
  // "100" (a String) is not 100 (an Integer).
  const Evaluation typed = issuance(
      "c:[type==\"Subset\"] => issue(type=\"r\", value=IsSubsetOf(\"100\", c.value));", claims);
  EXPECT_EQ(values_of(typed.issued, "r"), std::vector<Value>{B(false)});
}

TEST(PolicyFunctions, AppendString) {
  const Evaluation ev = issuance(
      "c1:[type==\"String1\"] && c2:[type==\"String2\"] => issue(type=\"Result\", "
      "value=AppendString(c1.value, c2.value));\n"
      "=> issue(type=\"Empty\", value=AppendString(\"\", \"\"));",
      {svc("String1", S("abc")), svc("String2", S("xyz"))});
  EXPECT_EQ(values_of(ev.issued, "Result"), std::vector<Value>{S("abcxyz")});
  EXPECT_EQ(values_of(ev.issued, "Empty"), std::vector<Value>{S("")});
  const Evaluation bad =
      issuance("c:[type==\"n\"] => issue(type=\"r\", value=AppendString(c.value, \"x\"));",
               {svc("n", I(1))});
  ASSERT_TRUE(bad.error.has_value());
  EXPECT_EQ(bad.error->check, checks::kEvalType);
}

TEST(PolicyFunctions, AppendStringLengthIsBounded) {
  // Doubling a string in 30 rules would need a gigabyte.
  std::string rules = "=> add(type=\"s0\", value=\"0123456789abcdef0123456789abcdef\");\n";
  for (int i = 0; i < 30; ++i) {
    rules += "c:[type==\"s" + std::to_string(i) + "\"] => add(type=\"s" + std::to_string(i + 1) +
             "\", value=AppendString(c.value, c.value));\n";
  }
  auto p = compiled("version=1.2; authorizationrules { => permit(); };\nissuancerules {\n" + rules +
                    "};");
  ASSERT_TRUE(p);
  const Evaluation ev = p->evaluate(std::vector<Claim>{});
  ASSERT_TRUE(ev.error.has_value());
  EXPECT_EQ(ev.error->check, checks::kEvalLimit) << ev.error->to_string();
  ASSERT_TRUE(ev.decisive_rule.has_value());
  EXPECT_EQ(ev.decisive_rule->index, 21u);  // 32 bytes doubled 19 times is 16 MiB
}

TEST(PolicyFunctions, NegateBool) {
  const Evaluation ev =
      issuance("c:[type==\"Input\"] => issue(type=\"Result\", value=NegateBool(c.value));",
               {svc("Input", B(true))});
  EXPECT_EQ(values_of(ev.issued, "Result"), std::vector<Value>{B(false)});
  const Evaluation bad =
      issuance("c:[type==\"Input\"] => issue(type=\"Result\", value=NegateBool(c.value));",
               {svc("Input", S("true"))});
  ASSERT_TRUE(bad.error.has_value());
  EXPECT_EQ(bad.error->check, checks::kEvalType);
}

TEST(PolicyFunctions, ContainsOnlyValue) {
  const std::string rule =
      "c:[type==\"Set\"] => issue(type=\"Only100\", value=ContainsOnlyValue(c.value, 100));";
  EXPECT_EQ(values_of(issuance(rule, {svc("Set", I(100)), svc("Set", I(101))}).issued, "Only100"),
            std::vector<Value>{B(false)});
  EXPECT_EQ(values_of(issuance(rule, {svc("Set", I(100)), svc("Set", I(100))}).issued, "Only100"),
            std::vector<Value>{B(true)});
  // An empty set contains nothing, so not only 100.
  const Evaluation empty =
      issuance("=> issue(type=\"r\", value=ContainsOnlyValue(JsonToClaimValue(\"[]\"), 100));", {});
  EXPECT_EQ(values_of(empty.issued, "r"), std::vector<Value>{B(false)});
  // The value must be a single value.
  const Evaluation bad =
      issuance("c:[type==\"Set\"] => issue(type=\"r\", value=ContainsOnlyValue(c.value, c.value));",
               {svc("Set", I(1)), svc("Set", I(2))});
  ASSERT_TRUE(bad.error.has_value());
  EXPECT_EQ(bad.error->check, checks::kEvalType);
}

TEST(PolicyFunctions, SetPipelineFromTheVersion12Docs) {
  // The code integrity rule of policy-version-1-2.md: a JSON array of booleans -> claims ->
  // ContainsOnlyValue(c.value, true).
  const std::string rules =
      "c:[type==\"events\", issuer==\"AttestationService\"] => add(type=\"boolProperties\", "
      "value=JmesPath(c.value, \"Events[? EventTypeString == 'EV_EVENT_TAG' && (PcrIndex == `12` "
      "|| PcrIndex == `13`)].ProcessedData.EVENT_TRUSTBOUNDARY\"));\n"
      "c:[type==\"boolProperties\", issuer==\"AttestationPolicy\"] => "
      "add(type=\"codeIntegrityEnabledSet\", value=JsonToClaimValue(JmesPath(c.value, "
      "\"[*].EVENT_CODEINTEGRITY\")));\n"
      "c:[type==\"codeIntegrityEnabledSet\", issuer==\"AttestationPolicy\"] => "
      "issue(type=\"codeIntegrityEnabled\", value=ContainsOnlyValue(c.value, true));\n"
      "![type==\"codeIntegrityEnabled\", issuer==\"AttestationPolicy\"] => "
      "issue(type=\"codeIntegrityEnabled\", value=false);";
  const auto events = [](const std::string& flags) {
    nlohmann::json j = {{"Events", nlohmann::json::array()}};
    int pcr = 12;
    for (const char f : flags) {
      j["Events"].push_back(
          {{"EventTypeString", "EV_EVENT_TAG"},
           {"PcrIndex", pcr++},
           {"ProcessedData", {{"EVENT_TRUSTBOUNDARY", {{"EVENT_CODEINTEGRITY", f == '1'}}}}}});
    }
    return svc("events", Value::json(j));
  };
  EXPECT_EQ(values_of(issuance(rules, {events("11")}).issued, "codeIntegrityEnabled"),
            std::vector<Value>{B(true)});
  EXPECT_EQ(values_of(issuance(rules, {events("10")}).issued, "codeIntegrityEnabled"),
            std::vector<Value>{B(false)});
  EXPECT_EQ(values_of(issuance(rules, {events("")}).issued, "codeIntegrityEnabled"),
            std::vector<Value>{B(false)});
}

TEST(PolicyFunctions, FunctionsInConditions) {
  // policy-version-1-2.md's PCR check: a function call as a condition operand, over a read-only
  // claim, issuing a claim that is not read-only.
  auto p = compiled(
      "version=1.2; authorizationrules { => permit(); };\n"
      "issuancerules {\n"
      "c:[type == \"pcrs\", issuer==\"AttestationService\"] && "
      "c1:[type==\"pcrMatchesExpectedValue\", "
      "value==JsonToClaimValue(JmesPath(c.value, \"PCRs[? Index == `0`].Digests.SHA1 | @[0] == "
      "`\\\"KCk6Ow\\\"`\"))] => issue(claim = c1);\n"
      "};");
  ASSERT_TRUE(p);
  Claim pcrs = svc("pcrs", S(R"({"PCRs":[{"Index":0,"Digests":{"SHA1":"KCk6Ow"}}]})"));
  pcrs.read_only = true;
  const std::vector<Claim> claims = {
      pcrs, testutil::with_issuer("pcrMatchesExpectedValue", B(true), Issuer::kCustomClaim)};
  const Evaluation ev = p->evaluate(claims);
  EXPECT_FALSE(ev.error.has_value());
  EXPECT_EQ(values_of(ev.issued, "pcrMatchesExpectedValue"), std::vector<Value>{B(true)});
}

TEST(PolicyFunctions, ReadOnlyPropagation) {
  Claim pcrs = svc("pcrs", S(R"({"a": [true]})"));
  pcrs.read_only = true;
  struct Case {
    const char* value;
    bool read_only;
  };
  // JmesPath, JsonToClaimValue, AppendString and NegateBool carry read-only-ness; IsSubsetOf and
  // ContainsOnlyValue make a fresh Boolean.
  const Case cases[] = {
      {"JmesPath(c.value, \"a\")", true},
      {"JsonToClaimValue(JmesPath(c.value, \"a[0]\"))", true},
      {"AppendString(\"x\", c.value)", true},
      {"NegateBool(JsonToClaimValue(JmesPath(c.value, \"a[0]\")))", true},
      {"IsSubsetOf(JsonToClaimValue(JmesPath(c.value, \"a\")), true)", false},
      {"ContainsOnlyValue(JsonToClaimValue(JmesPath(c.value, \"a\")), true)", false},
  };
  for (const auto& k : cases) {
    const Evaluation ev = issuance(
        std::string("c:[type==\"pcrs\"] => issue(type=\"r\", value=") + k.value + ");", {pcrs});
    EXPECT_EQ(ev.error.has_value(), k.read_only) << k.value;
    if (ev.error) {
      EXPECT_EQ(ev.error->check, checks::kEvalReadOnly);
    }
  }
}

}  // namespace
}  // namespace vouch::policy
