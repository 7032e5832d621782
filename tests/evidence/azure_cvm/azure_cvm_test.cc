// Azure confidential VM evidence: the HCL report parser, verification against the fake AMD PKI and
// a software vTPM AK (every azure.* check), and the real trustee captures in ../shared/vectors.

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/file.h"
#include "evidence/azure_cvm/check_ids.h"
#include "evidence/azure_cvm/hcl.h"
#include "evidence/azure_cvm/verify.h"
#include "evidence/sevsnp/check_ids.h"
#include "evidence/tpm/check_ids.h"
#include "testing/matchers.h"
#include "testing/snp_azure_builder.h"
#include "testing/vectors.h"

namespace vouch::azure_cvm {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::FailsWithCheck;
using ::vouch::testing::FakeAmdPki;
using ::vouch::testing::Succeeds;

using collateral::AmdProduct;

const Timestamp kAt = from_unix_seconds(1735689600);  // 2025-01-01
const Bytes kNonce = {'c', 'h', 'a', 'l', 'l', 'e', 'n', 'g', 'e'};

// --- HCL parser ---

TEST(HclReport, RoundTripsAndChecksEveryField) {
  const auto f = ::vouch::testing::make_azure_cvm(AmdProduct::kMilan, kNonce);
  ASSERT_EQ(f.hcl_bytes.size(), 2600u);
  auto h = parse_hcl_report(f.hcl_bytes);
  ASSERT_THAT(h, Succeeds());
  EXPECT_EQ(h->report_type, HwReportType::kSnp);
  EXPECT_EQ(h->hw_report.size(), 1184u);
  EXPECT_EQ(serialize(*h), f.hcl_bytes);
  // Without padding too.
  Bytes trimmed(f.hcl_bytes.begin(), f.hcl_bytes.end() - static_cast<std::ptrdiff_t>(h->padding));
  EXPECT_THAT(parse_hcl_report(trimmed), Succeeds());

  const auto bad = [&](std::size_t offset, std::uint8_t value, CheckId check) {
    Bytes b = f.hcl_bytes;
    b[offset] = value;
    EXPECT_THAT(parse_hcl_report(b), FailsWith(ErrorKind::kMalformedEvidence, check))
        << "offset " << offset;
  };
  bad(0, 'X', checks::kHclHeader);                  // signature
  bad(4, 3, checks::kHclHeader);                    // version
  bad(8, 0, checks::kHclHeader);                    // report_size
  bad(12, 3, checks::kHclHeader);                   // request type
  bad(16, 1, checks::kHclHeader);                   // status
  bad(20, 1, checks::kHclMbz);                      // reserved
  bad(0x4C0, 0, checks::kHclHeader);                // data_size
  bad(0x4C4, 2, checks::kHclHeader);                // IGVM version
  bad(0x4C8, 3, checks::kHclReportType);            // report type
  bad(0x4CC, 9, checks::kHclHeader);                // hash type
  bad(f.hcl_bytes.size() - 1, 1, checks::kHclMbz);  // padding
  EXPECT_THAT(parse_hcl_report(ByteSpan(f.hcl_bytes).first(100)),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kHclSize));
  EXPECT_THAT(parse_hcl_report(ByteSpan(f.hcl_bytes).first(0x4D4 + 10)),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kHclSize));
}

TEST(HclReport, TdxAreaPaddingMustBeZero) {
  const auto f = ::vouch::testing::make_azure_cvm(AmdProduct::kMilan, kNonce);
  Bytes b = f.hcl_bytes;
  b[0x4C8] = 4;  // TDX: the TDREPORT is 1024 bytes, the rest of the area must be zero
  b[0x20 + 1100] = 1;
  EXPECT_THAT(parse_hcl_report(b), FailsWith(ErrorKind::kMalformedEvidence, checks::kHclMbz));
  std::fill(b.begin() + 0x20 + 1024, b.begin() + 0x4C0, 0);
  auto h = parse_hcl_report(b);
  ASSERT_THAT(h, Succeeds());
  EXPECT_EQ(h->hw_report.size(), 1024u);
  EXPECT_EQ(serialize(*h), b);
}

TEST(TpmQuoteJson, HexAndByteArrayForms) {
  auto q = parse_tpm_quote_json(R"({"signature":"0102","message":"ff54","pcrs":[")" +
                                std::string(64, 'a') + R"("]})");
  ASSERT_THAT(q, Succeeds());
  EXPECT_EQ(q->signature, (Bytes{1, 2}));
  EXPECT_EQ(q->pcrs.size(), 1u);
  auto arr = parse_tpm_quote_json(R"({"signature":[1,2],"message":[255,84],"pcrs":[]})");
  ASSERT_THAT(arr, Succeeds());
  EXPECT_EQ(arr->message, (Bytes{255, 84}));
  for (const char* bad :
       {"", "[]", R"({"message":"00","pcrs":[]})", R"({"signature":"zz","message":"00","pcrs":[]})",
        R"({"signature":[256],"message":"00","pcrs":[]})",
        R"({"signature":"00","message":"00","pcrs":["00"]})",
        R"({"signature":"00","message":"00","pcrs":"00"})"}) {
    EXPECT_THAT(parse_tpm_quote_json(bad),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kTpmQuoteFormat))
        << bad;
  }
}

// --- verification with the fake PKI ---

class AzureVerify : public ::testing::Test {
 protected:
  Result<VerifiedAzureCvm> run(const ::vouch::testing::AzureCvmFixture& f, ByteSpan nonce) {
    collateral::SuppliedAmdKds kds({f.vek.cert.der(), std::nullopt, std::nullopt, std::nullopt},
                                   nullptr);
    log_ = evidence::CheckLog();
    return verify(verifier_, AzureCvmEvidence{f.hcl_bytes, f.quote, std::nullopt, std::nullopt},
                  kds, VerifyOptions{kAt, to_bytes(nonce), sevsnp::RevocationMode::kSkip}, log_);
  }
  sevsnp::Verifier verifier_{FakeAmdPki::anchors({AmdProduct::kMilan, AmdProduct::kGenoa})};
  evidence::CheckLog log_;
};

TEST_F(AzureVerify, VerifiesAndClaimsLikeAzureGuestAttestation) {
  const auto f = ::vouch::testing::make_azure_cvm(AmdProduct::kGenoa, kNonce);
  auto v = run(f, kNonce);
  ASSERT_THAT(v, Succeeds());
  const claims::ClaimSet c = to_claims(*v);
  const auto& tee = *c.get("x-ms-isolation-tee")->as_map();
  EXPECT_EQ(*tee.at("x-ms-attestation-type").as_string(), "sevsnpvm");
  EXPECT_EQ(*tee.at("x-ms-sevsnpvm-vmpl").as_int(), 0);
  EXPECT_TRUE(tee.at("x-ms-runtime").as_map()->contains("keys"));
  EXPECT_FALSE(c.contains("x-ms-sevsnpvm-vmpl"));  // nested, as MAA does for azurevm
  EXPECT_EQ(*c.get("x-ms-azurevm-vmid")->as_string(), "911B0EF8-9DBA-48B0-B275-4E4DF2D39252");
  EXPECT_EQ(c.get("x-ms-azurevm-attested-pcrs")->as_list()->size(), 24u);
  EXPECT_EQ(*c.get("azure.hcl.report_type")->as_string(), "snp");
  EXPECT_EQ(*c.get("azure.hcl.ak_spki")->as_bytes(), f.ak.key.public_key().spki_der());
  EXPECT_EQ(*c.get("tpm.quote.nonce")->as_bytes(), kNonce);
  EXPECT_EQ(*c.get("snp.report_data.binding")->as_string(), "exact");
  EXPECT_EQ(*c.get("snp.product")->as_string(), "Genoa");
  EXPECT_TRUE(c.contains("tpm.pcrs"));
}

TEST_F(AzureVerify, TdxHclReportWithoutTdQuoteIsRejectedClearly) {
  auto f = ::vouch::testing::make_azure_cvm(AmdProduct::kMilan, kNonce);
  f.hcl.report_type = HwReportType::kTdx;
  f.hcl.hw_report.resize(kTdReportSize);
  f.hcl_bytes = serialize(f.hcl);
  EXPECT_THAT(run(f, kNonce), FailsWith(ErrorKind::kEvidenceRejected, checks::kTdQuoteMissing));
}

TEST_F(AzureVerify, SnpHclReportWithoutAnSnpVerifierIsUnavailable) {
  const auto f = ::vouch::testing::make_azure_cvm(AmdProduct::kMilan, kNonce);
  evidence::CheckLog log;
  EXPECT_THAT(verify(HardwareRoots{}, AzureCvmEvidence{f.hcl_bytes, f.quote, std::nullopt, {}},
                     VerifyOptions{kAt, kNonce, sevsnp::RevocationMode::kSkip}, log),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kHardwareReport));
}

TEST_F(AzureVerify, RuntimeClaimsAreBoundByTheirHash) {
  auto f = ::vouch::testing::make_azure_cvm(AmdProduct::kMilan, kNonce);
  // Change the runtime claims after the SNP report was signed (trustee's byte 0x6e0 test).
  f.hcl_bytes[0x6e0] ^= 1;
  EXPECT_THAT(run(f, kNonce), FailsWith(ErrorKind::kEvidenceRejected, sevsnp::checks::kReportData));
}

TEST_F(AzureVerify, HardwareReportFailuresKeepTheirSnpIds) {
  auto f = ::vouch::testing::make_azure_cvm(AmdProduct::kMilan, kNonce);
  f.hcl_bytes[0x20 + 0x90] ^= 1;  // measurement: the SNP signature breaks
  EXPECT_THAT(run(f, kNonce),
              FailsWith(ErrorKind::kEvidenceRejected, sevsnp::checks::kReportSignature));
  auto v = ::vouch::testing::make_azure_cvm(AmdProduct::kMilan, kNonce);
  v.hcl_bytes[0x20 + 0x186] ^= 1;  // trustee's 0x1a6: inside REPORTED_TCB
  EXPECT_FALSE(run(v, kNonce).has_value());
}

TEST_F(AzureVerify, RuntimeClaimsNeedAnAkAndClaimableValues) {
  const auto no_ak = ::vouch::testing::make_azure_cvm(
      AmdProduct::kMilan, kNonce, [](nlohmann::json& j) { j["keys"][0]["kid"] = "Other"; });
  EXPECT_THAT(run(no_ak, kNonce), FailsWith(ErrorKind::kEvidenceRejected, checks::kRuntimeClaims));
  const auto bad_key = ::vouch::testing::make_azure_cvm(
      AmdProduct::kMilan, kNonce, [](nlohmann::json& j) { j["keys"][0]["n"] = "!"; });
  EXPECT_THAT(run(bad_key, kNonce), FailsWithCheck(checks::kRuntimeClaims));
  const auto with_null = ::vouch::testing::make_azure_cvm(
      AmdProduct::kMilan, kNonce, [](nlohmann::json& j) { j["extra"] = nullptr; });
  EXPECT_THAT(run(with_null, kNonce),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kRuntimeClaims));
}

TEST_F(AzureVerify, VtpmQuoteIsVerifiedWithTheHclAk) {
  const auto f = ::vouch::testing::make_azure_cvm(AmdProduct::kMilan, kNonce);
  EXPECT_THAT(run(f, Bytes{'x'}),
              FailsWith(ErrorKind::kEvidenceRejected, tpm::checks::kQuoteNonce));
  auto sig = f;
  sig.quote.signature[10] ^= 1;
  EXPECT_THAT(run(sig, kNonce),
              FailsWith(ErrorKind::kEvidenceRejected, tpm::checks::kQuoteSignature));
  auto pcr = f;
  pcr.quote.pcrs[0][0] ^= 1;
  EXPECT_THAT(run(pcr, kNonce),
              FailsWith(ErrorKind::kEvidenceRejected, tpm::checks::kQuotePcrDigest));
}

// --- real captures ---

struct RealCase {
  Bytes hcl;
  TpmQuote quote;
  Bytes vcek_der;
};

Bytes first_cert_der(ByteSpan data) {
  auto certs = crypto::Certificate::parse_bundle(data);
  EXPECT_TRUE(certs.has_value());
  return certs ? certs->front().der() : Bytes{};
}

RealCase from_evidence_json(const std::string& path) {
  const auto j = nlohmann::json::parse(::vouch::testing::read_vector_text(path));
  RealCase c;
  const auto& q = j.contains("quote") ? j["quote"] : j["tpm_quote"];
  c.quote = parse_tpm_quote_json(q.dump()).value();
  if (j.contains("report")) {
    c.hcl = j["report"].get<Bytes>();
  } else {
    c.hcl = base64_decode_any(j["hcl_report"].get<std::string>()).value();
  }
  const std::string vcek = j["vcek"].get<std::string>();
  c.vcek_der =
      vcek.starts_with("-----") ? first_cert_der(as_bytes(vcek)) : base64_decode_any(vcek).value();
  return c;
}

Result<VerifiedAzureCvm> verify_real(const RealCase& c, ByteSpan nonce) {
  static const sevsnp::Verifier verifier(sevsnp::TrustAnchors::amd().value());
  collateral::SuppliedAmdKds kds({c.vcek_der, std::nullopt, std::nullopt, std::nullopt}, nullptr);
  evidence::CheckLog log;
  return verify(verifier, AzureCvmEvidence{c.hcl, c.quote, std::nullopt, std::nullopt}, kds,
                VerifyOptions{parse_rfc3339("2025-06-01T00:00:00Z").value(), to_bytes(nonce),
                              sevsnp::RevocationMode::kSkip},
                log);
}

std::string pcr0(const VerifiedAzureCvm& v) {
  return hex_encode(v.quote().pcrs().at(crypto::HashAlg::kSha256).at(0));
}

TEST(AzureVectors, TrusteeSnpHclReportWithQuoteV1) {
  VOUCH_REQUIRE_VECTORS();
  RealCase c;
  c.hcl = ::vouch::testing::read_vector("azure-cvm/trustee-az-snp-vtpm/hcl-report.bin");
  c.quote = parse_tpm_quote_json(::vouch::testing::read_vector_text(
                                     "azure-cvm/trustee-az-snp-vtpm/tpm-quote-v1.json"))
                .value();
  c.vcek_der =
      first_cert_der(::vouch::testing::read_vector("azure-cvm/trustee-az-snp-vtpm/vcek.pem"));
  auto v = verify_real(c, kNonce);
  ASSERT_THAT(v, Succeeds());
  EXPECT_EQ(v->snp().product(), AmdProduct::kMilan);
  EXPECT_EQ(v->snp().report().reported_tcb, 0x7308000000000003u);
  const auto c2 = to_claims(*v);
  EXPECT_EQ(*c2.get("x-ms-azurevm-vmid")->as_string(), "911B0EF8-9DBA-48B0-B275-4E4DF2D39252");
  // Tampering, as trustee's negative tests do.
  for (std::size_t off : {0x1a6u, 0x6e0u, 0x540u}) {
    RealCase t = c;
    t.hcl[off] ^= 1;
    EXPECT_FALSE(verify_real(t, kNonce).has_value()) << off;
  }
  EXPECT_THAT(verify_real(c, Bytes{'n', 'o'}),
              FailsWith(ErrorKind::kEvidenceRejected, tpm::checks::kQuoteNonce));
}

TEST(AzureVectors, TrusteeEvidenceFiles) {
  VOUCH_REQUIRE_VECTORS();
  struct Expect {
    const char* file;
    Bytes nonce;
    const char* pcr0;
    AmdProduct product;
  };
  const Expect cases[] = {
      {"azure-cvm/trustee-az-snp-vtpm/evidence-v0.json", kNonce,
       "e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced", AmdProduct::kMilan},
      {"azure-cvm/trustee-az-snp-vtpm/evidence-v1.json", kNonce,
       "e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced", AmdProduct::kMilan},
      // Nonces: the full values of MANIFEST's "982f5c6e45df0ed3...19ef" and "0218488b...950f".
      {"azure-cvm/trustee-az-snp-vtpm/evidence-v2.json",
       hex_decode("982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9aa398f647caa2338"
                  "748cd0fd9f5f819ef")
           .value(),
       "84275b2f4312cd4fc6cbe6b152ad3c3683e513d9f1e23c34fca160c8cca7a6a7", AmdProduct::kMilan},
      {"azure-cvm/trustee-az-snp-vtpm/evidence-genoa.json",
       hex_decode("0218488bae25d2509232bf676f1a66a30d7372add909109b36016ef136f2938ca05475f8b46094d"
                  "e6b64270ea35d950f")
           .value(),
       "afd689d0bb1c5f36f023fbaf574135f555a28a10c1f6b938d2a25e70c7783338", AmdProduct::kGenoa},
  };
  for (const Expect& e : cases) {
    const RealCase c = from_evidence_json(e.file);
    auto v = verify_real(c, e.nonce);
    ASSERT_THAT(v, Succeeds()) << e.file;
    EXPECT_EQ(pcr0(*v), e.pcr0) << e.file;
    EXPECT_EQ(v->snp().product(), e.product) << e.file;
  }
  // The Genoa report is v3 with CPUID 19/11/01 and TCB bl 10, snp 23, ucode 84.
  const RealCase g = from_evidence_json("azure-cvm/trustee-az-snp-vtpm/evidence-genoa.json");
  auto v = verify_real(g, cases[3].nonce);
  ASSERT_THAT(v, Succeeds());
  EXPECT_EQ(v->snp().report().version, 3u);
  EXPECT_EQ(*v->snp().report().cpuid, (sevsnp::Cpuid{0x19, 0x11, 0x01}));
  const auto tcb = collateral::decompose_tcb(AmdProduct::kGenoa, v->snp().report().reported_tcb);
  EXPECT_EQ(tcb.bootloader, 10);
  EXPECT_EQ(tcb.snp, 23);
  EXPECT_EQ(tcb.microcode, 84);
}

}  // namespace
}  // namespace vouch::azure_cvm
