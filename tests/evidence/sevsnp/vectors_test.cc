// Real SEV-SNP evidence from ../shared/vectors/snp, verified against the built-in AMD roots with
// the clock pinned inside each certificate's validity. Each case gives the result MANIFEST.md
// states. No AMD CRL is staged (MANIFEST "gap"), so these run with revocation mode 'skip'.

#include "testing/vectors.h"

#include <gtest/gtest.h>

#include <string>

#include "base/encoding.h"
#include "crypto/digest.h"
#include "evidence/sevsnp/check_ids.h"
#include "evidence/sevsnp/claims.h"
#include "evidence/sevsnp/verify.h"
#include "testing/matchers.h"

namespace vouch::sevsnp {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::read_vector;
using ::vouch::testing::read_vector_text;
using ::vouch::testing::Succeeds;

Timestamp at(const char* rfc3339) {
  return parse_rfc3339(rfc3339).value();
}

const Verifier& amd_verifier() {
  static const Verifier v(TrustAnchors::amd().value());
  return v;
}

Bytes cert_der(const std::string& path) {
  const Bytes data = read_vector(path);
  auto certs = crypto::Certificate::parse_bundle(data);
  EXPECT_TRUE(certs.has_value()) << path;
  return certs ? certs->front().der() : Bytes{};
}

Result<VerifiedReport> verify_vector(
    const Bytes& report, const Bytes& vek_der, Timestamp when,
    ReportDataBinding binding = ReportDataBinding::not_required()) {
  collateral::SuppliedAmdKds kds({vek_der, vek_der, std::nullopt, std::nullopt}, nullptr);
  evidence::CheckLog log;
  return amd_verifier().verify(
      report, kds,
      VerifyOptions{when, std::move(binding), std::nullopt, RevocationMode::kSkip, std::nullopt},
      log);
}

TEST(SnpVectors, GoSevGuestMilanV2) {
  VOUCH_REQUIRE_VECTORS();
  const Bytes report = read_vector("snp/go-sev-guest/attestation.bin");
  Bytes rd(64, 0);
  for (std::uint8_t i = 0; i < 5; ++i) {
    rd[i] = static_cast<std::uint8_t>(i + 1);
  }
  auto r = verify_vector(report, cert_der("snp/go-sev-guest/vcek.testcer"),
                         at("2022-09-24T01:00:00Z"), ReportDataBinding::exact(rd));
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->product(), AmdProduct::kMilan);
  EXPECT_EQ(r->product_source(), ProductSource::kCertificate);
  const auto cl = to_claims(*r);
  EXPECT_EQ(hex_encode(*cl.get("snp.measurement")->as_bytes()),
            "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0c"
            "f2e4872b01");
  EXPECT_EQ(hex_encode(*cl.get("snp.chip_id")->as_bytes()),
            "3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a19"
            "36776b564ea464cdce40c05f63c9b610c5068b006b5d");
  EXPECT_EQ(r->report().reported_tcb, 4901323769462652930u);
  EXPECT_TRUE(*cl.get("snp.policy.debug")->as_bool());
  EXPECT_TRUE(*cl.get("snp.policy.smt")->as_bool());
  EXPECT_EQ(*cl.get("x-ms-sevsnpvm-microcode-svn")->as_int(), 68);
  EXPECT_EQ(*cl.get("x-ms-sevsnpvm-snpfw-svn")->as_int(), 5);
  EXPECT_EQ(*cl.get("x-ms-sevsnpvm-bootloader-svn")->as_int(), 2);
}

TEST(SnpVectors, GoSevGuestEverySignedByteFlipIsRejected) {
  VOUCH_REQUIRE_VECTORS();
  const Bytes report = read_vector("snp/go-sev-guest/attestation.bin");
  const Bytes vcek = cert_der("snp/go-sev-guest/vcek.testcer");
  ASSERT_THAT(verify_vector(report, vcek, at("2022-09-24T01:00:00Z")), Succeeds());
  for (std::size_t i = 0; i < kSignedSize; ++i) {
    Bytes flipped = report;
    flipped[i] ^= 0x01;
    EXPECT_FALSE(verify_vector(flipped, vcek, at("2022-09-24T01:00:00Z")).has_value())
        << "offset " << i;
  }
}

TEST(SnpVectors, VirteeMilanHexReport) {
  VOUCH_REQUIRE_VECTORS();
  auto report = hex_decode(read_vector_text("snp/virtee-sev/report_milan.hex"));
  ASSERT_THAT(report, Succeeds());
  auto r =
      verify_vector(*report, cert_der("snp/virtee-sev/vcek_milan.der"), at("2024-01-01T00:00:00Z"));
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(hex_encode(r->report().measurement),
            "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c4"
            "80cd81841f");
  EXPECT_EQ(r->report().reported_tcb, 0x7308000000000003u);
  EXPECT_EQ(r->report().policy, 0x30000u);
}

TEST(SnpVectors, TrusteeMilanV2) {
  VOUCH_REQUIRE_VECTORS();
  auto r = verify_vector(read_vector("snp/trustee/test-report.bin"),
                         cert_der("snp/trustee/test-vcek.der"), at("2024-01-01T00:00:00Z"));
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->report().guest_svn, 4u);
  EXPECT_EQ(r->report().policy, 0x3001fu);
  EXPECT_NE(r->report().current_tcb, r->report().reported_tcb);
  // trustee's check_report_tcb_failure corrupts byte 384 (REPORTED_TCB's boot loader SPL).
  Bytes corrupted = read_vector("snp/trustee/test-report.bin");
  corrupted[384] ^= 1;
  EXPECT_THAT(
      verify_vector(corrupted, cert_der("snp/trustee/test-vcek.der"), at("2024-01-01T00:00:00Z")),
      FailsWith(ErrorKind::kEvidenceRejected, checks::kVekTcb));
}

TEST(SnpVectors, TrusteeInvalidVceksFailTheChain) {
  VOUCH_REQUIRE_VECTORS();
  const Bytes report = read_vector("snp/trustee/test-report.bin");
  for (const char* bad :
       {"snp/trustee/test-vcek-invalid-legacy.der", "snp/trustee/test-vcek-invalid-new.der"}) {
    EXPECT_THAT(verify_vector(report, cert_der(bad), at("2024-01-01T00:00:00Z")),
                FailsWith(ErrorKind::kEvidenceRejected, checks::kVekChain))
        << bad;
  }
}

TEST(SnpVectors, TrusteeVlekV3WithinItsValidity) {
  VOUCH_REQUIRE_VECTORS();
  const Bytes report = read_vector("snp/trustee/test-vlek-report.bin");
  const Bytes vlek = cert_der("snp/trustee/test-vlek.der");
  auto r = verify_vector(report, vlek, at("2025-06-01T00:00:00Z"));
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->vek_kind(), AmdKeyKind::kVlek);
  EXPECT_EQ(r->product_source(), ProductSource::kCpuid);
  EXPECT_EQ(r->report().reported_tcb, 0xd918000000000004u);
  EXPECT_EQ(r->report().chip_id, ChipId{});
  EXPECT_EQ(r->vek().csp_id, "CN=cc-us-east-2.amazonaws.com");
  EXPECT_THAT(verify_vector(report, vlek, at("2026-01-01T00:00:00Z")),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kVekChain));
}

TEST(SnpVectors, GoogleCloudMilanV5) {
  VOUCH_REQUIRE_VECTORS();
  const Timestamp when = at("2026-01-01T00:00:00Z");
  const Bytes vcek = cert_der("snp/teekit-gcp/sev-gcp-vcek.pem");
  auto r = verify_vector(read_vector("snp/teekit-gcp/sev-gcp-reportdata.bin"), vcek, when);
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->report().version, 5u);
  EXPECT_EQ(r->report().vmpl, 1u);
  EXPECT_EQ(r->report().platform_info, 0x25u);
  ASSERT_TRUE(r->report().cpuid.has_value());
  EXPECT_EQ(*r->report().cpuid, (Cpuid{0x19, 0x01, 0x01}));
  EXPECT_EQ(hex_encode(r->report().measurement),
            "b747d55452e0b9e9079770a49e397c5e6d9573581e246da7baac4f28b5cdc5b1b6d19251b8ee600fd16a37"
            "08f58406f3");
  // The VCEK says Milan-B0 while CPUID says stepping 1: only the product line is compared.
  EXPECT_EQ(r->vek().product_name, "Milan-B0");
  auto zero = verify_vector(read_vector("snp/teekit-gcp/sev-gcp.bin"), vcek, when,
                            ReportDataBinding::exact(Bytes(64, 0)));
  ASSERT_THAT(zero, Succeeds());
  EXPECT_EQ(zero->report().vmpl, 0u);
}

TEST(SnpVectors, GoogleCloudX25519BoundReportData) {
  VOUCH_REQUIRE_VECTORS();
  const std::string txt = read_vector_text("snp/teekit-gcp/sev-gcp-x25519-bound.txt");
  const auto value = [&](const std::string& key) {
    const std::size_t p = txt.find(key + "=");
    return hex_decode(txt.substr(p + key.size() + 1, 64)).value();
  };
  Bytes input = value("NONCE");
  const Bytes key = value("X25519_KEY");
  input.insert(input.end(), key.begin(), key.end());
  const Bytes expected = crypto::digest(crypto::HashAlg::kSha512, input);
  auto r = verify_vector(read_vector("snp/teekit-gcp/sev-gcp-x25519-bound.bin"),
                         cert_der("snp/teekit-gcp/sev-gcp-x25519-vcek.pem"),
                         at("2026-01-01T00:00:00Z"), ReportDataBinding::exact(expected));
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->report().vmpl, 1u);
  Bytes wrong = expected;
  wrong[0] ^= 1;
  EXPECT_THAT(verify_vector(read_vector("snp/teekit-gcp/sev-gcp-x25519-bound.bin"),
                            cert_der("snp/teekit-gcp/sev-gcp-x25519-vcek.pem"),
                            at("2026-01-01T00:00:00Z"), ReportDataBinding::exact(wrong)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kReportData));
}

TEST(SnpVectors, TurinVcekChainsToTheBuiltInTurinRoots) {
  VOUCH_REQUIRE_VECTORS();
  // No Turin report is staged: check the VCEK's chain, profile and extensions.
  const auto vcek = crypto::Certificate::from_der(read_vector("snp/virtee-sev/vcek_turin.der"));
  ASSERT_THAT(vcek, Succeeds());
  const auto anchors = TrustAnchors::amd().value();
  const auto* turin = anchors.find(AmdProduct::kTurin);
  ASSERT_NE(turin, nullptr);
  crypto::ChainOptions opts;
  opts.at = at("2025-06-01T00:00:00Z");
  opts.intermediates = turin->intermediates;
  auto chain = crypto::verify_chain(*vcek, turin->store, opts);
  ASSERT_THAT(chain, Succeeds());
  EXPECT_THAT(check_vek_profile(*chain, AmdProduct::kTurin, AmdKeyKind::kVcek), Succeeds());
  auto ext = parse_vek_extensions(*vcek, AmdKeyKind::kVcek);
  ASSERT_THAT(ext, Succeeds());
  EXPECT_EQ(ext->product_name, "Turin");
  EXPECT_EQ(hex_encode(*ext->hwid), "1e550a8ee5cf9f4d");
  auto tcb = vek_tcb(*ext, AmdProduct::kTurin);
  ASSERT_THAT(tcb, Succeeds());
  EXPECT_EQ(collateral::decompose_tcb(AmdProduct::kTurin, *tcb).microcode, 9);
  // The Milan roots do not accept it.
  EXPECT_FALSE(crypto::verify_chain(*vcek, anchors.find(AmdProduct::kMilan)->store, opts));
}

TEST(SnpVectors, BuiltInChainsMatchTheStagedKdsChains) {
  VOUCH_REQUIRE_VECTORS();
  const auto anchors = TrustAnchors::amd().value();
  const std::pair<AmdProduct, const char*> files[] = {
      {AmdProduct::kMilan, "snp/virtee-sev/cert_chain_milan"},
      {AmdProduct::kTurin, "snp/virtee-sev/cert_chain_turin"}};
  for (const auto& [product, file] : files) {
    auto certs = crypto::Certificate::parse_bundle(read_vector(file));
    ASSERT_THAT(certs, Succeeds());
    EXPECT_EQ(anchors.find(product)->ark.der(), certs->back().der());
    EXPECT_EQ(anchors.find(product)->intermediates[0].der(), certs->front().der());
  }
}

}  // namespace
}  // namespace vouch::sevsnp
