// Real SGX quotes from ../shared/vectors (MANIFEST "SGX"): verdicts at their stated times, expiry
// outside the collateral window, byte flips in every signed region.

#include "testing/vectors.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "crypto/digest.h"
#include "evidence/dcap/check_ids.h"
#include "evidence/sgx/claims.h"
#include "evidence/sgx/verify.h"
#include "testing/dcap_flips.h"
#include "testing/dcap_qvl_collateral.h"
#include "testing/matchers.h"

namespace vouch::sgx {
namespace {

using testing::FailsWith;
using testing::Succeeds;
namespace dc = dcap::checks;

Timestamp at(std::string_view rfc3339) {
  return parse_rfc3339(rfc3339).value();
}

class SgxDcapQvl : public ::testing::Test {
 protected:
  void SetUp() override {
    VOUCH_REQUIRE_VECTORS();
    quote_ = testing::read_vector("sgx/dcap-qvl/sgx_quote");
    auto c = testing::collateral_from_dcap_qvl(
        testing::read_vector_text("sgx/dcap-qvl/sgx_quote_collateral.json"));
    ASSERT_THAT(c, Succeeds());
    collateral_ = *c;
  }

  Result<VerifiedQuote> verify(Timestamp t, const dcap::Verifier& v) {
    return verify_quote(v, quote_, collateral_, {t, false}, log_);
  }

  const dcap::Verifier& intel() {
    static const dcap::Verifier v = dcap::Verifier::intel().value();
    return v;
  }

  Bytes quote_;
  dcap::QuoteCollateral collateral_;
  evidence::CheckLog log_;
};

TEST_F(SgxDcapQvl, ConfigurationAndSwHardeningNeededInsideTheWindow) {
  // dcap-qvl's upstream test verifies at min(nextUpdate) - 1 s.
  auto v = verify(at("2025-07-19T10:01:17Z"), intel());
  ASSERT_THAT(v, Succeeds());
  const claims::ClaimSet c = to_claims(*v);
  EXPECT_EQ(*c.get("dcap.tcb_status")->as_string(), "ConfigurationAndSWHardeningNeeded");
  const claims::ClaimList advisories = *c.get("dcap.advisory_ids")->as_list();
  ASSERT_EQ(advisories.size(), 2u);
  EXPECT_EQ(*advisories[0].as_string(), "INTEL-SA-00289");
  EXPECT_EQ(*advisories[1].as_string(), "INTEL-SA-00615");
  EXPECT_EQ(*c.get("dcap.tcb_date")->as_string(), "2024-03-13T00:00:00Z");
  EXPECT_EQ(*c.get("dcap.qe.tcb_status")->as_string(), "UpToDate");
  EXPECT_EQ(hex_encode(*c.get("sgx.mrenclave")->as_bytes()),
            "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
  EXPECT_EQ(hex_encode(*c.get("x-ms-sgx-mrsigner")->as_bytes()),
            "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");
  EXPECT_FALSE(*c.get("sgx.attributes.debug")->as_bool());
  EXPECT_EQ(hex_encode(*c.get("dcap.fmspc")->as_bytes()), "00a067110000");
  EXPECT_EQ(*c.get("dcap.pce_svn")->as_int(), 13);
  EXPECT_EQ(*c.get("dcap.pck.ca")->as_string(), "processor");
  EXPECT_TRUE(c.get("dcap.collateral.unchecked")->as_list()->empty());
  for (const auto& r : log_.records()) {
    EXPECT_NE(r.outcome, evidence::CheckOutcome::kFail) << r.id;
  }
}

TEST_F(SgxDcapQvl, ExpiresAfterTheFirstNextUpdate) {
  // The QE identity's nextUpdate (2025-07-19T10:01:18Z) is the first to pass.
  EXPECT_THAT(verify(at("2025-07-19T10:01:19Z"), intel()),
              FailsWith(ErrorKind::kEvidenceRejected, dc::kQeIdentityValidity));
}

TEST_F(SgxDcapQvl, NotYetValidBeforeTheLastIssueDate) {
  // The TCB Info's issueDate (2025-06-19T10:56:11Z) is the last to start.
  EXPECT_THAT(verify(at("2025-06-19T10:56:10Z"), intel()),
              FailsWith(ErrorKind::kEvidenceRejected, dc::kTcbInfoValidity));
  EXPECT_THAT(verify(at("2025-06-19T10:56:11Z"), intel()), Succeeds());
}

TEST_F(SgxDcapQvl, SingleByteFlipsInEverySignedRegionAreRejected) {
  const auto r = testing::flip_every_signed_region(intel(), dcap::TeeKind::kSgx, quote_,
                                                   collateral_, at("2025-07-01T00:00:00Z"), 3);
  EXPECT_GT(r.flips, 2000u);
  EXPECT_TRUE(r.accepted.empty()) << ::testing::PrintToString(r.accepted);
}

TEST(SgxVectors, OtherSgxQuotesVerifySignaturesAndChain) {
  VOUCH_REQUIRE_VECTORS();
  static const dcap::Verifier v = dcap::Verifier::intel().value();
  evidence::CheckLog log;
  // Occlum (trustee): a debug enclave; the independent check found signatures, binding and chain
  // OK.
  auto occlum = verify_quote(v, testing::read_vector("sgx/trustee/occlum_quote.dat"), {},
                             {at("2024-01-01T00:00:00Z"), true}, log);
  ASSERT_THAT(occlum, Succeeds());
  const claims::ClaimSet c = to_claims(*occlum);
  EXPECT_TRUE(*c.get("sgx.attributes.debug")->as_bool());
  EXPECT_TRUE(*c.get("x-ms-sgx-is-debuggable")->as_bool());
  EXPECT_EQ(hex_encode(*c.get("sgx.mrenclave")->as_bytes()),
            "8f173e4613ff05c52aaf04162d234edae8c9977eae47eb2299ae16a553011c68");
  // The quote MAA attested (its chain ends at the 2018-2033 issue of the root).
  auto maa = verify_quote(
      v,
      testing::read_vector("tokens/azure-sdk-for-cpp-maa/OpenEnclaveQuote.sgx_quote.derived.bin"),
      {}, {at("2022-05-31T23:00:00Z"), true}, log);
  ASSERT_THAT(maa, Succeeds());
  const claims::ClaimSet m = to_claims(*maa);
  EXPECT_EQ(hex_encode(*m.get("x-ms-sgx-mrenclave")->as_bytes()),
            "292a1f4b519e46627eb2478a3d9851405653c5b4b0a6925de843834d9216850e");
  EXPECT_EQ(*m.get("x-ms-sgx-svn")->as_int(), 1);
  EXPECT_TRUE(*m.get("x-ms-sgx-is-debuggable")->as_bool());
  EXPECT_EQ(hex_encode(*m.get("dcap.collateral.digests")->as_map()->at("quote").as_bytes()),
            "4f9aa62ee2ca513a31f8a427b16723b3b918c927b8d02e9e215da2bdbc98d8b1");
  // Its report data starts with SHA-256 of the enclave held data MAA was sent.
  const Bytes ehd =
      testing::read_vector("tokens/azure-sdk-for-cpp-maa/SgxEnclaveHeldData.derived.bin");
  EXPECT_EQ(ByteSpan(*m.get("sgx.report_data")->as_bytes()).first(32).size(), 32u);
  EXPECT_TRUE(equal_bytes(ByteSpan(*m.get("sgx.report_data")->as_bytes()).first(32),
                          crypto::digest(crypto::HashAlg::kSha256, ehd)));
}

}  // namespace
}  // namespace vouch::sgx
