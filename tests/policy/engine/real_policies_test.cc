// Every published Azure Attestation policy in ../shared/vectors/maa-policies: the valid ones parse
// and evaluate as their source documents say, the ones with known mistakes are rejected at the
// right line and column, and the Azure SDK's recorded tokens confirm the policy hash and the
// issued claims.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "policy/check_ids.h"
#include "policy/claim_input.h"
#include "policy/explain.h"
#include "policy/lint.h"
#include "policy/policy.h"
#include "testing/matchers.h"
#include "testing/vectors.h"
#include "tests/policy/engine/test_util.h"

namespace vouch::policy {
namespace {

using testutil::At;
using testutil::B;
using testutil::I;
using testutil::rejected_at;
using testutil::S;
using testutil::svc;
using ::vouch::testing::Succeeds;

constexpr std::string_view kDir = "maa-policies/";

// One policy of a vector file: the lines after a '#' header (or the whole file when it has none),
// without leading and trailing blank lines and without a final newline.
struct VectorPolicy {
  std::string title;
  std::string text;
};

std::vector<VectorPolicy> split(const std::string& file) {
  std::vector<VectorPolicy> out;
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= file.size()) {
    const std::size_t end = file.find('\n', start);
    lines.push_back(file.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> sections;
  if (!lines.empty() && lines[0].rfind('#', 0) != 0) {
    sections.push_back({"", {}});
  }
  for (const auto& line : lines) {
    if (line.rfind('#', 0) == 0) {
      sections.push_back({line, {}});
    } else if (!sections.empty()) {
      sections.back().second.push_back(line);
    }
  }
  for (auto& [title, body] : sections) {
    const auto blank = [](const std::string& l) {
      return l.find_first_not_of(" \t\r") == std::string::npos;
    };
    while (!body.empty() && blank(body.back())) {
      body.pop_back();
    }
    while (!body.empty() && blank(body.front())) {
      body.erase(body.begin());
    }
    if (body.empty()) {
      continue;
    }
    std::string text;
    for (std::size_t i = 0; i < body.size(); ++i) {
      text += (i > 0 ? "\n" : "") + body[i];
    }
    out.push_back({title, text});
  }
  return out;
}

// The policy of `file` whose header contains `title` ("" for a file without headers).
std::string vector_policy(const std::string& file, const std::string& title) {
  for (const auto& p : split(::vouch::testing::read_vector_text(std::string(kDir) + file))) {
    if (p.title.find(title) != std::string::npos) {
      return p.text;
    }
  }
  ADD_FAILURE() << "no policy '" << title << "' in " << file;
  return "";
}

// The JSON body of a recorded Azure Attestation token.
nlohmann::json token_body(const std::string& name) {
  const std::string jwt =
      ::vouch::testing::read_vector_text("tokens/azure-sdk-for-cpp-maa/" + name);
  const std::size_t a = jwt.find('.');
  const std::size_t b = jwt.find('.', a + 1);
  auto body = base64url_decode(jwt.substr(a + 1, b - a - 1));
  if (!body) {
    ADD_FAILURE() << "cannot decode " << name;
    return {};
  }
  return nlohmann::json::parse(std::string(body->begin(), body->end()));
}

// The incoming claims Azure Attestation gave the policy of an SGX token: the x-ms-sgx-* claims
// and x-ms-attestation-type.
std::vector<Claim> sgx_incoming_claims(const nlohmann::json& token) {
  nlohmann::json incoming = nlohmann::json::object();
  for (const auto& [name, value] : token.items()) {
    if (name.rfind("x-ms-sgx-", 0) == 0 || name == "x-ms-attestation-type") {
      incoming[name] = value;
    }
  }
  auto claims = claims_from_json(incoming, Issuer::kAttestationService);
  EXPECT_THAT(claims, Succeeds());
  return claims ? *claims : std::vector<Claim>{};
}

Evaluation evaluate(const std::string& text, const std::vector<Claim>& claims) {
  auto p = Policy::compile(text);
  EXPECT_THAT(p, Succeeds()) << text;
  if (!p) {
    return Evaluation{};
  }
  return p->evaluate(claims, EvaluateOptions{.explain = true});
}

std::vector<std::string> all_matches(const std::string& text, const std::string& pattern) {
  std::vector<std::string> out;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

class RealPolicies : public ::testing::Test {
 protected:
  void SetUp() override { VOUCH_REQUIRE_VECTORS(); }
};

TEST_F(RealPolicies, EveryPolicyIsAccountedFor) {
  std::size_t total = 0;
  for (const char* file :
       {"sgx_policies.txt", "tpm_v11_sample.txt", "tpm_v12_sample.txt", "tpm_vbs_policies.txt"}) {
    total += split(::vouch::testing::read_vector_text(std::string(kDir) + file)).size();
  }
  // 6 + 1 + 1 + 5; each one is checked by a test below.
  EXPECT_EQ(total, 13u);
}

// ---- SGX -------------------------------------------------------------------------------------

TEST_F(RealPolicies, SgxSampleWithPlaceholderIsRejectedAtThePlaceholder) {
  const std::string text = vector_policy("sgx_policies.txt", "Sample custom policy for an SGX");
  EXPECT_TRUE(rejected_at(text, At{5, 50, checks::kSyntax}));  // value==<product-id>
}

TEST_F(RealPolicies, SgxDefaultPolicyIssuesWhatTheSharedInstanceIssued) {
  const std::string text = vector_policy("sgx_policies.txt", "Default policy for an SGX");
  EXPECT_TRUE(lint(text, LintOptions{AttestationType::kSgx}).empty());
  const nlohmann::json token =
      token_body("AttestWithRuntimeData-SgxEnclave_Shared.token.derived.jwt");
  const Evaluation ev = evaluate(text, sgx_incoming_claims(token));
  ASSERT_EQ(ev.decision, Decision::kPermit) << short_explanation(ev);
  // The shared instance's token carries exactly these policy claims in x-ms-policy.
  EXPECT_EQ(claims_to_json(ev.issued), token["x-ms-policy"]);
  EXPECT_EQ(claims_to_json(ev.properties),
            nlohmann::json({{"x-ms-sgx-tcbidentifier", "azuredefault"}}));
  // The OpenEnclave and isolated-instance recordings agree.
  for (const char* other : {"AttestWithRuntimeData-OpenEnclave_Shared.token.derived.jwt",
                            "AttestWithRuntimeData-SgxEnclave_Isolated.token.derived.jwt"}) {
    const nlohmann::json t = token_body(other);
    EXPECT_EQ(claims_to_json(evaluate(text, sgx_incoming_claims(t)).issued), t["x-ms-policy"])
        << other;
  }
}

TEST_F(RealPolicies, SgxDraftPolicyHashAndClaimsMatchTheRecordedToken) {
  const std::string text = vector_policy("sgx_policies.txt", "azure-sdk-for-cpp");
  const nlohmann::json token =
      token_body("AttestWithDraftPolicy-SgxEnclave_Shared.token.derived.jwt");
  // x-ms-policy-hash = BASE64URL(SHA256(BASE64URL(policy text))), as the service computed it.
  EXPECT_EQ(policy_hash(text), token["x-ms-policy-hash"].get<std::string>());
  auto p = Policy::compile(text);
  ASSERT_THAT(p, Succeeds());
  EXPECT_EQ(p->hash(), token["x-ms-policy-hash"].get<std::string>());
  const Evaluation ev = p->evaluate(sgx_incoming_claims(token));
  ASSERT_EQ(ev.decision, Decision::kPermit);
  EXPECT_EQ(claims_to_json(ev.issued), token["x-ms-policy"]);  // {"custom-name": mrsigner}
  // The SDK test's second draft policy (product-id == 0, not debuggable) made the service answer
  // "No Permit claim was issued"; the same conditions, in our own words, deny here too.
  const Evaluation denied = evaluate(
      "version=1.0; authorizationrules {\n"
      "  [type==\"x-ms-sgx-is-debuggable\", value==false] && [type==\"x-ms-sgx-product-id\", "
      "value==0] => permit();\n};",
      sgx_incoming_claims(token));
  EXPECT_EQ(denied.decision, Decision::kDeny);
  EXPECT_EQ(denied.deny_reason, DenyReason::kNoPermit);
}

TEST_F(RealPolicies, SgxMultipleEnclavesAreAlternativeRules) {
  for (const char* title : {"multiple SGX enclaves", "MRSIGNER rotation"}) {
    const std::string text = vector_policy("sgx_policies.txt", title);
    // The first sample allows debuggable enclaves, the rotation sample production ones.
    const bool debuggable = std::string(title) == "multiple SGX enclaves";
    const auto claims = [&](const char* signer, bool debug) {
      return std::vector<Claim>{svc("x-ms-sgx-is-debuggable", B(debug)),
                                svc("x-ms-sgx-mrsigner", S(signer))};
    };
    EXPECT_EQ(evaluate(text, claims("mrsigner1", debuggable)).decision, Decision::kPermit) << title;
    EXPECT_EQ(evaluate(text, claims("mrsigner2", debuggable)).decision, Decision::kPermit) << title;
    EXPECT_EQ(evaluate(text, claims("mrsigner3", debuggable)).decision, Decision::kDeny) << title;
    EXPECT_EQ(evaluate(text, claims("mrsigner1", !debuggable)).decision, Decision::kDeny) << title;
    EXPECT_TRUE(lint(text, LintOptions{AttestationType::kSgx}).empty()) << title;
  }
}

TEST_F(RealPolicies, SgxLegacyDollarClaims) {
  const std::string text = vector_policy("sgx_policies.txt", "Unsigned policy JWT");
  const Evaluation ev =
      evaluate(text, {svc("$is-debuggable", B(false)), svc("$sgx-mrsigner", S("s")),
                      svc("$sgx-mrenclave", S("e")), svc("$product-id", I(1)), svc("$svn", I(2)),
                      svc("$tee", S("sgx"))});
  ASSERT_EQ(ev.decision, Decision::kPermit);
  EXPECT_EQ(claims_to_json(ev.issued), nlohmann::json({{"is-debuggable", false},
                                                       {"sgx-mrsigner", "s"},
                                                       {"sgx-mrenclave", "e"},
                                                       {"product-id", 1},
                                                       {"svn", 2},
                                                       {"tee", "sgx"}}));
  EXPECT_EQ(evaluate(text, {}).decision, Decision::kDeny);
  // The linter points to the current names.
  std::size_t deprecated = 0;
  for (const auto& d : lint(text, LintOptions{AttestationType::kSgx})) {
    deprecated += d.check == checks::kLintDeprecatedClaim ? 1 : 0;
  }
  EXPECT_EQ(deprecated, 7u);
}

// ---- TPM -------------------------------------------------------------------------------------

TEST_F(RealPolicies, TpmVersion11ConfiguresTheEngineAndIssuesPlatformAttested) {
  const std::string text = vector_policy("tpm_v11_sample.txt", "");
  EXPECT_TRUE(lint(text, LintOptions{AttestationType::kTpm}).empty());
  const auto claims = [](bool aik, bool secure_boot) {
    return std::vector<Claim>{svc("aikValidated", B(aik)), svc("secureBootEnabled", B(secure_boot)),
                              svc("bootDebuggingDisabled", B(true)), svc("notSafeMode", B(true))};
  };
  const Evaluation ev = evaluate(text, claims(true, true));
  ASSERT_EQ(ev.decision, Decision::kPermit);
  EXPECT_EQ(claims_to_json(ev.properties),
            nlohmann::json({{"required_pcr_mask", 15}, {"require_valid_aik_cert", false}}));
  EXPECT_EQ(claims_to_json(ev.issued), nlohmann::json({{"PlatformAttested", true}}));
  EXPECT_EQ(claims_to_json(evaluate(text, claims(false, true)).issued),
            nlohmann::json({{"PlatformAttested", false}}));
  EXPECT_EQ(claims_to_json(evaluate(text, claims(true, false)).issued), nlohmann::json::object());
}

TEST_F(RealPolicies, TpmVersion12SampleIsRejectedAtItsPositionalIssue) {
  // issue("PlatformAttested", value=true): action arguments are named (type=, value=).
  const std::string text = vector_policy("tpm_v12_sample.txt", "");
  EXPECT_TRUE(rejected_at(text, At{23, 51, checks::kSyntax}));
  // Repaired, the linter still finds a rule over "boolProperties" that no rule ever adds (a
  // mistake of the sample) and notes Azure's equals_ignore_case JMESPath extension (which Vouch's
  // JMESPath lacks; the rule using it never fires here).
  const std::string from = "issue(\"PlatformAttested\"";
  std::string repaired = text;
  repaired.replace(repaired.find(from), from.size(), "issue(type=\"PlatformAttested\"");
  const auto found = lint(repaired, LintOptions{AttestationType::kTpm});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].check, checks::kLintNeverFires);
  EXPECT_EQ(found[0].pos.line, 18u);
  EXPECT_EQ(found[0].pos.column, 1u);
  EXPECT_EQ(found[1].check, checks::kLintJmesPathExtension);
  EXPECT_EQ(found[1].severity, Severity::kWarning);
  EXPECT_EQ(found[1].pos.line, 18u);
  // It then evaluates as the documentation describes: secure boot from the event log, no ELAM.
  const nlohmann::json events = {{"Events",
                                  {{{"EventTypeString", "EV_EFI_VARIABLE_DRIVER_CONFIG"},
                                    {"ProcessedData",
                                     {{"VariableGuid", "8BE4DF61-93CA-11D2-AA0D-00E098032B8C"},
                                      {"UnicodeName", "SecureBoot"},
                                      {"VariableData", "AQ"}}}}}}};
  auto claims = claims_from_json(nlohmann::json{{"events", events}}, Issuer::kAttestationService);
  ASSERT_THAT(claims, Succeeds());
  const Evaluation ev = evaluate(repaired, *claims);
  ASSERT_EQ(ev.decision, Decision::kPermit) << short_explanation(ev);
  EXPECT_FALSE(ev.error.has_value());
  const Claim* elam = testutil::find_claim(ev.incoming, "WindowsDefenderElamDriverLoaded");
  ASSERT_NE(elam, nullptr);
  EXPECT_EQ(elam->value, B(false));
  const Claim* secure_boot = testutil::find_claim(ev.incoming, "secureBootEnabled");
  ASSERT_NE(secure_boot, nullptr);
  EXPECT_EQ(secure_boot->value, B(true));
  EXPECT_TRUE(ev.issued.empty());  // PlatformAttested needs the ELAM driver too
}

TEST_F(RealPolicies, TpmVersion10IssuesPlatformAttested) {
  const std::string text = vector_policy("tpm_vbs_policies.txt", "TPM v1.0");
  EXPECT_TRUE(lint(text, LintOptions{AttestationType::kTpm}).empty());
  std::vector<Claim> claims;
  for (const char* c : {"aikValidated", "secureBootEnabled", "bootDebuggingDisabled", "vbsEnabled",
                        "notWinPE", "notSafeMode"}) {
    claims.push_back(svc(c, B(true)));
  }
  EXPECT_EQ(claims_to_json(evaluate(text, claims).issued),
            nlohmann::json({{"PlatformAttested", true}}));
  claims[3] = svc("vbsEnabled", B(false));
  const Evaluation ev = evaluate(text, claims);
  EXPECT_EQ(ev.decision, Decision::kPermit);  // authorization permits everything
  EXPECT_TRUE(ev.issued.empty());
}

TEST_F(RealPolicies, TpmVersion12PcrPolicyAuthorizesKnownPcrValues) {
  const std::string text = vector_policy("tpm_vbs_policies.txt", "known PCR hashes");
  EXPECT_TRUE(lint(text, LintOptions{AttestationType::kTpm}).empty());
  const std::vector<std::string> digests = all_matches(text, "'([0-9a-f]{64})'");
  ASSERT_EQ(digests.size(), 4u);
  const auto pcrs_claim = [&](int wrong_index) {
    nlohmann::json j = {{"PCRs", nlohmann::json::array()}};
    for (int i = 0; i < 8; ++i) {
      const std::string sha256 =
          i < 4 ? digests[static_cast<std::size_t>(i)] : std::string(64, '0');
      j["PCRs"].push_back({{"Index", i},
                           {"Digests",
                            {{"SHA1", std::string(40, 'a')},
                             {"SHA256", i == wrong_index ? std::string(64, 'f') : sha256}}}});
    }
    auto claims = claims_from_json(nlohmann::json{{"pcrs", j}}, Issuer::kAttestationService);
    EXPECT_THAT(claims, Succeeds());
    EXPECT_TRUE((*claims)[0].read_only);  // the service marks pcrs read-only
    return *claims;
  };
  const Evaluation ok = evaluate(text, pcrs_claim(-1));
  EXPECT_EQ(ok.decision, Decision::kPermit) << short_explanation(ok);
  for (int wrong = 0; wrong < 4; ++wrong) {
    const Evaluation ev = evaluate(text, pcrs_claim(wrong));
    EXPECT_EQ(ev.decision, Decision::kDeny) << wrong;
    EXPECT_FALSE(ev.error.has_value());
  }
  EXPECT_EQ(evaluate(text, {}).decision, Decision::kDeny);
}

TEST_F(RealPolicies, VbsEnclavePolicy) {
  const std::string text = vector_policy("tpm_vbs_policies.txt", "VBS enclave");
  EXPECT_TRUE(lint(text, LintOptions{AttestationType::kTpm}).empty());
  const std::vector<std::string> ids = all_matches(text, "value==\"([A-Za-z0-9_-]+)\"");
  ASSERT_EQ(ids.size(), 2u);
  const auto claims = [&](std::int64_t svn, const std::string& author) {
    return std::vector<Claim>{svc("vsmReportPresent", B(true)), svc("enclaveAuthorId", S(author)),
                              svc("enclaveImageId", S(ids[1])), svc("enclaveSvn", I(svn))};
  };
  EXPECT_EQ(evaluate(text, claims(0, ids[0])).decision, Decision::kPermit);
  EXPECT_EQ(evaluate(text, claims(-1, ids[0])).decision, Decision::kDeny);
  EXPECT_EQ(evaluate(text, claims(3, "other")).decision, Decision::kDeny);
}

TEST_F(RealPolicies, IssueAllIncomingEventClaims) {
  const std::string text = vector_policy("tpm_vbs_policies.txt", "Issue all incoming");
  EXPECT_TRUE(lint(text, LintOptions{AttestationType::kTpm}).empty());
  const nlohmann::json events = {{"Events", {{{"EventSeq", 0}, {"PcrIndex", 0}}}}};
  auto claims = claims_from_json(nlohmann::json{{"events", events}, {"bootEvents", events}},
                                 Issuer::kAttestationService);
  ASSERT_THAT(claims, Succeeds());
  const Evaluation ev = evaluate(text, *claims);
  ASSERT_EQ(ev.decision, Decision::kPermit);
  EXPECT_EQ(claims_to_json(ev.issued),
            nlohmann::json({{"outputBootEvents", events.dump()}, {"outputEvents", events.dump()}}));
}

TEST_F(RealPolicies, LinuxFirmwareExcerptIsRejectedAtTheEllipsis) {
  const std::string text = vector_policy("tpm_vbs_policies.txt", "Linux firmware");
  EXPECT_TRUE(rejected_at(text, At{16, 4, checks::kSyntax}));
  // Without the ellipsis the excerpt is a working policy that finds secure boot in the event log.
  std::string repaired = text;
  repaired.erase(repaired.find("   ...\n"), 7);
  const nlohmann::json events = {
      {"Events",
       {{{"EventTypeString", "EV_EFI_VARIABLE_DRIVER_CONFIG"},
         {"PcrIndex", 7},
         {"ProcessedData", {{"UnicodeName", "SecureBoot"}, {"VariableData", "AQ"}}}}}}};
  auto claims =
      claims_from_json(nlohmann::json::array({{{"type", "events"}, {"value", events}},
                                              {{"type", "aikValidated"}, {"value", true}}}),
                       Issuer::kAttestationService);
  ASSERT_THAT(claims, Succeeds());
  const Evaluation ev = evaluate(repaired, *claims);
  ASSERT_EQ(ev.decision, Decision::kPermit) << short_explanation(ev);
  EXPECT_EQ(claims_to_json(ev.issued), nlohmann::json({{"secureBootEnabled", true}}));
}

}  // namespace
}  // namespace vouch::policy
