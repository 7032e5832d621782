// The `vouch` command-line contract: flags, JSON shape and exit codes.

#include "cli/cli.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "base/encoding.h"
#include "evidence/tpm/abi.h"
#include "testing/temp_dir.h"
#include "testing/test_pki.h"
#include "testing/tpm_quote_builder.h"
#include "testing/vectors.h"

namespace vouch::cli {
namespace {

struct CliRun {
  int code;
  std::string out;
  std::string err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

CliRun vouch(const std::vector<std::string>& args) {
  const FixedClock clock(from_unix_seconds(1767225600));  // 2026-01-01
  std::ostringstream out;
  std::ostringstream err;
  const Context ctx{clock, out, err};
  const int code = run(ctx, args);
  return {code, out.str(), err.str()};
}

std::string str(ByteSpan b) {
  return std::string(b.begin(), b.end());
}

// A software-signed quote written to files, as an attester would hand them over.
class VerifyTpmCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ak_ = std::make_unique<testing::SoftwareAk>(testing::make_software_ak(false));
    tpm::PcrValues pcrs;
    for (std::uint32_t i = 0; i < 8; ++i) {
      pcrs[crypto::HashAlg::kSha256][i] = Bytes(32, static_cast<std::uint8_t>(i));
    }
    fixture_ = testing::make_quote(*ak_, hex_decode("abcd").value(), pcrs);
    testing::write_file(dir_.file("quote"), str(fixture_.quote));
    testing::write_file(dir_.file("sig"), str(fixture_.signature));
    testing::write_file(dir_.file("ak"), str(tpm::serialize(ak_->pub)));
    nlohmann::json j;
    for (const auto& [i, v] : pcrs[crypto::HashAlg::kSha256]) {
      j[std::to_string(i)] = hex_encode(v);
    }
    testing::write_file(dir_.file("pcrs.json"), j.dump());
  }

  std::vector<std::string> base_args() {
    return {"verify",         "tpm",  "--quote",       dir_.file("quote"), "--signature",
            dir_.file("sig"), "--ak", dir_.file("ak"), "--pcrs",           dir_.file("pcrs.json")};
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::SoftwareAk> ak_;
  testing::QuoteFixture fixture_;
};

TEST_F(VerifyTpmCli, VerifiedJsonHasStatusChecksAndClaims) {
  auto args = base_args();
  args.insert(args.end(), {"--nonce", "ABCD", "--json"});
  const CliRun r = vouch(args);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["status"], "verified");
  ASSERT_TRUE(j["checks"].is_array());
  for (const auto& c : j["checks"]) {
    EXPECT_TRUE(c.contains("id") && c.contains("result") && c.contains("detail"));
    EXPECT_NE(c["result"], "fail");
  }
  EXPECT_EQ(j["claims"]["tpm.quote.nonce"], "abcd");
  EXPECT_EQ(j["claims"]["tpm.pcrs"]["sha256"]["7"], hex_encode(Bytes(32, 7)));
}

TEST_F(VerifyTpmCli, TextReportIsReadable) {
  auto args = base_args();
  args.insert(args.end(), {"--nonce", "abcd"});
  const CliRun r = vouch(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("TPM quote: VERIFIED"), std::string::npos);
  EXPECT_NE(r.out.find("tpm.quote.signature"), std::string::npos);
  EXPECT_NE(r.out.find("Claims:"), std::string::npos);
}

TEST_F(VerifyTpmCli, RejectionsExitTwoWithTheFailingCheck) {
  auto args = base_args();
  args.insert(args.end(), {"--nonce", "abce", "--json"});
  CliRun r = vouch(args);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.json()["status"], "rejected");
  EXPECT_EQ(r.json()["error"]["check"], "tpm.quote.nonce");
  EXPECT_TRUE(r.json()["claims"].empty());

  // No --nonce: extraData must be empty, and it is not.
  args = base_args();
  args.push_back("--json");
  r = vouch(args);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.json()["error"]["check"], "tpm.quote.nonce");

  // Truncated quote.
  testing::write_file(dir_.file("quote"),
                      str(ByteSpan(fixture_.quote).first(fixture_.quote.size() - 1)));
  args = base_args();
  args.insert(args.end(), {"--nonce", "abcd", "--json"});
  r = vouch(args);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.json()["error"]["check"], "tpm.attest.truncated");
  EXPECT_NE(r.json()["error"]["detail"].get<std::string>().find("offset"), std::string::npos);
}

TEST_F(VerifyTpmCli, MalformedFilesExitTwo) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ak", "not a key at all"},
      {"sig", "\x00\x14\x00"},
      {"pcrs.json", R"({"0": 1})"},
      {"pcrs.json", "[not json"},
  };
  for (const auto& [file, content] : cases) {
    SetUp();
    testing::write_file(dir_.file(file), content);
    auto args = base_args();
    args.insert(args.end(), {"--nonce", "abcd", "--json"});
    const CliRun r = vouch(args);
    EXPECT_EQ(r.code, 2) << file << ": " << r.out << r.err;
    EXPECT_EQ(r.json()["status"], "rejected") << file;
  }
}

TEST_F(VerifyTpmCli, UsageErrorsExitOne) {
  auto args = base_args();
  args.insert(args.end(), {"--nonce", "xyz"});
  EXPECT_EQ(vouch(args).code, 1) << "non-hex nonce";
  args = base_args();
  args[3] = dir_.file("does-not-exist");
  EXPECT_EQ(vouch(args).code, 1) << "unreadable file";
  EXPECT_EQ(vouch({"verify", "tpm", "--quote", dir_.file("quote")}).code, 1) << "missing flags";
  args = base_args();
  args.insert(args.end(), {"--at", "yesterday"});
  EXPECT_EQ(vouch(args).code, 1) << "bad --at";
  args = base_args();
  args.insert(args.end(), {"--pcr-bank", "md5"});
  EXPECT_EQ(vouch(args).code, 1) << "bad bank";
  args = base_args();
  args.insert(args.end(), {"--ak-cert", dir_.file("ak")});
  EXPECT_EQ(vouch(args).code, 1) << "--ak-cert without anchors";
  EXPECT_EQ(vouch({"frobnicate"}).code, 1);
  EXPECT_EQ(vouch({}).code, 1);
}

TEST_F(VerifyTpmCli, AkCertificateWithAnchors) {
  const auto pki = testing::TestPki::create("CLI AK CA");
  const auto cert = pki.issue_leaf(ak_->ak.key);
  testing::write_file(dir_.file("ak.crt"), str(cert.der()));
  testing::write_file(dir_.file("root.crt"), str(pki.root.der()));
  testing::write_file(dir_.file("inter.crt"), str(pki.intermediate.der()));
  auto args = base_args();
  args.insert(args.end(),
              {"--nonce", "abcd", "--ak-cert", dir_.file("ak.crt"), "--trust-anchor",
               dir_.file("root.crt"), "--intermediate", dir_.file("inter.crt"), "--json"});
  CliRun r = vouch(args);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.json()["claims"]["tpm.ak.trust"], "certificate");
  // Before the certificate's notBefore (2020-01-01) the chain does not verify.
  args.insert(args.end(), {"--at", "2019-06-01T00:00:00Z"});
  r = vouch(args);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.json()["error"]["check"], "tpm.ak.certificate.chain");
}

TEST(Cli, HelpAndVersion) {
  CliRun r = vouch({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos);
  r = vouch({"verify", "tpm", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--event-log"), std::string::npos);
  EXPECT_EQ(vouch({"--version"}).code, 0);
}

TEST(Cli, GceVectorVerifiesThroughTheCommandLine) {
  VOUCH_REQUIRE_VECTORS();
  const std::string d = testing::vector_path("tpm/go-tpm-tools-gce-cos85/");
  const CliRun r = vouch({"verify",         "tpm",
                          "--quote",        d + "gce-cos-85-nonce9009.quote_sha384.derived.bin",
                          "--signature",    d + "gce-cos-85-nonce9009.quote_sha384_sig.derived.bin",
                          "--ak",           d + "gce-cos-85.ak_pub.derived.bin",
                          "--ak-cert",      d + "gce-cos-85.ak_cert.derived.der",
                          "--trust-anchor", d + "tpm_ek_root_1.cer",
                          "--intermediate", d + "tpm_ek_intermediate_2.crt",
                          "--pcrs",         d + "gce-cos-85-nonce9009.pcrs_sha384.derived.json",
                          "--pcr-bank",     "sha384",
                          "--event-log",    d + "gce-cos-85.eventlog.derived.bin",
                          "--nonce",        "9009",
                          "--at",           "2025-01-01T00:00:00Z",
                          "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.json()["claims"]["tpm.pcr_bank"], "sha384");
}

TEST(Cli, EventlogReplayJson) {
  VOUCH_REQUIRE_VECTORS();
  const CliRun r =
      vouch({"eventlog", "replay", "--log",
             testing::vector_path("tpm/go-tpm-tools-gce-cos85/gce-cos-85.eventlog.derived.bin"),
             "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["events"], 45);
  EXPECT_EQ(j["banks"]["sha256"]["0"],
            "0f35c214608d93c7a6e68ae7359b4a8be5a0e99eea9107ece427c4dea4e439cf");
  EXPECT_TRUE(j["banks"].contains("sha1"));
  EXPECT_TRUE(j["banks"].contains("sha384"));
}

TEST(Cli, EventlogReplayRejectsGarbage) {
  testing::TempDir dir;
  testing::write_file(dir.file("log"), "garbage that is not an event log");
  const CliRun r = vouch({"eventlog", "replay", "--log", dir.file("log")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("tpm.eventlog"), std::string::npos);
}

}  // namespace
}  // namespace vouch::cli
