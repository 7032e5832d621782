// The `vouch verify sgx|tdx` command-line contract: flags, input encodings, JSON report and exit
// codes, over fake-PKI evidence and the real vectors.

#include "cli/cli.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "base/encoding.h"
#include "testing/dcap_builder.h"
#include "testing/dcap_qvl_collateral.h"
#include "testing/temp_dir.h"
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
  const FixedClock clock(testing::kDcapTestNow);
  std::ostringstream out;
  std::ostringstream err;
  const Context ctx{clock, out, err};
  const int code = run(ctx, args);
  return {code, out.str(), err.str()};
}

std::string str(ByteSpan b) {
  return std::string(b.begin(), b.end());
}

// Writes a quote and its collateral as the files the CLI takes.
std::vector<std::string> write_files(const testing::TempDir& dir, ByteSpan quote,
                                     const dcap::QuoteCollateral& c, bool pem_crls) {
  testing::write_file(dir.file("quote"), str(quote));
  testing::write_file(dir.file("tcb.json"), c.tcb_info->json);
  testing::write_file(dir.file("qe.json"), c.qe_identity->json);
  testing::write_file(dir.file("chain.pem"), c.tcb_info->issuer_chain);
  auto crl = [&](const Bytes& der) {
    return pem_crls ? testing::crl_to_pem(crypto::Crl::parse(der).value()) : str(der);
  };
  testing::write_file(dir.file("pck.crl"), crl(c.pck_crl->crl));
  testing::write_file(dir.file("root.crl"), crl(c.root_ca_crl->crl));
  return {"--quote",       dir.file("quote"),   "--tcb-info",          dir.file("tcb.json"),
          "--qe-identity", dir.file("qe.json"), "--tcb-signing-chain", dir.file("chain.pem"),
          "--pck-crl",     dir.file("pck.crl"), "--root-ca-crl",       dir.file("root.crl")};
}

class VerifyDcapCli : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_file(dir_.file("root.pem"), testing::to_pem(f_.pki.root));
  }
  std::vector<std::string> args(const char* tee, ByteSpan quote, const dcap::QuoteCollateral& c,
                                bool pem_crls = false) {
    std::vector<std::string> a = {"verify", tee};
    const auto files = write_files(dir_, quote, c, pem_crls);
    a.insert(a.end(), files.begin(), files.end());
    a.insert(a.end(), {"--root-ca", dir_.file("root.pem"), "--json"});
    return a;
  }
  testing::DcapFixture f_ = testing::DcapFixture::create();
  testing::TempDir dir_;
};

TEST_F(VerifyDcapCli, VerifiedSgxQuoteReportsTcbStatusAndAdvisories) {
  const testing::FakePlatform p = testing::make_platform(
      f_.pki, dcap::PckCaType::kProcessor,
      [](dcap::PckExtensions& e) { e.tcb.sgx_svns[0] = testing::kComponentForSwHardeningNeeded; });
  const auto c = testing::make_collateral(
      f_.pki, dcap::TeeKind::kSgx, testing::default_tcb_info(dcap::TeeKind::kSgx, p.pck_extensions),
      testing::default_qe_identity(dcap::TeeKind::kSgx), dcap::PckCaType::kProcessor);
  const CliRun r = vouch(args("sgx", testing::make_quote(p, {}), c));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["status"], "verified");
  EXPECT_EQ(j["claims"]["dcap.tcb_status"], "SWHardeningNeeded");
  EXPECT_EQ(j["claims"]["dcap.advisory_ids"], nlohmann::json::array({"INTEL-SA-00615"}));
  EXPECT_TRUE(j["claims"].contains("x-ms-sgx-mrenclave"));
  EXPECT_TRUE(j["claims"]["dcap.collateral.unchecked"].empty());
  for (const auto& check : j["checks"]) {
    EXPECT_EQ(check["result"], "pass") << check["id"];
  }
}

TEST_F(VerifyDcapCli, TdxQuoteInHexWithPemCrls) {
  testing::QuoteOptions o;
  o.tee = dcap::TeeKind::kTdx;
  o.version = 5;
  o.td15 = true;
  const Bytes quote = testing::make_quote(f_.platform, o);
  const std::string hex = "0x" + hex_encode(quote) + "\n";
  const CliRun r = vouch(args(
      "tdx", as_bytes(hex), f_.collateral(dcap::TeeKind::kTdx, dcap::PckCaType::kPlatform), true));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["claims"]["attester_tcb_status"], "UpToDate");
  EXPECT_EQ(j["claims"]["dcap.pck.ca"], "platform");
  EXPECT_TRUE(j["claims"].contains("tdx.tee_tcb_svn2"));
}

TEST_F(VerifyDcapCli, RejectedQuoteExitsTwoWithTheFailedCheck) {
  Bytes quote = testing::make_quote(f_.processor, {});
  quote[100] ^= 1;
  const CliRun r =
      vouch(args("sgx", quote, f_.collateral(dcap::TeeKind::kSgx, dcap::PckCaType::kProcessor)));
  EXPECT_EQ(r.code, 2);
  const auto j = r.json();
  EXPECT_EQ(j["status"], "rejected");
  EXPECT_EQ(j["error"]["check"], "dcap.quote.signature");
  EXPECT_EQ(j["error"]["kind"], "evidence_rejected");
  bool skipped = false;
  for (const auto& check : j["checks"]) {
    skipped = skipped || (check["id"] == "dcap.tcb.level" && check["result"] == "skipped");
  }
  EXPECT_TRUE(skipped);
}

TEST_F(VerifyDcapCli, WrongKindAndUsageErrors) {
  const Bytes sgx = testing::make_quote(f_.processor, {});
  const auto c = f_.collateral(dcap::TeeKind::kSgx, dcap::PckCaType::kProcessor);
  EXPECT_EQ(vouch(args("tdx", sgx, c)).code, 2);
  testing::write_file(dir_.file("q"), str(sgx));
  testing::write_file(dir_.file("t.json"), c.tcb_info->json);
  // TCB Info without the chain that signed it.
  EXPECT_EQ(
      vouch({"verify", "sgx", "--quote", dir_.file("q"), "--tcb-info", dir_.file("t.json")}).code,
      1);
  EXPECT_EQ(vouch({"verify", "sgx", "--quote", dir_.file("missing")}).code, 1);
  EXPECT_EQ(vouch({"verify", "sgx", "--quote", dir_.file("q"), "--at", "yesterday"}).code, 1);
}

TEST_F(VerifyDcapCli, WithoutCollateralTheSkippedChecksAreListed) {
  testing::write_file(dir_.file("q"), str(testing::make_quote(f_.processor, {})));
  const CliRun r = vouch(
      {"verify", "sgx", "--quote", dir_.file("q"), "--root-ca", dir_.file("root.pem"), "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["claims"]["dcap.collateral.unchecked"].size(), 4u);
  EXPECT_FALSE(j["claims"].contains("dcap.tcb_status"));
}

TEST_F(VerifyDcapCli, RealSgxQuoteWithDcapQvlCollateral) {
  VOUCH_REQUIRE_VECTORS();
  const auto c = testing::collateral_from_dcap_qvl(
                     testing::read_vector_text("sgx/dcap-qvl/sgx_quote_collateral.json"))
                     .value();
  std::vector<std::string> a = {"verify", "sgx"};
  const auto files = write_files(dir_, testing::read_vector("sgx/dcap-qvl/sgx_quote"), c, false);
  a.insert(a.end(), files.begin(), files.end());
  a.insert(a.end(), {"--at", "2025-07-19T10:01:17Z", "--json"});
  const CliRun r = vouch(a);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["claims"]["dcap.tcb_status"], "ConfigurationAndSWHardeningNeeded");
  EXPECT_EQ(j["claims"]["dcap.advisory_ids"],
            nlohmann::json::array({"INTEL-SA-00289", "INTEL-SA-00615"}));
  a[a.size() - 2] = "2025-07-19T10:01:19Z";
  EXPECT_EQ(vouch(a).code, 2);
}

TEST_F(VerifyDcapCli, RealTdxQuoteWithItsCcel) {
  VOUCH_REQUIRE_VECTORS();
  const CliRun r =
      vouch({"verify", "tdx", "--quote",
             testing::vector_path("eventlog/go-tdx-guest-ccel/cos-113-tdx-quote.dat"), "--ccel",
             testing::vector_path("eventlog/go-tdx-guest-ccel/ccel_data.dat"), "--at",
             "2025-09-01T00:00:00Z", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.json()["claims"]["tdx.rtmrs_verified"], nlohmann::json::array({0, 1, 2, 3}));
}

TEST_F(VerifyDcapCli, OpenEnclaveReportIsRecognised) {
  VOUCH_REQUIRE_VECTORS();
  const CliRun r = vouch(
      {"verify", "sgx", "--quote",
       testing::vector_path("tokens/azure-sdk-for-cpp-maa/OpenEnclaveQuote.oe_report.derived.bin"),
       "--at", "2022-05-31T23:00:00Z", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["claims"]["x-ms-sgx-collateral"]["quotehash"].get<std::string>().substr(0, 8),
            "928c12bc");
  EXPECT_EQ(j["claims"]["x-ms-sgx-mrenclave"],
            "292a1f4b519e46627eb2478a3d9851405653c5b4b0a6925de843834d9216850e");
}

}  // namespace
}  // namespace vouch::cli
