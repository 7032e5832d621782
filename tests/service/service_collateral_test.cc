// The collateral service (docs/collateral.md) end to end over HTTP on 127.0.0.1: a fake Intel
// PCS / AMD KDS server, node A using it as its source, node B using node A as its PCCS / KDS;
// the store-backed cache across restarts; stale collateral within the grace, then 503; retries
// on 429 with Retry-After; coalescing of identical concurrent requests; TCB baselines (a tenant
// pinned to an older tcbEvaluationDataNumber, GET /tcbbaselines); stale collateral as a claim;
// collateral imported into a running node without a source.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "base/encoding.h"
#include "collateral/intel_pcs.h"
#include "service/collateral_store.h"
#include "store/store.h"
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
  // A source that is down is not asked again on every request: once per min_refresh_interval.
  const std::size_t after_attempt = pcs_.requests();
  a->clock().set(kDcapNextUpdate + hours(1) + std::chrono::minutes(1));
  EXPECT_EQ(a->get(tcb_target()).status, 200);
  EXPECT_EQ(pcs_.requests(), after_attempt);
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

// --- TCB baselines ---

// A platform whose SGX TCB is OutOfDate under the latest TCB Info (17) and UpToDate under the
// older baseline 16, which the fake PCS also serves.
class TcbBaselines : public CollateralService {
 protected:
  void SetUp() override {
    using dcap::TeeKind;
    for (TeeKind tee : {TeeKind::kSgx, TeeKind::kTdx}) {
      dcap::TcbInfo old = default_tcb_info(tee, f_.processor.pck_extensions);
      old.tcb_evaluation_data_number = 16;
      for (auto& level : old.levels) {
        if (level.status == dcap::TcbStatus::kOutOfDate) {
          level.status = dcap::TcbStatus::kUpToDate;  // before the recovery event of 17
        }
      }
      dcap::EnclaveIdentity qe = default_qe_identity(tee);
      qe.tcb_evaluation_data_number = 16;
      pcs_.add_baseline(tee, sign_json(f_.pki, "tcbInfo", tcb_info_body(old)),
                        sign_json(f_.pki, "enclaveIdentity", enclave_identity_body(qe)));
    }
  }
  std::string outdated_body() const {
    const FakePlatform p = make_platform(f_.pki, dcap::PckCaType::kProcessor, [](auto& e) {
      e.tcb.sgx_svns[0] = kComponentForOutOfDate;
    });
    return json{{"quote", base64url_encode(make_quote(p, {}))}}.dump();
  }
  static json attest_claims(ServiceHarness& h, const std::string& body, int* status = nullptr) {
    const ClientResponse r = h.post(std::string("/attest/SgxEnclave") + kApi, body);
    if (status != nullptr) {
      *status = r.status;
    }
    if (r.status != 200) {
      ADD_FAILURE() << r.body;
      return json::object();
    }
    return h.verify_token(body_json(r)["token"]);
  }
};

TEST_F(TcbBaselines, TenantPinnedToAnOlderBaselineGetsItsTcbStatus) {
  auto a = node(pcs_.url());
  ASSERT_TRUE(a->started());
  const json latest = attest_claims(*a, outdated_body());
  EXPECT_EQ(latest["dcap.tcb_status"], "OutOfDate") << latest.dump();
  EXPECT_EQ(latest["dcap.tcb_evaluation_data_number"], 17);
  EXPECT_EQ(latest["x-ms-sgx-tcbidentifier"], "latest");

  const ClientResponse set =
      a->put("/admin/settings", json{{"tcb_baseline", 16}}.dump(), a->admin_key());
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(body_json(set)["settings"]["tcb_baseline"], 16);
  const json pinned = attest_claims(*a, outdated_body());
  EXPECT_EQ(pinned["dcap.tcb_status"], "UpToDate") << pinned.dump();
  EXPECT_EQ(pinned["dcap.tcb_evaluation_data_number"], 16);
  EXPECT_EQ(pinned["x-ms-sgx-tcbidentifier"], "16");
  EXPECT_EQ(pinned["dcap.tcb_baseline"], "16");
  EXPECT_EQ(pcs_.requests_for("tcbEvaluationDataNumber=16"), 2u);  // TCB Info and QE identity

  // A baseline the source does not offer: the source's 404 passes through, nothing is signed.
  ASSERT_EQ(a->put("/admin/settings", json{{"tcb_baseline", 15}}.dump(), a->admin_key()).status,
            200);
  const ClientResponse missing = a->post(std::string("/attest/SgxEnclave") + kApi, outdated_body());
  EXPECT_NE(missing.status, 200);
  EXPECT_EQ(check_of(missing), "collateral.pcs.not_found") << missing.body;
  const ClientResponse bad =
      a->put("/admin/settings", json{{"tcb_baseline", "newest"}}.dump(), a->admin_key());
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(check_of(bad), "service.tenant.settings");
}

TEST_F(TcbBaselines, PolicyConfigurationRuleSelectsTheBaseline) {
  auto a = node(pcs_.url());
  ASSERT_TRUE(a->started());
  const std::string policy =
      "version=1.1; configurationrules{ => issueproperty(type=\"x-ms-sgx-tcbidentifier\", "
      "value=\"16\"); }; authorizationrules{ => permit(); }; issuancerules{};";
  const ClientResponse put = a->put(std::string("/policies/SgxEnclave") + kApi,
                                    unsigned_policy_jws(policy), a->admin_key());
  ASSERT_EQ(put.status, 200) << put.body;
  const json claims = attest_claims(*a, outdated_body());
  EXPECT_EQ(claims["dcap.tcb_status"], "UpToDate") << claims.dump();
  EXPECT_EQ(claims["x-ms-sgx-tcbidentifier"], "16");
  // TdxVm policies have no such property: the tenant's setting (latest) applies.
  const ClientResponse baselines =
      a->get("/tcbbaselines/SgxEnclave?api-version=2025-06-01", a->admin_key());
  ASSERT_EQ(baselines.status, 200) << baselines.body;
  for (const json& b : body_json(baselines)["tcbBaselines"]) {
    EXPECT_EQ(b["isSelectedTcb"], b["tcbIdentifier"] == "16") << b.dump();
  }
}

TEST_F(TcbBaselines, ListsTheSourcesBaselinesAndTheTenantsChoice) {
  auto a = node(pcs_.url());
  ASSERT_TRUE(a->started());
  const std::string target = "/tcbbaselines/SgxEnclave?api-version=2025-06-01";
  EXPECT_EQ(a->get(target).status, 401);
  EXPECT_EQ(a->get("/tcbbaselines/SgxEnclave?api-version=2022-08-01", a->admin_key()).status, 400);
  EXPECT_EQ(a->get("/tcbbaselines/SevSnpVm?api-version=2025-06-01", a->admin_key()).status, 404);

  const ClientResponse r = a->get(target, a->admin_key());
  ASSERT_EQ(r.status, 200) << r.body;
  const json list = body_json(r)["tcbBaselines"];
  ASSERT_EQ(list.size(), 4u) << r.body;  // latest, early, 17, 16
  EXPECT_EQ(list[0]["tcbIdentifier"], "latest");
  EXPECT_EQ(list[0]["isSelectedTcb"], true);
  EXPECT_EQ(list[2]["tcbIdentifier"], "17");
  EXPECT_EQ(list[2]["tcbEvaluationDataNumber"], 17);
  EXPECT_EQ(list[2]["tcbRecoveryEventDate"], format_rfc3339(kDcapIssued));
  EXPECT_EQ(list[3]["tcbEvaluationDataNumber"], 16);
  EXPECT_EQ(list[3]["isSelectedTcb"], false);

  ASSERT_EQ(a->put("/admin/settings", json{{"tcb_baseline", "16"}}.dump(), a->admin_key()).status,
            200);
  const json after = body_json(a->get(target, a->admin_key()))["tcbBaselines"];
  EXPECT_EQ(after[0]["isSelectedTcb"], false);
  EXPECT_EQ(after[3]["isSelectedTcb"], true);
  // The PCCS-compatible list route serves the signed list with its chain.
  const ClientResponse pccs = a->get("/tdx/certification/v4/tcbevaluationdatanumbers");
  ASSERT_EQ(pccs.status, 200) << pccs.body;
  EXPECT_NE(pccs.body.find("\"TDX\""), std::string::npos);
  EXPECT_FALSE(header_of(pccs, "tcb-evaluation-data-numbers-issuer-chain").empty());
  EXPECT_EQ(a->get(tcb_target() + "&tcbEvaluationDataNumber=16").status, 200);
}

// --- stale collateral as a claim ---

TEST_F(CollateralService, StaleCollateralInsideTheGraceIsAClaimPolicyCanDeny) {
  auto a = node(pcs_.url(), {},
                [](service::Config& c) { c.collateral_stale_grace = std::chrono::hours(2); });
  ASSERT_TRUE(a->started());
  const ClientResponse fresh = a->post(std::string("/attest/SgxEnclave") + kApi, sgx_body());
  ASSERT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_EQ(a->verify_token(body_json(fresh)["token"])["collateral.stale"], false);

  pcs_.fail_with(503);
  a->clock().set(kDcapNextUpdate + hours(1));
  const ClientResponse stale = a->post(std::string("/attest/SgxEnclave") + kApi, sgx_body());
  ASSERT_EQ(stale.status, 200) << stale.body;
  const json claims = a->verify_token(body_json(stale)["token"]);
  EXPECT_EQ(claims["collateral.stale"], true) << claims.dump();
  EXPECT_EQ(claims["collateral.stale_items"]["tcb_info"], 3600);
  EXPECT_EQ(claims["collateral.stale_items"]["qe_identity"], 3600);

  // The owner refuses stale collateral in policy.
  const std::string policy =
      "version=1.0; authorizationrules{ [type==\"collateral.stale\", value==false] => permit(); "
      "}; issuancerules{};";
  ASSERT_EQ(a->put(std::string("/policies/SgxEnclave") + kApi, unsigned_policy_jws(policy),
                   a->admin_key())
                .status,
            200);
  const ClientResponse denied = a->post(std::string("/attest/SgxEnclave") + kApi, sgx_body());
  EXPECT_NE(denied.status, 200);
  EXPECT_EQ(check_of(denied), "appraisal.policy.denied") << denied.body;

  // Past the grace the cache refuses the items (503), as before.
  a->clock().set(kDcapNextUpdate + hours(3));
  const ClientResponse gone = a->post(std::string("/attest/SgxEnclave") + kApi, sgx_body());
  EXPECT_EQ(gone.status, 503) << gone.body;
}

// --- import into a running node ---

TEST_F(CollateralService, CollateralImportedWhileANodeRunsIsUsedWithoutARestart) {
  TempDir dir;
  {
    auto a = node(pcs_.url());  // fills its store, then exports it
    ASSERT_EQ(a->post(std::string("/attest/SgxEnclave") + kApi, sgx_body()).status, 200);
    auto store = store::open_store("sqlite:" + a->data_dir() + "/vouch.db");
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE(service::export_collateral((*store)->collateral(), dir.file("bundle")).has_value());
  }
  auto b = node({});  // no source at all
  ASSERT_TRUE(b->started());
  const ClientResponse before = b->post(std::string("/attest/SgxEnclave") + kApi, sgx_body());
  EXPECT_EQ(before.status, 503);
  EXPECT_EQ(check_of(before), "appraisal.collateral.source");

  auto store = store::open_store("sqlite:" + b->data_dir() + "/vouch.db");
  ASSERT_TRUE(store.has_value());
  service::CollateralStoreCore core((*store)->collateral(), b->clock(), {});
  auto imported = service::import_collateral(core, dir.file("bundle"));
  ASSERT_TRUE(imported.has_value());
  EXPECT_GE(imported->imported, 4u);
  const ClientResponse after = b->post(std::string("/attest/SgxEnclave") + kApi, sgx_body());
  EXPECT_EQ(after.status, 200) << after.body;
}

}  // namespace
}  // namespace vouch::testing
