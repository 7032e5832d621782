// `vouch attest` end to end: a real software TPM (swtpm), the real `vouch serve` (subprocess) as
// verifier and relying party, and the command run in-process. Skips, visibly, without swtpm.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/file.h"
#include "base/time.h"
#include "cli/cli.h"
#include "testing/http_client.h"
#include "testing/swtpm.h"
#include "testing/temp_dir.h"
#include "tests/cli/serve_process.h"

namespace vouch::cli {
namespace {

using nlohmann::json;

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun vouch(const std::vector<std::string>& args) {
  const SystemClock clock;
  std::ostringstream out;
  std::ostringstream err;
  const Context ctx{clock, out, err};
  const int code = run(ctx, args);
  return {code, out.str(), err.str()};
}

TEST(AttestCliTest, UsageErrors) {
  CliRun r = vouch({"attest", "--verifier", "http://127.0.0.1:1", "--tpm", "device", "--model",
                    "background-check"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("--secret"), std::string::npos) << r.err;
  r = vouch({"attest", "--verifier", "http://127.0.0.1:1", "--tpm", "tbs"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("attester.tpm.tcti"), std::string::npos) << r.err;
  r = vouch({"attest", "--verifier", "http://127.0.0.1:1", "--tpm", "device", "--pcrs", "md5:0"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("attester.tpm.pcr_selection"), std::string::npos) << r.err;
  r = vouch({"attest", "--verifier", "http://127.0.0.1:1", "--tpm", "device", "--out", "x"});
  EXPECT_EQ(r.code, kExitUsage);
  r = vouch({"attest", "--tpm", "device"});
  EXPECT_EQ(r.code, kExitUsage);  // --verifier is required
  r = vouch({"attest", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  for (const char* flag :
       {"--verifier", "--relying-party", "--tpm", "--model", "--secret", "--out", "--json",
        "--tenant", "--api-key", "--ca-file", "--insecure", "--pcrs"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

TEST(AttestCliTest, MissingTpmDeviceIsExitOneWithTheCheck) {
  const CliRun r = vouch({"attest", "--verifier", "http://127.0.0.1:1", "--tpm",
                          "device:/nonexistent/tpmrm9", "--json"});
  EXPECT_EQ(r.code, kExitUsage);
  const json j = json::parse(r.out);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["error"]["check"], "attester.tpm.open");
  EXPECT_EQ(j["steps"][0]["step"], "tpm.open");
}

class AttestE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    tpm_ = testing::Swtpm::start(&why);
    if (!tpm_) {
      GTEST_SKIP() << "swtpm unavailable, `vouch attest` end-to-end tests skipped: " << why;
    }
    serve_ = std::make_unique<testing::ServeProcess>();
    ASSERT_TRUE(serve_->started()) << serve_->error();
    // Trust swtpm's local CA for EK certificates (enrolment).
    const json settings = {{"tpm_ca_certificates",
                            {read_text_file(tpm_->ca_root_pem()).value(),
                             read_text_file(tpm_->ca_issuer_pem()).value()}}};
    testing::write_file(dir_.file("settings.json"), settings.dump());
    const CliRun set = vouch({"admin", "--url", serve_->url(), "--api-key", serve_->admin_key(),
                              "settings", "set", "@" + dir_.file("settings.json")});
    ASSERT_EQ(set.code, 0) << set.err;
  }

  // Stores a secret whose release policy asks for an affirming EAR from this verifier.
  void put_secret(const std::string& name, const std::string& value_b64,
                  const std::string& wanted_status) {
    const json body = {{"value", value_b64},
                       {"releasePolicy",
                        {{"version", "1.0.0"},
                         {"anyOf",
                          {{{"authority", serve_->url()},
                            {"allOf", {{{"claim", "ear_status"}, {"equals", wanted_status}}}}}}}}},
                       {"trustedIssuers", {serve_->url()}}};
    const auto r = testing::http(
        "PUT", "127.0.0.1", serve_->port(), "/rp/v1/secrets/" + name, body.dump(),
        {{"Authorization", "Bearer " + serve_->admin_key()}, {"Content-Type", "application/json"}});
    ASSERT_TRUE(r.status == 200 || r.status == 201) << r.status << " " << r.body;
  }

  std::vector<std::string> attest(const std::vector<std::string>& extra) {
    std::vector<std::string> a = {"attest", "--verifier", serve_->url(), "--tpm", tpm_->tcti()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::Swtpm> tpm_;
  std::unique_ptr<testing::ServeProcess> serve_;
};

TEST_F(AttestE2eTest, PassportWithoutASecretPrintsTheEar) {
  const CliRun r = vouch(attest({"--json"}));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["verdict"], "permit");
  std::vector<std::string> steps;
  for (const auto& s : j["steps"]) {
    steps.push_back(s["step"]);
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"tpm.open", "tpm.enroll", "verifier.session", "bind",
                                             "evidence", "verifier.appraise"}));
  // Text mode: the EAR on stdout.
  const CliRun text = vouch(attest({"--ak", "ecc", "--pcrs", "sha256:0,1,2,3+sha1:0"}));
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_EQ(std::count(text.out.begin(), text.out.end(), '.'), 2) << text.out;
}

TEST_F(AttestE2eTest, PassportAndBackgroundCheckReleaseTheSecret) {
  put_secret("db-password", "aHVudGVyMg==", "affirming");  // "hunter2"
  const std::string out = dir_.file("secret");
  CliRun r = vouch(attest({"--model", "passport", "--secret", "db-password", "--out", out}));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(read_text_file(out).value(), "hunter2");
  struct stat st {};
  ASSERT_EQ(stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  // Only the digest reaches stdout.
  EXPECT_EQ(r.out, "f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7\n");

  r = vouch(attest({"--model", "background-check", "--secret", "db-password", "--json"}));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["secret"]["sha256"],
            "f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7");
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos);
}

TEST_F(AttestE2eTest, AReleasePolicyDenialIsExitFive) {
  put_secret("other", "aHVudGVyMg==", "contraindicated");
  for (const char* model : {"passport", "background-check"}) {
    const CliRun r = vouch(attest({"--model", model, "--secret", "other", "--json"}));
    EXPECT_EQ(r.code, kExitPolicy) << model << r.out << r.err;
    EXPECT_EQ(json::parse(r.out)["error"]["check"], "rp.release_policy.deny") << model;
  }
}

TEST_F(AttestE2eTest, WithoutTrustedTpmCasEnrolmentFails) {
  const json settings = {{"tpm_ca_certificates", json::array()}};
  testing::write_file(dir_.file("s2.json"), settings.dump());
  ASSERT_EQ(vouch({"admin", "--url", serve_->url(), "--api-key", serve_->admin_key(), "settings",
                   "set", "@" + dir_.file("s2.json")})
                .code,
            0);
  const CliRun r = vouch(attest({"--json"}));
  EXPECT_NE(r.code, 0);
  const json j = json::parse(r.out);
  EXPECT_EQ(j["steps"][1]["step"], "tpm.enroll");
  EXPECT_EQ(j["steps"][1]["ok"], false);
}

}  // namespace
}  // namespace vouch::cli
