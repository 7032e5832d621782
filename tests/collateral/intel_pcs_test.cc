// Intel PCS collateral: URL builders and their inverse, the online client against the fake PCS,
// the offline directory, the in-memory caching decorator, and collateral fetched for a quote
// verifying end to end.

#include "collateral/intel_pcs.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/encoding.h"
#include "collateral/intel_pcs_sources.h"
#include "evidence/dcap/check_ids.h"
#include "evidence/dcap/verify.h"
#include "testing/dcap_builder.h"
#include "testing/fake_intel_pcs.h"
#include "testing/matchers.h"
#include "testing/temp_dir.h"

namespace vouch::collateral {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::FailsWith;
using testing::Succeeds;

PckCertificateRequest pck_request() {
  PckCertificateRequest r;
  r.encrypted_ppid = Bytes(384, 0xab);
  r.cpu_svn.fill(0x0a);
  r.pce_svn = 0x0d;
  r.pce_id = {0, 0};
  return r;
}

TEST(IntelPcsUrls, BuildersAndParserAreInverse) {
  const PcsUrls urls;
  const Fmspc fmspc = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
  EXPECT_EQ(tcb_info_url(urls, IntelTee::kTdx, fmspc),
            "https://api.trustedservices.intel.com/tdx/certification/v4/tcb?fmspc=00906ed50000");
  EXPECT_EQ(qe_identity_url(urls, IntelTee::kSgx),
            "https://api.trustedservices.intel.com/sgx/certification/v4/qe/identity");
  EXPECT_EQ(pck_crl_url(urls, IntelCa::kPlatform),
            "https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=platform&"
            "encoding=der");
  auto tcb = parse_pcs_url(urls, tcb_info_url(urls, IntelTee::kTdx, fmspc));
  ASSERT_THAT(tcb, Succeeds());
  EXPECT_EQ(tcb->kind, PcsRequest::Kind::kTcbInfo);
  EXPECT_EQ(tcb->tee, IntelTee::kTdx);
  EXPECT_EQ(tcb->fmspc, fmspc);
  auto crl = parse_pcs_url(urls, pck_crl_url(urls, IntelCa::kPlatform));
  ASSERT_THAT(crl, Succeeds());
  EXPECT_EQ(crl->ca, IntelCa::kPlatform);
  auto pck = parse_pcs_url(urls, pck_certificate_url(urls, pck_request()));
  ASSERT_THAT(pck, Succeeds());
  EXPECT_EQ(pck->pck.encrypted_ppid, pck_request().encrypted_ppid);
  EXPECT_EQ(pck->pck.pce_svn, 0x0d);
  EXPECT_EQ(parse_pcs_url(urls, urls.root_ca_crl)->kind, PcsRequest::Kind::kRootCaCrl);
  for (const char* bad :
       {"https://example.com/sgx/certification/v4/qe/identity",
        "https://api.trustedservices.intel.com/sgx/certification/v3/qe/identity",
        "https://api.trustedservices.intel.com/sgx/certification/v4/tcb?fmspc=00",
        "https://api.trustedservices.intel.com/tdx/certification/v4/pckcrl?ca=processor",
        "https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=x",
        "https://api.trustedservices.intel.com/sgx/certification/v4/"
        "tcb?fmspc=00906ed50000&fmspc=1"}) {
    EXPECT_THAT(parse_pcs_url(urls, bad), FailsWith(ErrorKind::kInvalidArgument, checks::kPcsUrl))
        << bad;
  }
}

TEST(IntelPcsUrls, PercentEncodingRoundTrips) {
  const std::string pem = "-----BEGIN CERTIFICATE-----\nMIIC+/=\n-----END CERTIFICATE-----\n";
  EXPECT_EQ(url_decode(url_encode(pem)).value(), pem);
  EXPECT_THAT(url_decode("%4"), FailsWith(ErrorKind::kCollateralUnavailable, checks::kPcsResponse));
  EXPECT_THAT(url_decode("%zz"),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kPcsResponse));
}

class IntelPcsSources : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto tee : {dcap::TeeKind::kSgx, dcap::TeeKind::kTdx}) {
      pcs_.add(tee, f_.collateral(tee, dcap::PckCaType::kProcessor), dcap::PckCaType::kProcessor);
    }
    pcs_.add_pck_certificate(pck_request(), f_.processor);
  }
  const Fmspc& fmspc() const { return f_.processor.pck_extensions.fmspc; }

  testing::DcapFixture f_ = testing::DcapFixture::create();
  testing::FakeIntelPcs pcs_{f_.pki};
};

TEST_F(IntelPcsSources, OnlineClientDecodesBodiesAndIssuerChains) {
  OnlineIntelPcs online(pcs_);
  auto tcb = online.tcb_info(IntelTee::kSgx, fmspc(), {});
  ASSERT_THAT(tcb, Succeeds());
  EXPECT_EQ(tcb->issuer_chain, f_.pki.tcb_signing_chain_pem());
  EXPECT_NE(tcb->json.find("\"tcbInfo\""), std::string::npos);
  auto qe = online.qe_identity(IntelTee::kTdx, {});
  ASSERT_THAT(qe, Succeeds());
  EXPECT_NE(qe->json.find("TD_QE"), std::string::npos);
  auto crl = online.pck_crl(IntelCa::kProcessor);
  ASSERT_THAT(crl, Succeeds());
  EXPECT_EQ(crl->issuer_chain, f_.pki.pck_ca_chain_pem(dcap::PckCaType::kProcessor));
  ASSERT_THAT(online.root_ca_crl(), Succeeds());
  auto pck = online.pck_certificate(pck_request());
  ASSERT_THAT(pck, Succeeds());
  EXPECT_EQ(pck->ca_type, "processor");
  EXPECT_EQ(pck->fmspc, hex_encode(fmspc()));
  EXPECT_THAT(online.pck_crl(IntelCa::kPlatform),
              FailsWith(ErrorKind::kNotFound, checks::kPcsNotFound));
  pcs_.omit_chain_headers(true);
  EXPECT_THAT(online.tcb_info(IntelTee::kSgx, fmspc(), {}),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kPcsResponse));
  pcs_.omit_chain_headers(false);
  pcs_.fail_with(503);
  EXPECT_THAT(online.qe_identity(IntelTee::kSgx, {}),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kPcsStatus));
}

TEST_F(IntelPcsSources, CollateralFetchedForAQuoteVerifies) {
  OnlineIntelPcs online(pcs_);
  for (auto tee : {dcap::TeeKind::kSgx, dcap::TeeKind::kTdx}) {
    testing::QuoteOptions o;
    o.tee = tee;
    o.version = 4;
    const Bytes quote = testing::make_quote(f_.processor, o);
    auto c = dcap::fetch_collateral(online, quote);
    ASSERT_THAT(c, Succeeds());
    evidence::CheckLog log;
    EXPECT_THAT(f_.verifier().verify(quote, tee, *c, {testing::kDcapTestNow, false}, log),
                Succeeds());
  }
}

TEST_F(IntelPcsSources, OfflineDirectoryServesTheSameItems) {
  testing::TempDir dir;
  OnlineIntelPcs online(pcs_);
  auto write = [&](const std::string& rel, const std::string& body, const std::string& chain) {
    std::filesystem::create_directories(std::filesystem::path(dir.file(rel)).parent_path());
    testing::write_file(dir.file(rel), body);
    if (!chain.empty()) {
      testing::write_file(dir.file(rel + ".chain.pem"), chain);
    }
  };
  const auto tcb = online.tcb_info(IntelTee::kSgx, fmspc(), {}).value();
  write(OfflineIntelPcs::tcb_info_path(IntelTee::kSgx, fmspc()), tcb.json, tcb.issuer_chain);
  const auto qe = online.qe_identity(IntelTee::kSgx, {}).value();
  write(OfflineIntelPcs::qe_identity_path(IntelTee::kSgx), qe.json, qe.issuer_chain);
  const auto crl = online.pck_crl(IntelCa::kProcessor).value();
  write(OfflineIntelPcs::pck_crl_path(IntelCa::kProcessor),
        std::string(crl.crl.begin(), crl.crl.end()), crl.issuer_chain);
  const auto root = online.root_ca_crl().value();
  write(OfflineIntelPcs::root_ca_crl_path(), std::string(root.crl.begin(), root.crl.end()), "");

  OfflineIntelPcs offline(dir.path());
  auto got = offline.tcb_info(IntelTee::kSgx, fmspc(), {});
  ASSERT_THAT(got, Succeeds());
  EXPECT_EQ(got->json, tcb.json);
  EXPECT_EQ(got->issuer_chain, tcb.issuer_chain);
  EXPECT_EQ(offline.pck_crl(IntelCa::kProcessor)->crl, crl.crl);
  EXPECT_EQ(offline.root_ca_crl()->issuer_chain, "");
  EXPECT_THAT(offline.tcb_info(IntelTee::kTdx, fmspc(), {}),
              FailsWith(ErrorKind::kNotFound, checks::kPcsNotFound));
  const Bytes quote = testing::make_quote(f_.processor, {});
  auto c = dcap::fetch_collateral(offline, quote);
  ASSERT_THAT(c, Succeeds());
  evidence::CheckLog log;
  EXPECT_THAT(
      f_.verifier().verify(quote, dcap::TeeKind::kSgx, *c, {testing::kDcapTestNow, false}, log),
      Succeeds());
}

TEST_F(IntelPcsSources, CacheRefreshesBeforeNextUpdateAndServesStaleOnlyWithinGrace) {
  OnlineIntelPcs online(pcs_);
  FixedClock clock(testing::kDcapTestNow);
  CachingIntelPcs::Options options;
  options.refresh_ahead = hours(24);
  options.stale_grace = hours(12);
  options.min_refresh_interval = seconds(300);
  CachingIntelPcs cache(online, clock, options);

  ASSERT_THAT(cache.tcb_info(IntelTee::kSgx, fmspc(), {}), Succeeds());
  ASSERT_THAT(cache.tcb_info(IntelTee::kSgx, fmspc(), {}), Succeeds());
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 1u);
  const std::size_t fetched = pcs_.requests().size();

  // A day before nextUpdate the entry is refreshed from the source.
  clock.set(testing::kDcapNextUpdate - hours(23));
  ASSERT_THAT(cache.tcb_info(IntelTee::kSgx, fmspc(), {}), Succeeds());
  EXPECT_EQ(pcs_.requests().size(), fetched + 1);
  // Within min_refresh_interval it is served from memory again.
  clock.set(testing::kDcapNextUpdate - hours(23) + seconds(10));
  ASSERT_THAT(cache.tcb_info(IntelTee::kSgx, fmspc(), {}), Succeeds());
  EXPECT_EQ(pcs_.requests().size(), fetched + 1);

  // The source fails: the old entry is served until nextUpdate + grace, then not.
  pcs_.fail_with(503);
  clock.set(testing::kDcapNextUpdate + hours(11));
  EXPECT_THAT(cache.tcb_info(IntelTee::kSgx, fmspc(), {}), Succeeds());
  clock.set(testing::kDcapNextUpdate + hours(13));
  EXPECT_THAT(cache.tcb_info(IntelTee::kSgx, fmspc(), {}),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kPcsStale));
  // Items never fetched report the source's own failure.
  EXPECT_THAT(cache.qe_identity(IntelTee::kTdx, {}),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kPcsStatus));
}

TEST_F(IntelPcsSources, CacheKeepsItemsApart) {
  OnlineIntelPcs online(pcs_);
  FixedClock clock(testing::kDcapTestNow);
  CachingIntelPcs cache(online, clock);
  const auto sgx = cache.qe_identity(IntelTee::kSgx, {}).value();
  const auto tdx = cache.qe_identity(IntelTee::kTdx, {}).value();
  EXPECT_NE(sgx.json, tdx.json);
  EXPECT_EQ(cache.qe_identity(IntelTee::kSgx, {})->json, sgx.json);
  ASSERT_THAT(cache.pck_crl(IntelCa::kProcessor), Succeeds());
  ASSERT_THAT(cache.root_ca_crl(), Succeeds());
  ASSERT_THAT(cache.pck_certificate(pck_request()), Succeeds());
  ASSERT_THAT(cache.pck_certificate(pck_request()), Succeeds());
  EXPECT_EQ(cache.misses(), 5u);
  EXPECT_EQ(cache.hits(), 2u);
}

TEST(IntelPcsFreshness, NextUpdateIsReadFromEachKind) {
  const testing::DcapFixture f = testing::DcapFixture::create();
  const auto c = f.collateral(dcap::TeeKind::kSgx, dcap::PckCaType::kProcessor);
  EXPECT_EQ(next_update_of(*c.tcb_info).value(), testing::kDcapNextUpdate);
  EXPECT_EQ(next_update_of(*c.qe_identity).value(), testing::kDcapNextUpdate);
  EXPECT_EQ(next_update_of(*c.pck_crl).value(), testing::kDcapNextUpdate);
  EXPECT_THAT(next_update_of(IntelSignedJson{"{}", ""}),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kPcsResponse));
  EXPECT_THAT(next_update_of(IntelCrl{Bytes{1, 2}, ""}),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kPcsResponse));
}

TEST(IntelPcsBaselines, NamesParseAndUrlsCarryTheBaseline) {
  EXPECT_EQ(parse_tcb_baseline("latest").value(), TcbBaseline::latest());
  EXPECT_EQ(parse_tcb_baseline("standard").value(), TcbBaseline::latest());
  EXPECT_EQ(parse_tcb_baseline("early").value(), TcbBaseline::early());
  EXPECT_EQ(parse_tcb_baseline("16").value(), TcbBaseline::evaluation_data_number(16));
  for (const char* bad : {"", "0", "-1", "16x", "2147483648", "newest"}) {
    EXPECT_THAT(parse_tcb_baseline(bad),
                FailsWith(ErrorKind::kInvalidArgument, checks::kPcsBaseline))
        << bad;
  }
  for (const TcbBaseline b :
       {TcbBaseline::latest(), TcbBaseline::early(), TcbBaseline::evaluation_data_number(17)}) {
    EXPECT_EQ(parse_tcb_baseline(tcb_baseline_name(b)).value(), b);
  }

  const PcsUrls urls;
  const Fmspc fmspc = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
  const TcbBaseline n16 = TcbBaseline::evaluation_data_number(16);
  EXPECT_EQ(tcb_info_url(urls, IntelTee::kSgx, fmspc, n16),
            "https://api.trustedservices.intel.com/sgx/certification/v4/"
            "tcb?fmspc=00906ed50000&tcbEvaluationDataNumber=16");
  EXPECT_EQ(qe_identity_url(urls, IntelTee::kTdx, TcbBaseline::early()),
            "https://api.trustedservices.intel.com/tdx/certification/v4/qe/identity?update=early");
  for (const TcbBaseline b : {TcbBaseline::latest(), TcbBaseline::early(), n16}) {
    auto tcb = parse_pcs_url(urls, tcb_info_url(urls, IntelTee::kSgx, fmspc, b));
    ASSERT_THAT(tcb, Succeeds());
    EXPECT_EQ(tcb->baseline, b);
    auto qe = parse_pcs_url(urls, qe_identity_url(urls, IntelTee::kSgx, b));
    ASSERT_THAT(qe, Succeeds());
    EXPECT_EQ(qe->kind, PcsRequest::Kind::kQeIdentity);
    EXPECT_EQ(qe->baseline, b);
  }
  auto list = parse_pcs_url(urls, tcb_evaluation_data_numbers_url(urls, IntelTee::kTdx));
  ASSERT_THAT(list, Succeeds());
  EXPECT_EQ(list->kind, PcsRequest::Kind::kTcbEvaluationDataNumbers);
  EXPECT_EQ(list->tee, IntelTee::kTdx);
  for (const char* bad : {"https://api.trustedservices.intel.com/sgx/certification/v4/"
                          "qe/identity?tcbEvaluationDataNumber=0",
                          "https://api.trustedservices.intel.com/sgx/certification/v4/"
                          "qe/identity?update=late",
                          "https://api.trustedservices.intel.com/sgx/certification/v4/"
                          "tcb?fmspc=00906ed50000&update=early&tcbEvaluationDataNumber=3",
                          "https://api.trustedservices.intel.com/sgx/certification/v4/"
                          "pckcrl?ca=processor&update=early"}) {
    EXPECT_THAT(parse_pcs_url(urls, bad), FailsWith(ErrorKind::kInvalidArgument, checks::kPcsUrl))
        << bad;
  }
}

TEST(IntelPcsBaselines, OfflinePathsKeepBaselinesAndPlatformsApart) {
  const Fmspc fmspc = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
  EXPECT_EQ(OfflineIntelPcs::tcb_info_path(IntelTee::kSgx, fmspc),
            "sgx/certification/v4/tcb/00906ed50000.json");
  EXPECT_EQ(OfflineIntelPcs::tcb_info_path(IntelTee::kSgx, fmspc,
                                           TcbBaseline::evaluation_data_number(16)),
            "sgx/certification/v4/tcb/00906ed50000.16.json");
  EXPECT_EQ(OfflineIntelPcs::qe_identity_path(IntelTee::kTdx, TcbBaseline::early()),
            "tdx/certification/v4/qe/identity.early.json");
  // Two platforms with the same TCB (PCE-ID, CPUSVN, PCESVN) never share a PCK entry.
  PckCertificateRequest a = pck_request();
  PckCertificateRequest b = pck_request();
  b.encrypted_ppid[0] ^= 1;
  EXPECT_NE(OfflineIntelPcs::pck_certificate_path(a), OfflineIntelPcs::pck_certificate_path(b));
  PckCertificateRequest none = pck_request();
  none.encrypted_ppid.clear();
  EXPECT_EQ(OfflineIntelPcs::pck_certificate_path(none),
            "sgx/certification/v4/pckcert/0000-0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a-0d00.pem");
}

TEST_F(IntelPcsSources, BaselinesAreFetchedCachedAndListed) {
  dcap::TcbInfo old = testing::default_tcb_info(dcap::TeeKind::kSgx, f_.processor.pck_extensions);
  old.tcb_evaluation_data_number = 16;
  dcap::EnclaveIdentity qe = testing::default_qe_identity(dcap::TeeKind::kSgx);
  qe.tcb_evaluation_data_number = 16;
  pcs_.add_baseline(
      dcap::TeeKind::kSgx, testing::sign_json(f_.pki, "tcbInfo", testing::tcb_info_body(old)),
      testing::sign_json(f_.pki, "enclaveIdentity", testing::enclave_identity_body(qe)));
  OnlineIntelPcs online(pcs_);
  FixedClock clock(testing::kDcapTestNow);
  CachingIntelPcs cache(online, clock);
  const TcbBaseline n16 = TcbBaseline::evaluation_data_number(16);
  const auto latest = cache.tcb_info(IntelTee::kSgx, fmspc(), {}).value();
  const auto pinned = cache.tcb_info(IntelTee::kSgx, fmspc(), n16).value();
  EXPECT_NE(latest.json, pinned.json);
  EXPECT_EQ(cache.tcb_info(IntelTee::kSgx, fmspc(), n16)->json, pinned.json);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_THAT(cache.tcb_info(IntelTee::kSgx, fmspc(), TcbBaseline::evaluation_data_number(15)),
              FailsWith(ErrorKind::kNotFound, checks::kPcsNotFound));

  // The pinned collateral verifies only when the verification asks for that number.
  const Bytes quote = testing::make_quote(f_.processor, {});
  auto c = dcap::fetch_collateral(cache, quote, n16);
  ASSERT_THAT(c, Succeeds());
  dcap::VerifyOptions options{testing::kDcapTestNow, false};
  options.tcb_evaluation_data_number = 16;
  evidence::CheckLog log;
  auto verified = f_.verifier().verify(quote, dcap::TeeKind::kSgx, *c, options, log);
  ASSERT_THAT(verified, Succeeds());
  EXPECT_EQ(verified->tcb_info()->tcb_evaluation_data_number, 16u);
  options.tcb_evaluation_data_number = 17;  // a source that served another baseline
  evidence::CheckLog log2;
  EXPECT_THAT(f_.verifier().verify(quote, dcap::TeeKind::kSgx, *c, options, log2),
              FailsWith(ErrorKind::kEvidenceRejected, dcap::checks::kCollateralBaseline));

  auto list = online.tcb_evaluation_data_numbers(IntelTee::kSgx);
  ASSERT_THAT(list, Succeeds());
  EXPECT_EQ(list->issuer_chain, f_.pki.tcb_signing_chain_pem());
  EXPECT_EQ(next_update_of(*list).value(), testing::kDcapNextUpdate);
  auto numbers = read_tcb_evaluation_data_numbers(*list);
  ASSERT_THAT(numbers, Succeeds());
  ASSERT_EQ(numbers->size(), 2u);
  EXPECT_EQ((*numbers)[0].number, 17u);
  EXPECT_EQ((*numbers)[1].number, 16u);
  EXPECT_LT((*numbers)[1].tcb_recovery_event_date, (*numbers)[0].tcb_recovery_event_date);
  EXPECT_THAT(
      read_tcb_evaluation_data_numbers(IntelSignedJson{"{\"tcbEvaluationDataNumbers\":{}}", ""}),
      FailsWith(ErrorKind::kCollateralUnavailable, checks::kPcsResponse));
}

TEST_F(IntelPcsSources, VerificationAcceptsStaleItemsOnlyInsideTheGraceAndSaysSo) {
  OnlineIntelPcs online(pcs_);
  const Bytes quote = testing::make_quote(f_.processor, {});
  auto c = dcap::fetch_collateral(online, quote);
  ASSERT_THAT(c, Succeeds());
  dcap::VerifyOptions options{testing::kDcapNextUpdate + hours(1), false};
  evidence::CheckLog log;
  EXPECT_THAT(f_.verifier().verify(quote, dcap::TeeKind::kSgx, *c, options, log),
              FailsWith(ErrorKind::kEvidenceRejected, dcap::checks::kTcbInfoValidity));
  options.stale_grace = hours(2);
  evidence::CheckLog log2;
  auto verified = f_.verifier().verify(quote, dcap::TeeKind::kSgx, *c, options, log2);
  ASSERT_THAT(verified, Succeeds());
  ASSERT_EQ(verified->stale_collateral().size(), 4u);
  EXPECT_EQ(verified->stale_collateral()[0].item, "tcb_info");
  EXPECT_EQ(verified->stale_collateral()[0].past_next_update, hours(1));
  options.at = testing::kDcapNextUpdate + hours(3);
  evidence::CheckLog log3;
  EXPECT_THAT(f_.verifier().verify(quote, dcap::TeeKind::kSgx, *c, options, log3),
              FailsWith(ErrorKind::kEvidenceRejected, dcap::checks::kTcbInfoValidity));
}

}  // namespace
}  // namespace vouch::collateral
