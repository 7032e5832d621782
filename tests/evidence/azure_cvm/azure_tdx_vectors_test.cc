// The real Azure TDX CVM capture (../shared/vectors azure-cvm/trustee-az-tdx-vtpm): HCL report with
// a TDREPORT, the TD quote for it and the vTPM quote. Its collateral exists only by cross-pairing
// (MANIFEST "Known gaps"): the TDX TCB Info for FMSPC 00806f050000 from tdx/teekit (issued
// 2025-09-29T18:04:58Z, next update 2025-10-29) with the TD_QE identity, the Platform CA CRL (the
// issuer of this quote's PCK) and the root CA CRL from tdx/dcap-qvl-near (QE identity and PCK CRL
// valid to 2025-10-02T07:03:51Z; tcbEvaluationDataNumber 17 for both TCB Info and QE identity).
// That gives a full, time-consistent window 2025-09-29T18:04:58Z .. 2025-10-02T07:03:51Z, so the
// full verdict is asserted at 2025-10-01: every signature, chain, CRL and TCB match passes, and the
// platform is OutOfDate (tcbDate 2023-08-09) with the QE UpToDate. Just outside the window the
// collateral's own validity check fails.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "evidence/azure_cvm/check_ids.h"
#include "evidence/azure_cvm/hcl.h"
#include "evidence/azure_cvm/verify.h"
#include "evidence/tpm/check_ids.h"
#include "testing/dcap_qvl_collateral.h"
#include "testing/matchers.h"
#include "testing/vectors.h"

namespace vouch::azure_cvm {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

constexpr const char* kDir = "azure-cvm/trustee-az-tdx-vtpm/";
const Bytes kChallenge = {'c', 'h', 'a', 'l', 'l', 'e', 'n', 'g', 'e'};

dcap::QuoteCollateral cross_paired_collateral() {
  auto c = ::vouch::testing::collateral_from_dcap_qvl(
      ::vouch::testing::read_vector_text("tdx/dcap-qvl-near/quote_collateral.json"));
  EXPECT_TRUE(c.has_value());
  if (!c) {
    return {};
  }
  const std::string chain = c->tcb_info ? c->tcb_info->issuer_chain : std::string();
  c->tcb_info = collateral::IntelSignedJson{
      ::vouch::testing::read_vector_text("tdx/teekit/tcbInfo-tdx-00806f050000.json"), chain};
  return std::move(*c);
}

struct TdxCase {
  Bytes hcl = ::vouch::testing::read_vector(std::string(kDir) + "hcl-report.bin");
  Bytes td_quote = ::vouch::testing::read_vector(std::string(kDir) + "td-quote.bin");
  TpmQuote quote = parse_tpm_quote_json(
                       ::vouch::testing::read_vector_text(std::string(kDir) + "tpm-quote-v1.json"))
                       .value();
};

Result<VerifiedAzureCvm> verify_at(const TdxCase& c, const dcap::QuoteCollateral& collateral,
                                   const std::string& at, ByteSpan nonce,
                                   bool allow_missing = false) {
  static const dcap::Verifier verifier = dcap::Verifier::intel().value();
  HardwareRoots roots;
  roots.dcap = &verifier;
  roots.tdx_collateral = &collateral;
  roots.tdx_options.allow_missing_collateral = allow_missing;
  evidence::CheckLog log;
  return verify(
      roots, AzureCvmEvidence{c.hcl, c.quote, std::nullopt, ByteSpan(c.td_quote)},
      VerifyOptions{parse_rfc3339(at).value(), to_bytes(nonce), sevsnp::RevocationMode::kSkip},
      log);
}

TEST(AzureTdxVectors, FullVerdictInTheCrossPairedCollateralWindow) {
  VOUCH_REQUIRE_VECTORS();
  const TdxCase c;
  auto h = parse_hcl_report(c.hcl);
  ASSERT_THAT(h, Succeeds());
  EXPECT_EQ(h->report_type, HwReportType::kTdx);
  const dcap::QuoteCollateral collateral = cross_paired_collateral();
  auto v = verify_at(c, collateral, "2025-10-01T00:00:00Z", kChallenge);
  ASSERT_THAT(v, Succeeds());
  EXPECT_TRUE(v->is_tdx());
  EXPECT_EQ(hex_encode(v->td_quote().report().mr_td).substr(0, 16), "024a32b070383331");
  EXPECT_EQ(hex_encode(v->quote().pcrs().at(crypto::HashAlg::kSha256).at(0)),
            "782b20b10f55cc46e2142cc2145d548698073e5beb82752c8d7f9279f0d8a273");
  const claims::ClaimSet claims = to_claims(*v);
  EXPECT_TRUE(claims.get("dcap.collateral.unchecked")->as_list()->empty());
  // Every signature, chain, CRL and TCB matching passes; the 2023 platform is behind the
  // 2025-09 TCB (a fact for policy, not a verification failure).
  EXPECT_EQ(*claims.get("dcap.tcb_status")->as_string(), "OutOfDate");
  EXPECT_EQ(*claims.get("dcap.tcb_date")->as_string(), "2023-08-09T00:00:00Z");
  EXPECT_EQ(*claims.get("dcap.tdx_module.tcb_status")->as_string(), "OutOfDate");
  EXPECT_EQ(*claims.get("dcap.qe.tcb_status")->as_string(), "UpToDate");
  EXPECT_EQ(*claims.get("dcap.tcb_evaluation_data_number")->as_int(), 17);
  EXPECT_EQ(*claims.get("azure.vm_id")->as_string(), "6332533D-5649-4D02-8AA7-8F64B7C3EE21");
  EXPECT_EQ(*claims.get("azure.hcl.report_type")->as_string(), "tdx");
  const auto& tee = *claims.get("x-ms-isolation-tee")->as_map();
  EXPECT_EQ(*tee.at("x-ms-attestation-type").as_string(), "tdxvm");

  // The vTPM nonce, and tampering with the runtime claims (trustee's var-data test).
  EXPECT_THAT(verify_at(c, collateral, "2025-10-01T00:00:00Z", Bytes{'n', 'o'}),
              FailsWith(ErrorKind::kEvidenceRejected, tpm::checks::kQuoteNonce));
  TdxCase tampered;
  tampered.hcl[0x4D4 + 10] ^= 1;
  EXPECT_THAT(verify_at(tampered, collateral, "2025-10-01T00:00:00Z", kChallenge),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kTdxReportData));
  // A TDREPORT field the quote does not carry (RTMR 3).
  TdxCase other;
  other.hcl[0x20 + 720 + 3 * 48] ^= 1;
  EXPECT_THAT(verify_at(other, collateral, "2025-10-01T00:00:00Z", kChallenge),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kTdReportMismatch));
  // Without the TD quote the TDREPORT proves nothing.
  evidence::CheckLog log;
  EXPECT_THAT(verify(HardwareRoots{}, AzureCvmEvidence{c.hcl, c.quote, std::nullopt, std::nullopt},
                     VerifyOptions{parse_rfc3339("2025-10-01T00:00:00Z").value(), kChallenge,
                                   sevsnp::RevocationMode::kSkip},
                     log),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kTdQuoteMissing));
}

TEST(AzureTdxVectors, OutsideTheWindowTheCollateralValidityFails) {
  VOUCH_REQUIRE_VECTORS();
  const TdxCase c;
  const dcap::QuoteCollateral collateral = cross_paired_collateral();
  auto window = ::vouch::testing::collateral_window(collateral);
  ASSERT_THAT(window, Succeeds());
  EXPECT_EQ(window->from, parse_rfc3339("2025-09-29T18:04:58Z").value());
  EXPECT_EQ(window->until, parse_rfc3339("2025-10-02T07:03:51Z").value());
  EXPECT_THAT(verify_at(c, collateral, "2025-09-29T18:00:00Z", kChallenge),
              FailsWith(ErrorKind::kEvidenceRejected, window->last_issued));
  EXPECT_THAT(verify_at(c, collateral, "2025-10-02T07:05:00Z", kChallenge),
              FailsWith(ErrorKind::kEvidenceRejected, window->first_expiring));
  // Signatures and chain alone (no collateral) at the quote's time: the checks that need
  // collateral are recorded as not run.
  auto bare = verify_at(c, dcap::QuoteCollateral{}, "2025-10-01T00:00:00Z", kChallenge, true);
  ASSERT_THAT(bare, Succeeds());
  EXPECT_EQ(to_claims(*bare).get("dcap.collateral.unchecked")->as_list()->size(), 4u);
}

}  // namespace
}  // namespace vouch::azure_cvm
