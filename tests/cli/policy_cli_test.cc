// The command-line contract of `vouch policy lint|test`, `vouch release-policy test` and
// `vouch jmespath`: output formats and exit codes (scripts outside the project rely on them).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "base/time.h"
#include "cli/cli.h"
#include "testing/temp_dir.h"

namespace vouch::cli {
namespace {

struct CliRun {
  int code;
  std::string out;
  std::string err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

CliRun vouch(const std::vector<std::string>& args) {
  const FixedClock clock(from_unix_seconds(1767225600));
  std::ostringstream out;
  std::ostringstream err;
  const Context ctx{clock, out, err};
  const int code = run(ctx, args);
  return {code, out.str(), err.str()};
}

constexpr std::string_view kPolicy =
    "version=1.1;\n"
    "configurationrules { => issueproperty(type=\"x-ms-sgx-tcbidentifier\", value=\"11\"); };\n"
    "authorizationrules {\n"
    "  [type==\"x-ms-sgx-is-debuggable\", value==false] && [type==\"x-ms-sgx-svn\", value>=2]\n"
    "    => permit();\n"
    "};\n"
    "issuancerules {\n"
    "  c:[type==\"x-ms-sgx-mrsigner\"] => issue(type=\"signer\", value=c.value);\n"
    "};\n";

class PolicyCli : public ::testing::Test {
 protected:
  std::string write(const std::string& name, std::string_view content) {
    const std::string path = dir_.file(name);
    testing::write_file(path, std::string(content));
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(PolicyCli, LintCleanPolicyExitsZero) {
  const CliRun r = vouch({"policy", "lint", write("p.txt", kPolicy), "--type", "sgx"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(PolicyCli, LintPrintsFileLineColumnSeverity) {
  const std::string file = write("p.txt",
                                 "version=1.0;\n"
                                 "authorizationrules {\n"
                                 "  [type=\"x-ms-sgx-svn\"] => permit();\n"
                                 "};\n");
  const CliRun r = vouch({"policy", "lint", file});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out, file + ":3:8: error: '=' in a condition: write '==' to compare (type==...)\n");
  EXPECT_EQ(r.err, file + ": 1 error, 0 warnings\n");
}

TEST_F(PolicyCli, LintWarningsOnlyExitZero) {
  const std::string file = write("p.txt",
                                 "version=1.0;\n"
                                 "authorizationrules { [type==\"x-ms-sevsnpvm-vmpl\", value==0] "
                                 "=> permit(); };\n");
  const CliRun sgx = vouch({"policy", "lint", file, "--type", "sgx"});
  EXPECT_EQ(sgx.code, 0);
  EXPECT_EQ(sgx.out.rfind(file + ":2:22: warning: \"x-ms-sevsnpvm-vmpl\" is not a claim", 0), 0u)
      << sgx.out;
  EXPECT_EQ(vouch({"policy", "lint", file, "--type", "sevsnp"}).out, "");
}

TEST_F(PolicyCli, LintJson) {
  const std::string file = write("p.txt", "version=1.0;\nauthorizationrules{ => permit() };\n");
  const CliRun r = vouch({"policy", "lint", file, "--json"});
  EXPECT_EQ(r.code, 2);
  const auto j = r.json();
  EXPECT_EQ(j["file"], file);
  EXPECT_EQ(j["errors"], 1);
  EXPECT_EQ(j["warnings"], 0);
  EXPECT_EQ(j["hash"].get<std::string>().size(), 43u);
  ASSERT_EQ(j["diagnostics"].size(), 1u);
  EXPECT_EQ(j["diagnostics"][0]["line"], 2);
  EXPECT_EQ(j["diagnostics"][0]["column"], 33);
  EXPECT_EQ(j["diagnostics"][0]["severity"], "error");
  EXPECT_EQ(j["diagnostics"][0]["check"], "policy.syntax");
}

TEST_F(PolicyCli, LintRejectsUnknownTypesAndMissingFiles) {
  EXPECT_EQ(vouch({"policy", "lint", write("p.txt", kPolicy), "--type", "snp"}).code, 1);
  EXPECT_EQ(vouch({"policy", "lint", dir_.file("missing.txt")}).code, 1);
}

TEST_F(PolicyCli, TestPermitJson) {
  const std::string claims = write("claims.json", R"({"x-ms-sgx-is-debuggable": false,
      "x-ms-sgx-svn": 3, "x-ms-sgx-mrsigner": "abcd"})");
  const CliRun r = vouch({"policy", "test", write("p.txt", kPolicy), "--claims", claims, "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["decision"], "permit");
  EXPECT_EQ(j["issued"], nlohmann::json({{"signer", "abcd"}}));
  EXPECT_EQ(j["properties"], nlohmann::json({{"x-ms-sgx-tcbidentifier", "11"}}));
  ASSERT_TRUE(j["trace"].is_array());
  EXPECT_EQ(j["trace"].size(), 3u);
  EXPECT_EQ(j["trace"][1]["result"], "fired");
}

TEST_F(PolicyCli, TestDenyExitsFive) {
  const std::string claims = write("claims.json", R"([
      {"type": "x-ms-sgx-is-debuggable", "value": false},
      {"type": "x-ms-sgx-svn", "value": 1, "issuer": "AttestationService"}])");
  const std::string policy = write("p.txt", kPolicy);
  const CliRun json = vouch({"policy", "test", policy, "--claims", claims, "--json"});
  EXPECT_EQ(json.code, 5);
  EXPECT_EQ(json.json()["decision"], "deny");
  EXPECT_EQ(json.json()["issued"], nlohmann::json::object());
  EXPECT_EQ(json.json()["reason"], "no_permit");
  const CliRun text = vouch({"policy", "test", policy, "--claims", claims});
  EXPECT_EQ(text.code, 5);
  EXPECT_EQ(text.out,
            "decision: deny (no permit() rule fired in authorizationrules; rule 1 (line 4): "
            "[type==\"x-ms-sgx-svn\", value>=2] failed: \"x-ms-sgx-svn\" is 1 (Integer); the "
            "condition needs value >= 2)\n");
  const CliRun explain = vouch({"policy", "test", policy, "--claims", claims, "--explain"});
  EXPECT_EQ(explain.code, 5);
  EXPECT_NE(explain.out.find("  rule 1 (line 4): not_matched\n"), std::string::npos) << explain.out;
  EXPECT_NE(explain.out.find("FAILS: \"x-ms-sgx-svn\" is 1 (Integer)"), std::string::npos);
}

TEST_F(PolicyCli, TestPolicyErrorsExitTwo) {
  const std::string claims = write("claims.json", "{}");
  const std::string bad = write("bad.txt",
                                "version=1.0;\nauthorizationrules { [type=\"a\"] => "
                                "permit(); => issue(type=\"b\", value=1); };\n");
  const CliRun r = vouch({"policy", "test", bad, "--claims", claims});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, bad + ":2:27: error: '=' in a condition: write '==' to compare (type==...)\n" +
                       bad +
                       ":2:49: error: issue() is not allowed in authorizationrules (only in "
                       "issuancerules)\n");
  const CliRun json = vouch({"policy", "test", bad, "--claims", claims, "--json"});
  EXPECT_EQ(json.code, 2);
  EXPECT_EQ(json.json()["error"]["check"], "policy.syntax.assign");
  EXPECT_EQ(json.json()["diagnostics"].size(), 2u);
  // An evaluation error is a policy error too.
  const std::string failing = write("f.txt",
                                    "version=1.2; authorizationrules { c:[type==\"j\"] => "
                                    "add(type=\"n\", value=JsonToClaimValue(c.value)); => "
                                    "permit(); };");
  const CliRun eval = vouch({"policy", "test", failing, "--claims",
                             write("j.json", R"({"j": "{\"an\": \"object\"}"})"), "--json"});
  EXPECT_EQ(eval.code, 2);
  EXPECT_EQ(eval.json()["decision"], "deny");
  EXPECT_EQ(eval.json()["error"]["check"], "policy.eval.json");
}

TEST_F(PolicyCli, TestClaimsErrorsAreUsageErrors) {
  const std::string policy = write("p.txt", kPolicy);
  EXPECT_EQ(vouch({"policy", "test", policy, "--claims", write("c.json", "[1]")}).code, 1);
  EXPECT_EQ(vouch({"policy", "test", policy, "--claims", write("d.json", "{")}).code, 1);
  EXPECT_EQ(vouch({"policy", "test", policy, "--claims", dir_.file("none.json")}).code, 1);
  EXPECT_EQ(vouch({"policy", "test", policy}).code, 1);  // --claims is required
}

constexpr std::string_view kRelease = R"({"version": "1.0.0", "anyOf": [{
    "authority": "https://attest.example",
    "allOf": [{"claim": "x-ms-isolation-tee.x-ms-attestation-type", "equals": "sevsnpvm"},
              {"claim": "x-ms-isolation-tee.x-ms-sevsnpvm-guestsvn", "greaterOrEquals": 2}]}]})";

TEST_F(PolicyCli, ReleasePolicyTest) {
  const std::string policy = write("release.json", kRelease);
  const std::string token = write("token.json", R"({"iss": "https://attest.example",
      "x-ms-isolation-tee": {"x-ms-attestation-type": "sevsnpvm", "x-ms-sevsnpvm-guestsvn": 2}})");
  const CliRun r = vouch({"release-policy", "test", policy, "--claims", token, "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["decision"], "permit");
  EXPECT_EQ(j["issued"], nlohmann::json::object());
  EXPECT_EQ(j["properties"], nlohmann::json::object());
  EXPECT_EQ(j["trace"][0]["satisfied"], true);
  // Another issuer: refused.
  const CliRun other = vouch(
      {"release-policy", "test", policy, "--claims", token, "--issuer", "https://other.example"});
  EXPECT_EQ(other.code, 5);
  EXPECT_EQ(other.out.rfind("decision: deny (refused: no authority matches", 0), 0u) << other.out;
  // A failing condition is explained.
  const std::string old = write("old.json", R"({"iss": "https://attest.example",
      "x-ms-isolation-tee": {"x-ms-attestation-type": "sevsnpvm", "x-ms-sevsnpvm-guestsvn": 1}})");
  const CliRun refused = vouch({"release-policy", "test", policy, "--claims", old});
  EXPECT_EQ(refused.code, 5);
  EXPECT_NE(refused.out.find("greaterOrEquals 2  FAILS: the claim is 1"), std::string::npos)
      << refused.out;
}

TEST_F(PolicyCli, ReleasePolicyErrors) {
  const std::string token = write("token.json", R"({"iss": "https://attest.example"})");
  const CliRun bad =
      vouch({"release-policy", "test", write("bad.json", R"({"anyOf": []})"), "--claims", token});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("[release.structure]"), std::string::npos) << bad.err;
  // No issuer anywhere is a usage error.
  EXPECT_EQ(vouch({"release-policy", "test", write("r.json", kRelease), "--claims",
                   write("noiss.json", "{}")})
                .code,
            1);
}

TEST_F(PolicyCli, JmesPathPrintsTheResult) {
  const std::string doc = write("doc.json", R"({"a": {"b": [1, 2, 3]}, "c": "x"})");
  const CliRun r = vouch({"jmespath", "a.b[?@ > `1`]", doc});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json({2, 3}));
  EXPECT_EQ(vouch({"jmespath", "c", doc}).out, "\"x\"\n");
  EXPECT_EQ(vouch({"jmespath", "missing", doc}).out, "null\n");
}

TEST_F(PolicyCli, JmesPathErrorsNameTheKind) {
  const std::string doc = write("doc.json", R"({"a": 1})");
  const CliRun syntax = vouch({"jmespath", "a[", doc});
  EXPECT_EQ(syntax.code, 2);
  EXPECT_EQ(syntax.err.rfind("vouch: jmespath: syntax: ", 0), 0u) << syntax.err;
  const CliRun unknown = vouch({"jmespath", "nope(a)", doc});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_EQ(unknown.err.rfind("vouch: jmespath: unknown-function: ", 0), 0u) << unknown.err;
  const CliRun arity = vouch({"jmespath", "length(a, a)", doc});
  EXPECT_EQ(arity.code, 2);
  EXPECT_EQ(arity.err.rfind("vouch: jmespath: invalid-arity: ", 0), 0u) << arity.err;
  const CliRun type = vouch({"jmespath", "length(a)", doc});
  EXPECT_EQ(type.code, 2);
  EXPECT_EQ(type.err.rfind("vouch: jmespath: invalid-type: ", 0), 0u) << type.err;
  EXPECT_EQ(vouch({"jmespath", "a", write("bad.json", "{")}).code, 1);
  EXPECT_EQ(vouch({"jmespath", "a", dir_.file("none.json")}).code, 1);
}

}  // namespace
}  // namespace vouch::cli
