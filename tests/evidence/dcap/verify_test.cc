// The DCAP verification pipeline over real evidence bytes made by the fake Intel PKI: every quote
// version, both PCK CAs, every TCB status and one failing case per check id.

#include "evidence/dcap/verify.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "evidence/dcap/check_ids.h"
#include "evidence/dcap/claims.h"
#include "testing/dcap_builder.h"
#include "testing/matchers.h"

namespace vouch::dcap {
namespace {

using std::chrono::seconds;
using testing::FailsWith;
using testing::Succeeds;

constexpr TeeKind kSgx = TeeKind::kSgx;
constexpr TeeKind kTdx = TeeKind::kTdx;
constexpr PckCaType kProcessor = PckCaType::kProcessor;
constexpr PckCaType kPlatform = PckCaType::kPlatform;

const testing::DcapFixture& fixture() {
  static const testing::DcapFixture f = testing::DcapFixture::create();
  return f;
}

class DcapVerify : public ::testing::Test {
 protected:
  const testing::DcapFixture& f = fixture();
  Verifier verifier_ = f.verifier();
  evidence::CheckLog log_;

  Result<VerifiedQuote> verify(ByteSpan quote, TeeKind tee, const QuoteCollateral& c,
                               Timestamp at = testing::kDcapTestNow, bool allow_missing = false) {
    log_ = {};
    return verifier_.verify(quote, tee, c, {at, allow_missing}, log_);
  }

  Bytes quote(TeeKind tee, std::uint16_t version, PckCaType ca = kProcessor,
              testing::QuoteOptions o = {}) {
    o.tee = tee;
    o.version = version;
    return testing::make_quote(f.of(ca), o);
  }

  std::string status(const Result<VerifiedQuote>& v) {
    if (!v || !v->tcb()) {
      return "(none)";
    }
    return std::string(tcb_status_name(v->tcb()->status));
  }
};

// --- every version, both CAs ---

struct VersionCase {
  TeeKind tee;
  std::uint16_t version;
  bool td15;
};

TEST_F(DcapVerify, EveryQuoteVersionVerifiesWithBothPckCas) {
  const VersionCase cases[] = {{kSgx, 3, false}, {kSgx, 4, false}, {kSgx, 5, false},
                               {kTdx, 4, false}, {kTdx, 5, false}, {kTdx, 5, true}};
  for (const VersionCase& k : cases) {
    for (PckCaType ca : {kProcessor, kPlatform}) {
      SCOPED_TRACE(std::to_string(k.version) + (k.tee == kTdx ? " TDX" : " SGX") +
                   (k.td15 ? " 1.5" : "") + (ca == kPlatform ? " platform" : " processor"));
      testing::QuoteOptions o;
      o.td15 = k.td15;
      const Bytes q = quote(k.tee, k.version, ca, o);
      auto v = verify(q, k.tee, f.collateral(k.tee, ca));
      ASSERT_THAT(v, Succeeds());
      EXPECT_EQ(status(v), "UpToDate");
      EXPECT_EQ(v->pck().ca, ca);
      EXPECT_EQ(v->layout().used_len, q.size());
      EXPECT_TRUE(v->unchecked_collateral().empty());
      for (const auto& r : log_.records()) {
        EXPECT_EQ(r.outcome, evidence::CheckOutcome::kPass) << r.id;
      }
      claims::ClaimSet claims;
      add_claims(*v, claims);
      EXPECT_EQ(*claims.get("dcap.quote.version")->as_int(), k.version);
    }
  }
}

TEST_F(DcapVerify, PaddingAfterTheSignatureDataIsTolerated) {
  testing::QuoteOptions o;
  o.padding = Bytes(70, 0);
  const Bytes q = quote(kTdx, 4, kPlatform, o);
  auto v = verify(q, kTdx, f.collateral(kTdx, kPlatform));
  ASSERT_THAT(v, Succeeds());
  EXPECT_EQ(v->layout().used_len + 70, q.size());
}

// --- TCB statuses ---

struct StatusCase {
  std::uint8_t component;
  const char* status;
};

TEST_F(DcapVerify, EveryPlatformTcbStatusIsReported) {
  const StatusCase cases[] = {
      {testing::kComponentForUpToDate, "UpToDate"},
      {testing::kComponentForSwHardeningNeeded, "SWHardeningNeeded"},
      {testing::kComponentForConfigurationNeeded, "ConfigurationNeeded"},
      {testing::kComponentForConfigurationAndSwHardeningNeeded,
       "ConfigurationAndSWHardeningNeeded"},
      {testing::kComponentForOutOfDate, "OutOfDate"},
      {testing::kComponentForOutOfDateConfigurationNeeded, "OutOfDateConfigurationNeeded"},
      {testing::kComponentForRevoked, "Revoked"},
  };
  for (TeeKind tee : {kSgx, kTdx}) {
    for (const StatusCase& k : cases) {
      SCOPED_TRACE(k.status);
      const testing::FakePlatform p = testing::make_platform(
          f.pki, kProcessor, [&](PckExtensions& e) { e.tcb.sgx_svns[0] = k.component; });
      testing::QuoteOptions o;
      o.tee = tee;
      o.version = 4;
      auto v = verify(
          testing::make_quote(p, o), tee,
          testing::make_collateral(f.pki, tee, testing::default_tcb_info(tee, p.pck_extensions),
                                   testing::default_qe_identity(tee), kProcessor));
      ASSERT_THAT(v, Succeeds());
      EXPECT_EQ(status(v), k.status);
      EXPECT_EQ(v->tcb()->level_status, *parse_tcb_status(k.status));
    }
  }
}

TEST_F(DcapVerify, QeTcbStatusConvergesWithThePlatformStatus) {
  struct Case {
    std::uint8_t component;
    std::uint16_t qe_svn;
    const char* status;
  };
  const Case cases[] = {
      {testing::kComponentForUpToDate, testing::kQeSvnOutOfDate, "OutOfDate"},
      {testing::kComponentForSwHardeningNeeded, testing::kQeSvnOutOfDate, "OutOfDate"},
      {testing::kComponentForConfigurationNeeded, testing::kQeSvnOutOfDate,
       "OutOfDateConfigurationNeeded"},
      {testing::kComponentForConfigurationAndSwHardeningNeeded, testing::kQeSvnOutOfDate,
       "OutOfDateConfigurationNeeded"},
      {testing::kComponentForUpToDate, testing::kQeSvnRevoked, "Revoked"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.status);
    testing::FakePlatform p = testing::make_platform(
        f.pki, kProcessor, [&](PckExtensions& e) { e.tcb.sgx_svns[0] = k.component; });
    p.qe_report.isv_svn = k.qe_svn;
    auto v = verify(
        testing::make_quote(p, {}), kSgx,
        testing::make_collateral(f.pki, kSgx, testing::default_tcb_info(kSgx, p.pck_extensions),
                                 testing::default_qe_identity(kSgx), kProcessor));
    ASSERT_THAT(v, Succeeds());
    EXPECT_EQ(status(v), k.status);
    ASSERT_TRUE(v->qe());
    EXPECT_NE(v->qe()->status, TcbStatus::kUpToDate);
    // The QE level's advisory follows the platform level's.
    EXPECT_FALSE(v->tcb()->advisory_ids.empty());
  }
}

TEST_F(DcapVerify, TdxModuleStatusConvergesAndTd15CanAdviseRelaunch) {
  struct Case {
    std::uint8_t component;
    std::uint8_t module_svn;
    bool td15;
    std::uint8_t module_svn2;
    const char* status;
  };
  const Case cases[] = {
      {testing::kComponentForUpToDate, testing::kModuleSvnOutOfDate, false, 0, "OutOfDate"},
      {testing::kComponentForConfigurationNeeded, testing::kModuleSvnOutOfDate, false, 0,
       "OutOfDateConfigurationNeeded"},
      {testing::kComponentForUpToDate, testing::kModuleSvnRevoked, false, 0, "Revoked"},
      // TDX 1.5: launched with an out-of-date module, the platform now runs a current one.
      {testing::kComponentForUpToDate, testing::kModuleSvnOutOfDate, true,
       testing::kModuleSvnUpToDate, "TDRelaunchAdvised"},
      {testing::kComponentForConfigurationNeeded, testing::kModuleSvnOutOfDate, true,
       testing::kModuleSvnUpToDate, "TDRelaunchAdvisedConfigurationNeeded"},
      {testing::kComponentForUpToDate, testing::kModuleSvnOutOfDate, true,
       testing::kModuleSvnOutOfDate, "OutOfDate"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.status);
    const testing::FakePlatform p = testing::make_platform(
        f.pki, kProcessor, [&](PckExtensions& e) { e.tcb.sgx_svns[0] = k.component; });
    testing::QuoteOptions o;
    o.tee = kTdx;
    o.version = 5;
    o.td15 = k.td15;
    o.tweak = [&](Quote& q) {
      auto& v5 = std::get<QuoteV5>(q);
      if (auto* b = std::get_if<Td15Report>(&v5.body)) {
        b->base.tee_tcb_svn[0] = k.module_svn;
        b->tee_tcb_svn2[0] = k.module_svn2;
      } else {
        std::get<Td10Report>(v5.body).tee_tcb_svn[0] = k.module_svn;
      }
    };
    auto v = verify(
        testing::make_quote(p, o), kTdx,
        testing::make_collateral(f.pki, kTdx, testing::default_tcb_info(kTdx, p.pck_extensions),
                                 testing::default_qe_identity(kTdx), kProcessor));
    ASSERT_THAT(v, Succeeds());
    EXPECT_EQ(status(v), k.status);
    ASSERT_TRUE(v->tdx_module());
    EXPECT_EQ(v->tdx_module()->identity_id, "TDX_01");
  }
}

TEST_F(DcapVerify, TdxModuleVersionZeroUsesTheTcbInfoModule) {
  testing::QuoteOptions o;
  o.tee = kTdx;
  o.version = 4;
  o.tweak = [](Quote& q) {
    auto& b = std::get<Td10Report>(std::get<QuoteV4>(q).body);
    b.tee_tcb_svn[1] = 0;  // module major version 0: all 16 TDX components are compared
  };
  auto v = verify(testing::make_quote(f.processor, o), kTdx, f.collateral(kTdx, kProcessor));
  ASSERT_THAT(v, Succeeds());
  EXPECT_TRUE(v->tdx_module()->identity_id.empty());
}

// --- one failure per check id ---

TEST_F(DcapVerify, ParseFailures) {
  const Bytes good = quote(kSgx, 3);
  auto with = [&](std::size_t offset, std::uint8_t value) {
    Bytes b = good;
    b[offset] = value;
    return b;
  };
  namespace c = checks;
  const QuoteCollateral col = f.collateral(kSgx, kProcessor);
  EXPECT_THAT(verify(ByteSpan(good).first(100), kSgx, col),
              FailsWith(ErrorKind::kMalformedEvidence, c::kQuoteTruncated));
  EXPECT_THAT(verify(with(0, 6), kSgx, col),
              FailsWith(ErrorKind::kMalformedEvidence, c::kQuoteVersion));
  EXPECT_THAT(verify(with(2, 3), kSgx, col),
              FailsWith(ErrorKind::kMalformedEvidence, c::kQuoteKeyType));
  EXPECT_THAT(verify(with(4, 0x81), kSgx, col),
              FailsWith(ErrorKind::kMalformedEvidence, c::kQuoteTeeType));
  EXPECT_THAT(verify(with(48 + 100, 1), kSgx, col),  // body reserved2
              FailsWith(ErrorKind::kMalformedEvidence, c::kQuoteReserved));
  // v5: an SGX body type with a TDX header.
  Bytes v5 = quote(kTdx, 5);
  v5[48] = 1;
  EXPECT_THAT(verify(v5, kTdx, col), FailsWith(ErrorKind::kMalformedEvidence, c::kQuoteBodyType));
  // One byte more inside the signature data than its contents use.
  Bytes longer = good;
  longer.push_back(0);
  longer[432] = static_cast<std::uint8_t>(longer[432] + 1);
  EXPECT_THAT(verify(longer, kSgx, col),
              FailsWith(ErrorKind::kMalformedEvidence, c::kQuoteSignatureData));
  // v4 must wrap the QE report certification data as type 6.
  Bytes v4 = quote(kSgx, 4);
  v4[436 + 128] = 5;
  EXPECT_THAT(verify(v4, kSgx, col),
              FailsWith(ErrorKind::kMalformedEvidence, c::kCertificationData));
  EXPECT_THAT(verify(good, kTdx, col), FailsWith(ErrorKind::kMalformedEvidence, c::kQuoteKind));
}

TEST_F(DcapVerify, CertificationDataFailures) {
  const QuoteCollateral col = f.collateral(kSgx, kProcessor);
  testing::QuoteOptions o;
  o.certification_data = CertificationData{kCertDataPpidRsa3072, Bytes(390, 1)};
  EXPECT_THAT(verify(testing::make_quote(f.processor, o), kSgx, col),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kCertificationDataUnsupported));
  const std::string bad_pem = "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n";
  o.certification_data =
      CertificationData{kCertDataPckChain, Bytes(bad_pem.begin(), bad_pem.end())};
  EXPECT_THAT(verify(testing::make_quote(f.processor, o), kSgx, col),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kPckChainParse));
}

TEST_F(DcapVerify, PckCertificateFailures) {
  const QuoteCollateral col = f.collateral(kSgx, kProcessor);
  testing::FakeIntelPki::PckOptions no_ext;
  no_ext.omit_extension = true;
  EXPECT_THAT(verify(testing::make_quote(testing::make_platform(f.pki, kProcessor, {}, no_ext), {}),
                     kSgx, col),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kPckCertificate));
  testing::FakeIntelPki::PckOptions wrong_cn;
  wrong_cn.subject_cn = "Intel SGX TCB Signing";
  EXPECT_THAT(
      verify(testing::make_quote(testing::make_platform(f.pki, kProcessor, {}, wrong_cn), {}), kSgx,
             col),
      FailsWith(ErrorKind::kEvidenceRejected, checks::kPckCertificate));
  testing::FakeIntelPki::PckOptions bad_ext;
  bad_ext.raw_extension = {0x30, 0x03, 0x02, 0x01, 0x01};
  EXPECT_THAT(
      verify(testing::make_quote(testing::make_platform(f.pki, kProcessor, {}, bad_ext), {}), kSgx,
             col),
      FailsWith(ErrorKind::kMalformedEvidence, checks::kPckExtensions));
  // Revoked by the PCK CRL.
  testing::CollateralOptions revoked;
  revoked.revoked_pcks = {100};
  EXPECT_THAT(verify(quote(kSgx, 3), kSgx,
                     testing::make_collateral(
                         f.pki, kSgx, testing::default_tcb_info(kSgx, f.processor.pck_extensions),
                         testing::default_qe_identity(kSgx), kProcessor, revoked)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kPckRevoked));
  // A PCK CA revoked by the root CA CRL.
  testing::CollateralOptions ca_revoked;
  ca_revoked.revoked_cas = {testing::kProcessorCaSerial};
  EXPECT_THAT(verify(quote(kSgx, 3), kSgx,
                     testing::make_collateral(
                         f.pki, kSgx, testing::default_tcb_info(kSgx, f.processor.pck_extensions),
                         testing::default_qe_identity(kSgx), kProcessor, ca_revoked)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kPckRevoked));
  // A PCK of another PKI.
  const testing::DcapFixture other = testing::DcapFixture::create();
  EXPECT_THAT(verify(testing::make_quote(other.processor, {}), kSgx, col),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kPckChain));
  // A chain carrying a certificate that is not on the path (here a second copy of the PCK CA with
  // one byte of its signature changed) is rejected.
  {
    std::string pem = f.processor.pck_chain_pem;
    Bytes ca = f.pki.processor_ca.der();
    ca.back() ^= 1;
    testing::QuoteOptions extra;
    const std::string chain = pem + testing::to_pem(crypto::Certificate::from_der(ca).value());
    extra.certification_data =
        CertificationData{kCertDataPckChain, Bytes(chain.begin(), chain.end())};
    EXPECT_THAT(verify(testing::make_quote(f.processor, extra), kSgx, col),
                FailsWith(ErrorKind::kEvidenceRejected, checks::kPckChain));
  }
  // The platform CA's CRL for a processor-CA PCK.
  QuoteCollateral wrong_crl = col;
  wrong_crl.pck_crl = f.collateral(kSgx, kPlatform).pck_crl;
  EXPECT_THAT(verify(quote(kSgx, 3), kSgx, wrong_crl),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kPckCrlIssuer));
  // Expired PCK certificate.
  testing::FakeIntelPki::PckOptions expired;
  expired.not_after = testing::kDcapTestNow - seconds(1);
  EXPECT_THAT(
      verify(testing::make_quote(testing::make_platform(f.pki, kProcessor, {}, expired), {}), kSgx,
             col),
      FailsWith(ErrorKind::kEvidenceRejected, checks::kPckChain));
}

TEST_F(DcapVerify, QuoteSignatureFailures) {
  const QuoteCollateral col = f.collateral(kSgx, kProcessor);
  Bytes q = quote(kSgx, 3);
  Bytes bad_qe = q;
  bad_qe[564 + 10] ^= 1;  // inside the QE report
  EXPECT_THAT(verify(bad_qe, kSgx, col),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQeReportSignature));
  testing::QuoteOptions unbound;
  unbound.bind_qe_report = false;
  EXPECT_THAT(verify(testing::make_quote(f.processor, unbound), kSgx, col),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQeReportBinding));
  testing::QuoteOptions bad_key;
  bad_key.tweak = [](Quote& qq) { std::get<QuoteV3>(qq).auth.attestation_key.fill(0x01); };
  EXPECT_THAT(verify(testing::make_quote(f.processor, bad_key), kSgx, col),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kAttestationKey));
  Bytes bad_body = q;
  bad_body[48 + 64] ^= 1;  // MRENCLAVE
  EXPECT_THAT(verify(bad_body, kSgx, col),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQuoteSignature));
}

TEST_F(DcapVerify, CollateralFailures) {
  const Bytes q = quote(kSgx, 3);
  const QuoteCollateral good = f.collateral(kSgx, kProcessor);
  auto check = [&](const QuoteCollateral& c, ErrorKind kind, CheckId id,
                   Timestamp at = testing::kDcapTestNow) {
    EXPECT_THAT(verify(q, kSgx, c, at), FailsWith(kind, id));
  };
  QuoteCollateral c = good;
  c.tcb_info.reset();
  check(c, ErrorKind::kEvidenceRejected, checks::kCollateralMissing);

  c = good;
  c.tcb_info->json = "{\"tcbInfo\":{},\"signature\":\"00\"}";
  check(c, ErrorKind::kMalformedEvidence, checks::kTcbInfoFormat);
  c = good;
  c.qe_identity->json = "[]";
  check(c, ErrorKind::kMalformedEvidence, checks::kQeIdentityFormat);
  c = good;
  c.pck_crl->crl = Bytes{0x30, 0x00};
  check(c, ErrorKind::kMalformedEvidence, checks::kPckCrlFormat);
  c = good;
  c.root_ca_crl->crl = Bytes{0x30, 0x00};
  check(c, ErrorKind::kMalformedEvidence, checks::kRootCaCrlFormat);

  check(good, ErrorKind::kEvidenceRejected, checks::kTcbInfoValidity,
        testing::kDcapNextUpdate + seconds(1));
  check(good, ErrorKind::kEvidenceRejected, checks::kTcbInfoValidity,
        testing::kDcapIssued - seconds(1));
  dcap::EnclaveIdentity early_qe = testing::default_qe_identity(kSgx);
  early_qe.next_update = testing::kDcapTestNow - seconds(1);
  c = good;
  c.qe_identity =
      testing::sign_json(f.pki, "enclaveIdentity", testing::enclave_identity_body(early_qe));
  check(c, ErrorKind::kEvidenceRejected, checks::kQeIdentityValidity);
  testing::CollateralOptions stale_crl;
  stale_crl.crl_next_update = testing::kDcapTestNow - seconds(1);
  QuoteCollateral stale = testing::make_collateral(
      f.pki, kSgx, testing::default_tcb_info(kSgx, f.processor.pck_extensions),
      testing::default_qe_identity(kSgx), kProcessor, stale_crl);
  check(stale, ErrorKind::kEvidenceRejected, checks::kPckCrlValidity);
  stale.pck_crl = good.pck_crl;
  check(stale, ErrorKind::kEvidenceRejected, checks::kRootCaCrlValidity);

  c = good;
  c.root_ca_crl->crl = testing::crl_to_der(
      f.pki.pck_crl(kProcessor, {}, testing::kDcapIssued, testing::kDcapNextUpdate));
  check(c, ErrorKind::kEvidenceRejected, checks::kRootCaCrlIssuer);

  // Signing chains: a PCK CA is not a TCB Signing certificate; another PKI's TCB Signing key.
  c = good;
  c.tcb_info->issuer_chain = f.pki.pck_ca_chain_pem(kProcessor);
  check(c, ErrorKind::kEvidenceRejected, checks::kTcbInfoChain);
  const testing::DcapFixture other = testing::DcapFixture::create();
  c = good;
  c.qe_identity->issuer_chain = other.pki.tcb_signing_chain_pem();
  check(c, ErrorKind::kEvidenceRejected, checks::kQeIdentityChain);
  // Signatures: one byte of the body changed, still well-formed JSON.
  c = good;
  c.tcb_info->json.replace(c.tcb_info->json.find("\"tcbEvaluationDataNumber\":17"), 28,
                           "\"tcbEvaluationDataNumber\":18");
  check(c, ErrorKind::kEvidenceRejected, checks::kTcbInfoSignature);
  c = good;
  c.qe_identity->json.replace(c.qe_identity->json.find("\"isvprodid\":1"), 13, "\"isvprodid\":2");
  check(c, ErrorKind::kEvidenceRejected, checks::kQeIdentitySignature);
  // The TCB Signing certificate revoked on the root CA CRL.
  testing::CollateralOptions tcb_revoked;
  tcb_revoked.revoked_cas = {testing::kTcbSigningSerial};
  check(testing::make_collateral(f.pki, kSgx,
                                 testing::default_tcb_info(kSgx, f.processor.pck_extensions),
                                 testing::default_qe_identity(kSgx), kProcessor, tcb_revoked),
        ErrorKind::kEvidenceRejected, checks::kTcbInfoChain);
}

TEST_F(DcapVerify, IdentityAndTcbFailures) {
  const Bytes sgx = quote(kSgx, 3);
  const QuoteCollateral good = f.collateral(kSgx, kProcessor);
  auto with = [&](TeeKind tee, const TcbInfo* tcb, const EnclaveIdentity* qe, PckCaType ca) {
    const PckExtensions& pck = f.of(ca).pck_extensions;
    return testing::make_collateral(f.pki, tee, tcb ? *tcb : testing::default_tcb_info(tee, pck),
                                    qe ? *qe : testing::default_qe_identity(tee), ca);
  };
  // QE identity for the wrong TEE; wrong MRSIGNER; QE below every level.
  const EnclaveIdentity td_qe = testing::default_qe_identity(kTdx);
  EXPECT_THAT(verify(sgx, kSgx, with(kSgx, nullptr, &td_qe, kProcessor)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQeIdentityMismatch));
  EnclaveIdentity other_signer = testing::default_qe_identity(kSgx);
  other_signer.mrsigner[0] ^= 1;
  EXPECT_THAT(verify(sgx, kSgx, with(kSgx, nullptr, &other_signer, kProcessor)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQeIdentityReport));
  testing::FakePlatform old_qe = testing::make_platform(f.pki, kProcessor);
  old_qe.qe_report.isv_svn = 1;
  EXPECT_THAT(verify(testing::make_quote(old_qe, {}), kSgx,
                     testing::make_collateral(
                         f.pki, kSgx, testing::default_tcb_info(kSgx, old_qe.pck_extensions),
                         testing::default_qe_identity(kSgx), kProcessor)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQeIdentityTcbLevel));
  // TCB Info for another FMSPC, or for TDX.
  TcbInfo other_fmspc = testing::default_tcb_info(kSgx, f.processor.pck_extensions);
  other_fmspc.fmspc[5] = 1;
  EXPECT_THAT(verify(sgx, kSgx, with(kSgx, &other_fmspc, nullptr, kProcessor)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kTcbInfoMismatch));
  const TcbInfo tdx_info = testing::default_tcb_info(kTdx, f.processor.pck_extensions);
  EXPECT_THAT(verify(sgx, kSgx, with(kSgx, &tdx_info, nullptr, kProcessor)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kTcbInfoMismatch));
  // No TCB level for this platform.
  const testing::FakePlatform old = testing::make_platform(f.pki, kProcessor, [](PckExtensions& e) {
    e.tcb.sgx_svns[0] = testing::kComponentBelowEveryLevel;
  });
  EXPECT_THAT(verify(testing::make_quote(old, {}), kSgx,
                     testing::make_collateral(f.pki, kSgx,
                                              testing::default_tcb_info(kSgx, old.pck_extensions),
                                              testing::default_qe_identity(kSgx), kProcessor)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kTcbLevel));
  // TDX module: another signer; a module SVN below every level.
  TcbInfo other_module = testing::default_tcb_info(kTdx, f.processor.pck_extensions);
  other_module.tdx_module_identities[0].mrsigner[0] = 1;
  EXPECT_THAT(verify(quote(kTdx, 4), kTdx, with(kTdx, &other_module, nullptr, kProcessor)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kTdxModule));
  testing::QuoteOptions old_module;
  old_module.tee = kTdx;
  old_module.version = 4;
  old_module.tweak = [](Quote& q) {
    std::get<Td10Report>(std::get<QuoteV4>(q).body).tee_tcb_svn[0] = 0;
  };
  EXPECT_THAT(
      verify(testing::make_quote(f.processor, old_module), kTdx, f.collateral(kTdx, kProcessor)),
      FailsWith(ErrorKind::kEvidenceRejected, checks::kTdxModuleTcbLevel));
}

TEST_F(DcapVerify, MissingCollateralIsSkippedOnlyWhenAllowed) {
  const Bytes q = quote(kSgx, 3);
  auto v = verify(q, kSgx, {}, testing::kDcapTestNow, true);
  ASSERT_THAT(v, Succeeds());
  EXPECT_FALSE(v->tcb());
  EXPECT_EQ(v->unchecked_collateral(),
            (std::vector<std::string>{"tcb_info", "qe_identity", "pck_crl", "root_ca_crl"}));
  bool skipped = false;
  for (const auto& r : log_.records()) {
    EXPECT_NE(r.outcome, evidence::CheckOutcome::kFail);
    skipped = skipped ||
              (r.id == checks::kTcbLevel.str() && r.outcome == evidence::CheckOutcome::kSkipped);
  }
  EXPECT_TRUE(skipped);
  EXPECT_THAT(verify(q, kSgx, {}),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kCollateralMissing));
}

TEST_F(DcapVerify, CachedResultsGiveTheSameVerdicts) {
  const Bytes q = quote(kSgx, 3);
  const QuoteCollateral c = f.collateral(kSgx, kProcessor);
  ASSERT_THAT(verify(q, kSgx, c), Succeeds());
  ASSERT_THAT(verify(q, kSgx, c), Succeeds());  // from the caches
  // Outside the windows the cached entries are not used: the validity checks fail as before.
  EXPECT_THAT(verify(q, kSgx, c, testing::kDcapNextUpdate + seconds(1)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kTcbInfoValidity));
  // A flipped quote still fails with the chain cached.
  Bytes flipped = q;
  flipped[60] ^= 1;
  EXPECT_THAT(verify(flipped, kSgx, c),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQuoteSignature));
  // Revocation still applies: a CRL listing the PCK is new input, not a cache hit.
  testing::CollateralOptions revoked;
  revoked.revoked_pcks = {100};
  EXPECT_THAT(verify(q, kSgx,
                     testing::make_collateral(
                         f.pki, kSgx, testing::default_tcb_info(kSgx, f.processor.pck_extensions),
                         testing::default_qe_identity(kSgx), kProcessor, revoked)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kPckRevoked));
}

}  // namespace
}  // namespace vouch::dcap
