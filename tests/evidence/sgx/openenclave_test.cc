// OpenEnclave envelopes: the real OE report MAA attested, OE evidence with custom claims bound to
// the report data, and malformed headers.

#include "evidence/sgx/openenclave.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "crypto/digest.h"
#include "evidence/dcap/check_ids.h"
#include "evidence/sgx/check_ids.h"
#include "evidence/sgx/claims.h"
#include "evidence/sgx/verify.h"
#include "testing/dcap_builder.h"
#include "testing/matchers.h"
#include "testing/vectors.h"

namespace vouch::sgx {
namespace {

using testing::FailsWith;
using testing::Succeeds;

TEST(OpenEnclave, RealReportParsesAndVerifies) {
  VOUCH_REQUIRE_VECTORS();
  const Bytes report =
      testing::read_vector("tokens/azure-sdk-for-cpp-maa/OpenEnclaveQuote.oe_report.derived.bin");
  auto oe = parse_openenclave(report);
  ASSERT_THAT(oe, Succeeds());
  EXPECT_EQ(oe->format, OeFormat::kReport);
  EXPECT_EQ(oe->quote.size(), 4584u);
  EXPECT_EQ(serialize_oe_report(oe->quote), report);
  const dcap::Verifier v = dcap::Verifier::intel().value();
  evidence::CheckLog log;
  auto verified =
      verify_openenclave(v, report, {}, {parse_rfc3339("2022-05-31T23:00:00Z").value(), true}, log);
  ASSERT_THAT(verified, Succeeds());
  const claims::ClaimSet c = to_claims(*verified);
  // MAA's quotehash for /attest/OpenEnclave is SHA-256 of the OE report (MANIFEST).
  EXPECT_EQ(*c.get("x-ms-sgx-collateral")->as_map()->at("quotehash").as_string(),
            "928c12bc25633ed7" +
                c.get("x-ms-sgx-collateral")->as_map()->at("quotehash").as_string()->substr(16));
  EXPECT_EQ(hex_encode(*c.get("oe.report_digest")->as_bytes()).substr(0, 16), "928c12bc25633ed7");
}

class OpenEnclaveEvidence : public ::testing::Test {
 protected:
  // A quote whose report data starts with SHA-256 of `claims`.
  Bytes quote_binding(const std::vector<OeCustomClaim>& claims) {
    const Bytes digest =
        crypto::digest(crypto::HashAlg::kSha256, serialize_oe_custom_claims(claims));
    testing::QuoteOptions o;
    o.tweak = [&](dcap::Quote& q) {
      auto& body = std::get<dcap::QuoteV3>(q).body;
      body.report_data.fill(0);
      std::copy(digest.begin(), digest.end(), body.report_data.begin());
    };
    return testing::make_quote(f_.processor, o);
  }
  Result<VerifiedQuote> verify(ByteSpan envelope) {
    evidence::CheckLog log;
    return verify_openenclave(f_.verifier(), envelope,
                              f_.collateral(dcap::TeeKind::kSgx, dcap::PckCaType::kProcessor),
                              {testing::kDcapTestNow, false}, log);
  }
  testing::DcapFixture f_ = testing::DcapFixture::create();
};

TEST_F(OpenEnclaveEvidence, CustomClaimsBoundToTheReportDataBecomeClaims) {
  const std::vector<OeCustomClaim> claims = {{"nonce", Bytes{1, 2, 3}}, {"pubkey", Bytes(65, 4)}};
  const Bytes evidence = serialize_oe_evidence(quote_binding(claims), claims);
  auto oe = parse_openenclave(evidence);
  ASSERT_THAT(oe, Succeeds());
  EXPECT_EQ(oe->custom_claims, claims);
  auto v = verify(evidence);
  ASSERT_THAT(v, Succeeds());
  const claims::ClaimSet c = to_claims(*v);
  EXPECT_EQ(*c.get("oe.custom_claims")->as_map()->at("nonce").as_bytes(), (Bytes{1, 2, 3}));
  // Other claims than the quote binds are rejected.
  const std::vector<OeCustomClaim> other = {{"nonce", Bytes{9}}};
  EXPECT_THAT(verify(serialize_oe_evidence(quote_binding(claims), other)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kOpenEnclaveBinding));
  // Plain OE report and evidence without claims verify too.
  const Bytes quote = testing::make_quote(f_.processor, {});
  EXPECT_THAT(verify(serialize_oe_report(quote)), Succeeds());
  EXPECT_THAT(verify(serialize_oe_evidence(quote, {})), Succeeds());
}

TEST_F(OpenEnclaveEvidence, MalformedEnvelopesAreRejected) {
  const Bytes quote = testing::make_quote(f_.processor, {});
  const Bytes report = serialize_oe_report(quote);
  auto fails = [](const Bytes& b, CheckId id) {
    EXPECT_THAT(parse_openenclave(b), FailsWith(ErrorKind::kMalformedEvidence, id));
  };
  Bytes b = report;
  b[0] = 2;  // neither version 1 nor 3
  fails(b, checks::kOpenEnclaveParse);
  b = report;
  b[4] = 1;  // SGX local report: no quote
  fails(b, checks::kOpenEnclaveFormat);
  b = report;
  b.push_back(0);  // report_size no longer matches
  fails(b, checks::kOpenEnclaveParse);
  fails(Bytes(report.begin(), report.begin() + 10), checks::kOpenEnclaveParse);
  Bytes ev = serialize_oe_evidence(quote, {{"a", Bytes{1}}});
  ev[4] ^= 1;  // format id
  fails(ev, checks::kOpenEnclaveFormat);
  ev = serialize_oe_evidence(quote, {{"a", Bytes{1}}});
  ev.push_back(0);  // data_size no longer matches
  fails(ev, checks::kOpenEnclaveParse);
  ev = serialize_oe_evidence(quote, {{"a", Bytes{1}}});
  ev[ev.size() - 2] = 'x';  // the claim name loses its NUL terminator
  fails(ev, checks::kOpenEnclaveClaims);
}

}  // namespace
}  // namespace vouch::sgx
