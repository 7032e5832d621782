// `vouch serve` over real HTTP: POST /attest/AzureGuest (Azure guest attestation, maa.md 1.5.6)
// with requests built as Azure's guest library builds them: from the fake AMD PKI and a software
// vTPM AK (every failure's check id), and from the real trustee Azure SNP CVM capture in
// ../shared/vectors. Asserts status codes, claims and check ids, never message text.

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "appraisal/verifier.h"
#include "base/encoding.h"
#include "crypto/digest.h"
#include "crypto/jwk.h"
#include "evidence/azure_cvm/guest_request.h"
#include "evidence/azure_cvm/hcl.h"
#include "evidence/azure_cvm/verify.h"
#include "evidence/dcap/verify.h"
#include "evidence/sevsnp/abi.h"
#include "testing/fake_amd_pki.h"
#include "testing/service_harness.h"
#include "testing/snp_azure_builder.h"
#include "testing/tpm_quote_builder.h"
#include "testing/vectors.h"

namespace vouch::testing {
namespace {

using nlohmann::json;

constexpr const char* kApi = "?api-version=2020-10-01";
const Bytes kNonce = {'c', 'h', 'a', 'l', 'l', 'e', 'n', 'g', 'e'};

std::string guest_body(const azure_cvm::GuestAttestationInfo& info, const json& extra = {}) {
  json body = extra.is_object() ? extra : json::object();
  body["AttestationInfo"] = b64url(azure_cvm::to_json_text(info));
  return body.dump();
}

class MaaAzureGuest : public ::testing::Test {
 protected:
  static ServiceHarnessOptions options() {
    ServiceHarnessOptions o;
    o.verifiers.push_back(appraisal::make_azure_guest_verifier(
        FakeAmdPki::anchors({AmdProduct::kMilan, AmdProduct::kGenoa}),
        std::make_shared<const dcap::Verifier>(dcap::Verifier::intel().value())));
    return o;
  }
  void SetUp() override { ASSERT_TRUE(h_.started()) << h_.start_error(); }

  ClientResponse attest(const azure_cvm::GuestAttestationInfo& info, const json& extra = {}) {
    return h_.post(std::string("/attest/AzureGuest") + kApi, guest_body(info, extra));
  }

  ServiceHarness h_{options()};
  AzureCvmFixture f_ = make_azure_cvm(AmdProduct::kGenoa, kNonce);
  azure_cvm::GuestAttestationInfo good_ =
      make_azure_guest(f_, vcek_chain_pem(f_, AmdProduct::kGenoa));
};

TEST_F(MaaAzureGuest, SevSnpGuestGetsAnAzureVmToken) {
  const ClientResponse r = attest(good_, {{"nonce", "caller-nonce"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json c = h_.verify_token(body_json(r)["token"]);
  ASSERT_TRUE(c.is_object());
  EXPECT_EQ(c["x-ms-attestation-type"], "azurevm");
  EXPECT_EQ(c["nonce"], "caller-nonce");  // echoed: nothing in the evidence binds it
  const json& tee = c["x-ms-isolation-tee"];
  EXPECT_EQ(tee["x-ms-attestation-type"], "sevsnpvm");
  EXPECT_EQ(tee["x-ms-sevsnpvm-vmpl"], 0);
  EXPECT_TRUE(tee["x-ms-runtime"]["keys"].is_array());
  EXPECT_EQ(tee["x-ms-runtime"]["vm-configuration"]["vmUniqueId"],
            "911B0EF8-9DBA-48B0-B275-4E4DF2D39252");
  // The client payload is not bound to the evidence: never in x-ms-runtime.
  EXPECT_FALSE(c.contains("x-ms-runtime") && c["x-ms-runtime"].contains("client-payload"));
  EXPECT_EQ(c["azure.guest.client_payload_unverified"], json::parse(R"({"nonce":"MTIzNA=="})"));
  EXPECT_EQ(c["x-ms-azurevm-ostype"], "Linux");
  EXPECT_EQ(c["x-ms-azurevm-osdistro"], "Ubuntu");
  EXPECT_EQ(c["x-ms-azurevm-osversion-major"], 22);
  EXPECT_EQ(c["x-ms-azurevm-osversion-minor"], 4);
  EXPECT_EQ(c["x-ms-azurevm-osbuild"], "NotApplication");
  EXPECT_EQ(c["x-ms-azurevm-attestation-protocol-ver"], "2.0");
  EXPECT_EQ(c["x-ms-azurevm-vmid"], "911B0EF8-9DBA-48B0-B275-4E4DF2D39252");
  EXPECT_EQ(c["x-ms-azurevm-attested-pcrs"].size(), 24u);
  EXPECT_EQ(c["azure.vtpm.nonce_checked"], false);
  EXPECT_FALSE(c.contains("x-ms-sevsnpvm-vmpl"));  // nested in x-ms-isolation-tee, as on Azure
}

TEST_F(MaaAzureGuest, EachFailureAnswersWithItsCheck) {
  const auto expect = [&](const azure_cvm::GuestAttestationInfo& info, const char* check) {
    const ClientResponse r = attest(info);
    EXPECT_EQ(r.status, 400) << check << ": " << r.body;
    EXPECT_EQ(check_of(r), check);
  };
  azure_cvm::GuestAttestationInfo g = good_;
  g.isolation = azure_cvm::GuestIsolation{};
  expect(g, "azure.guest.trusted_launch");
  g = good_;
  g.tpm.aik_pub = tpm::serialize(make_software_ak(false).pub);
  expect(g, "azure.guest.aik_pub");
  g = good_;
  g.isolation.runtime_data.push_back(' ');
  expect(g, "snp.report_data");
  g = good_;
  g.tpm.pcr_signature[3] ^= 1;
  expect(g, "tpm.quote.signature");
  g = good_;
  g.tpm.pcrs[7].digest[0] ^= 1;
  expect(g, "tpm.quote.pcr_digest");
  g = good_;
  g.isolation.snp_report[0x90] ^= 1;
  expect(g, "snp.report.signature");

  // Malformed AttestationInfo members.
  json bad = json::parse(azure_cvm::to_json_text(good_));
  bad["IsolationInfo"]["Type"] = "Sgx";
  ClientResponse r = h_.post(std::string("/attest/AzureGuest") + kApi,
                             json{{"AttestationInfo", b64url(bad.dump())}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "azure.guest.isolation_type");
  bad = json::parse(azure_cvm::to_json_text(good_));
  bad["TpmInfo"]["PcrQuote"] = "not base64!";
  r = h_.post(std::string("/attest/AzureGuest") + kApi,
              json{{"AttestationInfo", b64url(bad.dump())}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "azure.guest.request");
  r = h_.post(std::string("/attest/AzureGuest") + kApi,
              json{{"AttestationInfo", b64url("x")}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "azure.guest.request");
  // Nothing in the evidence binds runtimeData.
  r = attest(good_, {{"runtimeData", {{"data", b64url("{}")}, {"dataType", "JSON"}}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "appraisal.binding");
}

TEST_F(MaaAzureGuest, TdxGuestWithoutACollateralSourceIsUnavailable) {
  azure_cvm::GuestAttestationInfo g = good_;
  g.isolation.type = azure_cvm::IsolationType::kTdx;
  g.isolation.td_quote = Bytes{1, 2, 3};  // not even a quote: the caller's fault first
  const ClientResponse r = attest(g);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r).rfind("dcap.quote.", 0), 0u) << check_of(r);
}

// Confidential containers on SEV-SNP (MAA SevSnpVm with initTimeData): HOST_DATA must be
// SHA-256(initTimeData); the policy digest and, for text, the policy itself become claims.
TEST(MaaConfidentialContainers, InitTimeDataIsBoundInHostData) {
  ServiceHarnessOptions o;
  o.verifiers.push_back(appraisal::make_sevsnp_verifier(FakeAmdPki::anchors({AmdProduct::kGenoa})));
  ServiceHarness h(std::move(o));
  ASSERT_TRUE(h.started()) << h.start_error();
  const std::string policy = "package agent_policy\ndefault AllowRequestsFailingPolicy := false\n";
  const Bytes digest = crypto::digest(crypto::HashAlg::kSha256, as_bytes(policy));
  const FakeAmdPki& pki = FakeAmdPki::get(AmdProduct::kGenoa);
  VekSpec spec;
  spec.tcb = test_tcb(AmdProduct::kGenoa);
  spec.chip_id = test_chip_id();
  const FakeVek vek = pki.issue_vek(spec);
  sevsnp::Report report = default_report(AmdProduct::kGenoa, 3, spec.tcb);
  std::copy(digest.begin(), digest.end(), report.host_data.begin());
  const Bytes signed_report = sign_report(report, vek.key);
  const std::string b64 = base64_encode(vek.cert.der());
  std::string chain = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    chain += b64.substr(i, 64) + "\n";
  }
  chain += "-----END CERTIFICATE-----\n" + pki.chain_pem(AmdKeyKind::kVcek);
  const auto body = [&](const std::string& init) {
    const json wrapper = {{"SnpReport", base64url_encode(signed_report)},
                          {"VcekCertChain", base64_encode(as_bytes(chain))}};
    return json{{"report", b64url(wrapper.dump())},
                {"initTimeData", {{"data", b64url(init)}, {"dataType", "Binary"}}}}
        .dump();
  };
  const ClientResponse r = h.post(std::string("/attest/SevSnpVm") + kApi, body(policy));
  ASSERT_EQ(r.status, 200) << r.body;
  const json c = h.verify_token(body_json(r)["token"]);
  ASSERT_TRUE(c.is_object());
  EXPECT_EQ(c["snp.host_data.binding"], "init_data");
  EXPECT_EQ(c["snp.cc_policy.digest"], hex_encode(digest));
  EXPECT_EQ(c["snp.cc_policy.text"], policy);
  EXPECT_EQ(c["x-ms-sevsnpvm-hostdata"], hex_encode(digest));
  const ClientResponse bad = h.post(std::string("/attest/SevSnpVm") + kApi, body(policy + "#"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(check_of(bad), "snp.host_data");
}

// The real Azure SNP CVM capture, sent as Azure's guest library would send it: SnpReport = the
// HCL's SNP report, RunTimeData = its runtime claims, AikPub = HCLAkPub, the vTPM quote and PCRs
// of tpm-quote-v1.json, and the VCEK chain. The service's clock (2025-01-01) is inside the VCEK's
// validity (2023-05-02 .. 2030-05-02).
TEST(MaaAzureGuestVectors, TrusteeSnpCaptureAsAnAzureGuestRequest) {
  VOUCH_REQUIRE_VECTORS();
  ServiceHarness h;  // the built-in verifiers, trusting AMD's roots
  ASSERT_TRUE(h.started()) << h.start_error();
  const std::string dir = "azure-cvm/trustee-az-snp-vtpm/";
  const auto hcl = azure_cvm::parse_hcl_report(read_vector(dir + "hcl-report.bin"));
  ASSERT_TRUE(hcl.has_value());
  const auto quote = azure_cvm::parse_tpm_quote_json(read_vector_text(dir + "tpm-quote-v1.json"));
  ASSERT_TRUE(quote.has_value());
  const json runtime = json::parse(hcl->runtime_claims.begin(), hcl->runtime_claims.end());
  Bytes ak_spki;
  for (const json& k : runtime["keys"]) {
    if (k["kid"] == "HCLAkPub") {
      ak_spki = crypto::public_key_from_jwk(k).value().spki_der();
    }
  }
  ASSERT_FALSE(ak_spki.empty());

  azure_cvm::GuestAttestationInfo g;
  g.protocol_version = "2.0";
  g.os_type = "Linux";
  g.os_distro = "Ubuntu";
  g.os_version_major = 22;
  g.os_version_minor = 4;
  g.os_build = "NotApplication";
  g.tpm.aik_pub = ak_spki;
  g.tpm.pcr_quote = quote->message;
  g.tpm.pcr_signature = quote->signature;
  for (std::uint32_t i = 0; i < quote->pcrs.size(); ++i) {
    g.tpm.pcr_set.push_back(i);
    g.tpm.pcrs.push_back({i, quote->pcrs[i]});
  }
  g.isolation.type = azure_cvm::IsolationType::kSevSnp;
  g.isolation.snp_report = hcl->hw_report;
  g.isolation.runtime_data = hcl->runtime_claims;
  g.isolation.vcek_cert_chain = read_vector_text(dir + "vcek.pem");

  const ClientResponse r = h.post(std::string("/attest/AzureGuest") + kApi, guest_body(g));
  ASSERT_EQ(r.status, 200) << r.body;
  const json c = h.verify_token(body_json(r)["token"]);
  ASSERT_TRUE(c.is_object());
  EXPECT_EQ(c["x-ms-attestation-type"], "azurevm");
  EXPECT_EQ(c["x-ms-isolation-tee"]["x-ms-attestation-type"], "sevsnpvm");
  EXPECT_EQ(
      c["x-ms-isolation-tee"]["x-ms-sevsnpvm-launchmeasurement"].get<std::string>().substr(0, 8),
      "9ac48fca");
  EXPECT_EQ(c["x-ms-azurevm-vmid"], "911B0EF8-9DBA-48B0-B275-4E4DF2D39252");
  EXPECT_EQ(c["x-ms-azurevm-attested-pcrs"].size(), 24u);
  EXPECT_EQ(c["tpm.quote.nonce"], hex_encode(kNonce));
  EXPECT_EQ(c["snp.product"], "Milan");

  // Tampering with what the SNP report binds (trustee's 0x6e0: the runtime claims).
  azure_cvm::GuestAttestationInfo t = g;
  t.isolation.runtime_data[0x6e0 - 0x4d4] ^= 1;
  const ClientResponse bad = h.post(std::string("/attest/AzureGuest") + kApi, guest_body(t));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(check_of(bad), "snp.report_data");
}

}  // namespace
}  // namespace vouch::testing
