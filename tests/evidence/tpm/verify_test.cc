// verify_quote over software-signed quotes: one test per check id, with the production verifier.

#include "evidence/tpm/verify.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "claims/claim_set.h"
#include "evidence/tpm/check_ids.h"
#include "evidence/tpm/claims.h"
#include "evidence/tpm/constants.h"
#include "evidence/tpm/pcr_values.h"
#include "testing/matchers.h"
#include "testing/test_pki.h"
#include "testing/tpm_quote_builder.h"

namespace vouch::tpm {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

const Timestamp kNow = from_unix_seconds(1767225600);  // 2026-01-01

PcrValues sample_pcrs() {
  PcrValues v;
  for (std::uint32_t i : {0u, 1u, 2u, 3u, 7u}) {
    v[crypto::HashAlg::kSha256][i] = Bytes(32, static_cast<std::uint8_t>(i + 1));
  }
  return v;
}

struct Outcome {
  Result<VerifiedQuote> result;
  evidence::CheckLog log;
};

Outcome run(const Ak& ak, const testing::QuoteFixture& q, ByteSpan nonce,
            std::optional<AkCertificate> cert = std::nullopt, bool with_pcrs = true) {
  Outcome o{tl::unexpected(Error{ErrorKind::kInternal, vouch::checks::kInternal, ""}), {}};
  QuoteEvidence ev{q.quote, q.signature, std::nullopt, std::nullopt};
  if (with_pcrs) {
    ev.pcrs = q.pcrs;
  }
  QuoteVerifyOptions opts{kNow, to_bytes(nonce), std::move(cert)};
  o.result = verify_quote(ak, ev, opts, o.log);
  return o;
}

const evidence::CheckRecord* record(const evidence::CheckLog& log, CheckId id) {
  for (const auto& r : log.records()) {
    if (r.id == id.str()) {
      return &r;
    }
  }
  return nullptr;
}

class QuoteVerifyTest : public ::testing::TestWithParam<bool> {};  // param: ECC AK

TEST_P(QuoteVerifyTest, GoodQuoteVerifiesAndYieldsClaims) {
  const auto ak = testing::make_software_ak(GetParam());
  const auto q = testing::make_quote(ak, as_bytes("fresh-nonce"), sample_pcrs());
  Outcome o = run(ak.ak, q, as_bytes("fresh-nonce"));
  ASSERT_THAT(o.result, Succeeds());
  for (const auto& r : o.log.records()) {
    EXPECT_NE(r.outcome, evidence::CheckOutcome::kFail) << r.id;
  }
  EXPECT_EQ(record(o.log, checks::kEventLog)->outcome, evidence::CheckOutcome::kSkipped);
  const claims::ClaimSet c = to_claims(*o.result);
  EXPECT_EQ(*c.get("tpm.ak.trust")->as_string(), "pinned");
  EXPECT_EQ(*c.get("tpm.quote.nonce")->as_bytes(), to_bytes(as_bytes("fresh-nonce")));
  EXPECT_EQ(*c.get("tpm.pcr_bank")->as_string(), "sha256");
  EXPECT_EQ(*c.get("tpm.clock")->as_int(), 123456);
  EXPECT_EQ(*c.get("tpm.clock.safe")->as_bool(), true);
  const auto* pcrs = c.get("tpm.pcrs")->as_map();
  ASSERT_NE(pcrs, nullptr);
  EXPECT_EQ(*pcrs->at("sha256").as_map()->at("7").as_bytes(), Bytes(32, 8));
  EXPECT_EQ(*c.get("tpm.quote.signature_scheme")->as_string(),
            GetParam() ? "ecdsa-sha256" : "rsassa-sha256");
  EXPECT_TRUE(c.contains("tpm.ak.name"));
}

TEST_P(QuoteVerifyTest, NoNonceRequiresEmptyExtraData) {
  const auto ak = testing::make_software_ak(GetParam());
  const auto empty = testing::make_quote(ak, {}, sample_pcrs());
  EXPECT_THAT(run(ak.ak, empty, {}).result, Succeeds());
  const auto with_nonce = testing::make_quote(ak, as_bytes("abc"), sample_pcrs());
  EXPECT_THAT(run(ak.ak, with_nonce, {}).result,
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQuoteNonce));
}

TEST_P(QuoteVerifyTest, WrongNonceIsRejected) {
  const auto ak = testing::make_software_ak(GetParam());
  const auto q = testing::make_quote(ak, as_bytes("nonce-a"), sample_pcrs());
  Outcome o = run(ak.ak, q, as_bytes("nonce-b"));
  EXPECT_THAT(o.result, FailsWith(ErrorKind::kEvidenceRejected, checks::kQuoteNonce));
  // A prefix of the nonce is not the nonce: exact bytes only.
  EXPECT_THAT(run(ak.ak, q, as_bytes("nonce-")).result,
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQuoteNonce));
  // Later steps are reported as not run.
  EXPECT_EQ(record(o.log, checks::kQuotePcrDigest)->outcome, evidence::CheckOutcome::kSkipped);
}

TEST_P(QuoteVerifyTest, TamperedPcrValueIsRejected) {
  const auto ak = testing::make_software_ak(GetParam());
  auto q = testing::make_quote(ak, as_bytes("n"), sample_pcrs());
  q.pcrs[crypto::HashAlg::kSha256][7][0] ^= 1;
  EXPECT_THAT(run(ak.ak, q, as_bytes("n")).result,
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQuotePcrDigest));
}

TEST_P(QuoteVerifyTest, MissingPcrValueIsRejected) {
  const auto ak = testing::make_software_ak(GetParam());
  auto q = testing::make_quote(ak, as_bytes("n"), sample_pcrs());
  q.pcrs[crypto::HashAlg::kSha256].erase(3);
  EXPECT_THAT(run(ak.ak, q, as_bytes("n")).result,
              FailsWith(ErrorKind::kEvidenceRejected, checks::kPcrsMissing));
}

TEST_P(QuoteVerifyTest, WrongAkIsRejected) {
  const auto ak = testing::make_software_ak(GetParam());
  const auto other = testing::make_software_ak(GetParam());
  const auto q = testing::make_quote(ak, as_bytes("n"), sample_pcrs());
  EXPECT_THAT(run(other.ak, q, as_bytes("n")).result,
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQuoteSignature));
}

TEST_P(QuoteVerifyTest, AlteredQuoteBreaksTheSignature) {
  const auto ak = testing::make_software_ak(GetParam());
  auto q = testing::make_quote(ak, as_bytes("n"), sample_pcrs());
  q.quote[20] ^= 0x01;  // inside qualifiedSigner
  EXPECT_THAT(run(ak.ak, q, as_bytes("n")).result,
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQuoteSignature));
}

TEST_P(QuoteVerifyTest, TruncatedQuoteIsMalformed) {
  const auto ak = testing::make_software_ak(GetParam());
  auto q = testing::make_quote(ak, as_bytes("n"), sample_pcrs());
  q.quote.resize(q.quote.size() - 5);
  Outcome o = run(ak.ak, q, as_bytes("n"));
  EXPECT_THAT(o.result, FailsWith(ErrorKind::kMalformedEvidence, checks::kAttestTruncated));
  EXPECT_EQ(record(o.log, checks::kQuoteSignature)->outcome, evidence::CheckOutcome::kSkipped);
  EXPECT_EQ(record(o.log, checks::kAttestParse), nullptr) << "the failing id replaces the step id";
}

TEST_P(QuoteVerifyTest, WrongMagicIsRejectedEvenWhenSigned) {
  const auto ak = testing::make_software_ak(GetParam());
  const auto q = testing::make_quote(ak, as_bytes("n"), sample_pcrs(),
                                     [](Attest& a) { a.magic = 0x12345678; });
  EXPECT_THAT(run(ak.ak, q, as_bytes("n")).result,
              FailsWith(ErrorKind::kEvidenceRejected, checks::kAttestMagic));
}

TEST_P(QuoteVerifyTest, UnrestrictedOrDecryptingAkIsRejected) {
  const std::uint32_t base = testing::default_ak_attributes();
  for (std::uint32_t attrs : {base & ~attr::kRestricted, base & ~attr::kFixedTpm,
                              base & ~attr::kSign, base | attr::kDecrypt}) {
    const auto ak = testing::make_software_ak(GetParam(), attrs);
    const auto q = testing::make_quote(ak, as_bytes("n"), sample_pcrs());
    EXPECT_THAT(run(ak.ak, q, as_bytes("n")).result,
                FailsWith(ErrorKind::kEvidenceRejected, checks::kAkAttributes))
        << std::hex << attrs;
  }
}

TEST_P(QuoteVerifyTest, BareKeyAkSkipsAttributeCheckVisibly) {
  const auto ak = testing::make_software_ak(GetParam());
  const auto q = testing::make_quote(ak, as_bytes("n"), sample_pcrs());
  const Ak bare{ak.ak.key, std::nullopt};
  Outcome o = run(bare, q, as_bytes("n"));
  ASSERT_THAT(o.result, Succeeds());
  EXPECT_EQ(record(o.log, checks::kAkAttributes)->outcome, evidence::CheckOutcome::kSkipped);
  EXPECT_FALSE(to_claims(*o.result).contains("tpm.ak.name"));
}

TEST_P(QuoteVerifyTest, NoPcrValuesMeansNoPcrClaims) {
  const auto ak = testing::make_software_ak(GetParam());
  const auto q = testing::make_quote(ak, as_bytes("n"), sample_pcrs());
  Outcome o = run(ak.ak, q, as_bytes("n"), std::nullopt, /*with_pcrs=*/false);
  ASSERT_THAT(o.result, Succeeds());
  EXPECT_EQ(record(o.log, checks::kQuotePcrDigest)->outcome, evidence::CheckOutcome::kSkipped);
  EXPECT_FALSE(to_claims(*o.result).contains("tpm.pcrs"));
}

INSTANTIATE_TEST_SUITE_P(RsaAndEcc, QuoteVerifyTest, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "Ecc" : "Rsa"; });

TEST(QuoteVerify, SignatureSchemeMustFitTheAk) {
  const auto rsa = testing::make_software_ak(false);
  const auto ecc = testing::make_software_ak(true);
  const auto q = testing::make_quote(ecc, as_bytes("n"), sample_pcrs());
  EXPECT_THAT(run(rsa.ak, q, as_bytes("n")).result,
              FailsWith(ErrorKind::kEvidenceRejected, checks::kSignatureScheme));
  // An AK restricted to RSASSA-SHA256 cannot have made an RSASSA-SHA384 signature.
  auto q2 = testing::make_quote(rsa, as_bytes("n"), sample_pcrs());
  Signature sig = parse_signature(q2.signature).value();
  sig.hash = crypto::HashAlg::kSha384;
  q2.signature = serialize(sig);
  EXPECT_THAT(run(rsa.ak, q2, as_bytes("n")).result,
              FailsWith(ErrorKind::kEvidenceRejected, checks::kSignatureScheme));
}

TEST(QuoteVerify, AkCertificateChainsToTheAnchors) {
  const auto pki = testing::TestPki::create("AK CA");
  const auto anchors = pki.anchors();
  const auto ak = testing::make_software_ak(false);
  const auto cert = pki.issue_leaf(ak.ak.key);
  const auto q = testing::make_quote(ak, as_bytes("n"), sample_pcrs());
  Outcome o = run(ak.ak, q, as_bytes("n"), AkCertificate{cert, &anchors, {pki.intermediate}});
  ASSERT_THAT(o.result, Succeeds());
  const claims::ClaimSet c = to_claims(*o.result);
  EXPECT_EQ(*c.get("tpm.ak.trust")->as_string(), "certificate");
  EXPECT_NE(c.get("tpm.ak.certificate.issuer")->as_string()->find("AK CA Intermediate"),
            std::string::npos);
  EXPECT_EQ(o.result->ak_chain().size(), 3u);
}

TEST(QuoteVerify, AkCertificateFailures) {
  const auto pki = testing::TestPki::create("AK CA");
  const auto other_pki = testing::TestPki::create("Other CA");
  const auto anchors = pki.anchors();
  const auto ak = testing::make_software_ak(false);
  const auto q = testing::make_quote(ak, as_bytes("n"), sample_pcrs());

  // Missing intermediate.
  EXPECT_THAT(
      run(ak.ak, q, as_bytes("n"), AkCertificate{pki.issue_leaf(ak.ak.key), &anchors, {}}).result,
      FailsWith(ErrorKind::kEvidenceRejected, checks::kAkCertificateChain));
  // Issued by an untrusted CA.
  EXPECT_THAT(
      run(ak.ak, q, as_bytes("n"),
          AkCertificate{other_pki.issue_leaf(ak.ak.key), &anchors, {other_pki.intermediate}})
          .result,
      FailsWith(ErrorKind::kEvidenceRejected, checks::kAkCertificateChain));
  // Expired at the verification time.
  testing::CertSpec expired;
  expired.not_after = from_unix_seconds(1700000000);
  EXPECT_THAT(run(ak.ak, q, as_bytes("n"),
                  AkCertificate{pki.issue_leaf(ak.ak.key, expired), &anchors, {pki.intermediate}})
                  .result,
              FailsWith(ErrorKind::kEvidenceRejected, checks::kAkCertificateChain));
  // A valid certificate for another key.
  const auto stranger = testing::make_software_ak(false);
  EXPECT_THAT(run(ak.ak, q, as_bytes("n"),
                  AkCertificate{pki.issue_leaf(stranger.ak.key), &anchors, {pki.intermediate}})
                  .result,
              FailsWith(ErrorKind::kEvidenceRejected, checks::kAkCertificateKey));
}

TEST(QuoteVerify, MultiBankQuoteNeedsEveryBank) {
  const auto ak = testing::make_software_ak(false);
  PcrValues pcrs = sample_pcrs();
  pcrs[crypto::HashAlg::kSha1][0] = Bytes(20, 9);
  pcrs[crypto::HashAlg::kSha384][0] = Bytes(48, 9);
  auto q = testing::make_quote(ak, as_bytes("n"), pcrs);
  ASSERT_THAT(run(ak.ak, q, as_bytes("n")).result, Succeeds());
  q.pcrs.erase(crypto::HashAlg::kSha384);
  EXPECT_THAT(run(ak.ak, q, as_bytes("n")).result,
              FailsWith(ErrorKind::kEvidenceRejected, checks::kPcrsMissing));
}

TEST(PcrValuesJson, AcceptsFlatAndNestedForms) {
  const std::string h32(64, 'a');
  auto flat = parse_pcr_values_json(R"({"0": ")" + h32 + R"(", "7": ")" + h32 + R"("})",
                                    crypto::HashAlg::kSha256);
  ASSERT_THAT(flat, Succeeds());
  EXPECT_EQ(flat->at(crypto::HashAlg::kSha256).size(), 2u);
  auto nested = parse_pcr_values_json(
      R"({"sha1": {"0": ")" + std::string(40, 'b') + R"("}, "sha256": {"1": ")" + h32 + R"("}})",
      crypto::HashAlg::kSha256);
  ASSERT_THAT(nested, Succeeds());
  EXPECT_EQ(nested->size(), 2u);
}

TEST(PcrValuesJson, RejectsWrongShapes) {
  const std::string h32(64, 'a');
  for (const std::string& bad :
       {std::string("not json"), std::string("[]"), std::string("{}"), std::string(R"({"0": 5})"),
        R"({"x": ")" + h32 + R"("})", R"({"32": ")" + h32 + R"("})", R"({"-1": ")" + h32 + R"("})",
        std::string(R"({"0": "abc"})"), std::string(R"({"0": "zz"})"),
        R"({"0": ")" + std::string(40, 'a') + R"("})", std::string(R"({"sha256": [1]})")}) {
    EXPECT_THAT(parse_pcr_values_json(bad, crypto::HashAlg::kSha256),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kPcrValuesFormat))
        << bad;
  }
}

}  // namespace
}  // namespace vouch::tpm
