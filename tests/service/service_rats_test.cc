// `vouch serve` over real HTTP: the RATS challenge-response API (Veraison's verification API
// shape): sessions, single-use nonces, expiry with the injected clock, EAR results.

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "base/encoding.h"
#include "jose/signature.h"
#include "testing/service_harness.h"

namespace vouch::testing {
namespace {

using nlohmann::json;

constexpr const char* kTpmMediaType = "application/vnd.vouch.tpm-quote+json";
constexpr const char* kSessionMediaType =
    "application/vnd.veraison.challenge-response-session+json";

class Rats : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(h_.started()) << h_.start_error();
    ASSERT_EQ(pin_ak(h_, tpm_, h_.admin_key()), 201);
  }

  // Creates a session; returns its path (from Location) and its JSON.
  std::pair<std::string, json> new_session(const std::string& query = {},
                                           const std::string& prefix = {}) {
    const ClientResponse r = h_.post(prefix + "/challenge-response/v1/newSession" + query, "");
    EXPECT_EQ(r.status, 201) << r.body;
    const auto loc = r.headers.find("location");
    if (loc == r.headers.end()) {
      ADD_FAILURE() << "no Location header";
      return {"", json()};
    }
    EXPECT_EQ(loc->second.rfind(h_.url(), 0), 0u) << loc->second;
    return {loc->second.substr(h_.url().size()), body_json(r)};
  }

  static Bytes nonce_of(const json& session) {
    auto n = base64_decode_any(session["nonce"].get<std::string>());
    EXPECT_TRUE(n.has_value());
    return n ? *n : Bytes{};
  }

  ClientResponse submit(const std::string& path, const std::string& evidence,
                        const std::string& media_type = kTpmMediaType) {
    return h_.post(path, evidence, "", media_type);
  }

  ServiceHarness h_;
  TpmAttester tpm_;
};

TEST_F(Rats, NewSessionHasLocationNonceAndAcceptList) {
  const ClientResponse r = h_.post("/challenge-response/v1/newSession", "");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(header_of(r, "content-type"), kSessionMediaType);
  const json s = body_json(r);
  EXPECT_EQ(s["status"], "waiting");
  EXPECT_EQ(nonce_of(s).size(), 32u);
  EXPECT_EQ(s["expiry"], format_rfc3339(h_.clock().now() + std::chrono::seconds(300)));
  bool accepts_tpm = false;
  for (const auto& m : s["accept"]) {
    accepts_tpm = accepts_tpm || m == kTpmMediaType;
  }
  EXPECT_TRUE(accepts_tpm) << s["accept"].dump();
  const std::string location = header_of(r, "location");
  EXPECT_TRUE(location.rfind(h_.url() + "/challenge-response/v1/session/", 0) == 0) << location;
}

TEST_F(Rats, NonceSizeLimitsAndCallerNonce) {
  for (const char* ok : {"8", "64", "16"}) {
    const auto [path, s] = new_session(std::string("?nonceSize=") + ok);
    EXPECT_EQ(nonce_of(s).size(), std::stoul(ok));
  }
  for (const char* bad : {"7", "65", "0", "abc", "-1"}) {
    const ClientResponse r =
        h_.post(std::string("/challenge-response/v1/newSession?nonceSize=") + bad, "");
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(check_of(r), "service.session.nonce") << bad;
    EXPECT_EQ(header_of(r, "content-type"), "application/problem+json");
  }
  const Bytes mine(16, 0x42);
  const auto [path, s] = new_session("?nonce=" + base64url_encode(mine));
  EXPECT_EQ(nonce_of(s), mine);
  // Caller nonces obey the same size limits, and exclude nonceSize.
  for (const std::string& q :
       {"?nonce=" + base64url_encode(Bytes(7, 1)), "?nonce=" + base64url_encode(Bytes(65, 1)),
        "?nonce=" + base64url_encode(Bytes(16, 1)) + "&nonceSize=16", std::string("?nonce=***")}) {
    const ClientResponse r = h_.post("/challenge-response/v1/newSession" + q, "");
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_EQ(check_of(r), "service.session.nonce") << q;
  }
}

TEST_F(Rats, SubmitBoundEvidenceGivesAffirmingEar) {
  const auto [path, s] = new_session();
  const Bytes nonce = nonce_of(s);
  const ClientResponse r = submit(path, tpm_.bundle(nonce));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(header_of(r, "content-type"), kSessionMediaType);
  const json done = body_json(r);
  EXPECT_EQ(done["status"], "complete");
  EXPECT_EQ(done["evidence"]["type"], kTpmMediaType);
  const json ear = h_.verify_token(done["result"].get<std::string>());
  ASSERT_TRUE(ear.is_object());
  EXPECT_EQ(ear["ear_status"], "affirming");
  EXPECT_EQ(ear["eat_nonce"], base64url_encode(nonce));
  EXPECT_EQ(ear["iss"], h_.url());
  EXPECT_EQ(ear["eat_profile"], "tag:ietf.org,2026:rats/ear#03");
  ASSERT_TRUE(ear["submods"].contains("tpm")) << ear["submods"].dump();
  EXPECT_EQ(ear["submods"]["tpm"]["ear_status"], "affirming");
  EXPECT_TRUE(ear.contains("status"));
  // GET shows the completed session with its result.
  const ClientResponse got = h_.get(path);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(body_json(got)["status"], "complete");
  EXPECT_EQ(body_json(got)["result"], done["result"]);
}

TEST_F(Rats, Ear02NamesOnRequest) {
  const auto [path, s] = new_session();
  const ClientResponse r = submit(path + "?ear=02", tpm_.bundle(nonce_of(s)));
  ASSERT_EQ(r.status, 200) << r.body;
  const json ear = h_.verify_token(body_json(r)["result"].get<std::string>());
  EXPECT_EQ(ear["eat_profile"], "tag:github.com,2023:veraison/ear");
  EXPECT_EQ(ear["submods"]["tpm"]["ear.status"], "affirming");
}

TEST_F(Rats, ReplayingASessionIsRefused) {
  const auto [path, s] = new_session();
  const std::string evidence = tpm_.bundle(nonce_of(s));
  ASSERT_EQ(submit(path, evidence).status, 200);
  const ClientResponse again = submit(path, evidence);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(check_of(again), "store.session.consumed");
}

TEST_F(Rats, ConcurrentSubmissionsOfOneSessionSucceedOnce) {
  const auto [path, s] = new_session();
  const std::string evidence = tpm_.bundle(nonce_of(s));
  constexpr int kThreads = 6;
  std::atomic<int> ok{0};
  std::atomic<int> consumed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, target = path] {
      HttpClient c("127.0.0.1", h_.port());
      const ClientResponse r =
          c.request("POST", target, evidence, {{"content-type", kTpmMediaType}});
      if (r.status == 200) {
        ++ok;
      } else if (r.status == 400 && check_of(r) == "store.session.consumed") {
        ++consumed;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(consumed.load(), kThreads - 1);
}

TEST_F(Rats, FailedVerificationStillConsumesTheNonce) {
  const auto [path, s] = new_session();
  const ClientResponse bad = submit(path, "{\"quote\": 1}");
  EXPECT_EQ(bad.status, 200) << "a malformed bundle is a negative result: " << bad.body;
  const json ear = h_.verify_token(body_json(bad)["result"].get<std::string>());
  EXPECT_EQ(ear["ear_status"], "contraindicated");
  EXPECT_EQ(check_of(submit(path, tpm_.bundle(nonce_of(s)))), "store.session.consumed");
}

TEST_F(Rats, ExpiredSessionIsRefused) {
  const auto [path, s] = new_session();
  h_.clock().advance(std::chrono::seconds(301));
  const ClientResponse r = submit(path, tpm_.bundle(nonce_of(s)));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(check_of(r), "store.session.expired");
}

TEST_F(Rats, SessionJustBeforeExpiryIsAccepted) {
  const auto [path, s] = new_session();
  h_.clock().advance(std::chrono::seconds(299));
  EXPECT_EQ(submit(path, tpm_.bundle(nonce_of(s))).status, 200);
}

TEST_F(Rats, EvidenceForAnotherNonceIsContraindicated) {
  const auto [path, s] = new_session();
  const ClientResponse r = submit(path, tpm_.bundle(Bytes(32, 0x01)));
  ASSERT_EQ(r.status, 200) << r.body;
  const json ear = h_.verify_token(body_json(r)["result"].get<std::string>());
  EXPECT_EQ(ear["ear_status"], "contraindicated");
  EXPECT_EQ(ear["submods"]["tpm"]["ear_status"], "contraindicated");
}

TEST_F(Rats, PolicyDenialIsASignedContraindicatedResult) {
  auto jws = jose::make_unsecured_jwt(
      json::object(),
      json{{"AttestationPolicy", b64url("version=1.0; authorizationrules { => deny(); };")}});
  ASSERT_TRUE(jws.has_value());
  ASSERT_EQ(h_.put("/policies/Tpm?api-version=2022-08-01", *jws, h_.admin_key()).status, 200);
  const auto [path, s] = new_session();
  const ClientResponse r = submit(path, tpm_.bundle(nonce_of(s)));
  ASSERT_EQ(r.status, 200) << r.body;
  const json ear = h_.verify_token(body_json(r)["result"].get<std::string>());
  EXPECT_EQ(ear["ear_status"], "contraindicated");
  const json& tv = ear["submods"]["tpm"]["ear_trustworthiness_vector"];
  EXPECT_EQ(tv["instance-identity"], 2) << tv.dump();
  EXPECT_EQ(tv["executables"], 96) << tv.dump();
}

TEST_F(Rats, UnpinnedAkIsContraindicated) {
  TpmAttester stranger;
  const auto [path, s] = new_session();
  const ClientResponse r = submit(path, stranger.bundle(nonce_of(s)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(h_.verify_token(body_json(r)["result"].get<std::string>())["ear_status"],
            "contraindicated");
}

TEST_F(Rats, UnknownMediaTypeIsRefusedWithoutConsuming) {
  const auto [path, s] = new_session();
  const std::string evidence = tpm_.bundle(nonce_of(s));
  const ClientResponse r = submit(path, evidence, "application/x-unknown");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.request.media_type");
  EXPECT_EQ(header_of(r, "content-type"), "application/problem+json");
  // The session is still usable; media type parameters are ignored.
  EXPECT_EQ(submit(path, evidence, std::string(kTpmMediaType) + "; charset=utf-8").status, 200);
}

TEST_F(Rats, GetAndDeleteSession) {
  const auto [path, s] = new_session();
  ClientResponse r = h_.get(path);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body_json(r)["status"], "waiting");
  EXPECT_EQ(body_json(r)["nonce"], s["nonce"]);
  EXPECT_EQ(h_.del(path).status, 204);
  r = h_.get(path);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(check_of(r), "store.session.not_found");
  EXPECT_EQ(h_.del(path).status, 404);
  EXPECT_EQ(submit(path, tpm_.bundle(nonce_of(s))).status, 404);
  EXPECT_EQ(h_.get("/challenge-response/v1/session/0123456789abcdef").status, 404);
}

TEST_F(Rats, SessionsAreTenantScoped) {
  const ClientResponse made =
      h_.post_json("/admin/tenants", json{{"name", "acme"}}, h_.admin_key());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string acme_key = body_json(made)["api_key"];
  ASSERT_EQ(pin_ak(h_, tpm_, acme_key, "/tenants/acme"), 201);
  const auto [path, s] = new_session({}, "/tenants/acme");
  EXPECT_EQ(path.rfind("/tenants/acme/challenge-response/v1/session/", 0), 0u) << path;
  // The default tenant does not know acme's session.
  const std::string id = path.substr(path.rfind('/') + 1);
  EXPECT_EQ(h_.get("/challenge-response/v1/session/" + id).status, 404);
  const ClientResponse r = submit(path, tpm_.bundle(nonce_of(s)));
  ASSERT_EQ(r.status, 200) << r.body;
  const json ear = h_.verify_token(body_json(r)["result"].get<std::string>(), "/tenants/acme");
  EXPECT_EQ(ear["iss"], h_.url() + "/tenants/acme");
  EXPECT_EQ(ear["ear_status"], "affirming");
}

TEST_F(Rats, DiscoveryDocument) {
  const ClientResponse r = h_.get("/.well-known/veraison/verification");
  ASSERT_EQ(r.status, 200);
  const json d = body_json(r);
  EXPECT_EQ(d["service-state"], "READY");
  EXPECT_EQ(d["api-endpoints"]["newChallengeResponseSession"], "/challenge-response/v1/newSession");
  auto key = jose::parse_jwk(d["ear-verification-key"]);
  ASSERT_TRUE(key.has_value());
  // The EAR key is the one /certs publishes.
  const jose::JwkSet set = h_.jwks();
  ASSERT_EQ(set.keys.size(), 1u);
  EXPECT_EQ(key->kid, set.keys[0].kid);
}

TEST_F(Rats, AttestationKeyRequiredWhenTheTenantSaysSo) {
  ASSERT_EQ(
      h_.put("/admin/settings", json{{"attestation_requires_key", true}}.dump(), h_.admin_key())
          .status,
      200);
  ClientResponse r = h_.post("/challenge-response/v1/newSession", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(check_of(r), "service.auth.credentials");
  const ClientResponse made =
      h_.post_json("/admin/api-keys", json{{"role", "attester"}}, h_.admin_key());
  ASSERT_EQ(made.status, 201);
  const std::string attester = body_json(made)["token"];
  r = h_.post("/challenge-response/v1/newSession", "", attester);
  ASSERT_EQ(r.status, 201);
  const std::string path = header_of(r, "location").substr(h_.url().size());
  const Bytes nonce = nonce_of(body_json(r));
  EXPECT_EQ(submit(path, tpm_.bundle(nonce)).status, 401);
  EXPECT_EQ(h_.post(path, tpm_.bundle(nonce), attester, kTpmMediaType).status, 200);
  // An auditor may not attest.
  const ClientResponse aud =
      h_.post_json("/admin/api-keys", json{{"role", "auditor"}}, h_.admin_key());
  const std::string auditor = body_json(aud)["token"];
  EXPECT_EQ(h_.post("/challenge-response/v1/newSession", "", auditor).status, 403);
}

}  // namespace
}  // namespace vouch::testing
