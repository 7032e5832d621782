// `vouch collateral fetch|export|import` against a fake Intel PCS on 127.0.0.1: fetch into an
// offline directory that `vouch serve` ([collateral] intel_dir) then attests with; export a
// node's stored collateral and import it into another node's store (air-gapped site).

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "base/encoding.h"
#include "cli/cli.h"
#include "collateral/intel_pcs_sources.h"
#include "testing/dcap_builder.h"
#include "testing/service_harness.h"
#include "testing/temp_dir.h"
#include "tests/service/fake_collateral_server.h"

namespace vouch::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kApi = "?api-version=2022-08-01";

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun vouch(const std::vector<std::string>& args) {
  FixedClock clock(kDcapTestNow);
  std::ostringstream out;
  std::ostringstream err;
  const cli::Context ctx{clock, out, err};
  const int code = cli::run(ctx, args);
  return {code, out.str(), err.str()};
}

class CollateralCli : public ::testing::Test {
 protected:
  std::unique_ptr<ServiceHarness> node(std::function<void(service::Config&)> configure) {
    ServiceHarnessOptions o;
    o.start_time = kDcapTestNow;
    o.verifiers = dcap_test_verifiers(f_.pki.root);
    o.configure = std::move(configure);
    auto h = std::make_unique<ServiceHarness>(std::move(o));
    EXPECT_TRUE(h->started()) << h->start_error();
    return h;
  }
  std::string quote_body() const {
    return json{{"quote", base64url_encode(make_quote(f_.processor, {}))}}.dump();
  }
  std::string fmspc() const { return hex_encode(f_.processor.pck_extensions.fmspc); }

  DcapFixture f_ = DcapFixture::create();
  FakeCollateralServer pcs_{f_};
  TempDir dir_;
};

TEST_F(CollateralCli, HelpIsTrue) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"collateral", "--help"},
                                             {"collateral", "fetch", "--help"},
                                             {"collateral", "export", "--help"},
                                             {"collateral", "import", "--help"}}) {
    const CliRun r = vouch(args);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("collateral"), std::string::npos);
  }
  EXPECT_EQ(vouch({"collateral", "fetch", "--out", dir_.file("x")}).code, 1);  // nothing asked
  EXPECT_EQ(vouch({"collateral", "fetch", "--out", dir_.file("x"), "--fmspc", "00"}).code, 1);
}

TEST_F(CollateralCli, FetchedDirectoryServesAttestation) {
  const std::string offline = dir_.file("offline");
  const CliRun r = vouch({"collateral", "fetch", "--intel-url", pcs_.url(), "--fmspc", fmspc(),
                          "--tee", "sgx", "--out", offline});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("[1/"), std::string::npos) << r.err;               // the progress line
  EXPECT_NE(r.err.find("pck crl platform"), std::string::npos) << r.err;  // 404: skipped
  for (const std::string& rel :
       {collateral::OfflineIntelPcs::tcb_info_path(collateral::IntelTee::kSgx,
                                                   f_.processor.pck_extensions.fmspc),
        collateral::OfflineIntelPcs::qe_identity_path(collateral::IntelTee::kSgx),
        collateral::OfflineIntelPcs::pck_crl_path(collateral::IntelCa::kProcessor),
        collateral::OfflineIntelPcs::root_ca_crl_path()}) {
    EXPECT_TRUE(fs::is_regular_file(offline + "/" + rel)) << rel;
  }

  auto h = node([&](service::Config& c) { c.intel_collateral_dir = offline; });
  ASSERT_TRUE(h->started());
  const ClientResponse att = h->post(std::string("/attest/SgxEnclave") + kApi, quote_body());
  EXPECT_EQ(att.status, 200) << att.body;

  // export: the node stored what it read; import it into another node's store, which then
  // attests with no source at all.
  const std::string data = h->data_dir();
  h->stop();
  const std::string exported = dir_.file("exported");
  const CliRun e = vouch({"collateral", "export", "--data-dir", data, "--out", exported});
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_TRUE(
      fs::is_regular_file(exported + "/" +
                          collateral::OfflineIntelPcs::tcb_info_path(
                              collateral::IntelTee::kSgx, f_.processor.pck_extensions.fmspc)));
  EXPECT_TRUE(
      fs::is_regular_file(exported + "/" +
                          collateral::OfflineIntelPcs::tcb_info_path(
                              collateral::IntelTee::kSgx, f_.processor.pck_extensions.fmspc) +
                          ".chain.pem"));

  const std::string fresh = dir_.file("fresh");
  fs::create_directories(fresh);
  const CliRun i = vouch({"collateral", "import", "--data-dir", fresh, "--in", exported});
  ASSERT_EQ(i.code, 0) << i.err;
  EXPECT_NE(i.err.find("imported 4 item(s)"), std::string::npos) << i.err;
  auto air = node([&](service::Config& c) { c.data_dir = fresh; });
  ASSERT_TRUE(air->started());
  const ClientResponse att2 = air->post(std::string("/attest/SgxEnclave") + kApi, quote_body());
  EXPECT_EQ(att2.status, 200) << att2.body;
  EXPECT_EQ(air->get("/sgx/certification/v4/qe/identity").status, 200);
}

}  // namespace
}  // namespace vouch::testing
