// The `vouch verify sevsnp` and `vouch verify azure-cvm` command-line contract: flags, JSON shape
// and exit codes, on the fake PKI and the real vectors.

#include "cli/cli.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "base/encoding.h"
#include "testing/dcap_qvl_collateral.h"
#include "testing/fake_amd_pki.h"
#include "testing/snp_azure_builder.h"
#include "testing/temp_dir.h"
#include "testing/vectors.h"

namespace vouch::cli {
namespace {

using collateral::AmdKeyKind;
using collateral::AmdProduct;
using ::vouch::testing::FakeAmdPki;
using ::vouch::testing::vector_path;

struct CliRun {
  int code;
  std::string out;
  std::string err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

CliRun vouch(const std::vector<std::string>& args) {
  const FixedClock clock(from_unix_seconds(1735689600));  // 2025-01-01
  std::ostringstream out;
  std::ostringstream err;
  const Context ctx{clock, out, err};
  const int code = run(ctx, args);
  return {code, out.str(), err.str()};
}

std::string str(ByteSpan b) {
  return std::string(b.begin(), b.end());
}

class SevSnpCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const FakeAmdPki& pki = FakeAmdPki::get(AmdProduct::kGenoa);
    ::vouch::testing::VekSpec spec;
    spec.tcb = ::vouch::testing::test_tcb(AmdProduct::kGenoa);
    spec.chip_id = ::vouch::testing::test_chip_id();
    const auto vek = pki.issue_vek(spec);
    sevsnp::Report r = ::vouch::testing::default_report(AmdProduct::kGenoa, 5, spec.tcb);
    r.report_data.fill(0xab);
    report_ = ::vouch::testing::sign_report(r, vek.key);
    ::vouch::testing::write_file(dir_.file("report.bin"), str(report_));
    ::vouch::testing::write_file(dir_.file("report.hex"), hex_encode(report_) + "\n");
    ::vouch::testing::write_file(dir_.file("vcek.der"), str(vek.cert.der()));
    ::vouch::testing::write_file(dir_.file("chain.pem"), pki.chain_pem(AmdKeyKind::kVcek));
  }
  std::vector<std::string> args(const std::string& report = "report.bin") {
    return {"verify",       "sevsnp",
            "--report",     dir_.file(report),
            "--vcek",       dir_.file("vcek.der"),
            "--cert-chain", dir_.file("chain.pem")};
  }
  ::vouch::testing::TempDir dir_;
  Bytes report_;
};

TEST_F(SevSnpCli, VerifiedJsonWithExactReportData) {
  auto a = args();
  a.insert(a.end(), {"--report-data", hex_encode(Bytes(64, 0xab)), "--json"});
  const CliRun r = vouch(a);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["status"], "verified");
  EXPECT_EQ(j["claims"]["snp.report_data.binding"], "exact");
  EXPECT_EQ(j["claims"]["snp.product"], "Genoa");
  EXPECT_EQ(j["claims"]["snp.revocation.mode"], "best_effort");
  for (const auto& c : j["checks"]) {
    EXPECT_NE(c["result"], "fail");
  }
}

TEST_F(SevSnpCli, HexReportText) {
  EXPECT_EQ(vouch(args("report.hex")).code, 0);
}

TEST_F(SevSnpCli, ExitCodes) {
  auto wrong = args();
  wrong.insert(wrong.end(), {"--report-data", hex_encode(Bytes(64, 0)), "--json"});
  const CliRun r = vouch(wrong);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.json()["error"]["check"], "snp.report_data");
  EXPECT_EQ(r.json()["status"], "rejected");
  auto short_rd = args();
  short_rd.insert(short_rd.end(), {"--report-data", "abcd"});
  EXPECT_EQ(vouch(short_rd).code, 1);  // not 64 bytes: a usage error, never padded
  EXPECT_EQ(vouch({"verify", "sevsnp", "--report", dir_.file("missing")}).code, 1);
  EXPECT_EQ(vouch({"verify", "sevsnp"}).code, 1);
  // No --vcek: the CLI cannot fetch it from AMD KDS.
  EXPECT_EQ(vouch({"verify", "sevsnp", "--report", dir_.file("report.bin"), "--cert-chain",
                   dir_.file("chain.pem")})
                .code,
            3);
  // The built-in AMD roots do not trust the fake PKI.
  EXPECT_EQ(vouch({"verify", "sevsnp", "--report", dir_.file("report.bin"), "--vcek",
                   dir_.file("vcek.der")})
                .code,
            2);
  ::vouch::testing::write_file(dir_.file("short.bin"), "0102");
  EXPECT_EQ(vouch(args("short.bin")).code, 2);
}

TEST(SevSnpCliVectors, ManifestVerdicts) {
  VOUCH_REQUIRE_VECTORS();
  const CliRun ok = vouch(
      {"verify", "sevsnp", "--report", vector_path("snp/virtee-sev/report_milan.hex"), "--vcek",
       vector_path("snp/virtee-sev/vcek_milan.der"), "--cert-chain",
       vector_path("snp/virtee-sev/cert_chain_milan"), "--at", "2024-01-01T00:00:00Z", "--json"});
  ASSERT_EQ(ok.code, 0) << ok.out;
  const CliRun bad =
      vouch({"verify", "sevsnp", "--report", vector_path("snp/trustee/test-report.bin"), "--vcek",
             vector_path("snp/trustee/test-vcek-invalid-legacy.der"), "--at",
             "2024-01-01T00:00:00Z", "--json"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.json()["error"]["check"], "snp.vek.chain");
  const CliRun vlek =
      vouch({"verify", "sevsnp", "--report", vector_path("snp/trustee/test-vlek-report.bin"),
             "--vcek", vector_path("snp/trustee/test-vlek.der"), "--at", "1748736000"});
  EXPECT_EQ(vlek.code, 0) << vlek.out;
}

TEST(AzureCvmCli, FakeEvidence) {
  const Bytes nonce = {1, 2, 3};
  const auto f = ::vouch::testing::make_azure_cvm(AmdProduct::kMilan, nonce);
  ::vouch::testing::TempDir dir;
  ::vouch::testing::write_file(dir.file("hcl.bin"), str(f.hcl_bytes));
  ::vouch::testing::write_file(dir.file("vcek.der"), str(f.vek.cert.der()));
  ::vouch::testing::write_file(dir.file("quote.json"), ::vouch::testing::tpm_quote_json(f.quote));
  const std::vector<std::string> base = {
      "verify", "azure-cvm",          "--hcl-report", dir.file("hcl.bin"),
      "--vcek", dir.file("vcek.der"), "--tpm-quote",  dir.file("quote.json")};
  auto a = base;
  a.insert(a.end(), {"--nonce", "010203", "--json"});
  const CliRun r = vouch(a);
  EXPECT_EQ(r.code, 2);  // the fake PKI is not AMD's: the built-in roots reject it
  EXPECT_EQ(r.json()["error"]["check"], "snp.vek.chain");
  auto bad_quote = base;
  ::vouch::testing::write_file(dir.file("quote.json"), "{}");
  EXPECT_EQ(vouch(bad_quote).code, 2);
  EXPECT_EQ(vouch({"verify", "azure-cvm", "--hcl-report", dir.file("hcl.bin")}).code, 1);
}

TEST(AzureCvmCliVectors, TrusteeSnpVtpm) {
  VOUCH_REQUIRE_VECTORS();
  const std::vector<std::string> base = {
      "verify",       "azure-cvm",
      "--hcl-report", vector_path("azure-cvm/trustee-az-snp-vtpm/hcl-report.bin"),
      "--vcek",       vector_path("azure-cvm/trustee-az-snp-vtpm/vcek.pem"),
      "--tpm-quote",  vector_path("azure-cvm/trustee-az-snp-vtpm/tpm-quote-v1.json"),
      "--at",         "2025-06-01T00:00:00Z",
      "--json"};
  auto a = base;
  a.insert(a.end(), {"--nonce", hex_encode(as_bytes(std::string("challenge")))});
  const CliRun r = vouch(a);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["claims"]["x-ms-isolation-tee"]["x-ms-attestation-type"], "sevsnpvm");
  EXPECT_EQ(j["claims"]["x-ms-azurevm-vmid"], "911B0EF8-9DBA-48B0-B275-4E4DF2D39252");
  EXPECT_EQ(j["claims"]["tpm.quote.nonce"], "6368616c6c656e6765");
  const CliRun no_nonce = vouch(base);
  EXPECT_EQ(no_nonce.code, 2);
  EXPECT_EQ(no_nonce.json()["error"]["check"], "tpm.quote.nonce");
  const CliRun tdx =
      vouch({"verify", "azure-cvm", "--hcl-report",
             vector_path("azure-cvm/trustee-az-tdx-vtpm/hcl-report.bin"), "--vcek",
             vector_path("azure-cvm/trustee-az-snp-vtpm/vcek.pem"), "--tpm-quote",
             vector_path("azure-cvm/trustee-az-tdx-vtpm/tpm-quote-v1.json"), "--json"});
  // A TDX HCL report needs its TD quote (--td-quote): the TDREPORT alone proves nothing.
  EXPECT_EQ(tdx.code, 2);
  EXPECT_EQ(tdx.json()["error"]["check"], "azure.tdx.td_quote_missing");
}

// The Azure TDX capture with its TD quote and cross-paired collateral (teekit TCB Info for FMSPC
// 00806f050000; dcap-qvl-near TD_QE identity, Platform CA and root CA CRLs): the full DCAP
// verification passes inside their common window (2025-09-29T18:04:58Z .. 2025-10-02T07:03:51Z;
// tests/evidence/azure_cvm/azure_tdx_vectors_test.cc has the details).
TEST(AzureCvmCliVectors, TrusteeTdxVtpmWithTdQuoteAndCollateral) {
  VOUCH_REQUIRE_VECTORS();
  auto c = ::vouch::testing::collateral_from_dcap_qvl(
      ::vouch::testing::read_vector_text("tdx/dcap-qvl-near/quote_collateral.json"));
  ASSERT_TRUE(c.has_value());
  ::vouch::testing::TempDir dir;
  ::vouch::testing::write_file(dir.file("qe.json"), c->qe_identity->json);
  ::vouch::testing::write_file(dir.file("chain.pem"), c->tcb_info->issuer_chain);
  ::vouch::testing::write_file(dir.file("pck.crl"), str(c->pck_crl->crl));
  ::vouch::testing::write_file(dir.file("root.crl"), str(c->root_ca_crl->crl));
  const std::string d = "azure-cvm/trustee-az-tdx-vtpm/";
  std::vector<std::string> args = {"verify",
                                   "azure-cvm",
                                   "--hcl-report",
                                   vector_path(d + "hcl-report.bin"),
                                   "--tpm-quote",
                                   vector_path(d + "tpm-quote-v1.json"),
                                   "--nonce",
                                   "6368616c6c656e6765",
                                   "--td-quote",
                                   vector_path(d + "td-quote.bin"),
                                   "--tcb-info",
                                   vector_path("tdx/teekit/tcbInfo-tdx-00806f050000.json"),
                                   "--qe-identity",
                                   dir.file("qe.json"),
                                   "--tcb-signing-chain",
                                   dir.file("chain.pem"),
                                   "--pck-crl",
                                   dir.file("pck.crl"),
                                   "--root-ca-crl",
                                   dir.file("root.crl"),
                                   "--json"};
  auto at = args;
  at.insert(at.end(), {"--at", "2025-10-01T00:00:00Z"});
  const CliRun r = vouch(at);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["claims"]["azure.hcl.report_type"], "tdx");
  EXPECT_EQ(j["claims"]["x-ms-isolation-tee"]["x-ms-attestation-type"], "tdxvm");
  EXPECT_TRUE(j["claims"]["dcap.collateral.unchecked"].empty());
  EXPECT_EQ(j["claims"]["tpm.quote.nonce"], "6368616c6c656e6765");
  // After the PCK CRL's nextUpdate the collateral no longer holds.
  auto late = args;
  late.insert(late.end(), {"--at", "2025-10-03T00:00:00Z"});
  EXPECT_EQ(vouch(late).code, 2);
}

}  // namespace
}  // namespace vouch::cli
