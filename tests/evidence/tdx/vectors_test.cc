// Real TDX quotes from ../shared/vectors (MANIFEST "TDX" and the CCEL set): the verdict each set
// states at its stated time, expiry just outside each collateral window, signature-and-chain-only
// checks where no time-consistent collateral exists, and CCEL replay against a real quote.

#include "testing/vectors.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "evidence/dcap/check_ids.h"
#include "evidence/dcap/signed_json.h"
#include "evidence/dcap/tcb.h"
#include "evidence/tdx/check_ids.h"
#include "evidence/tdx/claims.h"
#include "evidence/tdx/verify.h"
#include "testing/dcap_flips.h"
#include "testing/dcap_qvl_collateral.h"
#include "testing/matchers.h"

namespace vouch::tdx {
namespace {

using testing::FailsWith;
using testing::Succeeds;
namespace dc = dcap::checks;
using std::chrono::seconds;

Timestamp at(std::string_view rfc3339) {
  return parse_rfc3339(rfc3339).value();
}

const dcap::Verifier& intel() {
  static const dcap::Verifier v = dcap::Verifier::intel().value();
  return v;
}

// A quote in hex text ("0x" prefix and whitespace allowed).
Bytes hex_quote(const std::string& relative) {
  std::string text = testing::read_vector_text(relative);
  std::string clean;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      clean += c;
    }
  }
  if (clean.rfind("0x", 0) == 0) {
    clean = clean.substr(2);
  }
  return hex_decode(clean).value();
}

dcap::QuoteCollateral dcap_qvl(const std::string& relative) {
  auto c = testing::collateral_from_dcap_qvl(testing::read_vector_text(relative));
  EXPECT_THAT(c, Succeeds());
  return c.value_or(dcap::QuoteCollateral{});
}

Result<VerifiedQuote> verify(ByteSpan quote, const dcap::QuoteCollateral& c, Timestamp t,
                             bool allow_missing = false) {
  evidence::CheckLog log;
  return verify_quote(intel(), TdxEvidence{quote, std::nullopt}, c, {t, allow_missing}, log);
}

std::string status_of(const VerifiedQuote& q) {
  return *to_claims(q).get("dcap.tcb_status")->as_string();
}

// Checks the verdict inside the window and the validity failures one second outside it.
void expect_window(ByteSpan quote, const dcap::QuoteCollateral& c) {
  const auto w = testing::collateral_window(c);
  ASSERT_THAT(w, Succeeds());
  EXPECT_THAT(verify(quote, c, w->until + seconds(1)),
              FailsWith(ErrorKind::kEvidenceRejected, w->first_expiring));
  EXPECT_THAT(verify(quote, c, w->from - seconds(1)),
              FailsWith(ErrorKind::kEvidenceRejected, w->last_issued));
}

class TdxVectors : public ::testing::Test {
 protected:
  void SetUp() override { VOUCH_REQUIRE_VECTORS(); }
};

TEST_F(TdxVectors, DcapQvlV4IsUpToDate) {
  const Bytes quote = testing::read_vector("tdx/dcap-qvl/tdx_quote");
  const auto c = dcap_qvl("tdx/dcap-qvl/tdx_quote_collateral.json");
  const auto w = testing::collateral_window(c).value();
  EXPECT_EQ(w.from, at("2025-06-19T10:32:27Z"));
  EXPECT_EQ(w.until, at("2025-07-19T10:00:35Z"));
  auto v = verify(quote, c, w.until - seconds(1));
  ASSERT_THAT(v, Succeeds());
  const claims::ClaimSet claims = to_claims(*v);
  EXPECT_EQ(*claims.get("dcap.tcb_status")->as_string(), "UpToDate");
  EXPECT_EQ(*claims.get("attester_tcb_status")->as_string(), "UpToDate");
  EXPECT_TRUE(claims.get("dcap.advisory_ids")->as_list()->empty());
  EXPECT_EQ(*claims.get("dcap.tdx_module.identity")->as_string(), "TDX_01");
  EXPECT_EQ(*claims.get("dcap.tdx_module.tcb_status")->as_string(), "UpToDate");
  EXPECT_EQ(*claims.get("dcap.qe.tcb_status")->as_string(), "UpToDate");
  EXPECT_EQ(*claims.get("dcap.pck.ca")->as_string(), "platform");
  EXPECT_EQ(hex_encode(*claims.get("tdx_mrtd")->as_bytes()),
            "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b"
            "2538873118b7");
  EXPECT_TRUE(*claims.get("tdx.td_attributes.sept_ve_disable")->as_bool());
  EXPECT_FALSE(*claims.get("tdx_td_attributes_debug")->as_bool());
  EXPECT_EQ(v->dcap().layout().used_len, 4936u);  // 70 bytes of padding follow
  expect_window(quote, c);
}

TEST_F(TdxVectors, SingleByteFlipsInEverySignedRegionAreRejected) {
  const auto r = testing::flip_every_signed_region(
      intel(), dcap::TeeKind::kTdx, testing::read_vector("tdx/dcap-qvl/tdx_quote"),
      dcap_qvl("tdx/dcap-qvl/tdx_quote_collateral.json"), at("2025-07-01T00:00:00Z"), 3);
  EXPECT_GT(r.flips, 2000u);
  EXPECT_TRUE(r.accepted.empty()) << ::testing::PrintToString(r.accepted);
}

TEST_F(TdxVectors, DcapQvlV5OutdatedHasNoMatchingTcbLevel) {
  const Bytes quote = testing::read_vector("tdx/dcap-qvl/tdx_quote_outdated");
  const auto c = dcap_qvl("tdx/dcap-qvl/tdx_quote_outdated_collateral.json");
  const auto w = testing::collateral_window(c).value();
  EXPECT_EQ(w.from, at("2026-02-18T10:58:51Z"));
  EXPECT_EQ(w.until, at("2026-03-20T10:41:15Z"));
  EXPECT_THAT(verify(quote, c, w.from + seconds(3600)),
              FailsWith(ErrorKind::kEvidenceRejected, dc::kTcbLevel));
  expect_window(quote, c);
  // Everything but the TCB level holds: without the TCB Info the quote verifies.
  dcap::QuoteCollateral no_tcb = c;
  no_tcb.tcb_info.reset();
  EXPECT_THAT(verify(quote, no_tcb, w.from + seconds(3600), true), Succeeds());
}

TEST_F(TdxVectors, NearV4IsUpToDateOnSeptember10) {
  const Bytes quote = hex_quote("tdx/dcap-qvl-near/quote_hex.txt");
  const auto c = dcap_qvl("tdx/dcap-qvl-near/quote_collateral.json");
  auto v = verify(quote, c, from_unix_seconds(1757462400));
  ASSERT_THAT(v, Succeeds());
  EXPECT_EQ(status_of(*v), "UpToDate");
  EXPECT_EQ(*to_claims(*v).get("dcap.qe.tcb_status")->as_string(), "UpToDate");
  expect_window(quote, c);
}

TEST_F(TdxVectors, TappdQuotesWithTheV4CollateralHaveNoMatchingTcbLevel) {
  const auto c = dcap_qvl("tdx/dcap-qvl/tdx_quote_collateral.json");
  for (const char* file : {"tdx/dcap-qvl/tdx-quote.hex", "tdx/dcap-qvl/quote-from-tappd.hex"}) {
    SCOPED_TRACE(file);
    EXPECT_THAT(verify(hex_quote(file), c, at("2025-07-01T00:00:00Z")),
                FailsWith(ErrorKind::kEvidenceRejected, dc::kTcbLevel));
  }
}

// go-tdx-guest's PCS-format collateral of June 2023.
dcap::QuoteCollateral go_tdx_guest_2023() {
  dcap::QuoteCollateral c;
  c.tcb_info = collateral::IntelSignedJson{
      testing::read_vector_text("tdx/go-tdx-guest/sample_tcbInfo_response"),
      testing::read_vector_text("tdx/go-tdx-guest/tcbInfoIssuerChain.pem")};
  c.qe_identity = collateral::IntelSignedJson{
      testing::read_vector_text("tdx/go-tdx-guest/sample_qeIdentity_response"),
      testing::read_vector_text("tdx/go-tdx-guest/qeIdentityIssuerChain.pem")};
  c.pck_crl =
      collateral::IntelCrl{testing::read_vector("tdx/go-tdx-guest/pckcrl"),
                           testing::read_vector_text("tdx/go-tdx-guest/pckCrlIssuerChain.pem")};
  c.root_ca_crl = collateral::IntelCrl{testing::read_vector("tdx/go-tdx-guest/rootcrl.der"), {}};
  return c;
}

TEST_F(TdxVectors, GoTdxGuestSprE4HasNoMatchingTcbLevelButVerifiesOtherwise) {
  const Bytes quote = testing::read_vector("tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat");
  const auto c = go_tdx_guest_2023();
  const auto w = testing::collateral_window(c).value();
  EXPECT_EQ(w.from, at("2023-06-18T08:42:58Z"));
  EXPECT_EQ(w.until, at("2023-07-08T07:24:59Z"));
  EXPECT_THAT(verify(quote, c, at("2023-07-01T01:00:00Z")),
              FailsWith(ErrorKind::kEvidenceRejected, dc::kTcbLevel));
  expect_window(quote, c);
  // Signatures and chain only (TestVerifyQuoteV4), with 39 bytes of trailing text tolerated.
  auto v = verify(quote, {}, at("2023-07-01T01:00:00Z"), true);
  ASSERT_THAT(v, Succeeds());
  EXPECT_EQ(v->dcap().layout().used_len, 4935u);
  EXPECT_EQ(v->dcap().unchecked_collateral().size(), 4u);
  // The PCK certificate has expired by 2053 (TestNegativeVerifyPckChainWithoutRevocation).
  EXPECT_THAT(verify(quote, {}, at("2053-07-01T00:00:00Z"), true),
              FailsWith(ErrorKind::kEvidenceRejected, dc::kPckChain));
}

TEST_F(TdxVectors, TrusteeQuote4WithGoTdxGuestCollateralIsUpToDate) {
  const Bytes quote = testing::read_vector("tdx/trustee/tdx_quote_4.dat");
  auto v = verify(quote, go_tdx_guest_2023(), at("2023-07-01T01:00:00Z"));
  ASSERT_THAT(v, Succeeds());
  EXPECT_EQ(status_of(*v), "UpToDate");
  EXPECT_EQ(*to_claims(*v).get("dcap.tcb_date")->as_string(), "2023-02-15T00:00:00Z");
}

TEST_F(TdxVectors, TrusteeQuote6IsOutOfDateWithItsOwnTcbInfo) {
  // trustee's tcbInfo.json / enclaveIdentity.json are bare bodies... in PCS response form; their
  // signing chain is the 2025 TCB Signing certificate that dcap-qvl's collateral carries.
  const auto dq = dcap_qvl("tdx/dcap-qvl/tdx_quote_collateral.json");
  dcap::QuoteCollateral c;
  c.tcb_info = collateral::IntelSignedJson{testing::read_vector_text("tdx/trustee/tcbInfo.json"),
                                           dq.tcb_info->issuer_chain};
  c.qe_identity = collateral::IntelSignedJson{
      testing::read_vector_text("tdx/trustee/enclaveIdentity.json"), dq.qe_identity->issuer_chain};
  auto v = verify(testing::read_vector("tdx/trustee/tdx_quote_6.dat"), c,
                  at("2025-11-01T00:00:00Z"), true);
  ASSERT_THAT(v, Succeeds());
  const claims::ClaimSet claims = to_claims(*v);
  EXPECT_EQ(*claims.get("dcap.tcb_status")->as_string(), "OutOfDate");
  EXPECT_EQ(*claims.get("dcap.tcb_date")->as_string(), "2018-01-04T00:00:00Z");
  EXPECT_EQ(*claims.get("dcap.tdx_module.identity")->as_string(), "TDX_03");
  EXPECT_EQ(*claims.get("dcap.tdx_module.tcb_status")->as_string(), "UpToDate");
  EXPECT_EQ(claims.get("dcap.collateral.unchecked")->as_list()->size(), 2u);
}

TEST_F(TdxVectors, QuotesWithoutOwnCollateralVerifySignaturesAndChain) {
  struct Case {
    const char* file;
    const char* time;
  };
  for (const Case& k :
       {Case{"tdx/go-tdx-guest/quote_v5_sample.dat", "2026-02-03T01:00:00Z"},
        Case{"tdx/trustee/tdx_quote_5.dat", "2025-09-01T00:00:00Z"},
        Case{"tdx/teekit/tdx-v4-azure.derived.bin", "2025-09-01T00:00:00Z"},
        Case{"tdx/teekit/tdx-v4-gcp.quote.derived.bin", "2025-09-01T00:00:00Z"},
        Case{"azure-cvm/trustee-az-tdx-vtpm/td-quote.bin", "2025-09-01T00:00:00Z"}}) {
    SCOPED_TRACE(k.file);
    EXPECT_THAT(verify(testing::read_vector(k.file), {}, at(k.time), true), Succeeds());
  }
}

TEST_F(TdxVectors, GoTdxGuestV5TcbEvaluationIsUpToDate) {
  // No time-consistent collateral exists for this quote (MANIFEST): evaluate its TCB against the
  // v5 TCB Info directly, with the PCK from the signature-and-chain-only verification.
  auto v = verify(testing::read_vector("tdx/go-tdx-guest/quote_v5_sample.dat"), {},
                  at("2026-02-03T01:00:00Z"), true);
  ASSERT_THAT(v, Succeeds());
  auto sj = dcap::split_signed_json(
      testing::read_vector_text("tdx/go-tdx-guest/sample_tcbinfo_response_v5"), "tcbInfo",
      dc::kTcbInfoFormat);
  ASSERT_THAT(sj, Succeeds());
  auto info = dcap::parse_tcb_info(sj->body);
  ASSERT_THAT(info, Succeeds());
  const dcap::Td10Report& td = v->report();
  dcap::TdxTcbInput in{5, td.tee_tcb_svn, v->report15()->tee_tcb_svn2, td.mr_signer_seam,
                       td.seam_attributes};
  auto module = dcap::evaluate_tdx_module(*info, in);
  ASSERT_THAT(module, Succeeds());
  EXPECT_EQ(module->identity_id, "TDX_01");
  EXPECT_EQ(module->status, dcap::TcbStatus::kUpToDate);
  auto tcb = dcap::evaluate_tcb(*info, v->dcap().pck().extensions.tcb, &in, &*module, nullptr);
  ASSERT_THAT(tcb, Succeeds());
  EXPECT_EQ(tcb->status, dcap::TcbStatus::kUpToDate);
  EXPECT_EQ(format_rfc3339(tcb->tcb_date), "2024-11-13T00:00:00Z");
}

TEST_F(TdxVectors, CcelReplaysToTheQuotedRtmrs) {
  const Bytes quote = testing::read_vector("eventlog/go-tdx-guest-ccel/cos-113-tdx-quote.dat");
  const Bytes ccel = testing::read_vector("eventlog/go-tdx-guest-ccel/ccel_data.dat");
  evidence::CheckLog log;
  auto v = verify_quote(intel(), TdxEvidence{quote, ByteSpan(ccel)}, {},
                        {at("2025-09-01T00:00:00Z"), true}, log);
  ASSERT_THAT(v, Succeeds());
  ASSERT_TRUE(v->rtmr_replay());
  EXPECT_EQ(v->rtmr_replay()->verified, (std::vector<std::uint32_t>{0, 1, 2, 3}));
  const claims::ClaimSet claims = to_claims(*v);
  EXPECT_EQ(claims.get("tdx.rtmrs_verified")->as_list()->size(), 4u);
  EXPECT_TRUE(log.has(checks::kCcelReplay));
}

TEST_F(TdxVectors, CcelFromAnotherBootIsRejected) {
  // trustee's CCEL_data is not from the boot of tdx_quote_4 (MANIFEST).
  const Bytes quote = testing::read_vector("tdx/trustee/tdx_quote_4.dat");
  const Bytes ccel = testing::read_vector("eventlog/trustee-ccel/CCEL_data");
  evidence::CheckLog log;
  EXPECT_THAT(verify_quote(intel(), TdxEvidence{quote, ByteSpan(ccel)}, {},
                           {at("2023-07-01T01:00:00Z"), true}, log),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kCcelRtmr));
}

TEST_F(TdxVectors, AnSgxVerifierRejectsATdxQuote) {
  evidence::CheckLog log;
  EXPECT_THAT(intel().verify(testing::read_vector("tdx/dcap-qvl/tdx_quote"), dcap::TeeKind::kSgx,
                             {}, {at("2025-07-01T00:00:00Z"), true}, log),
              FailsWith(ErrorKind::kMalformedEvidence, dc::kQuoteKind));
}

}  // namespace
}  // namespace vouch::tdx
