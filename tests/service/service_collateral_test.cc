// The collateral service (docs/collateral.md) end to end over HTTP on 127.0.0.1: a fake Intel
// PCS / AMD KDS server, node A using it as its source, node B using node A as its PCCS / KDS;
// the store-backed cache across restarts; stale collateral within the grace, then 503; retries
// on 429 with Retry-After; coalescing of identical concurrent requests.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "base/encoding.h"
#include "collateral/intel_pcs.h"
#include "testing/dcap_builder.h"
#include "testing/fake_amd_pki.h"
#include "testing/service_harness.h"
#include "testing/temp_dir.h"
#include "tests/service/fake_collateral_server.h"

namespace vouch::testing {
namespace {

using nlohmann::json;
using std::chrono::hours;

constexpr const char* kApi = "?api-version=2022-08-01";

class CollateralService : public ::testing::Test {
 protected:
  // A node whose Intel and AMD sources are `pcs_url` / `kds_url` (empty: none).
  std::unique_ptr<ServiceHarness> node(const std::string& pcs_url, const std::string& kds_url = {},
                                       std::function<void(service::Config&)> more = {},
                                       const std::string& data_dir = {}) {
    ServiceHarnessOptions o;
    o.start_time = kDcapTestNow;
    o.verifiers = dcap_test_verifiers(f_.pki.root);
    o.configure = [=](service::Config& c) {
      c.intel_pcs_url = pcs_url;
      c.amd_kds_url = kds_url;
      c.collateral_retries = 0;
      c.workers = 8;
      if (!data_dir.empty()) {
        c.data_dir = data_dir;
      }
      if (more) {
        more(c);
      }
    };
    auto h = std::make_unique<ServiceHarness>(std::move(o));
    EXPECT_TRUE(h->started()) << h->start_error();
    return h;
  }
  std::string tcb_target() const {
    return "/sgx/certification/v4/tcb?fmspc=" + hex_encode(f_.processor.pck_extensions.fmspc);
  }
  std::string sgx_body() const {
    return json{{"quote", base64url_encode(make_quote(f_.processor, {}))}}.dump();
  }

  DcapFixture f_ = DcapFixture::create();
  FakeCollateralServer pcs_{f_};
};

TEST_F(CollateralService, NodeBUsesNodeAAsItsPcsAndAttestsThroughIt) {
  auto a = node(pcs_.url());
  auto b = node(a->url());
  ASSERT_TRUE(a->started() && b->started());

  const ClientResponse att = b->post(std::string("/attest/SgxEnclave") + kApi, sgx_body());
  ASSERT_EQ(att.status, 200) << att.body;
  EXPECT_FALSE(b->verify_token(body_json(att)["token"]).is_null());

  // PCCS-shaped answers: body as PCS sends it, issuer chain URL-encoded in the header.
  const ClientResponse tcb = b->get(tcb_target());
  ASSERT_EQ(tcb.status, 200) << tcb.body;
  EXPECT_NE(tcb.body.find("\"tcbInfo\""), std::string::npos);
  EXPECT_EQ(collateral::url_decode(header_of(tcb, "tcb-info-issuer-chain")).value(),
            f_.pki.tcb_signing_chain_pem());
  const ClientResponse qe = a->get("/tdx/certification/v4/qe/identity");
  ASSERT_EQ(qe.status, 200) << qe.body;
  EXPECT_NE(qe.body.find("TD_QE"), std::string::npos);
  EXPECT_FALSE(header_of(qe, "sgx-enclave-identity-issuer-chain").empty());
  const ClientResponse crl = b->get("/sgx/certification/v4/pckcrl?ca=processor&encoding=der");
  ASSERT_EQ(crl.status, 200) << crl.body;
  EXPECT_EQ(collateral::url_decode(header_of(crl, "sgx-pck-crl-issuer-chain")).value(),
            f_.pki.pck_ca_chain_pem(dcap::PckCaType::kProcessor));
  const ClientResponse pem = b->get("/sgx/certification/v4/pckcrl?ca=processor");
  ASSERT_EQ(pem.status, 200);
  EXPECT_NE(pem.body.find("-----BEGIN X509 CRL-----"), std::string::npos);
  EXPECT_EQ(b->get("/sgx/certification/v4/rootcacrl").status, 200);
  EXPECT_EQ(b->get("/sgx/certification/v4/pckcrl?ca=platform").status, 404);
  const ClientResponse bad = b->get("/sgx/certification/v4/tcb?fmspc=zz");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(check_of(bad), "collateral.pcs.url");

  // Node A fetched each item from the PCS once, however often B asked.
  const std::size_t seen = pcs_.requests_for("/tcb");
  EXPECT_EQ(b->get(tcb_target()).status, 200);
  EXPECT_EQ(a->get(tcb_target()).status, 200);
  EXPECT_EQ(pcs_.requests_for("/tcb"), seen);
  EXPECT_EQ(seen, 1u);
}

TEST_F(CollateralService, AmdKdsPathsAreServedFromTheSourceChain) {
  auto a = node({}, pcs_.url());
  auto b = node({}, a->url());
  ASSERT_TRUE(a->started() && b->started());
  const ClientResponse chain = b->get("/vcek/v1/Milan/cert_chain");
  ASSERT_EQ(chain.status, 200) << chain.body;
  EXPECT_EQ(collateral::pem_certificates_to_der(as_bytes(chain.body))->size(), 2u);
  EXPECT_EQ(b->get("/vcek/v1/Milan/cert_chain").status, 200);
  EXPECT_EQ(pcs_.requests_for("/cert_chain"), 1u);
  const ClientResponse vcek =
      b->get("/vcek/v1/Milan/" + std::string(128, 'a') + "?blSPL=1&teeSPL=0&snpSPL=8&ucodeSPL=115");
  EXPECT_EQ(vcek.status, 404) << vcek.body;  // the fake KDS knows no such chip
  const ClientResponse bad = b->get("/vcek/v1/Nope/cert_chain");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(check_of(bad), "collateral.amd_kds.url");
}

TEST_F(CollateralService, CacheSurvivesRestartThenStaleWithinGraceThen503) {
  TempDir dir;
  const std::string data = dir.file("data");
  auto grace = [](service::Config& c) { c.collateral_stale_grace = std::chrono::hours(2); };
  {
    auto a = node(pcs_.url(), {}, grace, data);
    ASSERT_EQ(a->get(tcb_target()).status, 200);
  }
  const std::size_t before = pcs_.requests();
  pcs_.fail_with(503);  // the source is down from now on

  auto a = node(pcs_.url(), {}, grace, data);
  ASSERT_TRUE(a->started());
  ASSERT_EQ(a->get(tcb_target()).status, 200);  // from the store: no request to the source
  EXPECT_EQ(pcs_.requests(), before);
  const ClientResponse att = a->post(std::string("/attest/SgxEnclave") + kApi, sgx_body());
  EXPECT_EQ(att.status, 503) << att.body;  // QE identity etc. were never stored

  // Past nextUpdate the refresh fails: the stored item is served inside the grace ...
  a->clock().set(kDcapNextUpdate + hours(1));
  const ClientResponse stale = a->get(tcb_target());
  EXPECT_EQ(stale.status, 200) << stale.body;
  EXPECT_GT(pcs_.requests(), before);
  // ... and after it the answer is 503 with the check id and Retry-After.
  a->clock().set(kDcapNextUpdate + hours(3));
  const ClientResponse gone = a->get(tcb_target());
  EXPECT_EQ(gone.status, 503) << gone.body;
  EXPECT_EQ(check_of(gone), "collateral.pcs.stale");
  EXPECT_FALSE(header_of(gone, "retry-after").empty());
  a->stop();
  EXPECT_NE(a->log_text().find("stale collateral served within the grace"), std::string::npos);
}

TEST_F(CollateralService, RetriesOn429HonouringRetryAfter) {
  auto a = node(pcs_.url(), {}, [](service::Config& c) { c.collateral_retries = 2; });
  ASSERT_TRUE(a->started());
  pcs_.throttle(2, 1);
  const auto start = std::chrono::steady_clock::now();
  const ClientResponse r = a->get(tcb_target());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(pcs_.requests_for("/tcb"), 3u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1900));

  // Without retries left the 429 surfaces as collateral unavailable.
  pcs_.throttle(5, 0);
  const ClientResponse r2 = a->get("/sgx/certification/v4/qe/identity");
  EXPECT_EQ(r2.status, 503) << r2.body;
  EXPECT_EQ(check_of(r2), "collateral.pcs.status");
}

TEST_F(CollateralService, IdenticalConcurrentRequestsMakeOneUpstreamFetch) {
  auto a = node(pcs_.url());
  ASSERT_TRUE(a->started());
  pcs_.set_delay(std::chrono::milliseconds(600));
  constexpr int kClients = 6;
  std::vector<std::future<int>> answers;
  for (int i = 0; i < kClients; ++i) {
    answers.push_back(std::async(std::launch::async, [&] {
      HttpClient client("127.0.0.1", a->port());
      return client.request("GET", tcb_target()).status;
    }));
  }
  for (auto& f : answers) {
    EXPECT_EQ(f.get(), 200);
  }
  EXPECT_EQ(pcs_.requests_for("/tcb"), 1u);
}

TEST_F(CollateralService, NodeWithoutSourcesAnswersNotFound) {
  auto a = node({});
  ASSERT_TRUE(a->started());
  const ClientResponse r = a->get(tcb_target());
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(check_of(r), "collateral.pcs.not_found");
  // The verifier still fails closed as before (no source configured, nothing stored).
  const ClientResponse att = a->post(std::string("/attest/SgxEnclave") + kApi, sgx_body());
  EXPECT_EQ(att.status, 503);
  EXPECT_EQ(check_of(att), "appraisal.collateral.source");
}

}  // namespace
}  // namespace vouch::testing
