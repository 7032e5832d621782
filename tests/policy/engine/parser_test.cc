// The claim-rule grammar: every production parses, and every error names the exact line, column
// and check.

#include <gtest/gtest.h>

#include <string>

#include "policy/check_ids.h"
#include "policy/policy.h"
#include "testing/matchers.h"
#include "tests/policy/engine/test_util.h"

namespace vouch::policy {
namespace {

using testutil::At;
using testutil::rejected_at;
using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;
namespace c = checks;

constexpr std::string_view kMinimal = "version=1.0; authorizationrules { => permit(); };";

TEST(PolicyGrammar, MinimalPolicy) {
  auto p = Policy::compile(kMinimal);
  ASSERT_THAT(p, Succeeds());
  EXPECT_EQ(p->version(), ast::Version::k1_0);
  ASSERT_EQ(p->tree().sections.size(), 1u);
  const auto& auth = p->tree().sections[0];
  EXPECT_EQ(auth.section, ast::Section::kAuthorization);
  ASSERT_EQ(auth.rules.size(), 1u);
  EXPECT_TRUE(auth.rules[0].conditions.empty());
  EXPECT_EQ(auth.rules[0].action.kind, ast::ActionKind::kPermit);
  EXPECT_EQ(auth.rules[0].index, 1u);
}

TEST(PolicyGrammar, VersionLineSpellings) {
  for (const char* text :
       {"version=1.0;authorizationrules{};", "version= 1.1 ;authorizationrules{};",
        "version = 1.2;\nauthorizationrules\n{\n};\n"}) {
    EXPECT_THAT(Policy::compile(text), Succeeds()) << text;
  }
  EXPECT_EQ(Policy::compile("version=1.1;authorizationrules{};")->version(), ast::Version::k1_1);
  EXPECT_EQ(Policy::compile("version=1.2;authorizationrules{};")->version(), ast::Version::k1_2);
}

TEST(PolicyGrammar, VersionErrors) {
  EXPECT_TRUE(rejected_at("", At{1, 1, c::kSyntax}));
  EXPECT_TRUE(rejected_at("authorizationrules{};", At{1, 1, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version==1.0;", At{1, 8, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version=1.3;", At{1, 9, c::kVersion}));
  EXPECT_TRUE(rejected_at("version=1;", At{1, 9, c::kVersion}));
  EXPECT_TRUE(rejected_at("version=\"1.0\";", At{1, 9, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version=1.0\nauthorizationrules{};", At{2, 1, c::kSyntax}));
  EXPECT_TRUE(rejected_at("Version=1.0; authorizationrules{};", At{1, 1, c::kKeywordCase}));
}

TEST(PolicyGrammar, AllThreeSectionsInOrder) {
  auto p = Policy::compile(
      "version=1.1;\n"
      "configurationrules { => issueproperty(type=\"x-ms-sgx-tcbidentifier\", value=\"11\"); };\n"
      "authorizationrules { => permit(); };\n"
      "issuancerules { => issue(type=\"a\", value=1); };\n");
  ASSERT_THAT(p, Succeeds());
  ASSERT_EQ(p->tree().sections.size(), 3u);
  EXPECT_EQ(p->tree().sections[0].section, ast::Section::kConfiguration);
  EXPECT_EQ(p->tree().sections[1].section, ast::Section::kAuthorization);
  EXPECT_EQ(p->tree().sections[2].section, ast::Section::kIssuance);
  EXPECT_EQ(p->tree().sections[2].pos.line, 4u);
  EXPECT_NE(p->tree().find(ast::Section::kIssuance), nullptr);
}

TEST(PolicyGrammar, EmptySectionsAreAllowed) {
  EXPECT_THAT(Policy::compile("version=1.2; configurationrules{}; authorizationrules{}; "
                              "issuancerules{};"),
              Succeeds());
}

TEST(PolicyGrammar, SectionErrors) {
  // configurationrules is a 1.1 feature.
  EXPECT_TRUE(rejected_at("version=1.0;\nconfigurationrules{};\nauthorizationrules{};",
                          At{2, 1, c::kVersionFeature}));
  // Order and repetition.
  EXPECT_TRUE(
      rejected_at("version=1.0; issuancerules{}; authorizationrules{};", At{1, 31, c::kSection}));
  EXPECT_TRUE(rejected_at("version=1.1; authorizationrules{}; configurationrules{};",
                          At{1, 36, c::kSection}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{}; authorizationrules{};",
                          At{1, 36, c::kSection}));
  // authorizationrules is required; the error sits at the end of the text.
  EXPECT_TRUE(rejected_at("version=1.0; issuancerules{};", At{1, 30, c::kSection}));
  EXPECT_TRUE(rejected_at("version=1.0;", At{1, 13, c::kSection}));
  // Unknown section names, missing braces and separators.
  EXPECT_TRUE(rejected_at("version=1.0; rules{};", At{1, 14, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules => permit();", At{1, 33, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ => permit(); }", At{1, 48, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ => permit();", At{1, 46, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{}; issuancerules{} x", At{1, 52, c::kSyntax}));
}

TEST(PolicyGrammar, KeywordsAreCaseSensitive) {
  // The doc sample's "Issuancerules" (a known documentation bug).
  EXPECT_TRUE(rejected_at("version=1.0;\nauthorizationrules{};\nIssuancerules{};",
                          At{3, 1, c::kKeywordCase}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ => Permit(); };", At{1, 37, c::kKeywordCase}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ [Type==\"a\"] => permit(); };",
                          At{1, 35, c::kKeywordCase}));
}

TEST(PolicyGrammar, ConditionsAndBindings) {
  auto p = Policy::compile(
      "version=1.0; authorizationrules {\n"
      "  c:[type==\"a\", issuer==\"AttestationService\"] && [type==\"b\", value==c.value]\n"
      "    && C2:[valueType==\"Integer\", value>=3] => permit();\n"
      "};");
  ASSERT_THAT(p, Succeeds());
  const auto& rule = p->tree().sections[0].rules[0];
  ASSERT_EQ(rule.conditions.size(), 3u);
  EXPECT_EQ(rule.conditions[0].binding, "c");
  EXPECT_EQ(rule.conditions[0].tests.size(), 2u);
  EXPECT_EQ(rule.conditions[0].tests[1].property, ast::Property::kIssuer);
  EXPECT_EQ(rule.conditions[1].binding, "");
  EXPECT_EQ(rule.conditions[1].tests[1].operand.kind, ast::Expr::Kind::kBinding);
  EXPECT_EQ(rule.conditions[1].tests[1].operand.binding, 0u);
  EXPECT_EQ(rule.conditions[2].binding, "C2");
  EXPECT_EQ(rule.conditions[2].tests[0].property, ast::Property::kValueType);
  EXPECT_EQ(rule.conditions[2].tests[1].op, ast::CompareOp::kGe);
  EXPECT_EQ(rule.conditions[2].pos.line, 3u);
  EXPECT_EQ(rule.conditions[2].pos.column, 8u);
}

TEST(PolicyGrammar, EveryComparisonOperator) {
  const std::pair<const char*, ast::CompareOp> ops[] = {
      {"==", ast::CompareOp::kEq}, {"!=", ast::CompareOp::kNe}, {"<", ast::CompareOp::kLt},
      {"<=", ast::CompareOp::kLe}, {">", ast::CompareOp::kGt},  {">=", ast::CompareOp::kGe}};
  for (const auto& [text, op] : ops) {
    auto p = Policy::compile(std::string("version=1.0; authorizationrules{ [type==\"n\", value") +
                             text + "-5] => permit(); };");
    ASSERT_THAT(p, Succeeds()) << text;
    const auto& test = p->tree().sections[0].rules[0].conditions[0].tests[1];
    EXPECT_EQ(test.op, op);
    EXPECT_EQ(test.operand.literal, Value::integer(-5));
  }
}

TEST(PolicyGrammar, ConditionErrors) {
  // '=' where '==' is meant (azure-docs #71695).
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type=\"secureBootEnabled\"] => "
                  "permit(); };",
                  At{1, 39, c::kAssignInCondition}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\", value=true] => "
                  "permit(); };",
                  At{1, 51, c::kAssignInCondition}));
  // Missing '&&', missing '=>'.
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\"] [type==\"b\"] => "
                  "permit(); };",
                  At{1, 46, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ [type==\"a\"] permit(); };",
                          At{1, 46, c::kSyntax}));
  // Empty brackets, trailing comma, unknown property, missing operator, binding without ':'.
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [] => permit(); };", At{1, 35, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ [type==\"a\",] => permit(); };",
                          At{1, 45, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ [name==\"a\"] => permit(); };",
                          At{1, 35, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ [type \"a\"] => permit(); };",
                          At{1, 40, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ c[type==\"a\"] => permit(); };",
                          At{1, 35, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ [type==\"a\" => permit(); };",
                          At{1, 45, c::kSyntax}));
}

TEST(PolicyGrammar, BindingErrors) {
  // Referenced before it is bound (its own condition included), never bound, bound twice.
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\", value==c.value] && "
                  "c:[type==\"b\"] => permit(); };",
                  At{1, 53, c::kBinding}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ c:[type==\"a\", value==c.value] "
                  "=> permit(); };",
                  At{1, 55, c::kBinding}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ c:[type==\"a\"] && c:[type==\"b\"] "
                  "=> permit(); };",
                  At{1, 51, c::kBinding}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{}; issuancerules{ [type==\"a\"] => "
                  "issue(claim=c); };",
                  At{1, 78, c::kBinding}));
  // A negated condition cannot be bound.
  EXPECT_TRUE(rejected_at("version=1.2; authorizationrules{ !c:[type==\"a\"] => permit(); };",
                          At{1, 35, c::kBinding}));
  // 'c' alone is not a value.
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ c:[type==\"a\"] && [type==\"b\", "
                  "value==c] => permit(); };",
                  At{1, 70, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ c:[type==\"a\"] && [type==\"b\", "
                  "value==c.val] => permit(); };",
                  At{1, 72, c::kSyntax}));
}

TEST(PolicyGrammar, AbsenceOperatorNeedsVersion12) {
  auto p = Policy::compile("version=1.2; authorizationrules{ ![type==\"a\"] => permit(); };");
  ASSERT_THAT(p, Succeeds());
  EXPECT_TRUE(p->tree().sections[0].rules[0].conditions[0].negated);
  EXPECT_TRUE(rejected_at("version=1.1; authorizationrules{ ![type==\"a\"] => permit(); };",
                          At{1, 34, c::kVersionFeature}));
}

TEST(PolicyGrammar, ValueLiterals) {
  auto p = Policy::compile(
      "version=1.0; authorizationrules{ [type==\"a\\\"b\\\\c\\d\", value==true] && "
      "[type==\"n\", value==9223372036854775807] && [type==\"f\", value==false] && "
      "[type==\"\u00e9\u4e2d\"] => permit(); };");
  ASSERT_THAT(p, Succeeds());
  const auto& conds = p->tree().sections[0].rules[0].conditions;
  // \" and \\ are escapes; any other backslash is kept (JSON and JMESPath escapes pass through).
  EXPECT_EQ(conds[0].tests[0].operand.literal, Value::string("a\"b\\c\\d"));
  EXPECT_EQ(conds[0].tests[1].operand.literal, Value::boolean(true));
  EXPECT_EQ(conds[1].tests[1].operand.literal, Value::integer(INT64_MAX));
  EXPECT_EQ(conds[2].tests[1].operand.literal, Value::boolean(false));
  EXPECT_EQ(conds[3].tests[0].operand.literal, Value::string("\u00e9\u4e2d"));
}

TEST(PolicyGrammar, StringsMaySpanLines) {
  auto p = Policy::compile("version=1.0; authorizationrules{ [type==\"a\nb\"] => permit(); };");
  ASSERT_THAT(p, Succeeds());
  EXPECT_EQ(p->tree().sections[0].rules[0].conditions[0].tests[0].operand.literal,
            Value::string("a\nb"));
}

TEST(PolicyGrammar, ValueErrors) {
  // The published SGX sample's placeholder: value==<product-id>.
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\", value==<x>] => "
                  "permit(); };",
                  At{1, 53, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\", value==1.5] => "
                  "permit(); };",
                  At{1, 53, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\", value==0x10] => "
                  "permit(); };",
                  At{1, 53, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\", "
                  "value==9223372036854775808] => permit(); };",
                  At{1, 53, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\", value==-x] => "
                  "permit(); };",
                  At{1, 54, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\", value==null] => "
                  "permit(); };",
                  At{1, 53, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\", value==\"x] => "
                  "permit(); };",
                  At{1, 53, c::kSyntax}));
}

TEST(PolicyGrammar, LexicalErrors) {
  // Typographic quotes from word processors, single quotes, '||', '&', stray characters.
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ [type==\u201ca\u201d] => permit(); };",
                          At{1, 41, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ [type=='a'] => permit(); };",
                          At{1, 41, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\"] || [type==\"b\"] => "
                  "permit(); };",
                  At{1, 46, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\"] & [type==\"b\"] => "
                  "permit(); };",
                  At{1, 46, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ # => permit(); };", At{1, 34, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ /* x */ => permit(); };",
                          At{1, 34, c::kSyntax}));
  EXPECT_TRUE(rejected_at(std::string("version=1.0; authorizationrules{ [type==\"a\xff\"] => "
                                      "permit(); };"),
                          At{1, 43, c::kSyntax}));
  EXPECT_TRUE(rejected_at(std::string("version=1.0; \xc3\x28"), At{1, 14, c::kSyntax}));
}

TEST(PolicyGrammar, CommentsWhitespaceAndLineEndings) {
  const std::string text =
      "\xEF\xBB\xBF// leading comment\r\n"
      "version=1.0; // after the version\r\n"
      "authorizationrules\r\n"
      "{\r\n"
      "\t// a comment line\r\n"
      "\t[type==\"a\"] => permit(); // trailing\r\n"
      "};\r\n";
  auto p = Policy::compile(text);
  ASSERT_THAT(p, Succeeds());
  const auto& rule = p->tree().sections[0].rules[0];
  EXPECT_EQ(rule.pos.line, 6u);
  EXPECT_EQ(rule.pos.column, 2u);  // a tab is one column
  // Errors after CRLF lines and tabs still point at the right column.
  EXPECT_TRUE(
      rejected_at("version=1.0;\r\nauthorizationrules{\r\n\t\t[type==\"a\"] => permit()\r\n};",
                  At{4, 1, c::kSyntax}));
}

TEST(PolicyGrammar, ColumnsCountCodePoints) {
  // Two-byte and three-byte characters inside a string count as one column each.
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"\u00e9\u4e2d\"] => permit() };",
                  At{1, 59, c::kSyntax}));
}

TEST(PolicyGrammar, ActionsWithClaims) {
  auto p = Policy::compile(
      "version=1.1;\n"
      "configurationrules{ => issueproperty(type=\"required_pcr_mask\", value=15); };\n"
      "authorizationrules{ c:[type==\"a\"] => add(value=c.value, type=\"b\"); => permit(); };\n"
      "issuancerules{\n"
      "  c:[type==\"a\"] => issue(claim=c);\n"
      "  => issueproperty(type=\"omit_x5c\", value=true);\n"
      "  c:[type==\"a\"] => add(type=\"copy\", value=c.value);\n"
      "};");
  ASSERT_THAT(p, Succeeds());
  const auto& config = p->tree().sections[0].rules[0].action;
  EXPECT_EQ(config.kind, ast::ActionKind::kIssueProperty);
  EXPECT_EQ(config.type.literal, Value::string("required_pcr_mask"));
  EXPECT_EQ(config.value.literal, Value::integer(15));
  const auto& add = p->tree().sections[1].rules[0].action;
  EXPECT_EQ(add.kind, ast::ActionKind::kAdd);
  EXPECT_EQ(add.type.literal, Value::string("b"));
  EXPECT_EQ(add.value.kind, ast::Expr::Kind::kBinding);
  const auto& issue = p->tree().sections[2].rules[0].action;
  EXPECT_EQ(issue.kind, ast::ActionKind::kIssue);
  ASSERT_TRUE(issue.claim.has_value());
  EXPECT_EQ(*issue.claim, 0u);
}

TEST(PolicyGrammar, ActionErrors) {
  // The published TPM 1.2 sample's issue("PlatformAttested", value=true).
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{}; issuancerules{ => "
                  "issue(\"PlatformAttested\", value=true); };",
                  At{1, 60, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ => permit(1); };", At{1, 44, c::kSyntax}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ => permit; };", At{1, 43, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ => allow(); };", At{1, 37, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ => permit() };", At{1, 46, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{}; issuancerules{ => issue(type=\"a\"); "
                  "};",
                  At{1, 68, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{}; issuancerules{ => "
                  "issue(type=\"a\", type=\"b\"); };",
                  At{1, 70, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{}; issuancerules{ => "
                  "issue(type==\"a\", value=1); };",
                  At{1, 64, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{}; issuancerules{ => "
                  "issue(type=\"a\", value=1; };",
                  At{1, 77, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{}; issuancerules{ => "
                  "issue(claim=\"a\"); };",
                  At{1, 66, c::kSyntax}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{}; issuancerules{ => "
                  "issue(type=1, value=1); };",
                  At{1, 65, c::kOperandType}));
}

// Which actions each section allows (claim-rule-grammar.md's table).
TEST(PolicyGrammar, ActionsAllowedPerSection) {
  struct Case {
    const char* section;
    const char* action;
    bool allowed;
  };
  const Case cases[] = {
      {"configurationrules", "permit()", false},
      {"configurationrules", "deny()", false},
      {"configurationrules", "add(type=\"a\", value=1)", false},
      {"configurationrules", "issue(type=\"a\", value=1)", false},
      {"configurationrules", "issueproperty(type=\"a\", value=1)", true},
      {"authorizationrules", "permit()", true},
      {"authorizationrules", "deny()", true},
      {"authorizationrules", "add(type=\"a\", value=1)", true},
      {"authorizationrules", "issue(type=\"a\", value=1)", false},
      {"authorizationrules", "issueproperty(type=\"a\", value=1)", false},
      {"issuancerules", "permit()", false},
      {"issuancerules", "deny()", false},
      {"issuancerules", "add(type=\"a\", value=1)", true},
      {"issuancerules", "issue(type=\"a\", value=1)", true},
      {"issuancerules", "issueproperty(type=\"a\", value=1)", true},
  };
  for (const auto& k : cases) {
    std::string text = "version=1.1;\n";
    const std::string rule = std::string(" => ") + k.action + ";";
    const std::string section = k.section;
    text += section == "configurationrules" ? "configurationrules{" + rule + "};\n" : "";
    text += section == "authorizationrules" ? "authorizationrules{" + rule + "};\n"
                                            : "authorizationrules{};\n";
    text += section == "issuancerules" ? "issuancerules{" + rule + "};\n" : "";
    const std::uint32_t line = section == "issuancerules" ? 3 : 2;
    const std::uint32_t column = static_cast<std::uint32_t>(section.size()) + 6;
    if (k.allowed) {
      EXPECT_THAT(Policy::compile(text), Succeeds()) << text;
    } else {
      EXPECT_TRUE(rejected_at(text, At{line, column, c::kActionSection})) << text;
    }
  }
}

TEST(PolicyGrammar, FunctionCalls) {
  auto q = Policy::compile(
      "version=1.2; authorizationrules{\n"
      "  c:[type==\"j\"] && [type==\"k\", value==JsonToClaimValue(JmesPath(c.value, \"b\"))] => "
      "permit();\n"
      "};");
  ASSERT_THAT(q, Succeeds());
  const auto& operand = q->tree().sections[0].rules[0].conditions[1].tests[1].operand;
  ASSERT_EQ(operand.kind, ast::Expr::Kind::kCall);
  EXPECT_EQ(operand.function, ast::Function::kJsonToClaimValue);
  ASSERT_EQ(operand.args.size(), 1u);
  EXPECT_EQ(operand.args[0].function, ast::Function::kJmesPath);
  ASSERT_NE(operand.args[0].query, nullptr);  // the literal query is compiled with the policy
  EXPECT_EQ(operand.args[0].query->text(), "b");
}

TEST(PolicyGrammar, FunctionErrors) {
  const std::string head =
      "version=1.2; authorizationrules{}; issuancerules{ c:[type==\"a\"] => "
      "add(type=\"r\", value=";  // value starts at column 88
  const auto at = [&](const std::string& expr, std::uint32_t extra, CheckId check) {
    return rejected_at(head + expr + "); };", At{1, 88 + extra, check});
  };
  EXPECT_TRUE(at("Jmespath(c.value, \"a\")", 0, c::kFunction));  // names are case-sensitive
  EXPECT_TRUE(at("Lower(c.value)", 0, c::kFunction));
  EXPECT_TRUE(at("JmesPath(c.value)", 0, c::kFunction));
  EXPECT_TRUE(at("NegateBool(true, false)", 0, c::kFunction));
  EXPECT_TRUE(at("NegateBool(1)", 11, c::kOperandType));
  EXPECT_TRUE(at("AppendString(c.value, 2)", 22, c::kOperandType));
  EXPECT_TRUE(at("JmesPath(c.value, 3)", 18, c::kOperandType));
  EXPECT_TRUE(at("JsonToClaimValue(true)", 17, c::kOperandType));
  EXPECT_TRUE(at("JsonToClaimValue(\"{x\")", 17, c::kOperandType));  // a literal that is not JSON
  EXPECT_TRUE(at("JmesPath(c.value, \"a[\")", 18, c::kJmesPath));
  EXPECT_TRUE(at("JmesPath(c.value, \"\")", 18, c::kJmesPath));
  EXPECT_TRUE(at("JmesPath(c.value, \"nope(@)\")", 18, c::kJmesPath));
  EXPECT_TRUE(at("NegateBool(NegateBool(\"x\"))", 22, c::kOperandType));
  EXPECT_TRUE(at("NegateBool(c.value", 19, c::kSyntax));
  // Functions are a version 1.2 feature.
  EXPECT_TRUE(
      rejected_at("version=1.1; authorizationrules{}; issuancerules{ c:[type==\"a\"] => "
                  "add(type=\"r\", value=NegateBool(c.value)); };",
                  At{1, 88, c::kVersionFeature}));
}

TEST(PolicyGrammar, AzureJmesPathExtensionsCompileAndWarn) {
  // Azure's JMESPath has equals_ignore_case, ours does not: the policy is valid, the linter warns,
  // and evaluation fails only if it reaches the call.
  const std::string text =
      "version=1.2; authorizationrules{ => permit(); }; issuancerules{ c:[type==\"events\"] => "
      "issue(type=\"r\", value=JmesPath(c.value, \"equals_ignore_case(a, 'B')\")); };";
  auto p = Policy::compile(text);
  ASSERT_THAT(p, Succeeds());
  const auto found = lint(text, LintOptions{AttestationType::kTpm});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].check, c::kLintJmesPathExtension);
  EXPECT_EQ(found[0].severity, Severity::kWarning);
  EXPECT_EQ(found[0].pos.column, 127u);
  EXPECT_EQ(p->evaluate(std::vector<Claim>{}).decision, Decision::kPermit);
  const Evaluation ev =
      p->evaluate(std::vector<Claim>{testutil::svc("events", Value::string("{}"))});
  ASSERT_TRUE(ev.error.has_value());
  EXPECT_EQ(ev.error->check, c::kEvalJmesPath);
}

TEST(PolicyGrammar, OperandTypeErrors) {
  // Ordering operators order Integers only; type/issuer/valueType are Strings.
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\", value>=\"3\"] => "
                  "permit(); };",
                  At{1, 53, c::kOperandType}));
  EXPECT_TRUE(
      rejected_at("version=1.0; authorizationrules{ [type==\"a\", value<true] => "
                  "permit(); };",
                  At{1, 52, c::kOperandType}));
  EXPECT_TRUE(
      rejected_at("version=1.2; authorizationrules{ [type==\"a\", "
                  "value>AppendString(\"1\", \"2\")] => permit(); };",
                  At{1, 52, c::kOperandType}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ [type==3] => permit(); };",
                          At{1, 41, c::kOperandType}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ [type>\"a\"] => permit(); };",
                          At{1, 35, c::kOperandType}));
  EXPECT_TRUE(rejected_at("version=1.0; authorizationrules{ [issuer==true] => permit(); };",
                          At{1, 43, c::kOperandType}));
}

TEST(PolicyGrammar, ErrorDetailNamesLineAndColumn) {
  auto p = Policy::compile("version=1.0;\nauthorizationrules{ => permit() };");
  ASSERT_THAT(p, FailsWith(ErrorKind::kInvalidArgument, c::kSyntax));
  EXPECT_EQ(p.error().detail.rfind("line 2, column 33: ", 0), 0u) << p.error().detail;
}

TEST(PolicyGrammar, LintListsEverySemanticErrorCompileStopsAtTheFirst) {
  const std::string text =
      "version=1.0;\n"
      "authorizationrules{ [type=\"a\"] => permit(); => issue(type=\"b\", value=1); };\n"
      "Issuancerules{ ![type==\"x\"] => add(type=\"c\", value=1); };\n";
  std::vector<Diagnostic> errors;
  for (auto& d : lint(text)) {
    if (d.severity == Severity::kError) {
      errors.push_back(d);
    }
  }
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].check, c::kAssignInCondition);
  EXPECT_EQ(errors[1].check, c::kActionSection);
  EXPECT_EQ(errors[2].check, c::kKeywordCase);
  EXPECT_EQ(errors[3].check, c::kVersionFeature);
  EXPECT_EQ(errors[3].pos.line, 3u);
  EXPECT_EQ(errors[3].pos.column, 16u);
  EXPECT_THAT(Policy::compile(text), FailsWith(ErrorKind::kInvalidArgument, c::kAssignInCondition));
}

}  // namespace
}  // namespace vouch::policy
