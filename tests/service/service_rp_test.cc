// `vouch serve` as the relying party over real HTTP (docs/relying-party.md): secrets for owners,
// the passport and background-check models with a software TPM's quotes, KBS mode, and every
// relying-party refusal by its check id.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "base/encoding.h"
#include "crypto/digest.h"
#include "crypto/jwk.h"
#include "crypto/keys.h"
#include "jose/encryption.h"
#include "jose/signature.h"
#include "testing/service_harness.h"

namespace vouch::testing {
namespace {

using nlohmann::json;

constexpr const char* kTpmMediaType = "application/vnd.vouch.tpm-quote+json";
constexpr const char* kSecretValue = "s3cret-database-password-6f1c";

// A TEE's ephemeral key and the runtime data that binds it ({"jwk": ...}, compact JSON).
struct TeeKey {
  crypto::PrivateKey key;
  json jwk;
  std::string runtime;
};

TeeKey make_tee_key() {
  auto key = crypto::PrivateKey::generate_ec(crypto::Curve::kP256);
  EXPECT_TRUE(key.has_value());
  json jwk = crypto::public_key_to_jwk(key->public_key());
  const std::string runtime = json{{"jwk", jwk}}.dump();
  return TeeKey{std::move(*key), jwk, runtime};
}

Bytes bytes_of(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// SHA-256(nonce || runtime data): what the TPM quotes as extraData.
Bytes binding(ByteSpan nonce, std::string_view runtime) {
  Bytes in(nonce.begin(), nonce.end());
  in.insert(in.end(), runtime.begin(), runtime.end());
  return crypto::digest(crypto::HashAlg::kSha256, in);
}

std::string decrypt(const std::string& jwe, const crypto::PrivateKey& key) {
  auto d = jose::jwe_decrypt_compact(jwe, key);
  if (!d) {
    ADD_FAILURE() << d.error().to_string();
    return "";
  }
  return std::string(d->plaintext.begin(), d->plaintext.end());
}

class RelyingParty : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(h_.started()) << h_.start_error();
    ASSERT_EQ(pin_ak(h_, tpm_, h_.admin_key()), 201);
    put_secret("db", kSecretValue, affirming_policy(h_.url()), {h_.url()});
  }

  static json affirming_policy(const std::string& authority) {
    return {{"version", "1.0.0"},
            {"anyOf",
             {{{"authority", authority},
               {"allOf", {{{"claim", "ear_status"}, {"equals", "affirming"}}}}}}}};
  }

  ClientResponse put_secret(const std::string& name, const std::string& value, const json& policy,
                            const std::vector<std::string>& issuers) {
    const json body = {{"value", base64_encode(bytes_of(value))},
                       {"releasePolicy", policy},
                       {"trustedIssuers", issuers}};
    ClientResponse r = h_.put("/rp/v1/secrets/" + name, body.dump(), h_.admin_key());
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.body;
    return r;
  }

  // Passport steps 1-4: a RATS session, evidence bound to `bound`'s key, the EAR.
  std::string passport_token(const TeeKey& bound) {
    const ClientResponse s = h_.post("/challenge-response/v1/newSession", "");
    EXPECT_EQ(s.status, 201) << s.body;
    const std::string path = header_of(s, "location").substr(h_.url().size());
    const Bytes nonce = *base64_decode_any(body_json(s)["nonce"].get<std::string>());
    const ClientResponse r = h_.request(
        "POST", path, tpm_.bundle(binding(nonce, bound.runtime)),
        {{"content-type", kTpmMediaType}, {"vouch-runtime-data", b64url(bound.runtime)}});
    EXPECT_EQ(r.status, 200) << r.body;
    const json done = body_json(r);
    EXPECT_EQ(done["appraisal"]["verdict"], "permit") << r.body;
    return done.value("result", "");
  }

  ClientResponse release(const std::string& name, const std::string& token,
                         const json& extra = json::object()) {
    json body = extra;
    body["token"] = token;
    return h_.post_json("/rp/v1/secrets/" + name + ":release", body);
  }

  // Background check: challenge, evidence bound to `bound` (carrying `runtime`), secret.
  ClientResponse background_check(const std::string& name, const TeeKey& bound,
                                  const std::string& runtime, Bytes* nonce_out = nullptr) {
    const ClientResponse c = h_.post("/rp/v1/challenge", "");
    EXPECT_EQ(c.status, 201) << c.body;
    const Bytes nonce = *base64_decode_any(body_json(c)["nonce"].get<std::string>());
    if (nonce_out != nullptr) {
      *nonce_out = nonce;
    }
    return attest_with(name, nonce, bound.runtime, runtime);
  }

  ClientResponse attest_with(const std::string& name, const Bytes& nonce,
                             const std::string& bound_runtime, const std::string& sent_runtime) {
    const json body = {
        {"nonce", base64url_encode(nonce)},
        {"evidence",
         {{"type", kTpmMediaType},
          {"value", base64_encode(bytes_of(tpm_.bundle(binding(nonce, bound_runtime))))}}},
        {"runtimeData", b64url(sent_runtime)}};
    return h_.post_json("/rp/v1/secrets/" + name + ":attest", body);
  }

  ServiceHarness h_;
  TpmAttester tpm_;
};

TEST_F(RelyingParty, PassportReleasesTheSecretToTheBoundKeyOnly) {
  const TeeKey tee = make_tee_key();
  const std::string token = passport_token(tee);
  ASSERT_FALSE(token.empty());
  const json claims = h_.verify_token(token);
  ASSERT_TRUE(claims.contains("cnf")) << claims.dump();
  EXPECT_EQ(claims["cnf"]["jwk"]["x"], tee.jwk["x"]);
  const ClientResponse r = release("db", token);
  ASSERT_EQ(r.status, 200) << r.body;
  const json out = body_json(r);
  EXPECT_EQ(out["name"], "db");
  EXPECT_EQ(out["version"], 1);
  EXPECT_EQ(out["issuer"], h_.url());
  EXPECT_EQ(decrypt(out["jwe"], tee.key), kSecretValue);
  // Another key cannot open it.
  const TeeKey other = make_tee_key();
  EXPECT_FALSE(jose::jwe_decrypt_compact(out["jwe"].get<std::string>(), other.key).has_value());
}

TEST_F(RelyingParty, PresentingAnotherKeyThanTheBoundOneIsRefused) {
  const TeeKey tee = make_tee_key();
  const TeeKey other = make_tee_key();
  const ClientResponse r = release("db", passport_token(tee), {{"key", other.jwk}});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(check_of(r), "rp.tee_key.mismatch");
}

TEST_F(RelyingParty, RotationReleasesTheNewestVersion) {
  put_secret("db", "second-value", affirming_policy(h_.url()), {h_.url()});
  const TeeKey tee = make_tee_key();
  const ClientResponse r = release("db", passport_token(tee));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_json(r)["version"], 2);
  EXPECT_EQ(decrypt(body_json(r)["jwe"], tee.key), "second-value");
}

TEST_F(RelyingParty, BackgroundCheckReleasesTheSecret) {
  const TeeKey tee = make_tee_key();
  const ClientResponse r = background_check("db", tee, tee.runtime);
  ASSERT_EQ(r.status, 200) << r.body;
  const json out = body_json(r);
  EXPECT_EQ(decrypt(out["jwe"], tee.key), kSecretValue);
  const json claims = h_.verify_token(out["token"]);
  EXPECT_EQ(claims["ear_status"], "affirming");
}

TEST_F(RelyingParty, ReplayedChallengeIsRefused) {
  const TeeKey tee = make_tee_key();
  Bytes nonce;
  ASSERT_EQ(background_check("db", tee, tee.runtime, &nonce).status, 200);
  const ClientResponse again = attest_with("db", nonce, tee.runtime, tee.runtime);
  EXPECT_EQ(again.status, 400) << again.body;
  EXPECT_EQ(check_of(again), "store.session.consumed");
}

TEST_F(RelyingParty, EvidenceBoundToOneKeyPresentedWithAnotherIsRejected) {
  const TeeKey tee = make_tee_key();
  const TeeKey other = make_tee_key();
  const ClientResponse r = background_check("db", tee, other.runtime);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(check_of(r), "tpm.quote.nonce");
}

TEST_F(RelyingParty, UntrustedIssuerIsRefused) {
  put_secret("elsewhere", kSecretValue, affirming_policy("https://verifier.example"),
             {"https://verifier.example"});
  const ClientResponse r = release("elsewhere", passport_token(make_tee_key()));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(check_of(r), "rp.issuer.untrusted");
}

TEST_F(RelyingParty, ExpiredTokenIsRefused) {
  const std::string token = passport_token(make_tee_key());
  h_.clock().advance(std::chrono::hours(9));
  const ClientResponse r = release("db", token);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(check_of(r), "token.result.exp");
}

TEST_F(RelyingParty, RevokedTokenIsRefused) {
  const std::string token = passport_token(make_tee_key());
  const std::string jti = jwt_claims_unverified(token)["jti"];
  const ClientResponse revoked = h_.post("/admin/tokens/" + jti + ":revoke", "", h_.admin_key());
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  const ClientResponse r = release("db", token);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(check_of(r), "token.result.revoked");
}

TEST_F(RelyingParty, ReleasePolicyDenialIsRefused) {
  const json policy = {
      {"version", "1.0.0"},
      {"anyOf",
       {{{"authority", h_.url()}, {"allOf", {{{"claim", "ear_status"}, {"equals", "warning"}}}}}}}};
  put_secret("strict", kSecretValue, policy, {h_.url()});
  const ClientResponse r = release("strict", passport_token(make_tee_key()));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(check_of(r), "rp.release_policy.deny");
}

TEST_F(RelyingParty, TamperedAndUnsignedTokensAreRefused) {
  std::string token = passport_token(make_tee_key());
  std::string tampered = token;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  ClientResponse r = release("db", tampered);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(check_of(r), "token.result.signature");
  const json claims = jwt_claims_unverified(token);
  auto none = jose::make_unsecured_jwt(json{{"typ", "JWT"}}, claims);
  ASSERT_TRUE(none.has_value());
  r = release("db", *none);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(check_of(r), "token.result.alg");
}

TEST_F(RelyingParty, UnreachableJwksIsRefusedWithoutTheSecret) {
  // A token from an issuer whose keys cannot be fetched (nothing listens on port 1).
  const std::string issuer = "http://127.0.0.1:1";
  put_secret("remote", kSecretValue, affirming_policy(issuer), {issuer});
  auto key = crypto::PrivateKey::generate_ec(crypto::Curve::kP256);
  ASSERT_TRUE(key.has_value());
  const TeeKey tee = make_tee_key();
  const std::int64_t now = unix_seconds(h_.clock().now());
  const json claims = {{"iss", issuer},
                       {"iat", now},
                       {"exp", now + 600},
                       {"ear_status", "affirming"},
                       {"cnf", {{"jwk", tee.jwk}}}};
  const std::string payload = claims.dump();
  auto token = jose::jws_sign_compact(jose::JwsAlg::kEs256, json{{"typ", "JWT"}, {"kid", "k1"}},
                                      bytes_of(payload), *key);
  ASSERT_TRUE(token.has_value());
  const ClientResponse r = release("remote", *token);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(check_of(r), "rp.jwks.unavailable");
  EXPECT_EQ(body_json(r).count("jwe"), 0u);
}

TEST_F(RelyingParty, UnknownSecretIsNotFound) {
  const ClientResponse r = release("missing", passport_token(make_tee_key()));
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(check_of(r), "store.secret.not_found");
}

TEST_F(RelyingParty, OwnerApiNeverShowsTheValue) {
  ClientResponse r = h_.get("/rp/v1/secrets/db", h_.admin_key());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find(kSecretValue), std::string::npos);
  EXPECT_EQ(r.body.find(base64_encode(bytes_of(kSecretValue))), std::string::npos);
  EXPECT_EQ(body_json(r)["trustedIssuers"][0], h_.url());
  put_secret("app/key/1", "kbs-value", affirming_policy(h_.url()), {h_.url()});
  r = h_.get("/rp/v1/secrets", h_.admin_key());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_json(r)["secrets"].size(), 2u);
  EXPECT_EQ(h_.get("/rp/v1/secrets/db").status, 401);
  EXPECT_EQ(h_.del("/rp/v1/secrets/app/key/1", h_.admin_key()).status, 204);
  EXPECT_EQ(h_.get("/rp/v1/secrets/app/key/1", h_.admin_key()).status, 404);
  // Bad input names what failed.
  r = h_.put("/rp/v1/secrets/bad", json{{"value", "!!"}}.dump(), h_.admin_key());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.request.field");
  r = h_.put(
      "/rp/v1/secrets/bad",
      json{{"value", "eA"}, {"releasePolicy", {{"version", "9"}}}, {"trustedIssuers", {h_.url()}}}
          .dump(),
      h_.admin_key());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "rp.secret.config");
}

TEST_F(RelyingParty, SecretValuesNeverReachLogsOrAudit) {
  const TeeKey tee = make_tee_key();
  ASSERT_EQ(release("db", passport_token(tee)).status, 200);
  ASSERT_EQ(background_check("db", tee, tee.runtime).status, 200);
  ASSERT_EQ(release("missing", passport_token(tee)).status, 404);
  const ClientResponse audit = h_.get("/audit", h_.admin_key());
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_NE(audit.body.find("secret.release"), std::string::npos);
  EXPECT_NE(audit.body.find("secret.refuse"), std::string::npos);
  h_.stop();
  const std::string b64 = base64_encode(bytes_of(kSecretValue));
  for (const std::string& text : {audit.body, h_.log_text()}) {
    EXPECT_EQ(text.find(kSecretValue), std::string::npos);
    EXPECT_EQ(text.find(b64), std::string::npos);
  }
}

TEST_F(RelyingParty, KbsConversation) {
  put_secret("default/key/1", "kbs-resource-value", affirming_policy(h_.url()), {h_.url()});
  ClientResponse auth = h_.post_json(
      "/kbs/v0/auth", json{{"version", "0.1.1"}, {"tee", "tpm"}, {"extra-params", ""}});
  ASSERT_EQ(auth.status, 200) << auth.body;
  const std::string set_cookie = header_of(auth, "set-cookie");
  ASSERT_EQ(set_cookie.rfind("kbs-session-id=", 0), 0u) << set_cookie;
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  const std::string nonce = body_json(auth)["nonce"];
  const TeeKey tee = make_tee_key();
  const json runtime = {{"nonce", nonce}, {"tee-pubkey", tee.jwk}};
  const Bytes digest = crypto::digest(crypto::HashAlg::kSha256, bytes_of(runtime.dump()));
  const json attest = {{"runtime-data", runtime},
                       {"tee-evidence", json::parse(tpm_.bundle(digest))}};
  ClientResponse r = h_.request("POST", "/kbs/v0/attest", attest.dump(),
                                {{"content-type", "application/json"}, {"cookie", cookie}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string token = body_json(r)["token"];
  EXPECT_EQ(h_.verify_token(token)["ear_status"], "affirming");
  // The session answers once.
  r = h_.request("POST", "/kbs/v0/attest", attest.dump(),
                 {{"content-type", "application/json"}, {"cookie", cookie}});
  EXPECT_EQ(r.status, 401) << r.body;
  r = h_.request("GET", "/kbs/v0/resource/default/key/1", "", {{"cookie", cookie}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json jwe = body_json(r);
  const std::string compact =
      jwe["protected"].get<std::string>() + "." + jwe["encrypted_key"].get<std::string>() + "." +
      jwe["iv"].get<std::string>() + "." + jwe["ciphertext"].get<std::string>() + "." +
      jwe["tag"].get<std::string>();
  EXPECT_EQ(decrypt(compact, tee.key), "kbs-resource-value");
  // The same token as a bearer works; none at all does not.
  r = h_.request("GET", "/kbs/v0/resource/default/key/1", "",
                 {{"authorization", "Bearer " + token}});
  EXPECT_EQ(r.status, 200) << r.body;
  r = h_.request("GET", "/kbs/v0/resource/default/key/1", "");
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_NE(body_json(r)["type"].get<std::string>().find("confidential-containers/kbs/errors/"),
            std::string::npos);
  r = h_.request("GET", "/kbs/v0/resource/default/key/2", "", {{"cookie", cookie}});
  EXPECT_EQ(r.status, 404) << r.body;
}

TEST_F(RelyingParty, KbsInitDataIsRefusedWhereNothingBindsIt) {
  // A TPM quote has nowhere to bind confidential containers' init-data: it is refused, never
  // passed through unbound (SEV-SNP binds it in HOST_DATA: tests/service/service_azure_guest_test).
  ClientResponse auth = h_.post_json("/kbs/v0/auth", json{{"version", "0.1.1"}, {"tee", "tpm"}});
  ASSERT_EQ(auth.status, 200) << auth.body;
  const std::string cookie =
      header_of(auth, "set-cookie").substr(0, header_of(auth, "set-cookie").find(';'));
  const TeeKey tee = make_tee_key();
  const json runtime = {{"nonce", body_json(auth)["nonce"]}, {"tee-pubkey", tee.jwk}};
  const Bytes digest = crypto::digest(crypto::HashAlg::kSha256, bytes_of(runtime.dump()));
  const json attest = {{"init-data", {{"format", "toml"}, {"body", "algorithm = \"sha256\""}}},
                       {"runtime-data", runtime},
                       {"tee-evidence", json::parse(tpm_.bundle(digest))}};
  const ClientResponse r = h_.request("POST", "/kbs/v0/attest", attest.dump(),
                                      {{"content-type", "application/json"}, {"cookie", cookie}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(check_of(r), "appraisal.binding");
}

TEST_F(RelyingParty, KbsNonceMustBeTheSessionChallenge) {
  ClientResponse auth = h_.post_json("/kbs/v0/auth", json{{"version", "0.1.1"}, {"tee", "tpm"}});
  ASSERT_EQ(auth.status, 200) << auth.body;
  const std::string cookie =
      header_of(auth, "set-cookie").substr(0, header_of(auth, "set-cookie").find(';'));
  const TeeKey tee = make_tee_key();
  const json runtime = {{"nonce", base64_encode(Bytes(32, 7))}, {"tee-pubkey", tee.jwk}};
  const Bytes digest = crypto::digest(crypto::HashAlg::kSha256, bytes_of(runtime.dump()));
  const json attest = {{"runtime-data", runtime},
                       {"tee-evidence", json::parse(tpm_.bundle(digest))}};
  const ClientResponse r = h_.request("POST", "/kbs/v0/attest", attest.dump(),
                                      {{"content-type", "application/json"}, {"cookie", cookie}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(check_of(r), "service.kbs.nonce");
}

TEST_F(RelyingParty, DeeplyNestedJsonIsRefusedAndTheServiceStaysUp) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  ClientResponse r =
      h_.request("POST", "/rp/v1/secrets/db:release", R"({"token":"x","key":)" + deep + "}",
                 {{"content-type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.request.json");
  r = h_.request("POST", "/kbs/v0/attest", R"({"runtime-data":{"x":)" + deep + "}}",
                 {{"content-type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(h_.get("/healthz").status, 200);
}

TEST_F(RelyingParty, KbsHonoursTheTenantsAttestationKeyRequirement) {
  ASSERT_EQ(
      h_.put("/admin/settings", json{{"attestation_requires_key", true}}.dump(), h_.admin_key())
          .status,
      200);
  ClientResponse r = h_.post_json("/kbs/v0/auth", json{{"version", "0.1.1"}, {"tee", "tpm"}});
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(check_of(r), "service.auth.credentials");
  r = h_.request("GET", "/kbs/v0/resource/a/b/c", "", {{"authorization", "Bearer x.y.z"}});
  EXPECT_EQ(r.status, 401) << r.body;
  r = h_.request(
      "POST", "/kbs/v0/auth", json{{"version", "0.1.1"}, {"tee", "tpm"}}.dump(),
      {{"content-type", "application/json"}, {"authorization", "Bearer " + h_.admin_key()}});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(RelyingParty, RefusalWithAHugeIssuerIsStillAudited) {
  const std::string issuer = "https://evil.example/" + std::string(70000, 'a');
  const std::string payload = json{{"iss", issuer}, {"exp", 4102444800}}.dump();
  const std::string token = b64url(R"({"alg":"ES256","typ":"JWT"})") + "." + b64url(payload) + "." +
                            b64url(std::string(64, 'x'));
  const ClientResponse r = release("db", token);
  EXPECT_EQ(r.status, 403) << r.body.substr(0, 300);
  EXPECT_EQ(check_of(r), "rp.issuer.untrusted");
  const ClientResponse audit = h_.get("/audit?limit=1000", h_.admin_key());
  ASSERT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("rp.issuer.untrusted"), std::string::npos);
}

// Two services: A is the verifier, B the relying party with [relying_party] verifier_url = A.
// B forwards background-check evidence to A's RATS API over HTTP, fetches A's JWKS through its
// OpenID metadata and A's status list over HTTP, and releases.
TEST(RelyingPartyRemote, BackgroundCheckThroughARemoteVerifier) {
  ServiceHarness verifier;
  ASSERT_TRUE(verifier.started()) << verifier.start_error();
  TpmAttester tpm;
  ASSERT_EQ(pin_ak(verifier, tpm, verifier.admin_key()), 201);
  ServiceHarnessOptions options;
  const std::string verifier_url = verifier.url();
  options.configure = [verifier_url](service::Config& c) { c.rp_verifier_url = verifier_url; };
  ServiceHarness rp(std::move(options));
  ASSERT_TRUE(rp.started()) << rp.start_error();
  const json policy = {{"version", "1.0.0"},
                       {"anyOf",
                        {{{"authority", verifier_url},
                          {"allOf", {{{"claim", "ear_status"}, {"equals", "affirming"}}}}}}}};
  const json body = {{"value", base64_encode(bytes_of("remote-secret"))},
                     {"releasePolicy", policy},
                     {"trustedIssuers", {verifier_url}}};
  ASSERT_EQ(rp.put("/rp/v1/secrets/db", body.dump(), rp.admin_key()).status, 201);

  const TeeKey tee = make_tee_key();
  const ClientResponse c = rp.post("/rp/v1/challenge", "");
  ASSERT_EQ(c.status, 201) << c.body;
  const Bytes nonce = *base64_decode_any(body_json(c)["nonce"].get<std::string>());
  const json attest = {
      {"nonce", base64url_encode(nonce)},
      {"evidence",
       {{"type", kTpmMediaType},
        {"value", base64_encode(bytes_of(tpm.bundle(binding(nonce, tee.runtime))))}}},
      {"runtimeData", b64url(tee.runtime)}};
  ClientResponse r = rp.post_json("/rp/v1/secrets/db:attest", attest);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_json(r)["issuer"], verifier_url);
  EXPECT_EQ(decrypt(body_json(r)["jwe"], tee.key), "remote-secret");
  EXPECT_EQ(jwt_claims_unverified(body_json(r)["token"])["iss"], verifier_url);

  // Evidence the remote verifier rejects is refused with B's forwarding check id.
  const ClientResponse c2 = rp.post("/rp/v1/challenge", "");
  const Bytes nonce2 = *base64_decode_any(body_json(c2)["nonce"].get<std::string>());
  json bad = attest;
  bad["nonce"] = base64url_encode(nonce2);  // the quote still binds the first nonce
  r = rp.post_json("/rp/v1/secrets/db:attest", bad);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(check_of(r), "service.rp.evidence_rejected");

  // The verifier stops: forwarding is unavailable (503), never a release.
  verifier.stop();
  const ClientResponse c3 = rp.post("/rp/v1/challenge", "");
  json later = attest;
  later["nonce"] = base64url_encode(*base64_decode_any(body_json(c3)["nonce"].get<std::string>()));
  r = rp.post_json("/rp/v1/secrets/db:attest", later);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(check_of(r), "service.rp.verifier");
}

TEST(RelyingPartyConfig, WrongAudienceIsRefused) {
  ServiceHarnessOptions options;
  options.configure = [](service::Config& c) { c.rp_audience = "https://secrets.example"; };
  ServiceHarness h(std::move(options));
  ASSERT_TRUE(h.started()) << h.start_error();
  TpmAttester tpm;
  ASSERT_EQ(pin_ak(h, tpm, h.admin_key()), 201);
  const json policy = {{"version", "1.0.0"},
                       {"anyOf",
                        {{{"authority", h.url()},
                          {"allOf", {{{"claim", "ear_status"}, {"equals", "affirming"}}}}}}}};
  const json body = {{"value", base64_encode(bytes_of("v"))},
                     {"releasePolicy", policy},
                     {"trustedIssuers", {h.url()}}};
  ASSERT_EQ(h.put("/rp/v1/secrets/db", body.dump(), h.admin_key()).status, 201);
  const TeeKey tee = make_tee_key();
  const ClientResponse s = h.post("/challenge-response/v1/newSession", "");
  const std::string path = header_of(s, "location").substr(h.url().size());
  const Bytes nonce = *base64_decode_any(body_json(s)["nonce"].get<std::string>());
  const ClientResponse a =
      h.request("POST", path, tpm.bundle(binding(nonce, tee.runtime)),
                {{"content-type", kTpmMediaType}, {"vouch-runtime-data", b64url(tee.runtime)}});
  ASSERT_EQ(a.status, 200) << a.body;
  const ClientResponse r =
      h.post_json("/rp/v1/secrets/db:release", json{{"token", body_json(a)["result"]}});
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(check_of(r), "token.result.aud");
}

}  // namespace
}  // namespace vouch::testing
