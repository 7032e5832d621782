// SEV-SNP verification against the fake AMD PKI: every check id, every report version and product,
// VCEK and VLEK, the KDS collateral paths, the chain cache, and claims.

#include "evidence/sevsnp/verify.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "collateral/amd_kds_sources.h"
#include "crypto/digest.h"
#include "evidence/sevsnp/check_ids.h"
#include "evidence/sevsnp/claims.h"
#include "testing/fake_amd_kds.h"
#include "testing/fake_amd_pki.h"
#include "testing/matchers.h"

namespace vouch::sevsnp {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::FakeAmdPki;
using ::vouch::testing::FakeVek;
using ::vouch::testing::Succeeds;
using ::vouch::testing::VekSpec;

const Timestamp kAt = from_unix_seconds(1735689600);  // 2025-01-01

struct Case {
  AmdProduct product;
  AmdKeyKind kind;
  FakeVek vek;
  Report report;
  Bytes raw;
};

// A signed report of `version` by a fresh VCEK/VLEK; `edit` changes the report before signing,
// `spec_edit` the certificate.
template <typename ReportEdit = void (*)(Report&), typename SpecEdit = void (*)(VekSpec&)>
Case make_case(
    AmdProduct product, std::uint32_t version, AmdKeyKind kind = AmdKeyKind::kVcek,
    ReportEdit edit = [](Report&) {}, SpecEdit spec_edit = [](VekSpec&) {}) {
  const FakeAmdPki& pki = FakeAmdPki::get(product);
  const std::uint64_t tcb = ::vouch::testing::test_tcb(product);
  VekSpec spec;
  spec.kind = kind;
  spec.tcb = tcb;
  spec.chip_id = ::vouch::testing::test_chip_id();
  spec_edit(spec);
  FakeVek vek = pki.issue_vek(spec);
  Report r = ::vouch::testing::default_report(product, version, tcb, kind);
  for (std::size_t i = 0; i < r.report_data.size(); ++i) {
    r.report_data[i] = static_cast<std::uint8_t>(i);
  }
  edit(r);
  Bytes raw = ::vouch::testing::sign_report(r, vek.key);
  Report signed_report = parse_report(raw).value();
  return Case{product, kind, vek, signed_report, raw};
}

VerifyOptions options(const Case& c, RevocationMode mode = RevocationMode::kSkip) {
  return VerifyOptions{kAt, ReportDataBinding::exact(c.report.report_data), std::nullopt, mode,
                       std::nullopt};
}

VekSpec vlek_spec() {
  VekSpec s;
  s.kind = AmdKeyKind::kVlek;
  return s;
}

collateral::SuppliedAmdKds supplied(const crypto::Certificate& vek,
                                    collateral::AmdKds* fallback = nullptr) {
  return collateral::SuppliedAmdKds({vek.der(), vek.der(), std::nullopt, std::nullopt}, fallback);
}

class SnpVerify : public ::testing::Test {
 protected:
  Verifier verifier_{
      FakeAmdPki::anchors({AmdProduct::kMilan, AmdProduct::kGenoa, AmdProduct::kTurin})};

  Result<VerifiedReport> verify(const Case& c, const VerifyOptions& o) {
    auto kds = supplied(c.vek.cert);
    log_ = evidence::CheckLog();
    return verifier_.verify(c.raw, kds, o, log_);
  }
  Result<VerifiedReport> verify(const Case& c) { return verify(c, options(c)); }

  evidence::CheckLog log_;
};

TEST_F(SnpVerify, EveryProductAndVersionVerifies) {
  for (AmdProduct p : {AmdProduct::kMilan, AmdProduct::kGenoa, AmdProduct::kTurin}) {
    for (std::uint32_t v : {2u, 3u, 5u}) {
      const Case c = make_case(p, v);
      auto opts = options(c);
      opts.product = v == 2 && p == AmdProduct::kTurin ? std::optional(p) : std::nullopt;
      auto r = verify(c, opts);
      ASSERT_THAT(r, Succeeds()) << collateral::amd_product_name(p) << " v" << v;
      EXPECT_EQ(r->product(), p);
      EXPECT_EQ(r->product_source(),
                v >= 3 ? ProductSource::kCpuid
                       : (opts.product ? ProductSource::kOption : ProductSource::kCertificate));
      for (const auto& rec : log_.records()) {
        EXPECT_NE(rec.outcome, evidence::CheckOutcome::kFail) << rec.id;
      }
    }
  }
}

TEST_F(SnpVerify, VlekReportVerifiesWithoutChipId) {
  const Case c = make_case(AmdProduct::kGenoa, 3, AmdKeyKind::kVlek);
  auto r = verify(c);
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->vek_kind(), AmdKeyKind::kVlek);
  EXPECT_EQ(r->vek().csp_id, "vouch-test-csp");
  const auto claims = to_claims(*r);
  EXPECT_EQ(*claims.get("snp.vek.kind")->as_string(), "vlek");
  EXPECT_EQ(*claims.get("snp.vek.csp_id")->as_string(), "vouch-test-csp");
}

TEST_F(SnpVerify, ClaimsCarryTheReportFacts) {
  const Case c = make_case(AmdProduct::kTurin, 5, AmdKeyKind::kVcek, [](Report& r) {
    r.vmpl = 1;
    GuestPolicy p;
    p.debug = true;
    p.migrate_ma = true;
    r.policy = encode_guest_policy(p);
  });
  auto r = verify(c);
  ASSERT_THAT(r, Succeeds());
  const claims::ClaimSet cl = to_claims(*r);
  EXPECT_EQ(*cl.get("snp.report.version")->as_int(), 5);
  EXPECT_EQ(*cl.get("snp.vmpl")->as_int(), 1);
  EXPECT_EQ(*cl.get("x-ms-sevsnpvm-vmpl")->as_int(), 1);
  EXPECT_TRUE(*cl.get("snp.policy.debug")->as_bool());
  EXPECT_TRUE(*cl.get("x-ms-sevsnpvm-is-debuggable")->as_bool());
  EXPECT_TRUE(*cl.get("x-ms-sevsnpvm-migration-allowed")->as_bool());
  EXPECT_FALSE(*cl.get("x-ms-sevsnpvm-smt-allowed")->as_bool());
  EXPECT_EQ(*cl.get("snp.product")->as_string(), "Turin");
  EXPECT_EQ(*cl.get("snp.product.source")->as_string(), "cpuid");
  EXPECT_EQ(*cl.get("snp.cpuid.family")->as_int(), 0x1a);
  EXPECT_EQ(*cl.get("snp.measurement")->as_bytes(), to_bytes(c.report.measurement));
  EXPECT_EQ(*cl.get("x-ms-sevsnpvm-launchmeasurement")->as_bytes(), to_bytes(c.report.measurement));
  EXPECT_EQ(*cl.get("x-ms-sevsnpvm-reportdata")->as_bytes(), to_bytes(c.report.report_data));
  // Turin layout: fmc 1, bootloader 3, tee 0, snp 8, microcode 115.
  const auto& tcb = *cl.get("snp.tcb.reported")->as_map();
  EXPECT_EQ(*tcb.at("fmc").as_int(), 1);
  EXPECT_EQ(*tcb.at("bootloader").as_int(), 3);
  EXPECT_EQ(*tcb.at("snp").as_int(), 8);
  EXPECT_EQ(*tcb.at("microcode").as_int(), 115);
  EXPECT_EQ(*cl.get("x-ms-sevsnpvm-bootloader-svn")->as_int(), 3);
  EXPECT_EQ(*cl.get("x-ms-sevsnpvm-snpfw-svn")->as_int(), 8);
  EXPECT_EQ(*cl.get("x-ms-sevsnpvm-microcode-svn")->as_int(), 115);
  EXPECT_EQ(*cl.get("snp.mit_vector.launch")->as_bytes(), hex_decode("000000000000000b").value());
  EXPECT_EQ(*cl.get("snp.firmware.current")->as_string(), "1.55.3");
  EXPECT_EQ(*cl.get("snp.report_data.binding")->as_string(), "exact");
  EXPECT_EQ(*cl.get("snp.revocation.mode")->as_string(), "skip");
  EXPECT_FALSE(*cl.get("snp.revocation.checked")->as_bool());
  EXPECT_EQ(*cl.get("snp.host_data.binding")->as_string(), "none");
  EXPECT_FALSE(cl.contains("snp.cc_policy.digest"));
  EXPECT_EQ(*cl.get("snp.vek.source")->as_string(), "evidence");
  EXPECT_EQ(*cl.get("snp.vek.product_name")->as_string(), "Turin");
  EXPECT_TRUE(*cl.get("snp.platform_info.smt_enabled")->as_bool());
  EXPECT_EQ(*cl.get("snp.signing_key")->as_string(), "vcek");
}

TEST_F(SnpVerify, ReportSignerNone) {
  const Case c = make_case(AmdProduct::kMilan, 3, AmdKeyKind::kVcek, [](Report& r) {
    r.signer_info = encode_signer_info(SignerInfo{SigningKey::kNone, false, false});
  });
  EXPECT_THAT(verify(c), FailsWith(ErrorKind::kEvidenceRejected, checks::kReportSigner));
  EXPECT_TRUE(log_.has(checks::kReportSignature));  // recorded as skipped
}

TEST_F(SnpVerify, UnknownCpuidProduct) {
  const Case c = make_case(AmdProduct::kMilan, 3, AmdKeyKind::kVcek, [](Report& r) {
    r.cpuid = Cpuid{0x17, 0x31, 0};
  });  // Rome
  EXPECT_THAT(verify(c), FailsWith(ErrorKind::kEvidenceRejected, checks::kProduct));
}

TEST_F(SnpVerify, Version2NeedsAProductFromTheCertificate) {
  const Case c = make_case(
      AmdProduct::kMilan, 2, AmdKeyKind::kVcek, [](Report&) {},
      [](VekSpec& s) { s.product_name = "Rome-B0"; });
  EXPECT_THAT(verify(c), FailsWith(ErrorKind::kEvidenceRejected, checks::kProduct));
}

TEST_F(SnpVerify, CpuidProductMustMatchTheCertificate) {
  // A Milan-issued VCEK named Genoa: the chain is Milan's, the name is wrong.
  const Case c = make_case(
      AmdProduct::kMilan, 3, AmdKeyKind::kVcek, [](Report&) {},
      [](VekSpec& s) { s.product_name = "Genoa"; });
  EXPECT_THAT(verify(c), FailsWith(ErrorKind::kEvidenceRejected, checks::kVekProduct));
  // A Milan VCEK for a report whose CPUID says Genoa: the Genoa ARK does not sign it.
  const Case g = make_case(AmdProduct::kMilan, 3, AmdKeyKind::kVcek, [](Report& r) {
    r.cpuid = Cpuid{0x19, 0x11, 0x01};
  });
  EXPECT_THAT(verify(g), FailsWith(ErrorKind::kEvidenceRejected, checks::kVekChain));
}

TEST_F(SnpVerify, VekFetchFailures) {
  const Case c = make_case(AmdProduct::kMilan, 3);
  collateral::SuppliedAmdKds none({}, nullptr);
  evidence::CheckLog log;
  EXPECT_THAT(verifier_.verify(c.raw, none, options(c), log),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kVekFetch));
  ::vouch::testing::FakeKdsFetcher fetcher;
  fetcher.set_unreachable(true);
  collateral::OnlineAmdKds online(fetcher);
  EXPECT_THAT(verifier_.verify(c.raw, online, options(c), log),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kVekFetch));
}

TEST_F(SnpVerify, VekParse) {
  const Case c = make_case(AmdProduct::kMilan, 3);
  collateral::SuppliedAmdKds junk(
      {Bytes{0x30, 0x03, 1, 2, 3}, std::nullopt, std::nullopt, std::nullopt}, nullptr);
  evidence::CheckLog log;
  EXPECT_THAT(verifier_.verify(c.raw, junk, options(c), log),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kVekParse));
}

TEST_F(SnpVerify, VekKindMustMatchSigningKey) {
  Case c = make_case(AmdProduct::kMilan, 3);
  const FakeVek vlek = FakeAmdPki::get(AmdProduct::kMilan).issue_vek(vlek_spec());
  c.vek.cert = vlek.cert;
  EXPECT_THAT(verify(c), FailsWith(ErrorKind::kEvidenceRejected, checks::kVekKind));
}

TEST_F(SnpVerify, VekChain) {
  // Outside the VCEK's validity.
  const Case c = make_case(AmdProduct::kMilan, 3);
  auto o = options(c);
  o.at = from_unix_seconds(1893456000 + 1);
  EXPECT_THAT(verify(c, o), FailsWith(ErrorKind::kEvidenceRejected, checks::kVekChain));
  o.at = from_unix_seconds(1672531200 - 1);
  EXPECT_THAT(verify(c, o), FailsWith(ErrorKind::kEvidenceRejected, checks::kVekChain));
  // Anchored at an ARK nobody trusts.
  const FakeAmdPki& pki = FakeAmdPki::get(AmdProduct::kMilan);
  Verifier other(
      TrustAnchors::create({ProductRoots{AmdProduct::kMilan, pki.other_ark(), {}}}).value());
  auto kds = supplied(c.vek.cert);
  evidence::CheckLog log;
  EXPECT_THAT(other.verify(c.raw, kds, options(c), log),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kVekChain));
  // No anchors for the product at all.
  Verifier genoa_only(FakeAmdPki::anchors({AmdProduct::kGenoa}));
  EXPECT_THAT(genoa_only.verify(c.raw, kds, options(c), log),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kVekChain));
}

TEST_F(SnpVerify, IntermediateFromCollateralWhenNotConfigured) {
  const Case c = make_case(AmdProduct::kGenoa, 3);
  Verifier ark_only(FakeAmdPki::anchors({AmdProduct::kGenoa}, /*with_intermediates=*/false));
  ::vouch::testing::FakeKdsFetcher fetcher;
  collateral::OnlineAmdKds online(fetcher);
  auto kds = supplied(c.vek.cert, &online);
  evidence::CheckLog log;
  ASSERT_THAT(ark_only.verify(c.raw, kds, options(c), log), Succeeds());
  ASSERT_EQ(fetcher.urls().size(), 1u);
  EXPECT_EQ(fetcher.urls()[0], "https://kdsintf.amd.com/vcek/v1/Genoa/cert_chain");
}

TEST_F(SnpVerify, VekProfile) {
  const auto profile_fails = [&](void (*spec_edit)(VekSpec&)) {
    const Case c = make_case(
        AmdProduct::kMilan, 3, AmdKeyKind::kVcek, [](Report&) {}, spec_edit);
    EXPECT_THAT(verify(c), FailsWith(ErrorKind::kEvidenceRejected, checks::kVekProfile));
  };
  profile_fails([](VekSpec& s) { s.subject_cn = "SEV-VCEX"; });
  profile_fails([](VekSpec& s) { s.sign_with_pkcs1 = true; });
  profile_fails([](VekSpec& s) { s.p256_key = true; });
  profile_fails([](VekSpec& s) { s.omit_hwid = true; });
  const Case vlek_hwid = make_case(
      AmdProduct::kMilan, 3, AmdKeyKind::kVlek, [](Report&) {},
      [](VekSpec& s) { s.add_hwid_to_vlek = true; });
  EXPECT_THAT(verify(vlek_hwid), FailsWith(ErrorKind::kEvidenceRejected, checks::kVekProfile));
}

TEST_F(SnpVerify, VekTcb) {
  const Case c = make_case(
      AmdProduct::kMilan, 3, AmdKeyKind::kVcek, [](Report&) {},
      [](VekSpec& s) { s.tcb += 1; });  // boot loader SPL one higher
  EXPECT_THAT(verify(c), FailsWith(ErrorKind::kEvidenceRejected, checks::kVekTcb));
  const Case missing = make_case(
      AmdProduct::kMilan, 3, AmdKeyKind::kVcek, [](Report&) {},
      [](VekSpec& s) { s.omit_spl = {8}; });
  EXPECT_THAT(verify(missing), FailsWith(ErrorKind::kEvidenceRejected, checks::kVekTcb));
  const Case turin = make_case(
      AmdProduct::kTurin, 3, AmdKeyKind::kVcek, [](Report&) {},
      [](VekSpec& s) { s.omit_spl = {9}; });  // no FMC SPL
  EXPECT_THAT(verify(turin), FailsWith(ErrorKind::kEvidenceRejected, checks::kVekTcb));
}

TEST_F(SnpVerify, VekHwid) {
  const Case c = make_case(
      AmdProduct::kMilan, 3, AmdKeyKind::kVcek, [](Report&) {},
      [](VekSpec& s) { s.chip_id[5] ^= 1; });
  EXPECT_THAT(verify(c), FailsWith(ErrorKind::kEvidenceRejected, checks::kVekHwid));
  // The tagged (OCTET STRING) hwID form is accepted.
  const Case tagged = make_case(
      AmdProduct::kGenoa, 3, AmdKeyKind::kVcek, [](Report&) {},
      [](VekSpec& s) { s.hwid_tagged = true; });
  EXPECT_THAT(verify(tagged), Succeeds());
  // Turin: the hwID is the first 8 bytes of CHIP_ID.
  const Case turin = make_case(
      AmdProduct::kTurin, 3, AmdKeyKind::kVcek, [](Report&) {},
      [](VekSpec& s) { s.chip_id[7] ^= 1; });
  EXPECT_THAT(verify(turin), FailsWith(ErrorKind::kEvidenceRejected, checks::kVekHwid));
  // A masked chip id is not compared, and that is recorded.
  const Case masked = make_case(AmdProduct::kMilan, 3, AmdKeyKind::kVcek, [](Report& r) {
    r.signer_info = encode_signer_info(SignerInfo{SigningKey::kVcek, true, false});
    r.chip_id = {};
  });
  ASSERT_THAT(verify(masked), Succeeds());
  bool skipped = false;
  for (const auto& rec : log_.records()) {
    skipped = skipped ||
              (rec.id == checks::kVekHwid.str() && rec.outcome == evidence::CheckOutcome::kSkipped);
  }
  EXPECT_TRUE(skipped);
}

TEST_F(SnpVerify, ReportSignature) {
  Case c = make_case(AmdProduct::kMilan, 3);
  c.raw[0x90] ^= 1;  // measurement byte: the report no longer matches its signature
  EXPECT_THAT(verify(c), FailsWith(ErrorKind::kEvidenceRejected, checks::kReportSignature));
  // Signed by another P-384 key.
  Case other = make_case(AmdProduct::kMilan, 3);
  const auto key = crypto::PrivateKey::generate_ec(crypto::Curve::kP384).value();
  other.raw = ::vouch::testing::sign_report(other.report, key);
  EXPECT_THAT(verify(other), FailsWith(ErrorKind::kEvidenceRejected, checks::kReportSignature));
}

TEST_F(SnpVerify, EverySingleByteFlipInTheSignedRegionIsRejected) {
  const Case c = make_case(AmdProduct::kGenoa, 5);
  ASSERT_THAT(verify(c), Succeeds());  // caches the chain: the loop below costs one verify each
  for (std::size_t i = 0; i < kReportSize; ++i) {
    for (int mask : {0x01, 0x80}) {
      Case flipped = c;
      flipped.raw[i] ^= static_cast<std::uint8_t>(mask);
      EXPECT_FALSE(verify(flipped, options(c)).has_value()) << "offset " << i;
    }
  }
}

TEST_F(SnpVerify, ReportDataBinding) {
  const Case c = make_case(AmdProduct::kMilan, 3);
  auto o = options(c);
  Bytes wrong = to_bytes(c.report.report_data);
  wrong[63] ^= 1;
  o.report_data = ReportDataBinding::exact(wrong);
  EXPECT_THAT(verify(c, o), FailsWith(ErrorKind::kEvidenceRejected, checks::kReportData));
  // No padding: 32 bytes are a caller error, even when they are the report's first 32.
  o.report_data = ReportDataBinding::exact(ByteSpan(c.report.report_data).first(32));
  EXPECT_THAT(verify(c, o), FailsWith(ErrorKind::kInvalidArgument, checks::kOptions));
  o.report_data = ReportDataBinding::not_required();
  auto r = verify(c, o);
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(*to_claims(*r).get("snp.report_data.binding")->as_string(), "not_required");
  // MAA's runtimeData rule: SHA-256 then 32 zero bytes.
  const Bytes runtime = {'{', '}'};
  const Case m = make_case(AmdProduct::kMilan, 3, AmdKeyKind::kVcek, [&](Report& rep) {
    const Bytes h = crypto::digest(crypto::HashAlg::kSha256, runtime);
    rep.report_data = {};
    std::copy(h.begin(), h.end(), rep.report_data.begin());
  });
  auto mo = options(m);
  mo.report_data = ReportDataBinding::sha256_of(runtime);
  EXPECT_THAT(verify(m, mo), Succeeds());
}

TEST_F(SnpVerify, ConfidentialContainerPolicyBindsHostData) {
  const std::string policy = "package policy\nallow := true\n";
  const Bytes digest = crypto::digest(crypto::HashAlg::kSha256, as_bytes(policy));
  const Case c = make_case(AmdProduct::kMilan, 3, AmdKeyKind::kVcek, [&](Report& r) {
    std::copy(digest.begin(), digest.end(), r.host_data.begin());
  });
  auto o = options(c);
  o.init_data = to_bytes(as_bytes(policy));
  auto r = verify(c, o);
  ASSERT_THAT(r, Succeeds());
  const auto cl = to_claims(*r);
  EXPECT_EQ(*cl.get("snp.host_data.binding")->as_string(), "init_data");
  EXPECT_EQ(*cl.get("snp.cc_policy.digest")->as_bytes(), digest);
  EXPECT_EQ(*cl.get("snp.cc_policy.text")->as_string(), policy);
  EXPECT_EQ(*cl.get("x-ms-sevsnpvm-hostdata")->as_bytes(), digest);
  o.init_data = to_bytes(as_bytes(policy + " "));
  EXPECT_THAT(verify(c, o), FailsWith(ErrorKind::kEvidenceRejected, checks::kHostData));
  // Binary init data is bound but not shown as text.
  const Bytes binary = {0x00, 0xff, 0x10};
  const Bytes bdigest = crypto::digest(crypto::HashAlg::kSha256, binary);
  const Case b = make_case(AmdProduct::kMilan, 3, AmdKeyKind::kVcek, [&](Report& rep) {
    std::copy(bdigest.begin(), bdigest.end(), rep.host_data.begin());
  });
  auto bo = options(b);
  bo.init_data = binary;
  auto br = verify(b, bo);
  ASSERT_THAT(br, Succeeds());
  EXPECT_FALSE(to_claims(*br).contains("snp.cc_policy.text"));
}

class SnpRevocation : public SnpVerify {
 protected:
  Result<VerifiedReport> verify_with_crl(const Case& c, RevocationMode mode,
                                         std::optional<crypto::Crl> crl) {
    if (crl) {
      fetcher_.set_crl(c.product, c.kind, FakeAmdPki::crl_der(*crl));
    }
    collateral::OnlineAmdKds online(fetcher_);
    auto kds = supplied(c.vek.cert, &online);
    log_ = evidence::CheckLog();
    return verifier_.verify(c.raw, kds, options(c, mode), log_);
  }
  ::vouch::testing::FakeKdsFetcher fetcher_;
  const Timestamp kBefore = from_unix_seconds(1735689600 - 86400);
  const Timestamp kAfter = from_unix_seconds(1735689600 + 86400);
};

TEST_F(SnpRevocation, CleanCrlPasses) {
  const Case c = make_case(AmdProduct::kMilan, 3);
  const auto crl = FakeAmdPki::get(AmdProduct::kMilan).issue_crl({42}, kBefore, kAfter);
  auto r = verify_with_crl(c, RevocationMode::kRequire, crl);
  ASSERT_THAT(r, Succeeds());
  EXPECT_TRUE(r->revocation_checked());
  EXPECT_TRUE(*to_claims(*r).get("snp.revocation.checked")->as_bool());
  EXPECT_EQ(*to_claims(*r).get("snp.revocation.mode")->as_string(), "require");
  // The second time the CRL answer comes from the chain cache.
  ASSERT_THAT(verify_with_crl(c, RevocationMode::kRequire, std::nullopt), Succeeds());
}

TEST_F(SnpRevocation, RevokedAskIsRejected) {
  const Case c = make_case(AmdProduct::kMilan, 3);
  const auto crl = FakeAmdPki::get(AmdProduct::kMilan).issue_crl({0x10001}, kBefore, kAfter);
  EXPECT_THAT(verify_with_crl(c, RevocationMode::kRequire, crl),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kRevocation));
  // Best effort does not excuse a revoked key.
  EXPECT_THAT(verify_with_crl(c, RevocationMode::kBestEffort, std::nullopt),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kRevocation));
}

TEST_F(SnpRevocation, ExpiredCrlIsRejected) {
  const Case c = make_case(AmdProduct::kMilan, 3);
  const auto crl = FakeAmdPki::get(AmdProduct::kMilan)
                       .issue_crl({}, from_unix_seconds(1700000000), from_unix_seconds(1700086400));
  EXPECT_THAT(verify_with_crl(c, RevocationMode::kRequire, crl),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kRevocation));
}

TEST_F(SnpRevocation, MissingCrl) {
  const Case c = make_case(AmdProduct::kMilan, 3);
  EXPECT_THAT(verify_with_crl(c, RevocationMode::kRequire, std::nullopt),
              FailsWith(ErrorKind::kRevocationUnavailable, checks::kRevocation));
  auto r = verify_with_crl(c, RevocationMode::kBestEffort, std::nullopt);
  ASSERT_THAT(r, Succeeds());
  EXPECT_FALSE(r->revocation_checked());
  EXPECT_EQ(*to_claims(*r).get("snp.revocation.mode")->as_string(), "best_effort");
  auto s = verify_with_crl(c, RevocationMode::kSkip, std::nullopt);
  ASSERT_THAT(s, Succeeds());
  EXPECT_FALSE(s->revocation_checked());
}

TEST_F(SnpVerify, ChainCacheServesRepeatsAndRespectsTime) {
  const Case c = make_case(AmdProduct::kMilan, 3);
  ASSERT_THAT(verify(c), Succeeds());
  EXPECT_EQ(verifier_.cached_chains(), 1u);
  ASSERT_THAT(verify(c), Succeeds());
  EXPECT_EQ(verifier_.cached_chains(), 1u);
  bool cached = false;
  for (const auto& rec : log_.records()) {
    cached = cached || (rec.id == checks::kVekChain.str() &&
                        rec.detail.find("(cached)") != std::string::npos);
  }
  EXPECT_TRUE(cached);
  auto o = options(c);
  o.at = from_unix_seconds(1893456000 + 1);  // the cached entry does not cover this time
  EXPECT_THAT(verify(c, o), FailsWith(ErrorKind::kEvidenceRejected, checks::kVekChain));
}

TEST_F(SnpVerify, VcekFromFakeKdsThroughTheCachingSource) {
  const Case c = make_case(AmdProduct::kGenoa, 3);
  ::vouch::testing::FakeKdsFetcher fetcher;
  fetcher.add_vcek(AmdProduct::kGenoa, c.report.chip_id, c.report.reported_tcb, c.vek.cert);
  collateral::OnlineAmdKds online(fetcher);
  const FixedClock clock(kAt);
  collateral::CachingAmdKds cache(online, clock);
  evidence::CheckLog log;
  auto r = verifier_.verify(c.raw, cache, options(c), log);
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->vek_source(), collateral::AmdSource::kKds);
  ASSERT_THAT(verifier_.verify(c.raw, cache, options(c), log), Succeeds());
  EXPECT_EQ(fetcher.requests(), 1u);
  EXPECT_EQ(fetcher.urls()[0],
            collateral::kds_vcek_url(collateral::kAmdKdsBaseUrl, AmdProduct::kGenoa,
                                     c.report.chip_id, c.report.reported_tcb));
}

TEST_F(SnpVerify, VlekFromOfflineDirectory) {
  const Case c = make_case(AmdProduct::kMilan, 3, AmdKeyKind::kVlek);
  ::vouch::testing::FakeKdsFetcher fetcher;
  fetcher.add_vlek(AmdProduct::kMilan, c.report.reported_tcb, c.vek.cert);
  collateral::OnlineAmdKds online(fetcher);
  evidence::CheckLog log;
  ASSERT_THAT(verifier_.verify(c.raw, online, options(c), log), Succeeds());
}

TEST(SnpTrustAnchors, BuiltInAmdRootsLoad) {
  auto anchors = TrustAnchors::amd();
  ASSERT_THAT(anchors, Succeeds());
  for (AmdProduct p : {AmdProduct::kMilan, AmdProduct::kGenoa, AmdProduct::kTurin}) {
    const auto* e = anchors->find(p);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(common_name(e->ark.subject()), ark_common_name(p));
    ASSERT_EQ(e->intermediates.size(), 2u);
    EXPECT_EQ(common_name(e->intermediates[0].subject()),
              intermediate_common_name(p, AmdKeyKind::kVcek));
    EXPECT_EQ(common_name(e->intermediates[1].subject()),
              intermediate_common_name(p, AmdKeyKind::kVlek));
  }
  EXPECT_THAT(TrustAnchors::create({FakeAmdPki::get(AmdProduct::kMilan).roots(),
                                    FakeAmdPki::get(AmdProduct::kMilan).roots()}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kOptions));
}

}  // namespace
}  // namespace vouch::sevsnp
