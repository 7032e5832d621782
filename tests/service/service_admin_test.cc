// `vouch serve` over real HTTP: the admin API (tenants, settings, API keys, reference values, deny
// lists, signing keys, token revocation and status lists, the audit log) and the operations
// routes. Errors are problem+json whose "check" member is asserted, never the message text.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/encoding.h"
#include "jose/signature.h"
#include "store/audit.h"
#include "testing/service_harness.h"
#include "testing/test_pki.h"
#include "token/status_list.h"

namespace vouch::testing {
namespace {

using nlohmann::json;

constexpr const char* kApi = "?api-version=2022-08-01";

std::string pem_of(const Bytes& der) {
  const std::string b64 = base64_encode(der);
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out += b64.substr(i, 64) + "\n";
  }
  return out + "-----END CERTIFICATE-----\n";
}

std::vector<store::AuditEntry> audit_entries(const json& page) {
  std::vector<store::AuditEntry> out;
  for (const auto& e : page["entries"]) {
    store::AuditEntry a;
    a.tenant = page["tenant"];
    a.sequence = e["sequence"];
    a.time = parse_rfc3339(e["time"].get<std::string>()).value();
    a.kind = e["kind"];
    a.payload = store::canonical_json(e["payload"]).value();
    a.prev_hash = hex_decode(e["prev_hash"].get<std::string>()).value();
    a.hash = hex_decode(e["hash"].get<std::string>()).value();
    out.push_back(std::move(a));
  }
  return out;
}

class Admin : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(h_.started()) << h_.start_error();
    ASSERT_EQ(pin_ak(h_, tpm_, h_.admin_key()), 201);
  }

  ClientResponse attest(const std::string& prefix = {}) {
    return h_.post(prefix + "/attest/Tpm" + kApi, tpm_.maa_body({}));
  }

  // A new API key of `role` for the default tenant.
  std::string make_key(const std::string& role) {
    const ClientResponse r = h_.post_json(
        "/admin/api-keys", json{{"role", role}, {"label", role + "-key"}}, h_.admin_key());
    EXPECT_EQ(r.status, 201) << r.body;
    return body_json(r).value("token", "");
  }

  // Creates a tenant; returns its bootstrap verifier-owner key.
  std::string make_tenant(const std::string& name) {
    const ClientResponse r = h_.post_json("/admin/tenants", json{{"name", name}}, h_.admin_key());
    EXPECT_EQ(r.status, 201) << r.body;
    return body_json(r).value("api_key", "");
  }

  ServiceHarness h_;
  TpmAttester tpm_;
};

// --- tenants ---

TEST_F(Admin, CreateTenantGivesItsOwnKeyAndIssuer) {
  const ClientResponse r = h_.post_json("/admin/tenants", json{{"name", "acme"}}, h_.admin_key());
  ASSERT_EQ(r.status, 201) << r.body;
  const json t = body_json(r);
  EXPECT_EQ(t["name"], "acme");
  EXPECT_EQ(t["issuer"], h_.url() + "/tenants/acme");
  const std::string acme_key = t["api_key"];
  EXPECT_EQ(acme_key.rfind("vouch_", 0), 0u);
  EXPECT_EQ(acme_key.rfind("vouch_" + t["api_key_id"].get<std::string>() + "_", 0), 0u);

  // The tenant's key works on its own routes only, and the operator's key not on the tenant's.
  EXPECT_EQ(h_.get("/tenants/acme/admin/settings", acme_key).status, 200);
  ClientResponse x = h_.get("/admin/settings", acme_key);
  EXPECT_EQ(x.status, 401);
  EXPECT_EQ(check_of(x), "service.auth.credentials");
  EXPECT_EQ(h_.get("/tenants/acme/admin/settings", h_.admin_key()).status, 401);
  EXPECT_EQ(h_.post_json("/admin/tenants", json{{"name", "other"}}, acme_key).status, 401);

  // Attestation for the tenant: its issuer, its keys, its pinned AKs.
  EXPECT_EQ(check_of(attest("/tenants/acme")), "appraisal.tpm.ak_untrusted");
  ASSERT_EQ(pin_ak(h_, tpm_, acme_key, "/tenants/acme"), 201);
  const ClientResponse a = attest("/tenants/acme");
  ASSERT_EQ(a.status, 200) << a.body;
  const std::string token = tpm_report_token(a);
  const json c = h_.verify_token(token, "/tenants/acme");
  EXPECT_EQ(c["iss"], h_.url() + "/tenants/acme");
  EXPECT_EQ(jwt_header_unverified(token)["jku"], h_.url() + "/tenants/acme/certs");
  EXPECT_TRUE(c["status"]["status_list"]["uri"].get<std::string>().rfind(
                  h_.url() + "/tenants/acme/status-lists/", 0) == 0);
  // Signed with acme's key, which the default tenant does not publish.
  EXPECT_FALSE(jose::jwt_verify_compact(token, h_.jwks()).has_value());
  const json oid = body_json(h_.get("/tenants/acme/.well-known/openid-configuration"));
  EXPECT_EQ(oid["issuer"], h_.url() + "/tenants/acme");
  EXPECT_EQ(oid["jwks_uri"], h_.url() + "/tenants/acme/certs");

  const ClientResponse list = h_.get("/admin/tenants", h_.admin_key());
  ASSERT_EQ(list.status, 200);
  std::vector<std::string> names;
  const json tenants = body_json(list);
  for (const auto& e : tenants["tenants"]) {
    names.push_back(e["name"]);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"acme", "default"}));
}

TEST_F(Admin, TenantNamesAndDuplicates) {
  make_tenant("t1");
  ClientResponse r = h_.post_json("/admin/tenants", json{{"name", "t1"}}, h_.admin_key());
  EXPECT_EQ(r.status, 409);
  for (const std::string& bad :
       std::vector<std::string>{"Upper", "-lead", "trail-", "a_b", "", std::string(64, 'a')}) {
    r = h_.post_json("/admin/tenants", json{{"name", bad}}, h_.admin_key());
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(check_of(r), "service.tenant.name") << bad;
  }
  r = h_.post_json("/admin/tenants", json{{"label", "x"}}, h_.admin_key());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.request.field");
  r = h_.post("/admin/tenants", std::string("{not json"), h_.admin_key());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.request.json");
  EXPECT_EQ(header_of(r, "content-type"), "application/problem+json");
  r = h_.post_json("/admin/tenants", json{{"name", "t2"}, {"settings", {{"nonsense", 1}}}},
                   h_.admin_key());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.tenant.settings");
}

TEST_F(Admin, DeleteTenant) {
  const std::string key = make_tenant("gone");
  EXPECT_EQ(h_.del("/admin/tenants/gone", key).status, 401) << "only operators delete tenants";
  EXPECT_EQ(h_.del("/admin/tenants/gone", h_.admin_key()).status, 204);
  const ClientResponse r = h_.get("/tenants/gone/certs");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(check_of(r), "service.tenant.unknown");
  EXPECT_EQ(h_.del("/admin/tenants/gone", h_.admin_key()).status, 404);
  EXPECT_EQ(h_.del("/admin/tenants/default", h_.admin_key()).status, 409);
}

TEST_F(Admin, RecreatedTenantStartsClean) {
  std::string key = make_tenant("again");
  ASSERT_EQ(pin_ak(h_, tpm_, key, "/tenants/again"), 201);
  ASSERT_EQ(h_.put(std::string("/tenants/again/policies/Tpm") + kApi,
                   unsigned_policy_jws("version=1.0; authorizationrules { => deny(); };"), key)
                .status,
            200);
  ASSERT_EQ(h_.post_json("/tenants/again/admin/deny-list", json{{"kind", "x"}, {"value", "y"}}, key)
                .status,
            201);
  EXPECT_EQ(check_of(attest("/tenants/again")), "appraisal.policy.denied");
  const std::string old_kid = h_.jwks("/tenants/again").keys.at(0).kid;
  ASSERT_EQ(h_.del("/admin/tenants/again", h_.admin_key()).status, 204);

  // Same name, new tenant: nothing of the old one may apply, not even from caches.
  key = make_tenant("again");
  ASSERT_EQ(pin_ak(h_, tpm_, key, "/tenants/again"), 201);
  const ClientResponse r = attest("/tenants/again");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string token = tpm_report_token(r);
  EXPECT_NE(jwt_header_unverified(token)["kid"], old_kid);
  EXPECT_TRUE(h_.verify_token(token, "/tenants/again").is_object());
  EXPECT_EQ(body_json(h_.get("/tenants/again/admin/deny-list", key))["entries"].size(), 0u);
}

TEST_F(Admin, TenantsAreIsolated) {
  const std::string key = make_tenant("iso");
  ASSERT_EQ(pin_ak(h_, tpm_, key, "/tenants/iso"), 201);
  // A policy of one tenant does not apply to another.
  ASSERT_EQ(h_.put(std::string("/tenants/iso/policies/Tpm") + kApi,
                   unsigned_policy_jws("version=1.0; authorizationrules { => deny(); };"), key)
                .status,
            200);
  EXPECT_EQ(attest("/tenants/iso").status, 400);
  EXPECT_EQ(attest().status, 200);
  // Nor a deny list.
  ASSERT_EQ(
      h_.post_json("/admin/deny-list", json{{"kind", "tpm.ak.name"}, {"value", tpm_.ak_name_hex()}},
                   h_.admin_key())
          .status,
      201);
  EXPECT_EQ(check_of(attest()), "appraisal.deny_list");
  ASSERT_EQ(
      h_.post(std::string("/tenants/iso/policies/Tpm:reset") + kApi, unsigned_policy_jws(""), key)
          .status,
      200);
  EXPECT_EQ(attest("/tenants/iso").status, 200);
  // A tenant cannot revoke another tenant's token or read its audit log.
  h_.del("/admin/deny-list?kind=tpm.ak.name&value=" + tpm_.ak_name_hex(), h_.admin_key());
  const json c = jwt_claims_unverified(tpm_report_token(attest()));
  EXPECT_EQ(h_.post("/tenants/iso/admin/tokens/" + c["jti"].get<std::string>() + ":revoke", "", key)
                .status,
            404);
  EXPECT_EQ(h_.get("/audit", key).status, 401);
  const ClientResponse audit = h_.get("/tenants/iso/audit", key);
  ASSERT_EQ(audit.status, 200);
  const auto entries = audit_entries(body_json(audit));
  ASSERT_FALSE(entries.empty());
  EXPECT_TRUE(store::verify_chain(entries).ok());
  for (const auto& e : entries) {
    EXPECT_EQ(e.tenant, "iso");
    if (e.kind == "attestation") {
      EXPECT_NE(json::parse(e.payload).value("jti", ""), c["jti"]);
    }
  }
  // Nor another tenant's API keys.
  const ClientResponse keys = h_.get("/tenants/iso/admin/api-keys", key);
  ASSERT_EQ(keys.status, 200);
  EXPECT_EQ(body_json(keys)["api_keys"].size(), 1u);
}

// --- settings and keys ---

TEST_F(Admin, SettingsRoundTripAndTokenLifetime) {
  ClientResponse r = h_.get("/admin/settings", h_.admin_key());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body_json(r)["settings"]["token_lifetime_seconds"], 28800);
  EXPECT_EQ(body_json(r)["issuer"], h_.url());
  r = h_.put("/admin/settings", json{{"token_lifetime_seconds", 600}, {"audience", "rp-1"}}.dump(),
             h_.admin_key());
  ASSERT_EQ(r.status, 200) << r.body;
  const json c = h_.verify_token(tpm_report_token(attest()));
  EXPECT_EQ(c["exp"].get<std::int64_t>() - c["iat"].get<std::int64_t>(), 600);
  EXPECT_EQ(c["aud"], "rp-1");
  for (const json& bad : {json{{"token_lifetime_seconds", 1}}, json{{"signing_alg", "HS256"}},
                          json{{"isolated", "yes"}}, json{{"unknown", true}}}) {
    r = h_.put("/admin/settings", bad.dump(), h_.admin_key());
    EXPECT_EQ(r.status, 400) << bad.dump();
    EXPECT_EQ(check_of(r), "service.tenant.settings") << bad.dump();
  }
  EXPECT_EQ(check_of(h_.put("/admin/settings", "[]", h_.admin_key())), "service.request.json");
}

TEST_F(Admin, ApiKeysCreateListRevokeAndRoles) {
  const std::string auditor = make_key("auditor");
  ASSERT_FALSE(auditor.empty());
  ClientResponse r = h_.post_json("/admin/api-keys", json{{"role", "superuser"}}, h_.admin_key());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.request.field");
  // Auditors read but do not write.
  EXPECT_EQ(h_.get("/admin/api-keys", auditor).status, 200);
  r = h_.post_json("/admin/api-keys", json{{"role", "auditor"}}, auditor);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(check_of(r), "service.auth.role");
  EXPECT_EQ(h_.post_json("/admin/deny-list", json{{"kind", "k"}, {"value", "v"}}, auditor).status,
            403);
  EXPECT_EQ(h_.put("/admin/settings", "{}", auditor).status, 403);
  EXPECT_EQ(h_.post("/admin/keys:rotate", "", auditor).status, 403);
  // An attester key cannot administer.
  const std::string attester = make_key("attester");
  EXPECT_EQ(h_.get("/admin/api-keys", attester).status, 403);
  EXPECT_EQ(h_.get("/audit", attester).status, 403);

  r = h_.get("/admin/api-keys", h_.admin_key());
  ASSERT_EQ(r.status, 200);
  const json keys = body_json(r)["api_keys"];
  EXPECT_EQ(keys.size(), 3u);
  std::string auditor_id;
  for (const auto& k : keys) {
    EXPECT_FALSE(k.contains("token")) << "secrets are shown once";
    if (k["role"] == "auditor") {
      auditor_id = k["key_id"];
    }
  }
  ASSERT_FALSE(auditor_id.empty());
  r = h_.del("/admin/api-keys/" + auditor_id, h_.admin_key());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(body_json(r).contains("revoked_at"));
  r = h_.get("/admin/api-keys", auditor);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(check_of(r), "service.auth.credentials");
  EXPECT_EQ(h_.del("/admin/api-keys/ffffffffffffffffff", h_.admin_key()).status, 404);
}

TEST_F(Admin, KeyRotationKeepsOldTokensVerifiable) {
  const std::string before = tpm_report_token(attest());
  const std::string old_kid = jwt_header_unverified(before)["kid"];
  const ClientResponse r = h_.post("/admin/keys:rotate", "", h_.admin_key());
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string new_kid = body_json(r)["kid"];
  EXPECT_NE(new_kid, old_kid);
  const std::string after = tpm_report_token(attest());
  EXPECT_EQ(jwt_header_unverified(after)["kid"], new_kid);
  EXPECT_EQ(h_.jwks().keys.size(), 2u);
  EXPECT_TRUE(h_.verify_token(before).is_object());
  EXPECT_TRUE(h_.verify_token(after).is_object());
  const ClientResponse list = h_.get("/admin/keys", h_.admin_key());
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(body_json(list)["keys"].size(), 2u);
  // Once the overlap (the token lifetime) has passed, only the new key is published.
  h_.clock().advance(std::chrono::seconds(28800 + 60));
  const jose::JwkSet later = h_.jwks();
  ASSERT_EQ(later.keys.size(), 1u);
  EXPECT_EQ(later.keys[0].kid, new_kid);
}

// --- AK pinning ---

TEST_F(Admin, AkPinningAcceptsTpmPublicAndSpki) {
  TpmAttester spki_ak;
  const std::string der = base64_encode(spki_ak.ak().key.public_key().spki_der());
  EXPECT_EQ(h_.post_json("/admin/tpm/aks", json{{"ak_public", der}}, h_.admin_key()).status, 201);
  const ClientResponse a = h_.post(std::string("/attest/Tpm") + kApi, spki_ak.maa_body({}));
  EXPECT_EQ(a.status, 200) << a.body;
  ClientResponse r = h_.post_json("/admin/tpm/aks", json{{"ak_public", "AAAA"}}, h_.admin_key());
  EXPECT_EQ(r.status, 400);
  r = h_.post_json("/admin/tpm/aks", json{{"ak_public", 5}}, h_.admin_key());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "service.request.field");
  EXPECT_EQ(h_.post_json("/admin/tpm/aks", json{{"ak_public", der}}).status, 401);
}

TEST_F(Admin, AkCertificateChainToTenantAnchors) {
  const crypto::PrivateKey ca_key = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  CertSpec ca_spec;
  ca_spec.common_name = "Test TPM Manufacturer CA";
  ca_spec.is_ca = true;
  const crypto::Certificate ca = issue_certificate(ca_spec, ca_key.public_key(), ca_key, nullptr);
  TpmAttester certified;
  CertSpec leaf_spec;
  leaf_spec.common_name = "Test AK";
  leaf_spec.serial = 2;
  const crypto::Certificate leaf =
      issue_certificate(leaf_spec, certified.ak().key.public_key(), ca_key, &ca);
  const std::string body = json{{"data", b64url(certified.bundle({}, {leaf.der()}))}}.dump();
  // No anchors configured: a certified AK is not trusted either.
  ClientResponse r = h_.post(std::string("/attest/Tpm") + kApi, body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "appraisal.tpm.ak_untrusted");
  ASSERT_EQ(h_.put("/admin/settings", json{{"tpm_ca_certificates", {pem_of(ca.der())}}}.dump(),
                   h_.admin_key())
                .status,
            200);
  r = h_.post(std::string("/attest/Tpm") + kApi, body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(h_.verify_token(tpm_report_token(r))["tpm.ak.trust"], "certificate");
  // A certificate for another key is refused.
  TpmAttester other;
  const std::string wrong = json{{"data", b64url(other.bundle({}, {leaf.der()}))}}.dump();
  r = h_.post(std::string("/attest/Tpm") + kApi, wrong);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "tpm.ak.certificate.key");
  // Anchors that are not PEM are refused.
  EXPECT_EQ(check_of(h_.put("/admin/settings", json{{"tpm_ca_certificates", {"junk"}}}.dump(),
                            h_.admin_key())),
            "service.tenant.settings");
  // ... and leave the tenant as it was, also once its cached view has expired.
  h_.clock().advance(std::chrono::seconds(10));
  EXPECT_EQ(h_.get("/certs").status, 200);
  r = h_.get("/admin/settings", h_.admin_key());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_json(r)["settings"]["tpm_ca_certificates"].size(), 1u);
  EXPECT_EQ(h_.post(std::string("/attest/Tpm") + kApi, body).status, 200);
}

// --- deny lists and reference values ---

TEST_F(Admin, DenyListRejectsTheSameEvidenceAtOnce) {
  ASSERT_EQ(attest().status, 200);
  const json entry = {{"kind", "tpm.ak.name"}, {"value", tpm_.ak_name_hex()}, {"reason", "lost"}};
  ClientResponse r = h_.post_json("/admin/deny-list", entry, h_.admin_key());
  ASSERT_EQ(r.status, 201) << r.body;
  r = attest();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "appraisal.deny_list");
  EXPECT_EQ(header_of(r, "x-ms-error-code"), "InvalidParameter");
  // Listed, and duplicates refused.
  r = h_.get("/admin/deny-list", h_.admin_key());
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(body_json(r)["entries"].size(), 1u);
  EXPECT_EQ(body_json(r)["entries"][0]["kind"], "tpm.ak.name");
  EXPECT_EQ(body_json(r)["entries"][0]["reason"], "lost");
  EXPECT_EQ(h_.post_json("/admin/deny-list", entry, h_.admin_key()).status, 409);
  // Removing it lets the evidence through again.
  r = h_.del("/admin/deny-list?kind=tpm.ak.name&value=" + tpm_.ak_name_hex(), h_.admin_key());
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(attest().status, 200);
  EXPECT_EQ(h_.del("/admin/deny-list?kind=tpm.ak.name&value=" + tpm_.ak_name_hex(), h_.admin_key())
                .status,
            404);
  // A PCR value on the list (a flattened claim).
  ASSERT_EQ(h_.post_json("/admin/deny-list",
                         json{{"kind", "tpm.pcrs.sha256.7"},
                              {"value", hex_encode(tpm_.pcrs()[crypto::HashAlg::kSha256][7])}},
                         h_.admin_key())
                .status,
            201);
  EXPECT_EQ(check_of(attest()), "appraisal.deny_list");
  // An entry needs a value.
  ClientResponse missing = h_.post_json("/admin/deny-list", json{{"kind", "k"}}, h_.admin_key());
  EXPECT_EQ(check_of(missing), "service.request.field");
}

TEST_F(Admin, DenyListEntryWithValidityWindow) {
  const json entry = {{"kind", "tpm.ak.name"},
                      {"value", tpm_.ak_name_hex()},
                      {"not_before", format_rfc3339(h_.clock().now() + std::chrono::hours(1))}};
  ASSERT_EQ(h_.post_json("/admin/deny-list", entry, h_.admin_key()).status, 201);
  EXPECT_EQ(attest().status, 200) << "not yet in force";
  h_.clock().advance(std::chrono::hours(2));
  EXPECT_EQ(check_of(attest()), "appraisal.deny_list");
}

TEST_F(Admin, ReferenceValuesReachThePolicy) {
  const std::string policy =
      "version=1.0;\n"
      "authorizationrules {\n"
      "  c1:[type==\"tpm.pcrs.sha256.7\"] && [type==\"vouch.reference.pcr7\", value==c1.value]"
      " => permit();\n"
      "};\n"
      "issuancerules {\n"
      "  c:[type==\"vouch.reference.pcr7\"] => issue(type=\"expected-pcr7\", value=c.value);\n"
      "};\n";
  ASSERT_EQ(h_.put(std::string("/policies/Tpm") + kApi, unsigned_policy_jws(policy), h_.admin_key())
                .status,
            200);
  ClientResponse r = attest();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(check_of(r), "appraisal.policy.denied");
  const std::string pcr7 = hex_encode(tpm_.pcrs()[crypto::HashAlg::kSha256][7]);
  ASSERT_EQ(h_.post_json("/admin/reference-values", json{{"kind", "pcr7"}, {"value", pcr7}},
                         h_.admin_key())
                .status,
            201);
  r = attest();
  ASSERT_EQ(r.status, 200) << r.body;
  const json c = h_.verify_token(tpm_report_token(r));
  EXPECT_EQ(c["x-ms-policy"]["expected-pcr7"], pcr7);
  // Evidence with another PCR 7 no longer matches.
  tpm_.pcrs()[crypto::HashAlg::kSha256][7] = Bytes(32, 0x01);
  EXPECT_EQ(check_of(attest()), "appraisal.policy.denied");
  // Listed for auditors too.
  const std::string auditor = make_key("auditor");
  r = h_.get("/admin/reference-values?kind=pcr7", auditor);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(body_json(r)["entries"].size(), 1u);
  EXPECT_EQ(body_json(r)["entries"][0]["value"], pcr7);
}

// --- revocation and status lists ---

TEST_F(Admin, RevokedTokenShowsInTheStatusList) {
  const std::string kept = tpm_report_token(attest());
  const std::string revoked = tpm_report_token(attest());
  const json kc = jwt_claims_unverified(kept);
  const json rc = jwt_claims_unverified(revoked);
  const std::string uri = rc["status"]["status_list"]["uri"];
  ASSERT_EQ(uri, kc["status"]["status_list"]["uri"].get<std::string>());
  const std::uint64_t kept_idx = kc["status"]["status_list"]["idx"];
  const std::uint64_t revoked_idx = rc["status"]["status_list"]["idx"];

  ClientResponse r =
      h_.post("/admin/tokens/" + rc["jti"].get<std::string>() + ":revoke", "", h_.admin_key());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_json(r)["idx"], revoked_idx);
  const std::string revoked_at = body_json(r)["revoked_at"];
  EXPECT_EQ(revoked_at, format_rfc3339(h_.clock().now()));
  const std::string auditor = make_key("auditor");
  EXPECT_EQ(
      h_.post("/admin/tokens/" + kc["jti"].get<std::string>() + ":revoke", "", auditor).status,
      403);
  r = h_.post("/admin/tokens/" + std::string(64, 'f') + ":revoke", "", h_.admin_key());
  EXPECT_EQ(r.status, 404);
  // Revoking again is idempotent and keeps the first time.
  h_.clock().advance(std::chrono::seconds(30));
  const ClientResponse again =
      h_.post("/admin/tokens/" + rc["jti"].get<std::string>() + ":revoke", "", h_.admin_key());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(body_json(again)["revoked_at"], revoked_at);

  // The list is public.
  r = h_.get(uri.substr(h_.url().size()));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(header_of(r, "content-type"), "application/statuslist+jwt");
  auto list = token::verify_status_list_token(r.body, h_.jwks(), uri, h_.url(), h_.clock().now(),
                                              std::chrono::seconds(60));
  ASSERT_TRUE(list.has_value()) << list.error().to_string();
  EXPECT_EQ(list->get(revoked_idx).value(), 1);
  EXPECT_EQ(list->get(kept_idx).value(), 0);
  EXPECT_EQ(h_.get("/status-lists/999").status, 404);
  EXPECT_EQ(h_.get("/status-lists/abc").status, 404);
}

// --- audit ---

TEST_F(Admin, AuditLogPagesAndVerifies) {
  const json c = jwt_claims_unverified(tpm_report_token(attest()));
  TpmAttester stranger;
  ASSERT_EQ(h_.post(std::string("/attest/Tpm") + kApi, stranger.maa_body({})).status, 400);
  const std::string auditor = make_key("auditor");

  std::vector<store::AuditEntry> all;
  std::optional<store::ChainHead> head;
  std::uint64_t after = 0;
  int pages = 0;
  for (;;) {
    const ClientResponse r = h_.get("/audit?limit=2&after=" + std::to_string(after), auditor);
    ASSERT_EQ(r.status, 200) << r.body;
    const json page = body_json(r);
    EXPECT_EQ(page["tenant"], "default");
    const auto entries = audit_entries(page);
    if (entries.empty()) {
      break;
    }
    ++pages;
    EXPECT_LE(entries.size(), 2u);
    const store::ChainVerdict v = store::verify_chain(entries, head);
    ASSERT_TRUE(v.ok()) << v.status().error().to_string();
    head = v.head;
    after = page["next_after"];
    all.insert(all.end(), entries.begin(), entries.end());
  }
  EXPECT_GE(pages, 2);
  // The whole chain verifies in one go too, and a changed payload does not.
  ASSERT_TRUE(store::verify_chain(all).ok());
  std::vector<const store::AuditEntry*> attestations;
  for (const auto& e : all) {
    if (e.kind == "attestation") {
      attestations.push_back(&e);
    }
  }
  ASSERT_EQ(attestations.size(), 2u);
  const json permit = json::parse(attestations[0]->payload);
  EXPECT_EQ(permit["verdict"], "permit");
  EXPECT_EQ(permit["jti"], c["jti"]);
  EXPECT_EQ(permit["type"], "Tpm");
  const json reject = json::parse(attestations[1]->payload);
  EXPECT_EQ(reject["verdict"], "reject");
  EXPECT_EQ(reject["check"], "appraisal.tpm.ak_untrusted");
  EXPECT_FALSE(reject.contains("jti"));
  std::vector<store::AuditEntry> tampered = all;
  tampered[1].payload = "{}";
  EXPECT_FALSE(store::verify_chain(tampered).ok());

  // Without a key, or with bad paging arguments.
  EXPECT_EQ(h_.get("/audit").status, 401);
  const ClientResponse bad = h_.get("/audit?after=x", auditor);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(check_of(bad), "service.request.field");
}

TEST_F(Admin, ConcurrentAttestationsGetDistinctEntriesAndOneAuditChain) {
  constexpr int kThreads = 4;
  constexpr int kEach = 5;
  const std::string body = tpm_.maa_body({});
  std::mutex mu;
  std::vector<json> tokens;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      HttpClient c("127.0.0.1", h_.port());
      for (int i = 0; i < kEach; ++i) {
        const ClientResponse r = c.request("POST", std::string("/attest/Tpm") + kApi, body,
                                           {{"content-type", "application/json"}});
        if (r.status != 200) {
          ++failures;
          continue;
        }
        const json claims = jwt_claims_unverified(tpm_report_token(r));
        std::lock_guard lock(mu);
        tokens.push_back(claims);
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(tokens.size(), static_cast<std::size_t>(kThreads * kEach));
  std::set<std::string> jtis;
  std::set<std::pair<std::string, std::uint64_t>> entries;
  for (const json& c : tokens) {
    jtis.insert(c["jti"].get<std::string>());
    entries.emplace(c["status"]["status_list"]["uri"].get<std::string>(),
                    c["status"]["status_list"]["idx"].get<std::uint64_t>());
  }
  EXPECT_EQ(jtis.size(), tokens.size());
  EXPECT_EQ(entries.size(), tokens.size());
  const ClientResponse r = h_.get("/audit?limit=100", h_.admin_key());
  ASSERT_EQ(r.status, 200);
  const auto audit = audit_entries(body_json(r));
  EXPECT_TRUE(store::verify_chain(audit).ok());
  std::size_t attestations = 0;
  for (const auto& e : audit) {
    attestations += e.kind == "attestation" ? 1 : 0;
  }
  EXPECT_EQ(attestations, tokens.size());
}

// --- transport limits and operations ---

TEST(ServiceLimits, OversizedBodyIs413) {
  ServiceHarnessOptions o;
  o.configure = [](service::Config& c) { c.max_body_bytes = 8192; };
  ServiceHarness h(std::move(o));
  ASSERT_TRUE(h.started()) << h.start_error();
  const ClientResponse r =
      h.post_json(std::string("/attest/Tpm") + kApi, json{{"data", std::string(9000, 'A')}}.dump());
  EXPECT_EQ(r.status, 413);
  // The service still answers afterwards.
  EXPECT_EQ(h.get("/healthz").status, 200);
  EXPECT_EQ(h.post("/admin/tenants", std::string(8000, ' ') + "{}", h.admin_key()).status, 400);
}

TEST_F(Admin, HealthReadinessAndMetrics) {
  ClientResponse r = h_.get("/healthz");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body_json(r)["status"], "ok");
  r = h_.get("/readyz");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body_json(r)["status"], "ready");
  ASSERT_EQ(attest().status, 200);
  ASSERT_EQ(attest().status, 200);
  TpmAttester stranger;
  ASSERT_EQ(h_.post(std::string("/attest/Tpm") + kApi, stranger.maa_body({})).status, 400);
  r = h_.get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(header_of(r, "content-type").rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(r.body.find("vouch_attestations_total{type=\"Tpm\",verdict=\"permit\"} 2"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("vouch_attestations_total{type=\"Tpm\",verdict=\"reject\"} 1"),
            std::string::npos);
  EXPECT_NE(r.body.find("vouch_policy_evaluations_total{decision=\"permit\"} 2"),
            std::string::npos);
  EXPECT_NE(r.body.find("vouch_http_requests_total{"), std::string::npos);
  EXPECT_NE(r.body.find("route=\"/attest/{type}\""), std::string::npos);
  // The second attestation found the policy and the lists cached.
  EXPECT_NE(r.body.find("vouch_cache_lookups_total{cache=\"policy\",result=\"hit\"}"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("vouch_cache_lookups_total{cache=\"lists\",result=\"miss\"} 1"),
            std::string::npos);
  // Unknown routes and methods.
  EXPECT_EQ(h_.get("/no/such/route").status, 404);
  EXPECT_EQ(h_.request("DELETE", "/healthz").status, 405);
}

TEST(ServiceRateLimit, AClientOverItsRateGets429WithRetryAfter) {
  ServiceHarnessOptions o;
  o.configure = [](service::Config& c) {
    c.rate_limit = 1;
    c.rate_burst = 3;
  };
  ServiceHarness h(std::move(o));
  ASSERT_TRUE(h.started()) << h.start_error();
  int limited = 0;
  for (int i = 0; i < 6; ++i) {
    const ClientResponse r = h.get("/.well-known/openid-configuration");
    if (r.status == 429) {
      ++limited;
      EXPECT_EQ(check_of(r), "service.rate_limited");
      EXPECT_EQ(header_of(r, "retry-after"), "1");
    } else {
      EXPECT_EQ(r.status, 200);
    }
  }
  // Three from the burst (a fourth if a second passed meanwhile), the rest refused.
  EXPECT_GE(limited, 2);
  // Probes are exempt.
  EXPECT_EQ(h.get("/healthz").status, 200);
}

TEST(ServiceStart, RestartKeepsKeysTenantsAndTheBootstrapKey) {
  // A second start on the same data directory must not mint another bootstrap key or key pair.
  TempDir dir;
  std::string first_key;
  std::string first_kid;
  {
    ServiceHarnessOptions o;
    o.configure = [&](service::Config& c) { c.data_dir = dir.file("data"); };
    ServiceHarness h(std::move(o));
    ASSERT_TRUE(h.started()) << h.start_error();
    first_key = h.admin_key();
    first_kid = h.jwks().keys.at(0).kid;
    ASSERT_EQ(h.post_json("/admin/tenants", json{{"name", "kept"}}, first_key).status, 201);
  }
  ServiceHarnessOptions o;
  o.configure = [&](service::Config& c) { c.data_dir = dir.file("data"); };
  ServiceHarness h(std::move(o));
  ASSERT_TRUE(h.started()) << h.start_error();
  EXPECT_EQ(h.admin_key(), first_key);
  EXPECT_EQ(h.jwks().keys.at(0).kid, first_kid);
  EXPECT_EQ(h.get("/admin/tenants", first_key).status, 200);
  EXPECT_EQ(h.get("/tenants/kept/certs").status, 200);
}

}  // namespace
}  // namespace vouch::testing
