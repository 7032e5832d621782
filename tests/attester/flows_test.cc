// The passport and background-check flows against a scripted transport and a fake TPM: the exact
// requests (URLs, headers, bodies), the binding, enrolment, decryption, retries and how each
// refusal maps onto an ErrorKind (and so onto `vouch attest`'s exit code).

#include "attester/flows.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <nlohmann/json.hpp>

#include "attester/check_ids.h"
#include "base/encoding.h"
#include "crypto/digest.h"
#include "crypto/jwk.h"
#include "evidence/tpm/bundle.h"
#include "jose/encryption.h"

namespace vouch::attester {
namespace {

using nlohmann::json;

constexpr const char* kVerifier = "https://verifier.test:8443";
constexpr const char* kRp = "https://rp.test";

// Answers by "METHOD URL" (exact), in order; records every request.
class FakeTransport : public Transport {
 public:
  std::map<std::string, std::deque<HttpResponse>> routes;
  std::vector<HttpRequest> requests;

  void on(const std::string& method, const std::string& url, int status, const json& body,
          std::map<std::string, std::string> headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = body.is_null() ? "" : body.dump();
    r.headers = std::move(headers);
    routes[method + " " + url].push_back(std::move(r));
  }

  Result<HttpResponse> send(const HttpRequest& request) override {
    requests.push_back(request);
    auto it = routes.find(request.method + " " + request.url);
    if (it == routes.end() || it->second.empty()) {
      return fail(ErrorKind::kUnavailable, CheckId("test.unscripted"),
                  "unscripted " + request.method + " " + request.url);
    }
    HttpResponse r = it->second.front();
    if (it->second.size() > 1) {
      it->second.pop_front();
    }
    return r;
  }

  const HttpRequest* find(const std::string& method, const std::string& url) const {
    for (const auto& r : requests) {
      if (r.method == method && r.url == url) {
        return &r;
      }
    }
    return nullptr;
  }
};

std::string header(const HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) {
      return v;
    }
  }
  return "";
}

// A TPM that records what it was asked.
class FakeTpm : public TpmDevice {
 public:
  Bytes last_extra_data;
  Bytes activated_id_object;
  bool has_ek_cert = true;
  Result<EkInfo> endorsement_key() override {
    EkInfo e;
    e.ek_public = {0xE0, 0xE1};
    if (has_ek_cert) {
      e.certificate = Bytes{0xCE, 0x47};
    }
    return e;
  }
  Result<Bytes> ak_public() override { return Bytes{0xA0, 0xA1}; }
  Result<Bytes> activate_credential(ByteSpan id_object, ByteSpan) override {
    activated_id_object.assign(id_object.begin(), id_object.end());
    return Bytes{0x5E, 0xC2};
  }
  Result<Quote> quote(const std::vector<tpm::PcrSelection>&, ByteSpan extra) override {
    last_extra_data.assign(extra.begin(), extra.end());
    return Quote{Bytes{0x01, 0x02}, Bytes{0x03, 0x04}};
  }
  Result<tpm::PcrValues> read_pcrs(const std::vector<tpm::PcrSelection>&) override {
    tpm::PcrValues v;
    v[crypto::HashAlg::kSha256][0] = Bytes(32, 0);
    return v;
  }
};

class FlowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binding_ = std::make_unique<Binding>(Binding::generate().value());
    options_.verifier_url = kVerifier;
    options_.relying_party_url = kRp;
    options_.api_key = "vouch_k_s";
    options_.retry.sleep = [this](std::chrono::milliseconds d) { slept_.push_back(d); };
    options_.retry.random = [] { return 0.0; };
  }

  void script_enrolment() {
    t_.on("POST", std::string(kVerifier) + "/tpm/v1/enrollments", 201,
          {{"id", "abc"},
           {"ak_name", "000b00"},
           {"credential_blob", "AA=="},
           {"id_object", base64_encode(Bytes{0x1D})},
           {"encrypted_secret", base64_encode(Bytes{0xE5})},
           {"expires", "2030-01-01T00:00:00Z"}});
    t_.on("POST", std::string(kVerifier) + "/tpm/v1/enrollments/abc", 201,
          {{"ak_name", "000b00"}, {"registration_name", "beef"}, {"enrolled", true}});
  }

  void script_session(const json& appraisal,
                      const std::string& ear = "h.eyJlYXIuc3RhdHVzIjoiYWZmaXJtaW5nIn0.s") {
    t_.on("POST", std::string(kVerifier) + "/challenge-response/v1/newSession?nonceSize=32", 201,
          {{"nonce", base64_encode(nonce_)}, {"status", "waiting"}},
          {{"location", "https://public.example/challenge-response/v1/session/s1"}});
    json done = {{"status", "complete"}, {"appraisal", appraisal}};
    if (!ear.empty()) {
      done["result"] = ear;
    }
    t_.on("POST", std::string(kVerifier) + "/challenge-response/v1/session/s1", 200, done);
  }

  std::string jwe_of(const std::string& secret) {
    return jose::jwe_encrypt_compact(binding_->key().public_key(), as_bytes(secret),
                                     json{{"kid", "db-password"}})
        .value();
  }

  FlowResult run() { return run_flow(options_, t_, evidence_, *binding_); }

  Bytes nonce_ = Bytes(32, 0x42);
  FakeTransport t_;
  FakeTpm tpm_;
  TpmEvidenceSource evidence_{tpm_, default_pcr_selection(), ""};
  std::unique_ptr<Binding> binding_;
  FlowOptions options_;
  std::vector<std::chrono::milliseconds> slept_;
};

TEST_F(FlowsTest, PassportEnrolsQuotesAndReleasesTheSecret) {
  options_.secret_name = "apps/db-password";
  script_enrolment();
  script_session({{"verdict", "permit"}});
  t_.on("POST", std::string(kRp) + "/rp/v1/secrets/apps%2Fdb-password:release", 200,
        {{"name", "apps/db-password"},
         {"version", 3},
         {"issuer", kVerifier},
         {"jwe", jwe_of("hunter2")}});
  FlowResult r = run();
  ASSERT_FALSE(r.error) << r.error->to_string();
  ASSERT_TRUE(r.secret);
  EXPECT_EQ(std::string(r.secret->begin(), r.secret->end()), "hunter2");
  EXPECT_EQ(r.secret_version, 3);
  EXPECT_EQ(r.verdict, "permit");

  // Enrolment: EK certificate, EK public, AK public; the challenge goes to ActivateCredential.
  const HttpRequest* enrol = t_.find("POST", std::string(kVerifier) + "/tpm/v1/enrollments");
  ASSERT_NE(enrol, nullptr);
  const json eb = json::parse(enrol->body);
  EXPECT_EQ(eb["ek_certificate"], base64_encode(Bytes{0xCE, 0x47}));
  EXPECT_EQ(eb["ek_public"], base64_encode(Bytes{0xE0, 0xE1}));
  EXPECT_EQ(eb["ak_public"], base64_encode(Bytes{0xA0, 0xA1}));
  EXPECT_EQ(header(*enrol, "Authorization"), "Bearer vouch_k_s");
  EXPECT_EQ(tpm_.activated_id_object, Bytes{0x1D});
  const HttpRequest* fin = t_.find("POST", std::string(kVerifier) + "/tpm/v1/enrollments/abc");
  ASSERT_NE(fin, nullptr);
  EXPECT_EQ(json::parse(fin->body)["secret"], base64_encode(Bytes{0x5E, 0xC2}));

  // The quote's extraData is SHA-256(nonce || runtime data).
  Bytes in = nonce_;
  in.insert(in.end(), binding_->runtime_data().begin(), binding_->runtime_data().end());
  EXPECT_EQ(tpm_.last_extra_data, crypto::digest(crypto::HashAlg::kSha256, in));

  // The evidence goes to the session (on the verifier URL, not the Location's host) with its
  // media type and the runtime data header.
  const HttpRequest* ev =
      t_.find("POST", std::string(kVerifier) + "/challenge-response/v1/session/s1");
  ASSERT_NE(ev, nullptr);
  EXPECT_EQ(header(*ev, "Content-Type"), "application/vnd.vouch.tpm-quote+json");
  EXPECT_EQ(header(*ev, "Vouch-Runtime-Data"), binding_->runtime_data_b64url());
  auto bundle = tpm::parse_bundle(ev->body);
  ASSERT_TRUE(bundle.has_value()) << bundle.error().to_string();
  EXPECT_EQ(bundle->quote, (Bytes{0x01, 0x02}));
  EXPECT_EQ(bundle->ak_public, (Bytes{0xA0, 0xA1}));

  // Release: the EAR and the bound key; the API key stays with the verifier (other origin).
  const HttpRequest* rel =
      t_.find("POST", std::string(kRp) + "/rp/v1/secrets/apps%2Fdb-password:release");
  ASSERT_NE(rel, nullptr);
  const json rb = json::parse(rel->body);
  EXPECT_EQ(rb["token"], r.ear);
  EXPECT_EQ(rb["key"], crypto::public_key_to_jwk(binding_->key().public_key()));
  EXPECT_EQ(header(*rel, "Authorization"), "");

  // The narration: every step, never the secret.
  const json j = r.to_json();
  EXPECT_EQ(j["ok"], true);
  std::vector<std::string> names;
  for (const auto& s : j["steps"]) {
    names.push_back(s["step"]);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"tpm.enroll", "verifier.session", "bind", "evidence",
                                             "verifier.appraise", "rp.release", "decrypt"}));
  EXPECT_EQ(j["steps"][4]["ear_status"], "affirming");
  EXPECT_EQ(j["secret"]["sha256"],
            hex_encode(crypto::digest(crypto::HashAlg::kSha256, as_bytes("hunter2"))));
  EXPECT_EQ(j.dump().find("hunter2"), std::string::npos);
}

TEST_F(FlowsTest, PassportWithoutASecretStopsAtTheEar) {
  script_enrolment();
  script_session({{"verdict", "permit"}});
  FlowResult r = run();
  ASSERT_FALSE(r.error) << r.error->to_string();
  EXPECT_FALSE(r.secret);
  EXPECT_FALSE(r.ear.empty());
  EXPECT_EQ(t_.requests.size(), 4U);
}

TEST_F(FlowsTest, TenantPrefixAndSameOriginRelyingPartyGetTheKey) {
  options_.tenant = "acme";
  options_.relying_party_url = "";
  options_.enroll_tpm_ak = false;
  options_.secret_name = "s";
  const std::string v = std::string(kVerifier) + "/tenants/acme";
  t_.on("POST", v + "/challenge-response/v1/newSession?nonceSize=32", 201,
        {{"nonce", base64_encode(nonce_)}},
        {{"location", "https://x/tenants/acme/challenge-response/v1/session/s9"}});
  t_.on("POST", std::string(kVerifier) + "/tenants/acme/challenge-response/v1/session/s9", 200,
        {{"result", "a.e30.b"}, {"appraisal", {{"verdict", "permit"}}}});
  t_.on("POST", v + "/rp/v1/secrets/s:release", 200, {{"jwe", jwe_of("x")}});
  FlowResult r = run();
  ASSERT_FALSE(r.error) << r.error->to_string();
  const HttpRequest* rel = t_.find("POST", v + "/rp/v1/secrets/s:release");
  ASSERT_NE(rel, nullptr);
  EXPECT_EQ(header(*rel, "Authorization"), "Bearer vouch_k_s");
}

TEST_F(FlowsTest, BackgroundCheckPostsEvidenceToTheRelyingParty) {
  options_.model = Model::kBackgroundCheck;
  options_.secret_name = "db";
  script_enrolment();
  const std::string challenge = base64url_encode(nonce_);
  t_.on("POST", std::string(kRp) + "/rp/v1/challenge", 201,
        {{"nonce", challenge}, {"expiresAt", "2030-01-01T00:00:00Z"}});
  t_.on("POST", std::string(kRp) + "/rp/v1/secrets/db:attest", 200,
        {{"name", "db"},
         {"version", 1},
         {"issuer", kVerifier},
         {"jwe", jwe_of("s3cret")},
         {"token", "a.e30.b"}});
  FlowResult r = run();
  ASSERT_FALSE(r.error) << r.error->to_string();
  EXPECT_EQ(std::string(r.secret->begin(), r.secret->end()), "s3cret");
  EXPECT_EQ(r.ear, "a.e30.b");
  const HttpRequest* at = t_.find("POST", std::string(kRp) + "/rp/v1/secrets/db:attest");
  ASSERT_NE(at, nullptr);
  const json body = json::parse(at->body);
  EXPECT_EQ(body["nonce"], challenge);
  EXPECT_EQ(body["evidence"]["type"], "application/vnd.vouch.tpm-quote+json");
  EXPECT_TRUE(tpm::parse_bundle(std::string([&] {
                Bytes b = base64_decode(body["evidence"]["value"].get<std::string>()).value();
                return std::string(b.begin(), b.end());
              }()))
                  .has_value());
  EXPECT_EQ(body["runtimeData"], binding_->runtime_data_b64url());
  Bytes in = nonce_;
  in.insert(in.end(), binding_->runtime_data().begin(), binding_->runtime_data().end());
  EXPECT_EQ(tpm_.last_extra_data, crypto::digest(crypto::HashAlg::kSha256, in));
  // The verifier is only used for enrolment; no session is opened.
  for (const auto& q : t_.requests) {
    EXPECT_EQ(q.url.find("challenge-response"), std::string::npos) << q.url;
  }
}

TEST_F(FlowsTest, BackgroundCheckNeedsASecretName) {
  options_.model = Model::kBackgroundCheck;
  FlowResult r = run();
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->check, checks::kArgument);
  EXPECT_TRUE(t_.requests.empty());
}

TEST_F(FlowsTest, VerdictRejectIsEvidenceRejectedWithTheVerifiersCheck) {
  script_enrolment();
  script_session({{"verdict", "reject"}, {"check", "tpm.quote.nonce"}, {"detail", "nope"}});
  FlowResult r = run();
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->kind, ErrorKind::kEvidenceRejected);
  EXPECT_EQ(r.error->check, checks::kVerdictReject);
  EXPECT_EQ(r.failed_check(), "tpm.quote.nonce");
  EXPECT_EQ(r.to_json()["error"]["check"], "tpm.quote.nonce");
}

TEST_F(FlowsTest, VerdictDenyIsPolicyDeniedAndNothingIsReleased) {
  options_.secret_name = "db";
  script_enrolment();
  script_session({{"verdict", "deny"}, {"check", "policy.deny"}});
  FlowResult r = run();
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->kind, ErrorKind::kPolicyDenied);
  EXPECT_EQ(t_.find("POST", std::string(kRp) + "/rp/v1/secrets/db:release"), nullptr);
}

struct RefusalCase {
  int status;
  json problem;
  ErrorKind kind;
};

TEST_F(FlowsTest, RelyingPartyRefusalsMapToKinds) {
  const std::vector<RefusalCase> cases = {
      {403,
       {{"check", "rp.release_policy.deny"}, {"kind", "invalid_argument"}},
       ErrorKind::kPolicyDenied},
      {403, {{"check", "rp.issuer.untrusted"}}, ErrorKind::kPolicyDenied},
      {503, {{"check", "token.result.status_unavailable"}}, ErrorKind::kRevocationUnavailable},
      {400, {{"check", "tpm.quote.signature"}}, ErrorKind::kEvidenceRejected},
      {503,
       {{"check", "collateral.fetch"}, {"kind", "collateral_unavailable"}},
       ErrorKind::kCollateralUnavailable},
      {404, {{"check", "store.secret.not_found"}, {"kind", "not_found"}}, ErrorKind::kNotFound},
      {401,
       {{"check", "token.result.exp"}, {"kind", "evidence_rejected"}},
       ErrorKind::kEvidenceRejected},
      {500, json(), ErrorKind::kUnavailable},
  };
  for (const auto& c : cases) {
    FakeTransport t;
    options_.model = Model::kBackgroundCheck;
    options_.secret_name = "db";
    options_.enroll_tpm_ak = false;
    options_.retry.max_attempts = 1;
    t.on("POST", std::string(kRp) + "/rp/v1/challenge", 201, {{"nonce", "QUJDREVGR0g"}});
    t.on("POST", std::string(kRp) + "/rp/v1/secrets/db:attest", c.status, c.problem);
    FlowResult r = run_flow(options_, t, evidence_, *binding_);
    ASSERT_TRUE(r.error) << c.problem.dump();
    EXPECT_EQ(r.error->kind, c.kind) << c.problem.dump() << " " << r.error->to_string();
    if (c.problem.is_object()) {
      EXPECT_EQ(r.failed_check(), c.problem["check"]);
    } else {
      EXPECT_EQ(r.error->check, checks::kResponse);
    }
  }
}

TEST_F(FlowsTest, BusyAnswersAreRetriedWithBackoffThenSucceed) {
  options_.enroll_tpm_ak = false;
  const std::string url = std::string(kVerifier) + "/challenge-response/v1/newSession?nonceSize=32";
  t_.on("POST", url, 503, json());
  t_.on("POST", url, 429, json(), {{"retry-after", "3"}});
  script_session({{"verdict", "permit"}});
  FlowResult r = run();
  ASSERT_FALSE(r.error) << r.error->to_string();
  EXPECT_EQ(slept_, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(250),
                                                            std::chrono::milliseconds(3000)}));
  EXPECT_EQ(r.to_json()["steps"][0]["attempts"], 3);
}

TEST_F(FlowsTest, BusyToTheEndIsUnavailable) {
  options_.enroll_tpm_ak = false;
  options_.retry.max_attempts = 2;
  t_.on("POST", std::string(kVerifier) + "/challenge-response/v1/newSession?nonceSize=32", 503,
        json());
  FlowResult r = run();
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->kind, ErrorKind::kUnavailable);
  EXPECT_EQ(r.error->check, checks::kRetries);
  EXPECT_EQ(t_.requests.size(), 2U);
}

TEST_F(FlowsTest, TransportFailureIsReported) {
  options_.enroll_tpm_ak = false;
  FlowResult r = run();  // nothing scripted: the fake transport fails
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->check, checks::kTransport);
  EXPECT_EQ(r.to_json()["steps"][0]["ok"], false);
}

TEST_F(FlowsTest, EnrolmentNeedsAnEkCertificate) {
  tpm_.has_ek_cert = false;
  FlowResult r = run();
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->check, checks::kTpmEkCert);
  EXPECT_TRUE(t_.requests.empty());
}

TEST_F(FlowsTest, EnrolmentRefusalKeepsTheServicesCheck) {
  t_.on("POST", std::string(kVerifier) + "/tpm/v1/enrollments", 400,
        {{"check", "tpm.ek.certificate.chain"}, {"kind", "evidence_rejected"}, {"detail", "x"}});
  FlowResult r = run();
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->kind, ErrorKind::kEvidenceRejected);
  EXPECT_EQ(r.failed_check(), "tpm.ek.certificate.chain");
}

TEST_F(FlowsTest, AJweForAnotherKeyIsADecryptError) {
  options_.secret_name = "db";
  options_.enroll_tpm_ak = false;
  script_session({{"verdict", "permit"}});
  auto other = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  t_.on("POST", std::string(kRp) + "/rp/v1/secrets/db:release", 200,
        {{"jwe", jose::jwe_encrypt_compact(other.public_key(), as_bytes("x")).value()}});
  FlowResult r = run();
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->check, checks::kDecrypt);
  EXPECT_FALSE(r.secret);
}

TEST(FlowHelpersTest, SecretNamesAndTenants) {
  EXPECT_EQ(encode_secret_name("repo/type/tag"), "repo%2Ftype%2Ftag");
  EXPECT_EQ(encode_secret_name("a.b-c_d~"), "a.b-c_d~");
  EXPECT_EQ(tenant_prefix(""), "");
  EXPECT_EQ(tenant_prefix("default"), "");
  EXPECT_EQ(tenant_prefix("t1"), "/tenants/t1");
}

}  // namespace
}  // namespace vouch::attester
