// The linter: each warning, with its position, and the absence of warnings on clean policies.

#include "policy/lint.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/check_ids.h"

namespace vouch::policy {
namespace {

namespace c = checks;

std::vector<Diagnostic> warnings(const std::string& text,
                                 std::optional<AttestationType> type = {}) {
  std::vector<Diagnostic> out;
  for (auto& d : lint(text, LintOptions{type})) {
    if (d.severity == Severity::kWarning) {
      out.push_back(d);
    }
  }
  return out;
}

// The only warning of `text` has this check and position.
::testing::AssertionResult warns(const std::string& text, CheckId check, std::uint32_t line,
                                 std::uint32_t column,
                                 std::optional<AttestationType> type = AttestationType::kSgx) {
  const auto all = lint(text, LintOptions{type});
  if (count_errors(all) != 0) {
    return ::testing::AssertionFailure() << "has errors: " << all.front().to_string("p");
  }
  if (all.size() != 1) {
    auto f = ::testing::AssertionFailure() << all.size() << " findings:";
    for (const auto& d : all) {
      f << "\n  " << d.to_string("p") << " [" << d.check.str() << "]";
    }
    return f;
  }
  const Diagnostic& d = all[0];
  if (d.check != check || d.pos.line != line || d.pos.column != column) {
    return ::testing::AssertionFailure()
           << "got " << d.to_string("p") << " [" << d.check.str() << "]";
  }
  return ::testing::AssertionSuccess();
}

std::string sgx(const std::string& auth, const std::string& issuance = "") {
  return "version=1.2;\nauthorizationrules {\n" + auth + "\n};\nissuancerules {\n" + issuance +
         "\n};";
}

TEST(PolicyLint, CleanPolicyHasNoFindings) {
  const std::string text = sgx(
      "[type==\"x-ms-sgx-is-debuggable\", value==false] && [type==\"x-ms-sgx-svn\", value>=2] && "
      "[type==\"x-ms-sgx-mrsigner\", value==\"ab\"] => permit();",
      "c:[type==\"x-ms-sgx-mrenclave\"] => issue(type=\"enclave\", value=c.value);\n"
      "c:[type==\"enclave\", issuer==\"AttestationPolicy\"] => issue(type=\"copy\", "
      "value=c.value);");
  EXPECT_TRUE(lint(text, LintOptions{AttestationType::kSgx}).empty());
  EXPECT_TRUE(lint(text).empty());  // without a type: the union of all catalogues
}

TEST(PolicyLint, UnknownClaimForTheAttestationType) {
  const std::string text = sgx("[type==\"x-ms-sevsnpvm-vmpl\", value==0] => permit();");
  EXPECT_TRUE(warns(text, c::kLintUnknownClaim, 3, 1, AttestationType::kSgx));
  EXPECT_TRUE(lint(text, LintOptions{AttestationType::kSevSnp}).empty());
  EXPECT_TRUE(lint(text).empty());
  // A near miss suggests the real name.
  const auto w = warnings(sgx("[type==\"x-ms-sgx-mrsinger\"] => permit();"), AttestationType::kSgx);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].message.find("x-ms-sgx-mrsigner"), std::string::npos) << w[0].message;
}

TEST(PolicyLint, EveryAttestationTypeKnowsItsClaims) {
  const std::pair<AttestationType, const char*> cases[] = {
      {AttestationType::kSgx, "x-ms-sgx-mrenclave"},
      {AttestationType::kTdx, "tdx_mrtd"},
      {AttestationType::kSevSnp, "x-ms-sevsnpvm-launchmeasurement"},
      {AttestationType::kTpm, "aikValidated"},
      {AttestationType::kAzureVm, "x-ms-azurevm-vmid"},
  };
  for (const auto& [type, claim] : cases) {
    const std::string text = sgx(std::string("[type==\"") + claim + "\"] => permit();");
    for (const auto& [other, unused] : cases) {
      const bool known = lint(text, LintOptions{other}).empty();
      EXPECT_EQ(known, other == type) << claim << " for " << attestation_type_name(other);
      (void)unused;
    }
  }
}

TEST(PolicyLint, ComparingWithTheWrongTypeNeverMatches) {
  EXPECT_TRUE(
      warns(sgx("[type==\"x-ms-sgx-svn\", value==\"2\"] => permit();"), c::kLintClaimType, 3, 31));
  EXPECT_TRUE(warns(sgx("[type==\"x-ms-sgx-is-debuggable\", value==\"false\"] => permit();"),
                    c::kLintClaimType, 3, 41));
  EXPECT_TRUE(
      warns(sgx("[type==\"x-ms-sgx-mrsigner\", value==1] => permit();"), c::kLintClaimType, 3, 36));
  // Ordering a String claim by a computed value (a literal would be a compile error).
  EXPECT_TRUE(warns(sgx("c:[type==\"x-ms-sgx-svn\"] && [type==\"x-ms-sgx-mrsigner\", "
                        "value>c.value] => permit();"),
                    c::kLintClaimType, 3, 57));
}

TEST(PolicyLint, DeprecatedAliases) {
  EXPECT_TRUE(
      warns("version=1.0; authorizationrules{ [type==\"$is-debuggable\", value==false] "
            "=> permit(); };",
            c::kLintDeprecatedClaim, 1, 34));
}

TEST(PolicyLint, Version12ClaimsInOlderPolicies) {
  EXPECT_TRUE(warns("version=1.1; authorizationrules{ [type==\"events\"] => permit(); };",
                    c::kLintClaimVersion, 1, 34, AttestationType::kTpm));
}

TEST(PolicyLint, RuleThatCanNeverFire) {
  // A policy-issued claim no earlier rule adds (the TPM 1.2 sample's "boolProperties").
  EXPECT_TRUE(warns(sgx("=> permit();",
                        "c:[type==\"boolProperties\", issuer==\"AttestationPolicy\"] "
                        "=> issue(type=\"x\", value=c.value);"),
                    c::kLintNeverFires, 6, 1));
  // Added, but only by a later rule.
  const auto later =
      warnings(sgx("=> permit();",
                   "[type==\"x\", issuer==\"AttestationPolicy\"] => issue(type=\"y\", value=1);\n"
                   "=> add(type=\"x\", value=1);"),
               AttestationType::kSgx);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].check, c::kLintNeverFires);
  EXPECT_NE(later[0].message.find("line 7"), std::string::npos) << later[0].message;
  // Contradictory tests.
  EXPECT_TRUE(warns(sgx("[type==\"x-ms-sgx-svn\", type==\"x-ms-sgx-product-id\"] => permit();"),
                    c::kLintNeverFires, 3, 24));
  EXPECT_TRUE(warns(sgx("[type==\"x-ms-sgx-svn\", issuer==\"AttestationService\", "
                        "issuer==\"CustomClaim\"] => permit();"),
                    c::kLintNeverFires, 3, 54));
  // After an unconditional deny().
  EXPECT_TRUE(
      warns(sgx("=> deny();\n[type==\"x-ms-sgx-svn\"] => permit();"), c::kLintNeverFires, 4, 1));
}

TEST(PolicyLint, ClaimsAddedByEarlierRulesAreKnown) {
  const std::string text = sgx("=> permit();",
                               "=> add(type=\"derived\", value=1);\n"
                               "[type==\"derived\"] => issue(type=\"out\", value=true);\n"
                               "[type==\"derived\", issuer==\"AttestationPolicy\"] => "
                               "issue(type=\"out2\", value=true);");
  EXPECT_TRUE(lint(text, LintOptions{AttestationType::kSgx}).empty());
  // A rule that adds a claim of a computed type could add anything.
  const std::string dynamic = sgx(
      "=> permit();",
      "c:[type==\"x-ms-sgx-mrsigner\"] => add(type=c.value, value=1);\n"
      "[type==\"whatever\", issuer==\"AttestationPolicy\"] => issue(type=\"out\", value=true);");
  EXPECT_TRUE(lint(dynamic, LintOptions{AttestationType::kSgx}).empty());
}

TEST(PolicyLint, UnknownIssuerAndValueType) {
  EXPECT_TRUE(warns(sgx("[type==\"x-ms-sgx-svn\", issuer==\"Attestation\"] => permit();"),
                    c::kLintUnknownIssuer, 3, 32));
  EXPECT_TRUE(warns(sgx("[type==\"x-ms-sgx-svn\", valueType==\"Int\"] => permit();"),
                    c::kLintClaimType, 3, 35));
}

TEST(PolicyLint, UnusedBinding) {
  EXPECT_TRUE(warns(sgx("c:[type==\"x-ms-sgx-svn\"] => permit();"), c::kLintUnusedBinding, 3, 1));
}

TEST(PolicyLint, NoPermitRule) {
  EXPECT_TRUE(warns("version=1.0;\nauthorizationrules{ [type==\"x-ms-sgx-svn\"] => deny(); };",
                    c::kLintNoPermit, 2, 1));
}

TEST(PolicyLint, ConfigurationProperties) {
  const std::string tpm =
      "version=1.1;\n"
      "configurationrules {\n"
      "=> issueproperty(type=\"required_pcr_mask\", value=15);\n"
      "=> issueproperty(type=\"require_valid_aik_cert\", value=false);\n"
      "};\n"
      "authorizationrules { => permit(); };";
  EXPECT_TRUE(lint(tpm, LintOptions{AttestationType::kTpm}).empty());
  // The same properties mean nothing to an SGX policy.
  EXPECT_EQ(warnings(tpm, AttestationType::kSgx).size(), 2u);
  EXPECT_TRUE(
      warns("version=1.1;\nconfigurationrules { => issueproperty(type=\"required_pcr_mask\", "
            "value=\"15\"); };\nauthorizationrules { => permit(); };",
            c::kLintClaimType, 2, 71, AttestationType::kTpm));
  EXPECT_TRUE(
      warns("version=1.1;\nconfigurationrules { => issueproperty(type=\"pcr_mask\", "
            "value=15); };\nauthorizationrules { => permit(); };",
            c::kLintUnknownProperty, 2, 44, AttestationType::kTpm));
}

TEST(PolicyLint, IssuingReadOnlyClaims) {
  EXPECT_TRUE(
      warns("version=1.2; authorizationrules{ => permit(); }; issuancerules{ "
            "c:[type==\"pcrs\", issuer==\"AttestationService\"] => issue(type=\"p\", "
            "value=JmesPath(c.value, \"PCRs\")); };",
            c::kLintReadOnlyIssue, 1, 115, AttestationType::kTpm));
  EXPECT_TRUE(
      warns("version=1.2; authorizationrules{ => permit(); }; issuancerules{ "
            "c:[type==\"pcrs\"] => issue(claim=c); };",
            c::kLintReadOnlyIssue, 1, 85, AttestationType::kTpm));
  // add() of a read-only value is fine.
  EXPECT_TRUE(lint("version=1.2; authorizationrules{ => permit(); }; issuancerules{ "
                   "c:[type==\"pcrs\"] => add(type=\"p\", value=c.value); };",
                   LintOptions{AttestationType::kTpm})
                  .empty());
}

TEST(PolicyLint, ErrorsAndWarningsAreSortedAndCounted) {
  const std::string text =
      "version=1.0;\n"
      "authorizationrules{ [type==\"x-ms-sgx-svn\", value==\"1\"] => permit(); };\n"
      "issuancerules{ [type=\"x\"] => issue(type=\"y\", value=1); };";
  const auto all = lint(text, LintOptions{AttestationType::kSgx});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].check, c::kLintClaimType);
  EXPECT_EQ(all[0].severity, Severity::kWarning);
  EXPECT_EQ(all[1].check, c::kLintUnknownClaim);  // 3:16, before the error at 3:21
  EXPECT_EQ(all[2].check, c::kAssignInCondition);
  EXPECT_EQ(all[2].severity, Severity::kError);
  EXPECT_EQ(count_errors(all), 1u);
  EXPECT_EQ(count_warnings(all), 2u);
  EXPECT_EQ(all[2].to_string("p.txt"),
            "p.txt:3:21: error: '=' in a condition: write '==' to compare (type==...)");
}

TEST(PolicyLint, SyntaxErrorStopsTheLint) {
  const auto all = lint("version=1.0; authorizationrules{ [type==\"a\"] => permit() };");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].check, c::kSyntax);
}

}  // namespace
}  // namespace vouch::policy
