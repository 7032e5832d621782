// TPM attestation-key enrolment through the EK certificate, end to end against a software TPM
// (swtpm): the service checks the EK certificate against the tenant's TPM CA (swtpm's local CA),
// answers with a MakeCredential challenge, the TPM recovers the secret with ActivateCredential,
// and the AK is registered; a quote by that AK then attests through a RATS session.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/x509.h"
#include "testing/service_harness.h"
#include "testing/swtpm.h"

namespace vouch::testing {
namespace {

using nlohmann::json;

std::string file_text(const std::string& path) {
  const Bytes b = read_file(path).value();
  return std::string(b.begin(), b.end());
}

std::string file_b64(const std::string& path) {
  return base64_encode(read_file(path).value());
}

void write_bytes(const std::string& path, const Bytes& data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()),  // NOLINT
            static_cast<std::streamsize>(data.size()));
}

class EnrollSwtpmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    tpm_ = Swtpm::start(&why);
    if (!tpm_) {
      GTEST_SKIP() << "swtpm unavailable: " << why;
    }
    tpm_->tpm2_ok("tpm2_createek -c ek.ctx -G rsa -u ek.pub");
    tpm_->tpm2_ok("tpm2_flushcontext -t");
    tpm_->tpm2_ok(
        "tpm2_createak -C ek.ctx -c ak.ctx -G rsa -g sha256 -s rsassa -u ak.pub -f tss "
        "-n ak.name");
    tpm_->tpm2_ok("tpm2_flushcontext -t");
    tpm_->tpm2_ok("tpm2_flushcontext -s");
    tpm_->tpm2_ok("tpm2_nvread 0x1c00002 -o ekcert.der");
    // The local CA was made moments ago: the service's clock is the real time.
    ServiceHarnessOptions options;
    options.start_time = SystemClock().now();
    harness_ = std::make_unique<ServiceHarness>(std::move(options));
    ASSERT_TRUE(harness_->started()) << harness_->start_error();
  }

  void trust_swtpm_ca() {
    const json settings = {{"tpm_ca_certificates",
                            {file_text(tpm_->ca_root_pem()), file_text(tpm_->ca_issuer_pem())}}};
    const ClientResponse r =
        harness_->put("/admin/settings", settings.dump(), harness_->admin_key());
    ASSERT_EQ(r.status, 200) << r.body;
  }

  json enrol_request() const {
    return {{"ek_certificate", file_b64(tpm_->path("ekcert.der"))},
            {"ek_public", file_b64(tpm_->path("ek.pub"))},
            {"ak_public", file_b64(tpm_->path("ak.pub"))}};
  }

  // Answers a challenge with ActivateCredential and returns the recovered secret (base64).
  std::string activate(const json& challenge) {
    write_bytes(tpm_->path("cred.blob"),
                base64_decode(challenge["credential_blob"].get<std::string>()).value());
    tpm_->tpm2_ok("tpm2_startauthsession --policy-session -S session.ctx");
    tpm_->tpm2_ok("tpm2_policysecret -S session.ctx -c e");
    tpm_->tpm2_ok(
        "tpm2_activatecredential -c ak.ctx -C ek.ctx -i cred.blob -o secret.out "
        "-P session:session.ctx");
    tpm_->tpm2_ok("tpm2_flushcontext session.ctx");
    tpm_->tpm2_ok("tpm2_flushcontext -t");
    return file_b64(tpm_->path("secret.out"));
  }

  std::unique_ptr<Swtpm> tpm_;
  std::unique_ptr<ServiceHarness> harness_;
};

TEST_F(EnrollSwtpmTest, EkCertifiedAkEnrolsAndThenAttests) {
  trust_swtpm_ca();
  ClientResponse r = harness_->post_json("/tpm/v1/enrollments", enrol_request());
  ASSERT_EQ(r.status, 201) << r.body;
  const json challenge = body_json(r);
  EXPECT_EQ(challenge["ak_name"], hex_encode(read_file(tpm_->path("ak.name")).value()));
  const std::string secret = activate(challenge);
  const std::string finish = "/tpm/v1/enrollments/" + challenge["id"].get<std::string>();
  r = harness_->post_json(finish, json{{"secret", secret}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body_json(r)["enrolled"], true);
  // A challenge is answered once.
  r = harness_->post_json(finish, json{{"secret", secret}});
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(check_of(r), "store.enrollment.challenge_not_found");

  // The enrolled AK now attests: a RATS session, a quote over its nonce, an affirming EAR.
  r = harness_->post("/challenge-response/v1/newSession?nonceSize=32", "");
  ASSERT_EQ(r.status, 201) << r.body;
  const json session = body_json(r);
  const std::string nonce_hex =
      hex_encode(base64_decode(session["nonce"].get<std::string>()).value());
  tpm_->tpm2_ok("tpm2_quote -c ak.ctx -l sha256:0,1,2,3 -q " + nonce_hex +
                " -m quote.msg -s quote.sig -g sha256");
  tpm_->tpm2_ok("tpm2_flushcontext -t");
  json pcrs = json::object();
  for (const auto& [index, value] : tpm_->read_pcrs("sha256", "0,1,2,3")) {
    pcrs[std::to_string(index)] = hex_encode(value);
  }
  const json bundle = {{"quote", file_b64(tpm_->path("quote.msg"))},
                       {"signature", file_b64(tpm_->path("quote.sig"))},
                       {"ak_public", file_b64(tpm_->path("ak.pub"))},
                       {"pcrs", {{"sha256", pcrs}}}};
  const std::string location = header_of(r, "location");
  const std::string path = location.substr(location.find("/challenge-response"));
  r = harness_->post(path, bundle.dump(), "", "application/vnd.vouch.tpm-quote+json");
  ASSERT_EQ(r.status, 200) << r.body;
  const json done = body_json(r);
  EXPECT_EQ(done["status"], "complete");
  EXPECT_EQ(done["appraisal"]["verdict"], "permit") << done.dump();
  const json ear = harness_->verify_token(done["result"].get<std::string>());
  EXPECT_EQ(ear["ear_status"], "affirming");
}

TEST_F(EnrollSwtpmTest, AWrongSecretIsRefusedAndBurnsTheChallenge) {
  trust_swtpm_ca();
  ClientResponse r = harness_->post_json("/tpm/v1/enrollments", enrol_request());
  ASSERT_EQ(r.status, 201) << r.body;
  const json challenge = body_json(r);
  const std::string finish = "/tpm/v1/enrollments/" + challenge["id"].get<std::string>();
  r = harness_->post_json(finish, json{{"secret", base64_encode(Bytes(32, 0x5a))}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(check_of(r), "service.enroll.secret");
  // Even the right answer is too late now.
  r = harness_->post_json(finish, json{{"secret", activate(challenge)}});
  EXPECT_EQ(r.status, 404) << r.body;
}

TEST_F(EnrollSwtpmTest, EkCertificatesAreCheckedAgainstTheTenantsTpmCas) {
  // No TPM CA configured: enrolment cannot start.
  ClientResponse r = harness_->post_json("/tpm/v1/enrollments", enrol_request());
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(check_of(r), "service.tenant.settings");
  // Only the root: the issuing CA is missing from the chain.
  const json settings = {{"tpm_ca_certificates", {file_text(tpm_->ca_root_pem())}}};
  ASSERT_EQ(harness_->put("/admin/settings", settings.dump(), harness_->admin_key()).status, 200);
  r = harness_->post_json("/tpm/v1/enrollments", enrol_request());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(check_of(r), "tpm.ek.certificate.chain");
  // With the issuer sent along, the chain completes.
  json with_chain = enrol_request();
  with_chain["ek_certificate_chain"] = {
      base64_encode(crypto::Certificate::from_pem(file_text(tpm_->ca_issuer_pem()))->der())};
  r = harness_->post_json("/tpm/v1/enrollments", with_chain);
  EXPECT_EQ(r.status, 201) << r.body;
  // An EK public area that is not the certified key.
  tpm_->tpm2_ok("tpm2_createek -c ek2.ctx -G ecc -u ek2.pub");
  tpm_->tpm2_ok("tpm2_flushcontext -t");
  json other = with_chain;
  other["ek_public"] = file_b64(tpm_->path("ek2.pub"));
  r = harness_->post_json("/tpm/v1/enrollments", other);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(check_of(r), "tpm.ek.certificate.key");
}

}  // namespace
}  // namespace vouch::testing
