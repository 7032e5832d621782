// Real evidence: the GCE COS 85 vTPM attestation from go-tpm-tools (../shared/vectors/tpm).
// MANIFEST: all six quotes verify (nonce 9009 or none) with the AK certificate chaining to
// Google's EK/AK root through tpm_ek_intermediate_2, and the event log replays to PCR 0-9.

#include "testing/vectors.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "claims/claim_set.h"
#include "crypto/x509.h"
#include "evidence/tpm/ak.h"
#include "evidence/tpm/check_ids.h"
#include "evidence/tpm/claims.h"
#include "evidence/tpm/pcr_values.h"
#include "evidence/tpm/verify.h"
#include "testing/matchers.h"

namespace vouch::tpm {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

const std::string kDir = "tpm/go-tpm-tools-gce-cos85/";
const Timestamp kAt = from_unix_seconds(1735689600);  // 2025-01-01, inside the AK cert's validity

struct GceSet {
  Ak ak;
  crypto::Certificate ak_cert;
  crypto::TrustStore anchors;
  crypto::Certificate intermediate;
  Bytes event_log;
};

GceSet load_gce() {
  auto ak = load_ak(testing::read_vector(kDir + "gce-cos-85.ak_pub.derived.bin"));
  auto cert =
      crypto::Certificate::from_der(testing::read_vector(kDir + "gce-cos-85.ak_cert.derived.der"));
  auto root = crypto::Certificate::from_der(testing::read_vector(kDir + "tpm_ek_root_1.cer"));
  auto inter =
      crypto::Certificate::from_der(testing::read_vector(kDir + "tpm_ek_intermediate_2.crt"));
  EXPECT_TRUE(ak && cert && root && inter);
  auto store = crypto::TrustStore::create({*root});
  return GceSet{*ak, *cert, *store, *inter,
                testing::read_vector(kDir + "gce-cos-85.eventlog.derived.bin")};
}

struct Case {
  const char* prefix;
  const char* bank;
  const char* nonce_hex;
};

// The quote, signature and PCR values of one case.
struct CaseFiles {
  Bytes quote;
  Bytes sig;
  crypto::HashAlg bank;
  std::optional<PcrValues> pcrs;
};

CaseFiles load_case(const Case& c) {
  const std::string base = kDir + c.prefix + ".";
  const auto bank = *crypto::hash_from_name(c.bank);
  auto pcrs = parse_pcr_values_json(
      testing::read_vector_text(base + "pcrs_" + c.bank + ".derived.json"), bank);
  EXPECT_THAT(pcrs, Succeeds());
  return {testing::read_vector(base + "quote_" + c.bank + ".derived.bin"),
          testing::read_vector(base + "quote_" + c.bank + "_sig.derived.bin"), bank,
          pcrs ? std::optional<PcrValues>(*pcrs) : std::nullopt};
}

class GceQuoteTest : public ::testing::TestWithParam<Case> {};

TEST_P(GceQuoteTest, VerifiesWithAkCertificateAndEventLog) {
  VOUCH_REQUIRE_VECTORS();
  const Case c = GetParam();
  GceSet gce = load_gce();
  const CaseFiles f = load_case(c);
  const Bytes& quote = f.quote;
  const Bytes& sig = f.sig;
  const std::optional<PcrValues> pcrs = f.pcrs;
  ASSERT_TRUE(pcrs.has_value());

  QuoteEvidence ev{quote, sig, *pcrs, ByteSpan(gce.event_log)};
  QuoteVerifyOptions opts{kAt, hex_decode(c.nonce_hex).value(),
                          AkCertificate{gce.ak_cert, &gce.anchors, {gce.intermediate}}};
  evidence::CheckLog log;
  auto verified = verify_quote(gce.ak, ev, opts, log);
  ASSERT_THAT(verified, Succeeds());
  for (const auto& r : log.records()) {
    EXPECT_EQ(r.outcome, evidence::CheckOutcome::kPass) << r.id << ": " << r.detail;
  }
  const claims::ClaimSet claims = to_claims(*verified);
  EXPECT_EQ(*claims.get("tpm.ak.trust")->as_string(), "certificate");
  EXPECT_EQ(*claims.get("tpm.pcr_bank")->as_string(), c.bank);
  const auto* verified_pcrs = claims.get("tpm.eventlog.pcrs_verified")->as_list();
  ASSERT_NE(verified_pcrs, nullptr);
  claims::ClaimList expected;
  for (int i = 0; i <= 9; ++i) {
    expected.emplace_back(i);
  }
  EXPECT_EQ(*verified_pcrs, expected);
  EXPECT_TRUE(claims.contains("tpm.eventlog.secure_boot"));
}

TEST_P(GceQuoteTest, WrongNonceAndTamperedPcrAreRejected) {
  VOUCH_REQUIRE_VECTORS();
  const Case c = GetParam();
  GceSet gce = load_gce();
  const CaseFiles f = load_case(c);
  const Bytes& quote = f.quote;
  const Bytes& sig = f.sig;
  const crypto::HashAlg bank = f.bank;
  const std::optional<PcrValues> pcrs = f.pcrs;
  ASSERT_TRUE(pcrs.has_value());
  evidence::CheckLog log;
  QuoteEvidence ev{quote, sig, *pcrs, std::nullopt};
  EXPECT_THAT(verify_quote(gce.ak, ev, {kAt, hex_decode("9008").value(), std::nullopt}, log),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQuoteNonce));
  (*ev.pcrs)[bank][4][0] ^= 0xff;
  EXPECT_THAT(verify_quote(gce.ak, ev, {kAt, hex_decode(c.nonce_hex).value(), std::nullopt}, log),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQuotePcrDigest));
  // The AK certificate is not valid before 2021-08-31.
  QuoteEvidence ev2{quote, sig, std::nullopt, std::nullopt};
  EXPECT_THAT(verify_quote(gce.ak, ev2,
                           {from_unix_seconds(1577836800), hex_decode(c.nonce_hex).value(),
                            AkCertificate{gce.ak_cert, &gce.anchors, {gce.intermediate}}},
                           log),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kAkCertificateChain));
}

INSTANTIATE_TEST_SUITE_P(AllBanks, GceQuoteTest,
                         ::testing::Values(Case{"gce-cos-85-nonce9009", "sha1", "9009"},
                                           Case{"gce-cos-85-nonce9009", "sha256", "9009"},
                                           Case{"gce-cos-85-nonce9009", "sha384", "9009"},
                                           Case{"gce-cos-85-no-nonce", "sha1", ""},
                                           Case{"gce-cos-85-no-nonce", "sha256", ""},
                                           Case{"gce-cos-85-no-nonce", "sha384", ""}),
                         [](const auto& p) {
                           return std::string(p.param.nonce_hex[0] != '\0' ? "Nonce9009_"
                                                                           : "NoNonce_") +
                                  p.param.bank;
                         });

}  // namespace
}  // namespace vouch::tpm
