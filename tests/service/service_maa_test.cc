// `vouch serve` over real HTTP on 127.0.0.1: the Azure Attestation compatible routes (attest,
// policies, certs, OpenID metadata), with software TPM quotes, SEV-SNP reports from the fake AMD
// PKI, and the real go-sev-guest report from ../shared/vectors. Asserts status codes and check
// ids, never message text.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "appraisal/verifier.h"
#include "base/encoding.h"
#include "crypto/digest.h"
#include "crypto/jwk.h"
#include "crypto/x509.h"
#include "evidence/sevsnp/abi.h"
#include "jose/signature.h"
#include "policy/policy.h"
#include "testing/fake_amd_pki.h"
#include "testing/service_harness.h"
#include "testing/test_pki.h"
#include "testing/vectors.h"

namespace vouch::testing {
namespace {

using nlohmann::json;

constexpr const char* kApi = "?api-version=2022-08-01";

const char* const kPermitPolicy =
    "version=1.0;\nauthorizationrules\n{\n    => permit();\n};\nissuancerules\n{\n"
    "    => issue(type=\"custom\", value=\"from-policy\");\n};\n";
const char* const kDenyPolicy =
    "version=1.0;\nauthorizationrules\n{\n    => deny();\n};\nissuancerules\n{\n};\n";

std::string pem_of(const Bytes& der) {
  const std::string b64 = base64_encode(der);
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out += b64.substr(i, 64) + "\n";
  }
  return out + "-----END CERTIFICATE-----\n";
}

std::string repeat_hex(const std::string& byte_hex, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    out += byte_hex;
  }
  return out;
}

// The active policy text of a type, read back through GET /policies/{type}.
std::string active_policy_text(ServiceHarness& h, const std::string& type, const std::string& key,
                               const std::string& prefix = {}) {
  const ClientResponse r = h.get(prefix + "/policies/" + type + kApi, key);
  EXPECT_EQ(r.status, 200) << r.body;
  const json claims = h.verify_token(body_json(r).value("token", ""), prefix);
  if (!claims.is_object() || !claims.contains("x-ms-policy")) {
    ADD_FAILURE() << "no x-ms-policy in the policy token";
    return "";
  }
  const json stored = jwt_claims_unverified(claims["x-ms-policy"].get<std::string>());
  EXPECT_EQ(jwt_header_unverified(claims["x-ms-policy"].get<std::string>())["alg"], "none");
  return unb64(stored.value("AttestationPolicy", ""));
}

class MaaTpm : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(h_.started()) << h_.start_error();
    ASSERT_EQ(pin_ak(h_, tpm_, h_.admin_key()), 201);
  }

  ClientResponse attest(const std::string& body, const std::string& query = kApi) {
    return h_.post("/attest/Tpm" + query, body);
  }

  ServiceHarness h_;
  TpmAttester tpm_;
};

TEST_F(MaaTpm, AttestIssuesAnMaaTokenThatVerifiesAgainstCerts) {
  const ClientResponse r = attest(tpm_.maa_body({}, {{"nonce", "caller-nonce-1"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  const std::string token = tpm_report_token(r);
  ASSERT_FALSE(token.empty());
  const json c = h_.verify_token(token);
  ASSERT_TRUE(c.is_object());
  EXPECT_EQ(c["iss"], h_.url());
  EXPECT_EQ(c["x-ms-ver"], "1.0");
  EXPECT_EQ(c["x-ms-attestation-type"], "tpm");
  EXPECT_EQ(c["x-ms-policy-hash"],
            policy::policy_hash(active_policy_text(h_, "Tpm", h_.admin_key())));
  EXPECT_TRUE(std::regex_match(c["jti"].get<std::string>(), std::regex("^[0-9a-f]{64}$")))
      << c["jti"];
  EXPECT_EQ(c["exp"].get<std::int64_t>() - c["iat"].get<std::int64_t>(), 28800);
  EXPECT_EQ(c["iat"].get<std::int64_t>(), unix_seconds(h_.clock().now()));
  EXPECT_EQ(c["nbf"], c["iat"]);
  EXPECT_EQ(c["nonce"], "caller-nonce-1");
  ASSERT_TRUE(c.contains("status")) << c.dump();
  const json& sl = c["status"]["status_list"];
  EXPECT_TRUE(sl["idx"].is_number_unsigned());
  EXPECT_TRUE(std::regex_match(sl["uri"].get<std::string>(),
                               std::regex("^" + h_.url() + "/status-lists/[0-9]+$")))
      << sl["uri"];
  // The verified evidence claims are at top level.
  EXPECT_EQ(c["tpm.ak.trust"], "pinned");
  // The header names the key set.
  const json header = jwt_header_unverified(token);
  EXPECT_EQ(header["jku"], h_.url() + "/certs");
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_FALSE(header.value("kid", "").empty());
}

TEST_F(MaaTpm, TwoAttestationsHaveDistinctJtisAndStatusEntries) {
  const json a = jwt_claims_unverified(tpm_report_token(attest(tpm_.maa_body({}))));
  const json b = jwt_claims_unverified(tpm_report_token(attest(tpm_.maa_body({}))));
  EXPECT_NE(a["jti"], b["jti"]);
  EXPECT_NE(a["status"]["status_list"]["idx"], b["status"]["status_list"]["idx"]);
}

TEST_F(MaaTpm, ApiVersionIsRequiredAndChecked) {
  for (const char* query :
       {"", "?api-version=", "?api-version=2099-01-01", "?api_version=2022-08-01"}) {
    const ClientResponse r = attest(tpm_.maa_body({}), query);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(check_of(r), "service.request.api_version") << query;
    EXPECT_EQ(header_of(r, "x-ms-error-code"), "InvalidParameter") << query;
    EXPECT_EQ(maa_code_of(r), "InvalidParameter");
  }
  for (const char* v : {"2020-10-01", "2022-08-01", "2022-09-01-preview", "2025-06-01"}) {
    EXPECT_EQ(attest(tpm_.maa_body({}), std::string("?api-version=") + v).status, 200) << v;
  }
  // Policy routes check it too.
  EXPECT_EQ(h_.get("/policies/Tpm", h_.admin_key()).status, 400);
}

TEST_F(MaaTpm, MemberNamesAreCaseInsensitiveAndBase64VariantsAccepted) {
  const std::string bundle = tpm_.bundle({});
  std::string padded = base64_encode(as_bytes(bundle));
  std::string unpadded = padded;
  while (!unpadded.empty() && unpadded.back() == '=') {
    unpadded.pop_back();
  }
  std::string url_padded = base64url_encode(as_bytes(bundle));
  while (url_padded.size() % 4 != 0) {
    url_padded.push_back('=');
  }
  for (const json& body : {json{{"DATA", padded}}, json{{"Data", unpadded}},
                           json{{"data", url_padded}}, json{{"dAtA", b64url(bundle)}}}) {
    const ClientResponse r = attest(body.dump());
    EXPECT_EQ(r.status, 200) << body.dump().substr(0, 40) << " " << r.body;
  }
  // The same member twice in different cases is ambiguous.
  const ClientResponse dup = attest(json{{"data", padded}, {"DATA", padded}}.dump());
  EXPECT_EQ(dup.status, 400);
  EXPECT_EQ(check_of(dup), "service.request.field");
  // Not base64 at all.
  const ClientResponse bad = attest(json{{"data", "***"}}.dump());
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(check_of(bad), "service.request.field");
  // No evidence member.
  const ClientResponse missing = attest(json{{"quote", padded}}.dump());
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(check_of(missing), "service.request.field");
}

TEST_F(MaaTpm, MalformedJsonBodyIsRefused) {
  for (const char* body : {"{", "[]", "\"data\"", "", "{\"data\": }"}) {
    const ClientResponse r = attest(body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(check_of(r), "service.request.json") << body;
    EXPECT_EQ(header_of(r, "x-ms-error-code"), "InvalidParameter");
  }
}

TEST_F(MaaTpm, RuntimeDataJsonIsBoundAndEchoed) {
  const std::string runtime = R"({"purpose":"test","keys":[]})";
  const Bytes digest = crypto::digest(crypto::HashAlg::kSha256, as_bytes(runtime));
  const json extra = {{"runtimeData", {{"data", b64url(runtime)}, {"dataType", "JSON"}}}};
  const ClientResponse r = attest(tpm_.maa_body(digest, extra));
  ASSERT_EQ(r.status, 200) << r.body;
  const json c = h_.verify_token(tpm_report_token(r));
  EXPECT_EQ(c["x-ms-runtime"], json::parse(runtime));

  // Binary runtime data is bound the same way but not echoed.
  const json binary = {{"runtimeData", {{"data", b64url(runtime)}, {"dataType", "Binary"}}}};
  const ClientResponse rb = attest(tpm_.maa_body(digest, binary));
  ASSERT_EQ(rb.status, 200) << rb.body;
  EXPECT_FALSE(jwt_claims_unverified(tpm_report_token(rb)).contains("x-ms-runtime"));

  // Evidence that does not bind the runtime data is rejected.
  const ClientResponse unbound = attest(tpm_.maa_body({}, extra));
  EXPECT_EQ(unbound.status, 400);
  EXPECT_EQ(check_of(unbound), "tpm.quote.nonce");
  EXPECT_EQ(header_of(unbound, "x-ms-error-code"), "InvalidParameter");
  const Bytes other = crypto::digest(crypto::HashAlg::kSha256, as_bytes(std::string("other")));
  EXPECT_EQ(check_of(attest(tpm_.maa_body(other, extra))), "tpm.quote.nonce");

  // JSON data that is not JSON.
  const json not_json = {{"runtimeData", {{"data", b64url("not json")}, {"dataType", "JSON"}}}};
  const Bytes d2 = crypto::digest(crypto::HashAlg::kSha256, as_bytes(std::string("not json")));
  const ClientResponse nj = attest(tpm_.maa_body(d2, not_json));
  EXPECT_EQ(nj.status, 400);
  EXPECT_EQ(check_of(nj), "appraisal.runtime_data");
  // An unknown dataType.
  const json bad_type = {{"runtimeData", {{"data", b64url(runtime)}, {"dataType", "Text"}}}};
  EXPECT_EQ(check_of(attest(tpm_.maa_body(digest, bad_type))), "service.request.field");
}

TEST_F(MaaTpm, RuntimeDataJwkBecomesCnf) {
  const crypto::PrivateKey tee = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  const json jwk = crypto::public_key_to_jwk(tee.public_key());
  const std::string runtime = json{{"keys", {jwk}}}.dump();
  const Bytes digest = crypto::digest(crypto::HashAlg::kSha256, as_bytes(runtime));
  const json extra = {{"runtimeData", {{"data", b64url(runtime)}, {"dataType", "JSON"}}}};
  const ClientResponse r = attest(tpm_.maa_body(digest, extra));
  ASSERT_EQ(r.status, 200) << r.body;
  const json c = h_.verify_token(tpm_report_token(r));
  EXPECT_EQ(c["cnf"]["jwk"], jwk);
}

TEST_F(MaaTpm, InitTimeDataThatTheQuoteCannotBindIsRefused) {
  // A TPM quote binds runtime data through extraData, but nothing binds init-time data: a token
  // must never echo it as x-ms-inittime.
  const json extra = {
      {"initTimeData", {{"data", b64url(R"({"trusted":true})")}, {"dataType", "JSON"}}}};
  const ClientResponse r = attest(tpm_.maa_body({}, extra));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(check_of(r), "appraisal.binding");
}

TEST_F(MaaTpm, DraftPolicyGivesAnUnsignedToken) {
  const json extra = {{"draftPolicyForAttestation", kPermitPolicy}, {"nonce", "n1"}};
  const ClientResponse r = attest(tpm_.maa_body({}, extra));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string token = tpm_report_token(r);
  EXPECT_EQ(jwt_header_unverified(token)["alg"], "none");
  EXPECT_EQ(token.back(), '.') << "an unsecured JWS has an empty signature";
  const json c = jwt_claims_unverified(token);
  EXPECT_EQ(c["x-ms-policy-hash"], policy::policy_hash(kPermitPolicy));
  EXPECT_EQ(c["x-ms-policy"]["custom"], "from-policy");
  EXPECT_EQ(c["nonce"], "n1");
  EXPECT_FALSE(c.contains("status")) << "draft results are not revocable tokens";
  // It does not verify against the service's keys.
  EXPECT_FALSE(jose::jwt_verify_compact(token, h_.jwks()).has_value());
  // A draft that denies, and one that does not compile.
  const ClientResponse denied =
      attest(tpm_.maa_body({}, {{"draftPolicyForAttestation", kDenyPolicy}}));
  EXPECT_EQ(denied.status, 400);
  EXPECT_EQ(maa_code_of(denied), "PolicyEvaluationError");
  const ClientResponse broken = attest(
      tpm_.maa_body({}, {{"draftPolicyForAttestation", "version=1.0; authorizationrules {"}}));
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(maa_code_of(broken), "PolicyParsingError");
  EXPECT_EQ(check_of(broken).rfind("policy.", 0), 0u) << check_of(broken);
}

TEST_F(MaaTpm, PolicySetGetResetRoundTrip) {
  const std::string key = h_.admin_key();
  const std::string builtin = active_policy_text(h_, "Tpm", key);
  ASSERT_FALSE(builtin.empty());

  const std::string jws = unsigned_policy_jws(kPermitPolicy);
  ClientResponse r = h_.put(std::string("/policies/Tpm") + kApi, jws, key);
  ASSERT_EQ(r.status, 200) << r.body;
  json c = h_.verify_token(body_json(r)["token"]);
  EXPECT_EQ(c["x-ms-policy-result"], "Updated");
  EXPECT_EQ(c["x-ms-policy-token-hash"],
            base64url_encode(crypto::digest(crypto::HashAlg::kSha256, as_bytes(jws))));
  EXPECT_EQ(active_policy_text(h_, "Tpm", key), kPermitPolicy);
  // The JWS may also come as a JSON string.
  EXPECT_EQ(h_.put(std::string("/policies/Tpm") + kApi, json(jws).dump(), key).status, 200);

  // The new policy is in force at once, with its hash in the token.
  const json t = h_.verify_token(tpm_report_token(attest(tpm_.maa_body({}))));
  EXPECT_EQ(t["x-ms-policy-hash"], policy::policy_hash(kPermitPolicy));
  EXPECT_EQ(t["x-ms-policy"]["custom"], "from-policy");

  // Paths are case-insensitive, the type too.
  EXPECT_EQ(h_.get(std::string("/POLICIES/tpm") + kApi, key).status, 200);

  r = h_.post(std::string("/policies/Tpm:reset") + kApi, unsigned_policy_jws(""), key);
  ASSERT_EQ(r.status, 200) << r.body;
  c = h_.verify_token(body_json(r)["token"]);
  EXPECT_EQ(c["x-ms-policy-result"], "Removed");
  EXPECT_EQ(active_policy_text(h_, "Tpm", key), builtin);
  const json after = h_.verify_token(tpm_report_token(attest(tpm_.maa_body({}))));
  EXPECT_EQ(after["x-ms-policy-hash"], policy::policy_hash(builtin));
}

TEST_F(MaaTpm, PolicyThatDoesNotParseIsRefused) {
  const ClientResponse r = h_.put(
      std::string("/policies/Tpm") + kApi,
      unsigned_policy_jws("version=1.0; authorizationrules { => permit() };"), h_.admin_key());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(maa_code_of(r), "PolicyParsingError");
  EXPECT_EQ(header_of(r, "x-ms-error-code"), "PolicyParsingError");
  EXPECT_EQ(check_of(r), "policy.syntax");
  EXPECT_EQ(body_json(r)["error"]["target"], "policy.syntax");
  // Not a JWS at all, and a JWS without AttestationPolicy.
  const ClientResponse not_jws =
      h_.put(std::string("/policies/Tpm") + kApi, "not a jws", h_.admin_key());
  EXPECT_EQ(not_jws.status, 400);
  EXPECT_EQ(check_of(not_jws), "service.policy.jws");
  auto empty = jose::make_unsecured_jwt(json::object(), json{{"Other", "x"}});
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(check_of(h_.put(std::string("/policies/Tpm") + kApi, *empty, h_.admin_key())),
            "service.policy.jws");
}

TEST_F(MaaTpm, DenyingPolicyGivesPolicyEvaluationError) {
  ASSERT_EQ(
      h_.put(std::string("/policies/Tpm") + kApi, unsigned_policy_jws(kDenyPolicy), h_.admin_key())
          .status,
      200);
  const ClientResponse r = attest(tpm_.maa_body({}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(maa_code_of(r), "PolicyEvaluationError");
  EXPECT_EQ(header_of(r, "x-ms-error-code"), "PolicyEvaluationError");
  EXPECT_EQ(check_of(r), "appraisal.policy.denied");
  // A policy that permits nothing at all.
  ASSERT_EQ(h_.put(std::string("/policies/Tpm") + kApi,
                   unsigned_policy_jws("version=1.0; authorizationrules { };"), h_.admin_key())
                .status,
            200);
  EXPECT_EQ(check_of(attest(tpm_.maa_body({}))), "appraisal.policy.denied");
}

TEST_F(MaaTpm, UnknownTypeTenantAndUnsupportedType) {
  ClientResponse r = h_.post(std::string("/attest/NoSuchType") + kApi, tpm_.maa_body({}));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(maa_code_of(r), "NotFound");
  EXPECT_EQ(h_.get(std::string("/policies/NoSuchType") + kApi, h_.admin_key()).status, 404);
  r = h_.post(std::string("/tenants/nobody/attest/Tpm") + kApi, tpm_.maa_body({}));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(check_of(r), "service.tenant.unknown");
  EXPECT_EQ(h_.get("/tenants/nobody/certs").status, 404);
  EXPECT_EQ(h_.get("/tenants/Not_A_Name/certs").status, 404);
  // AzureGuest is served by the built-in set: an AttestationInfo that is not JSON is the
  // caller's evidence at fault (tests/service/service_azure_guest_test.cc has the rest).
  r = h_.post(std::string("/attest/AzureGuest") + kApi,
              json{{"AttestationInfo", b64url("x")}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "azure.guest.request");
}

TEST_F(MaaTpm, UntrustedAkIsRejected) {
  TpmAttester stranger;
  const ClientResponse r = attest(stranger.maa_body({}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "appraisal.tpm.ak_untrusted");
  // A tampered quote from the pinned AK.
  json body = json::parse(tpm_.maa_body({}));
  json bundle = json::parse(unb64(body["data"].get<std::string>()));
  std::string sig = unb64(bundle["signature"].get<std::string>());
  sig[sig.size() - 1] = static_cast<char>(sig.back() ^ 1);
  bundle["signature"] = base64_encode(as_bytes(sig));
  body["data"] = b64url(bundle.dump());
  const ClientResponse bad = attest(body.dump());
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(check_of(bad).rfind("tpm.", 0), 0u) << check_of(bad);
}

TEST_F(MaaTpm, PolicyManagementNeedsAKeyWithTheRole) {
  const std::string target = std::string("/policies/Tpm") + kApi;
  const std::string jws = unsigned_policy_jws(kPermitPolicy);
  ClientResponse r = h_.put(target, jws);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(maa_code_of(r), "Unauthorized");
  EXPECT_EQ(check_of(r), "service.auth.credentials");
  EXPECT_EQ(h_.get(target).status, 401);
  EXPECT_EQ(h_.put(target, jws, "vouch_00_nope").status, 401);
  EXPECT_EQ(h_.request("PUT", target, jws, {{"authorization", "Basic abc"}}).status, 401);
  // A key whose secret is wrong.
  std::string tampered = h_.admin_key();
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(h_.put(target, jws, tampered).status, 401);

  const ClientResponse made =
      h_.post_json("/admin/api-keys", json{{"role", "auditor"}}, h_.admin_key());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string auditor = body_json(made)["token"];
  r = h_.put(target, jws, auditor);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(maa_code_of(r), "Forbidden");
  EXPECT_EQ(check_of(r), "service.auth.role");
  EXPECT_EQ(h_.post(std::string("/policies/Tpm:reset") + kApi, jws, auditor).status, 403);
  // Auditors may read.
  EXPECT_EQ(h_.get(target, auditor).status, 200);
  EXPECT_EQ(h_.get(std::string("/certificates") + kApi, auditor).status, 200);
  // The bearer scheme is case-insensitive.
  EXPECT_EQ(h_.request("GET", target, {}, {{"authorization", "bearer " + auditor}}).status, 200);
}

TEST_F(MaaTpm, IsolatedModeNeedsPolicySignedByARegisteredCertificate) {
  const crypto::PrivateKey signer = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  CertSpec spec;
  spec.common_name = "Policy Signer";
  const crypto::Certificate cert = issue_certificate(spec, signer.public_key(), signer, nullptr);
  const crypto::PrivateKey stranger = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  const crypto::Certificate stranger_cert =
      issue_certificate(spec, stranger.public_key(), stranger, nullptr);
  ASSERT_EQ(
      h_.put("/admin/settings",
             json{{"isolated", true}, {"policy_certificates", {base64_encode(cert.der())}}}.dump(),
             h_.admin_key())
          .status,
      200);
  const std::string payload = json{{"AttestationPolicy", b64url(kPermitPolicy)}}.dump();
  auto sign = [&](const crypto::PrivateKey& key, const crypto::Certificate& c) {
    auto jws = jose::jws_sign_compact(jose::JwsAlg::kEs256, json{{"x5c", {base64_encode(c.der())}}},
                                      as_bytes(payload), key);
    EXPECT_TRUE(jws.has_value());
    return jws ? *jws : std::string();
  };
  const std::string target = std::string("/policies/Tpm") + kApi;
  ClientResponse r = h_.put(target, unsigned_policy_jws(kPermitPolicy), h_.admin_key());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.policy.signer");
  EXPECT_EQ(maa_code_of(r), "InvalidOperation");
  r = h_.put(target, sign(stranger, stranger_cert), h_.admin_key());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.policy.signer");
  // x5c naming the registered certificate, signed by another key.
  r = h_.put(target, sign(stranger, cert), h_.admin_key());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.policy.signer");

  const std::string good = sign(signer, cert);
  r = h_.put(target, good, h_.admin_key());
  ASSERT_EQ(r.status, 200) << r.body;
  const json c = h_.verify_token(body_json(r)["token"]);
  EXPECT_EQ(c["x-ms-policy-result"], "Updated");
  EXPECT_EQ(active_policy_text(h_, "Tpm", h_.admin_key()), kPermitPolicy);
  // The signer the token names verifies the policy JWS it signed.
  auto jwk = jose::parse_jwk(c["x-ms-policy-signer"]);
  ASSERT_TRUE(jwk.has_value());
  jose::JwkSet set;
  set.keys.push_back(*jwk);
  EXPECT_TRUE(jose::jws_verify_compact(good, set).has_value())
      << jose::jws_verify_compact(good, set).error().to_string();

  r = h_.get(std::string("/certificates") + kApi, h_.admin_key());
  ASSERT_EQ(r.status, 200);
  const json certs = h_.verify_token(body_json(r)["token"]);
  auto listed = jose::parse_jwks_json(certs["x-ms-policy-certificates"]);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->keys.size(), 1u);
  EXPECT_TRUE(jose::jws_verify_compact(good, *listed).has_value());
}

TEST_F(MaaTpm, PolicyCertificatesAddAndRemove) {
  CertSpec spec;
  spec.common_name = "Policy Signer";
  const crypto::PrivateKey k1 = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  const crypto::Certificate c1 = issue_certificate(spec, k1.public_key(), k1, nullptr);
  const crypto::PrivateKey k2 = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  const crypto::Certificate c2 = issue_certificate(spec, k2.public_key(), k2, nullptr);
  // Signed by `key` (x5c `cert`), naming `named` as the certificate to add or remove.
  auto request = [&](const crypto::PrivateKey& key, const crypto::Certificate& cert,
                     const crypto::Certificate& named) {
    const json payload = {
        {"policyCertificate", {{"kty", "EC"}, {"x5c", {base64_encode(named.der())}}}}};
    auto jws =
        jose::jws_sign_compact(jose::JwsAlg::kEs256, json{{"x5c", {base64_encode(cert.der())}}},
                               as_bytes(payload.dump()), key);
    EXPECT_TRUE(jws.has_value());
    return jws ? *jws : std::string();
  };
  const std::string add = std::string("/certificates:add") + kApi;
  const std::string remove = std::string("/certificates:remove") + kApi;
  // Only in isolated mode.
  ClientResponse r = h_.post(add, request(k1, c1, c2), h_.admin_key(), "text/plain");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.policy.certificate");
  ASSERT_EQ(
      h_.put("/admin/settings",
             json{{"isolated", true}, {"policy_certificates", {base64_encode(c1.der())}}}.dump(),
             h_.admin_key())
          .status,
      200);
  // A signer that is not registered cannot add itself.
  r = h_.post(add, request(k2, c2, c2), h_.admin_key(), "text/plain");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.policy.signer");
  r = h_.post(add, request(k1, c1, c2), h_.admin_key(), "text/plain");
  ASSERT_EQ(r.status, 200) << r.body;
  json c = h_.verify_token(body_json(r)["token"]);
  EXPECT_EQ(c["x-ms-policycertificates-result"], "IsPresent");
  EXPECT_EQ(c["x-ms-certificate-thumbprint"],
            hex_encode(crypto::digest(crypto::HashAlg::kSha1, c2.der())));
  const auto listed = [&] {
    const ClientResponse g = h_.get(std::string("/certificates") + kApi, h_.admin_key());
    EXPECT_EQ(g.status, 200);
    return h_.verify_token(body_json(g)["token"])["x-ms-policy-certificates"]["keys"].size();
  };
  EXPECT_EQ(listed(), 2u);
  // The added signer may now set policies.
  const std::string payload = json{{"AttestationPolicy", b64url(kPermitPolicy)}}.dump();
  auto policy = jose::jws_sign_compact(
      jose::JwsAlg::kEs256, json{{"x5c", {base64_encode(c2.der())}}}, as_bytes(payload), k2);
  ASSERT_TRUE(policy.has_value());
  EXPECT_EQ(h_.put(std::string("/policies/Tpm") + kApi, *policy, h_.admin_key()).status, 200);
  // Remove it again; the last one cannot be removed.
  r = h_.post(remove, request(k1, c1, c2), h_.admin_key(), "text/plain");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(h_.verify_token(body_json(r)["token"])["x-ms-policycertificates-result"], "IsAbsent");
  EXPECT_EQ(listed(), 1u);
  r = h_.post(remove, request(k1, c1, c1), h_.admin_key(), "text/plain");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.policy.certificate");
  EXPECT_EQ(listed(), 1u);
  // Auditors cannot change them.
  const ClientResponse made =
      h_.post_json("/admin/api-keys", json{{"role", "auditor"}}, h_.admin_key());
  EXPECT_EQ(h_.post(add, request(k1, c1, c2), body_json(made)["token"], "text/plain").status, 403);
}

TEST_F(MaaTpm, SigningAlgorithmChangeRotatesTheKey) {
  const std::string before = tpm_report_token(attest(tpm_.maa_body({})));
  EXPECT_EQ(jwt_header_unverified(before)["alg"], "ES256");
  ASSERT_EQ(h_.put("/admin/settings", json{{"signing_alg", "RS256"}}.dump(), h_.admin_key()).status,
            200);
  const std::string after = tpm_report_token(attest(tpm_.maa_body({})));
  EXPECT_EQ(jwt_header_unverified(after)["alg"], "RS256");
  EXPECT_TRUE(h_.verify_token(after).is_object());
  EXPECT_TRUE(h_.verify_token(before).is_object()) << "the old key stays published";
  const json oid = body_json(h_.get("/.well-known/openid-configuration"));
  EXPECT_EQ(oid["id_token_signing_alg_values_supported"], json::array({"RS256"}));
}

TEST_F(MaaTpm, AttestationKeyRequiredWhenTheTenantSaysSo) {
  ASSERT_EQ(
      h_.put("/admin/settings", json{{"attestation_requires_key", true}}.dump(), h_.admin_key())
          .status,
      200);
  ClientResponse r = attest(tpm_.maa_body({}));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(maa_code_of(r), "Unauthorized");
  EXPECT_EQ(header_of(r, "x-ms-error-code"), "Unauthorized");
  auto key_of = [&](const char* role) {
    const ClientResponse made =
        h_.post_json("/admin/api-keys", json{{"role", role}}, h_.admin_key());
    EXPECT_EQ(made.status, 201);
    return body_json(made).value("token", "");
  };
  const std::string attester = key_of("attester");
  r = h_.post(std::string("/attest/Tpm") + kApi, tpm_.maa_body({}), attester);
  EXPECT_EQ(r.status, 200) << r.body;
  r = h_.post(std::string("/attest/Tpm") + kApi, tpm_.maa_body({}), key_of("rp-owner"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(maa_code_of(r), "Forbidden");
}

TEST_F(MaaTpm, CertsAndOpenIdMetadata) {
  const ClientResponse certs = h_.get("/certs");
  ASSERT_EQ(certs.status, 200);
  const auto set = jose::parse_jwks(certs.body);
  ASSERT_TRUE(set.has_value());
  EXPECT_EQ(set->keys.size(), 1u);
  const ClientResponse oid = h_.get("/.well-known/openid-configuration");
  ASSERT_EQ(oid.status, 200);
  const json doc = body_json(oid);
  EXPECT_EQ(doc["issuer"], h_.url());
  EXPECT_EQ(doc["jwks_uri"], h_.url() + "/certs");
}

// --- SEV-SNP ---

// A SevSnpVm MAA body: {"report": base64url({"SnpReport": base64url(report), "VcekCertChain":
// base64(PEM chain)})}.
std::string snp_body(const Bytes& report, const std::string& chain_pem,
                     const json& extra = json::object()) {
  const json wrapper = {{"SnpReport", base64url_encode(report)},
                        {"VcekCertChain", base64_encode(as_bytes(chain_pem))}};
  json body = extra;
  body["report"] = b64url(wrapper.dump());
  return body.dump();
}

// A service trusting the fake AMD PKI, and reports signed by a fake VCEK.
class MaaSnp : public ::testing::Test {
 protected:
  static ServiceHarnessOptions options() {
    ServiceHarnessOptions o;
    o.verifiers.push_back(appraisal::make_sevsnp_verifier(
        FakeAmdPki::anchors({AmdProduct::kMilan, AmdProduct::kGenoa})));
    o.verifiers.push_back(appraisal::make_tpm_verifier());
    return o;
  }

  void SetUp() override { ASSERT_TRUE(h_.started()) << h_.start_error(); }

  // A Genoa report carrying `report_data` (zero-extended to 64 bytes) and its VCEK chain.
  std::pair<Bytes, std::string> make_report(const Bytes& report_data,
                                            std::uint8_t measurement_byte = 0x5a) {
    const FakeAmdPki& pki = FakeAmdPki::get(AmdProduct::kGenoa);
    const std::uint64_t tcb = test_tcb(AmdProduct::kGenoa);
    VekSpec spec;
    spec.tcb = tcb;
    spec.chip_id = test_chip_id();
    const FakeVek vek = pki.issue_vek(spec);
    sevsnp::Report r = default_report(AmdProduct::kGenoa, 3, tcb);
    std::fill(r.report_data.begin(), r.report_data.end(), 0);
    std::copy(report_data.begin(), report_data.end(), r.report_data.begin());
    std::fill(r.measurement.begin(), r.measurement.end(), measurement_byte);
    return {sign_report(r, vek.key), pem_of(vek.cert.der()) + pki.chain_pem(AmdKeyKind::kVcek)};
  }

  ServiceHarness h_{options()};
};

// RATS: an extended report (report || certificate table) bound to the session nonce attests on
// its own, with no certificates sent alongside and no KDS configured.
TEST_F(MaaSnp, RatsExtendedReportCarriesItsOwnCertificates) {
  ClientResponse r = h_.post("/challenge-response/v1/newSession?nonceSize=32", "");
  ASSERT_EQ(r.status, 201) << r.body;
  const Bytes nonce = base64_decode(body_json(r)["nonce"].get<std::string>()).value();
  const std::string location = header_of(r, "location");
  const std::string session = location.substr(location.find("/challenge-response"));

  const FakeAmdPki& pki = FakeAmdPki::get(AmdProduct::kGenoa);
  VekSpec spec;
  spec.tcb = test_tcb(AmdProduct::kGenoa);
  spec.chip_id = test_chip_id();
  const FakeVek vek = pki.issue_vek(spec);
  sevsnp::Report report = default_report(AmdProduct::kGenoa, 3, spec.tcb);
  const Bytes bound = crypto::digest(crypto::HashAlg::kSha256, nonce);
  std::fill(report.report_data.begin(), report.report_data.end(), 0);
  std::copy(bound.begin(), bound.end(), report.report_data.begin());
  sevsnp::CertTable table;
  table.entries.push_back({sevsnp::kVcekGuid, vek.cert.der()});
  table.entries.push_back({sevsnp::kAskGuid, pki.ask().der()});
  table.entries.push_back({sevsnp::kArkGuid, pki.ark().der()});
  Bytes extended = sign_report(report, vek.key);
  const Bytes table_bytes = sevsnp::serialize(table);
  extended.insert(extended.end(), table_bytes.begin(), table_bytes.end());

  r = h_.post(session, std::string(extended.begin(), extended.end()), "",
              "application/vnd.vouch.sevsnp-report");
  ASSERT_EQ(r.status, 200) << r.body;
  const json done = body_json(r);
  EXPECT_EQ(done["appraisal"]["verdict"], "permit") << done.dump();
  const json ear = h_.verify_token(done["result"].get<std::string>());
  EXPECT_EQ(ear["ear_status"], "affirming");

  // A corrupt table is malformed evidence, named as such.
  r = h_.post("/challenge-response/v1/newSession", "");
  const std::string loc2 = header_of(r, "location");
  Bytes broken = sign_report(report, vek.key);
  broken.insert(broken.end(), 40, 0xff);
  r = h_.post(loc2.substr(loc2.find("/challenge-response")),
              std::string(broken.begin(), broken.end()), "", "application/vnd.vouch.sevsnp-report");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_json(r)["appraisal"]["check"], "snp.cert_table");
}

TEST_F(MaaSnp, AKnownTypeWithNoVerifierOnThisNodeIsUnsupported) {
  // This node serves SevSnpVm and Tpm only.
  const ClientResponse r = h_.post(std::string("/attest/TdxVm") + kApi,
                                   json{{"quote", base64url_encode(Bytes{4, 0, 2, 0})}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.type.unsupported");
}

TEST_F(MaaSnp, AttestIssuesTokenWithSnpClaims) {
  const auto [report, chain] = make_report({});
  const ClientResponse r = h_.post(std::string("/attest/SevSnpVm") + kApi,
                                   snp_body(report, chain, {{"nonce", "snp-nonce"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  const json c = h_.verify_token(body_json(r)["token"]);
  ASSERT_TRUE(c.is_object());
  EXPECT_EQ(c["x-ms-attestation-type"], "sevsnpvm");
  EXPECT_EQ(c["x-ms-ver"], "1.0");
  EXPECT_EQ(c["nonce"], "snp-nonce");
  EXPECT_EQ(c["x-ms-policy-hash"],
            policy::policy_hash(active_policy_text(h_, "SevSnpVm", h_.admin_key())));
  EXPECT_EQ(c["exp"].get<std::int64_t>() - c["iat"].get<std::int64_t>(), 28800);
  EXPECT_EQ(c["x-ms-sevsnpvm-launchmeasurement"], repeat_hex("5a", 48));
  EXPECT_TRUE(c.contains("status"));
}

TEST_F(MaaSnp, RuntimeDataMustBeBoundInReportData) {
  const std::string runtime = R"({"jwk":{"kty":"oct"}})";
  const Bytes digest = crypto::digest(crypto::HashAlg::kSha256, as_bytes(runtime));
  const json extra = {{"runtimedata", {{"data", b64url(runtime)}, {"datatype", "json"}}}};
  const auto [bound, chain] = make_report(digest);
  const ClientResponse ok =
      h_.post(std::string("/attest/SevSnpVm") + kApi, snp_body(bound, chain, extra));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(h_.verify_token(body_json(ok)["token"])["x-ms-runtime"], json::parse(runtime));

  const auto [unbound, chain2] = make_report({});
  const ClientResponse bad =
      h_.post(std::string("/attest/SevSnpVm") + kApi, snp_body(unbound, chain2, extra));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(check_of(bad), "snp.report_data");
}

TEST_F(MaaSnp, BareReportWithoutChainFailsClosedWithoutKds) {
  const auto [report, chain] = make_report({});
  const ClientResponse r = h_.post(std::string("/attest/SevSnpVm") + kApi,
                                   json{{"report", base64url_encode(report)}}.dump());
  // Without certificates or a KDS to fetch them from, nothing can vouch for the report.
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "collateral.amd_kds");
}

TEST_F(MaaSnp, DenyListedMeasurementIsRejected) {
  const auto [report, chain] = make_report({}, 0x77);
  const std::string body = snp_body(report, chain);
  ASSERT_EQ(h_.post(std::string("/attest/SevSnpVm") + kApi, body).status, 200);
  const std::string measurement = repeat_hex("77", 48);
  // Upper case on the list still matches the claim's lower-case hex.
  std::string upper = measurement;
  for (char& ch : upper) {
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  ASSERT_EQ(h_.post_json("/admin/deny-list", json{{"kind", "snp.measurement"}, {"value", upper}},
                         h_.admin_key())
                .status,
            201);
  const ClientResponse r = h_.post(std::string("/attest/SevSnpVm") + kApi, body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "appraisal.deny_list");
  // Another measurement still passes.
  const auto [other, chain2] = make_report({}, 0x78);
  EXPECT_EQ(h_.post(std::string("/attest/SevSnpVm") + kApi, snp_body(other, chain2)).status, 200);
}

TEST(MaaSnpVectors, GoSevGuestReportWithVcekChain) {
  VOUCH_REQUIRE_VECTORS();
  ServiceHarness h;  // the built-in verifiers, trusting AMD's roots
  ASSERT_TRUE(h.started()) << h.start_error();
  const Bytes report = read_vector("snp/go-sev-guest/attestation.bin");
  const Bytes vcek = read_vector("snp/go-sev-guest/vcek.testcer");
  const std::string ask_ark = read_vector_text("snp/go-sev-guest/ask_ark_milan.pem");
  ASSERT_FALSE(report.empty());
  const std::string chain = pem_of(vcek) + ask_ark;
  const ClientResponse r =
      h.post(std::string("/attest/SevSnpVm") + kApi, snp_body(report, chain, {{"nonce", "v"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  const json c = h.verify_token(body_json(r)["token"]);
  ASSERT_TRUE(c.is_object());
  EXPECT_EQ(c["x-ms-attestation-type"], "sevsnpvm");
  EXPECT_EQ(c["x-ms-sevsnpvm-launchmeasurement"],
            "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0c"
            "f2e4872b01");
  EXPECT_EQ(c["x-ms-sevsnpvm-is-debuggable"], true);
  EXPECT_EQ(c["x-ms-policy-hash"],
            policy::policy_hash(active_policy_text(h, "SevSnpVm", h.admin_key())));
  // Runtime data that the report does not bind (its report data is 0102030405...).
  const json extra = {{"runtimeData", {{"data", b64url("{}")}, {"dataType", "JSON"}}}};
  const ClientResponse unbound =
      h.post(std::string("/attest/SevSnpVm") + kApi, snp_body(report, chain, extra));
  EXPECT_EQ(unbound.status, 400);
  EXPECT_EQ(check_of(unbound), "snp.report_data");
  // A flipped byte in the signed part.
  Bytes flipped = report;
  flipped[0x90] ^= 1;
  EXPECT_EQ(h.post(std::string("/attest/SevSnpVm") + kApi, snp_body(flipped, chain)).status, 400);
}

TEST(MaaDcapVectors, SgxAndTdxAreUnavailableWithoutACollateralSource) {
  VOUCH_REQUIRE_VECTORS();
  ServiceHarness h;  // no Intel collateral configured: real quotes are never passed (503)
  ASSERT_TRUE(h.started()) << h.start_error();
  const Bytes sgx = read_vector("sgx/dcap-qvl/sgx_quote");
  ClientResponse r = h.post(std::string("/attest/SgxEnclave") + kApi,
                            json{{"quote", base64url_encode(sgx)}}.dump());
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(check_of(r), "appraisal.collateral.source");
  EXPECT_FALSE(header_of(r, "retry-after").empty());
  const Bytes tdx = read_vector("tdx/dcap-qvl/tdx_quote");
  r = h.post(std::string("/attest/TdxVm") + kApi, json{{"quote", base64url_encode(tdx)}}.dump());
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(check_of(r), "appraisal.collateral.source");
  r = h.post(std::string("/attest/SgxEnclave") + kApi, json{{"quote", b64url("garbage")}}.dump());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(check_of(r).rfind("dcap.", 0), 0u) << check_of(r);
}

}  // namespace
}  // namespace vouch::testing
