// Azure Attestation compatible routes (maa.md section 1 and the checklist in section 7):
// attest, policies, policy management certificates, /certs and the OpenID metadata.

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "jose/compact.h"
#include "jose/signature.h"
#include "service/auth.h"
#include "service/check_ids.h"
#include "service/errors.h"
#include "service/maa_request.h"
#include "service/state.h"
#include "token/discovery.h"

namespace vouch::service {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::PathParams;
using http::Respond;
using nlohmann::json;

constexpr std::array<std::string_view, 7> kApiVersions = {
    "2018-09-01-preview", "2020-10-01",         "2022-08-01", "2022-09-01-preview",
    "2022-09-01",         "2023-04-01-preview", "2025-06-01"};

Status check_api_version(const HttpRequest& req) {
  const std::string v = req.query_param("api-version");
  if (v.empty()) {
    return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kApiVersion,
                                "the api-version query parameter is required"});
  }
  for (std::string_view known : kApiVersions) {
    if (v == known) {
      return {};
    }
  }
  return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kApiVersion,
                              "unsupported api-version '" + v + "'"});
}

Result<appraisal::AttestationType> path_type(const PathParams& params) {
  const auto it = params.find("type");
  auto type = it == params.end() ? std::nullopt : appraisal::parse_type(it->second);
  if (!type) {
    return tl::unexpected(Error{
        ErrorKind::kNotFound, checks::kNotFound,
        "unknown attestation type '" + (it == params.end() ? std::string() : it->second) + "'"});
  }
  return *type;
}

// The body of PUT /policies and the certificate calls: the raw JWS, or the JWS as a JSON string.
std::string jws_text(const std::string& body) {
  std::string_view b = body;
  while (!b.empty() && (b.back() == '\n' || b.back() == '\r' || b.back() == ' ')) {
    b.remove_suffix(1);
  }
  if (b.size() >= 2 && b.front() == '"') {
    json s = json::parse(b, nullptr, false);
    if (s.is_string()) {
      return s.get<std::string>();
    }
  }
  return std::string(b);
}

Error jws_error(std::string detail) {
  return Error{ErrorKind::kInvalidArgument, checks::kPolicyJws, std::move(detail)};
}

// A management JWS (policy or certificate change) after its signature was checked.
struct ManagementJws {
  json payload;                               // object, or null for an empty payload
  std::optional<crypto::Certificate> signer;  // set when signed
};

// Checks a management JWS the way the tenant's mode requires: "alg": "none" only in open mode;
// otherwise RS256/PS256/ES256/ES384 whose x5c leaf verifies the signature and, in isolated
// mode, is one of the tenant's policy certificates.
Result<ManagementJws> verify_management_jws(const std::string& text, const TenantView& tenant) {
  auto parsed = jose::parse_jws_compact(text);
  if (!parsed) {
    return tl::unexpected(jws_error("not a compact JWS: " + parsed.error().detail));
  }
  ManagementJws out;
  const json& header = parsed->header;
  const std::string alg = header.value("alg", std::string());
  if (alg == "none") {
    if (tenant.settings.isolated) {
      return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kPolicySigner,
                                  "this tenant is in isolated mode: the JWS must be signed by a "
                                  "policy management certificate"});
    }
    if (!parsed->signature.empty()) {
      return tl::unexpected(jws_error("an unsecured JWS must have an empty signature"));
    }
  } else {
    const auto x5c = header.find("x5c");
    if (x5c == header.end() || !x5c->is_array() || x5c->empty() || !(*x5c)[0].is_string()) {
      return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kPolicySigner,
                                  "a signed JWS must carry its signer certificate in x5c"});
    }
    auto der = base64_decode_any((*x5c)[0].get<std::string>());
    if (!der) {
      return tl::unexpected(
          Error{ErrorKind::kInvalidArgument, checks::kPolicySigner, "x5c[0] is not base64"});
    }
    auto cert = crypto::Certificate::from_der(*der);
    if (!cert) {
      return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kPolicySigner,
                                  "x5c[0]: " + cert.error().detail});
    }
    if (tenant.settings.isolated) {
      bool registered = false;
      for (const auto& b64 : tenant.settings.policy_certificates) {
        auto reg = base64_decode_any(b64);
        registered = registered || (reg && *reg == cert->der());
      }
      if (!registered) {
        return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kPolicySigner,
                                    "the signer is not a policy management certificate of this "
                                    "tenant"});
      }
    }
    auto key = cert->public_key();
    if (!key) {
      return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kPolicySigner,
                                  "x5c[0]: " + key.error().detail});
    }
    // The key comes from x5c (checked above against the registered signers in isolated mode);
    // a kid in the header names that same key.
    jose::JwkSet keys;
    const auto kid = header.find("kid");
    keys.keys.push_back(
        jose::Jwk{std::move(*key),
                  kid != header.end() && kid->is_string() ? kid->get<std::string>() : std::string(),
                  "",
                  "",
                  {}});
    auto verified = jose::jws_verify_compact(text, keys, {});
    if (!verified) {
      return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kPolicySigner,
                                  "signature: " + verified.error().to_string()});
    }
    out.signer = std::move(*cert);
  }
  if (parsed->payload.empty()) {
    out.payload = nullptr;
    return out;
  }
  out.payload = json::parse(parsed->payload.begin(), parsed->payload.end(), nullptr, false);
  if (!out.payload.is_object()) {
    return tl::unexpected(jws_error("the JWS payload is not a JSON object"));
  }
  return out;
}

// Reads StoredAttestationPolicy {"AttestationPolicy": base64url(text)} (any case).
Result<std::string> policy_text(const json& payload) {
  for (auto it = payload.begin(); it != payload.end(); ++it) {
    if (ascii_iequals(it.key(), "AttestationPolicy") && it->is_string()) {
      auto bytes = base64_decode_any(it->get<std::string>());
      if (!bytes) {
        // 2018-09-01-preview sent the text itself.
        return it->get<std::string>();
      }
      return std::string(bytes->begin(), bytes->end());
    }
  }
  return tl::unexpected(jws_error("the JWS payload has no AttestationPolicy"));
}

HttpResponse error_response(const Error& e) {
  return maa_error(e);
}

HttpResponse token_response(const std::string& token) {
  // A compact JWT is base64url and dots: nothing in it needs escaping, so no JSON serializer
  // walks the few kilobytes (checked, in case a token ever held anything else).
  const bool plain = std::all_of(token.begin(), token.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
  if (!plain) {
    return HttpResponse::json(200, json{{"token", token}});
  }
  HttpResponse r = HttpResponse::json(200, json::object());
  r.body = "{\"token\":\"" + token + "\"}";
  return r;
}

// The signer's JWK with its certificate; "alg" only when the key implies one.
json signer_jwk(const crypto::Certificate& cert) {
  auto key = cert.public_key();
  if (!key) {
    return nullptr;
  }
  std::string alg;
  for (jose::JwsAlg a : {jose::JwsAlg::kEs256, jose::JwsAlg::kEs384, jose::JwsAlg::kRs256}) {
    if (alg.empty() && jose::key_fits_jws_alg(*key, a)) {
      alg = std::string(jose::jws_alg_name(a));
    }
  }
  return jose::jwk_to_json(jose::Jwk{std::move(*key), "", alg, "sig", {cert}});
}

class MaaRoutes {
 public:
  explicit MaaRoutes(ServiceState& s) : s_(s) {}

  // Answers through `respond` once the token's audit record is committed; the thread that
  // verified goes on meanwhile (Attestor::attest_async).
  void attest(const HttpRequest& req, const std::string& tenant_name, const PathParams& params,
              const Respond& respond) {
    AttestRequest ar;
    HttpResponse refused = prepare_attest(req, tenant_name, params, ar);
    if (refused.status != 0) {
      return respond(std::move(refused));
    }
    const bool tpm = ar.evidence.type == appraisal::AttestationType::kTpm;
    s_.attestor->attest_async(ar, [tpm, respond](Result<AttestOutcome> outcome) {
      respond(attest_response(outcome, tpm));
    });
  }

  // Fills `ar` from the request; an answer with a status when the request is refused.
  HttpResponse prepare_attest(const HttpRequest& req, const std::string& tenant_name,
                              const PathParams& params, AttestRequest& ar) {
    VOUCH_TRY_RESPONSE(check_api_version(req));
    VOUCH_TRY_RESPONSE_DECL(auto type, path_type(params));
    VOUCH_TRY_RESPONSE_DECL(auto tenant, s_.tenants->get(tenant_name));
    VOUCH_TRY_RESPONSE(authorize_attestation(s_.store->api_keys(), req, tenant_name,
                                             tenant->settings.attestation_requires_key,
                                             s_.clock->now()));
    VOUCH_TRY_RESPONSE_DECL(MaaAttestBody body, parse_maa_attest(type, req.body));
    ar.tenant = tenant;
    ar.evidence = std::move(body.evidence);
    ar.draft_policy = std::move(body.draft_policy);
    ar.nonce = std::move(body.nonce);
    ar.client_address = req.client_address;
    ar.request_id = req.request_id;
    HttpResponse go;
    go.status = 0;
    return go;
  }

  static HttpResponse attest_response(const Result<AttestOutcome>& outcome, bool tpm) {
    if (!outcome) {
      return error_response(outcome.error());
    }
    if (!outcome->token) {
      return maa_error(*outcome->appraisal.error);
    }
    if (tpm) {
      // /attest/Tpm speaks messages inside {"data": base64url(...)}; the final one is
      // {"report": JWT} (maa.md 1.5.7), which the Azure SDKs' attestTpm hands back as a string.
      const std::string reply = json{{"report", *outcome->token}}.dump();
      return HttpResponse::json(200, json{{"data", base64url_encode(as_bytes(reply))}});
    }
    return token_response(*outcome->token);
  }

  HttpResponse get_policy(const HttpRequest& req, const std::string& tenant_name,
                          const PathParams& params) {
    VOUCH_TRY_RESPONSE(check_api_version(req));
    VOUCH_TRY_RESPONSE_DECL(auto type, path_type(params));
    VOUCH_TRY_RESPONSE_DECL(auto tenant, s_.tenants->get(tenant_name));
    VOUCH_TRY_RESPONSE(authorize(s_.store->api_keys(), req, tenant_name,
                                 {store::Role::kVerifierOwner, store::Role::kAuditor},
                                 s_.clock->now()));
    VOUCH_TRY_RESPONSE_DECL(ActivePolicy active, s_.attestor->active_policy(tenant_name, type));
    const std::string text = active.policy->text();
    VOUCH_TRY_RESPONSE_DECL(
        std::string stored,
        jose::make_unsecured_jwt(json::object(),
                                 json{{"AttestationPolicy", base64url_encode(as_bytes(text))}}));
    VOUCH_TRY_RESPONSE_DECL(
        std::string token, s_.attestor->sign_service_token(*tenant, json{{"x-ms-policy", stored}}));
    return token_response(token);
  }

  HttpResponse put_policy(const HttpRequest& req, const std::string& tenant_name,
                          const PathParams& params, bool reset) {
    VOUCH_TRY_RESPONSE(check_api_version(req));
    VOUCH_TRY_RESPONSE_DECL(auto type, path_type(params));
    VOUCH_TRY_RESPONSE_DECL(auto tenant, s_.tenants->get(tenant_name));
    VOUCH_TRY_RESPONSE_DECL(Principal who,
                            authorize(s_.store->api_keys(), req, tenant_name,
                                      {store::Role::kVerifierOwner}, s_.clock->now()));
    const std::string jws = jws_text(req.body);
    VOUCH_TRY_RESPONSE_DECL(ManagementJws m, verify_management_jws(jws, *tenant));
    std::optional<std::string> text;
    if (!reset) {
      if (m.payload.is_null()) {
        return maa_error(jws_error("the JWS has no payload"));
      }
      VOUCH_TRY_RESPONSE_DECL(std::string t, policy_text(m.payload));
      text = std::move(t);
    }
    const std::string author =
        m.signer
            ? "key:" + who.key_id +
                  " signer:" + hex_encode(crypto::digest(crypto::HashAlg::kSha256, m.signer->der()))
            : "key:" + who.key_id;
    VOUCH_TRY_RESPONSE(s_.attestor->set_policy(tenant_name, type, text, author));
    json claims = {{"x-ms-policy-result", reset ? "Removed" : "Updated"}};
    if (!reset) {
      claims["x-ms-policy-token-hash"] =
          base64url_encode(crypto::digest(crypto::HashAlg::kSha256, as_bytes(jws)));
      if (m.signer) {
        claims["x-ms-policy-signer"] = signer_jwk(*m.signer);
      }
    }
    VOUCH_TRY_RESPONSE_DECL(std::string token, s_.attestor->sign_service_token(*tenant, claims));
    return token_response(token);
  }

  HttpResponse get_certificates(const HttpRequest& req, const std::string& tenant_name) {
    VOUCH_TRY_RESPONSE(check_api_version(req));
    VOUCH_TRY_RESPONSE_DECL(auto tenant, s_.tenants->get(tenant_name));
    VOUCH_TRY_RESPONSE(authorize(s_.store->api_keys(), req, tenant_name,
                                 {store::Role::kVerifierOwner, store::Role::kAuditor},
                                 s_.clock->now()));
    json keys = json::array();
    for (const auto& b64 : tenant->settings.policy_certificates) {
      auto der = base64_decode_any(b64);
      auto cert = der ? crypto::Certificate::from_der(*der) : tl::unexpected(der.error());
      if (cert) {
        keys.push_back(signer_jwk(*cert));
      }
    }
    VOUCH_TRY_RESPONSE_DECL(std::string token,
                            s_.attestor->sign_service_token(
                                *tenant, json{{"x-ms-policy-certificates", {{"keys", keys}}}}));
    return token_response(token);
  }

  HttpResponse change_certificates(const HttpRequest& req, const std::string& tenant_name,
                                   bool add) {
    VOUCH_TRY_RESPONSE(check_api_version(req));
    VOUCH_TRY_RESPONSE_DECL(auto tenant, s_.tenants->get(tenant_name));
    VOUCH_TRY_RESPONSE(authorize(s_.store->api_keys(), req, tenant_name,
                                 {store::Role::kVerifierOwner}, s_.clock->now()));
    if (!tenant->settings.isolated) {
      return maa_error(Error{ErrorKind::kInvalidArgument, checks::kPolicyCertificate,
                             "policy management certificates exist only in isolated mode"});
    }
    const std::string jws = jws_text(req.body);
    VOUCH_TRY_RESPONSE_DECL(ManagementJws m, verify_management_jws(jws, *tenant));
    if (!m.signer || !m.payload.is_object()) {
      return maa_error(Error{ErrorKind::kInvalidArgument, checks::kPolicyCertificate,
                             "the request must be a signed JWS naming a certificate"});
    }
    const json* jwk = nullptr;
    for (std::string_view name : {"policyCertificate", "maa-policyCertificate",
                                  "aas-policyCertificate", "x-ms-policyCertificate"}) {
      auto it = m.payload.find(std::string(name));
      if (it != m.payload.end()) {
        jwk = &*it;
        break;
      }
    }
    if (jwk == nullptr || !jwk->is_object() || !jwk->contains("x5c") || !(*jwk)["x5c"].is_array() ||
        (*jwk)["x5c"].empty() || !(*jwk)["x5c"][0].is_string()) {
      return maa_error(Error{ErrorKind::kInvalidArgument, checks::kPolicyCertificate,
                             "policyCertificate must be a JWK with an x5c certificate"});
    }
    auto der = base64_decode_any((*jwk)["x5c"][0].get<std::string>());
    if (!der || !crypto::Certificate::from_der(*der)) {
      return maa_error(Error{ErrorKind::kInvalidArgument, checks::kPolicyCertificate,
                             "policyCertificate.x5c[0] is not an X.509 certificate"});
    }
    TenantSettings settings = tenant->settings;
    auto& certs = settings.policy_certificates;
    auto same = [&](const std::string& b64) {
      auto reg = base64_decode_any(b64);
      return reg && *reg == *der;
    };
    const bool present = std::any_of(certs.begin(), certs.end(), same);
    if (add && !present) {
      certs.push_back(base64_encode(*der));
    } else if (!add && present) {
      if (certs.size() == 1) {
        return maa_error(Error{ErrorKind::kInvalidArgument, checks::kPolicyCertificate,
                               "the final policy management certificate cannot be removed"});
      }
      certs.erase(std::remove_if(certs.begin(), certs.end(), same), certs.end());
    }
    VOUCH_TRY_RESPONSE(s_.tenants->update(tenant_name, settings));
    const std::string thumbprint = hex_encode(crypto::digest(crypto::HashAlg::kSha1, *der));
    VOUCH_TRY_RESPONSE(s_.attestor->audit(
        tenant_name, add ? "certificate.add" : "certificate.remove", {{"thumbprint", thumbprint}}));
    json claims = {{"x-ms-certificate-thumbprint", thumbprint},
                   {"x-ms-policycertificates-result", add ? "IsPresent" : "IsAbsent"}};
    VOUCH_TRY_RESPONSE_DECL(std::string token, s_.attestor->sign_service_token(*tenant, claims));
    return token_response(token);
  }

  HttpResponse certs(const std::string& tenant_name) {
    VOUCH_TRY_RESPONSE_DECL(auto tenant, s_.tenants->get(tenant_name));
    // Make sure the active key exists before a relying party first asks for it.
    VOUCH_TRY_RESPONSE(s_.keys->active(tenant->name, tenant->issuer, tenant->settings.signing_alg));
    VOUCH_TRY_RESPONSE_DECL(jose::JwkSet set, s_.keys->published(tenant_name));
    return HttpResponse::json(200, jose::jwks_to_json(set));
  }

  HttpResponse openid(const std::string& tenant_name) {
    VOUCH_TRY_RESPONSE_DECL(auto tenant, s_.tenants->get(tenant_name));
    json doc = token::openid_configuration(tenant->issuer, {tenant->settings.signing_alg},
                                           {"x-ms-attestation-type", "x-ms-policy-hash", "x-ms-ver",
                                            "x-ms-runtime", "nonce", "cnf", "status"},
                                           tenant->issuer + "/status-lists");
    return HttpResponse::json(200, doc);
  }

 private:
  ServiceState& s_;
};

}  // namespace

void add_maa_routes(http::Router& router, ServiceState& state) {
  auto r = std::make_shared<MaaRoutes>(state);
  add_tenant_route_async(router, "POST", "/attest/{type}",
                         [r](const HttpRequest& q, const std::string& t, const PathParams& p,
                             const Respond& done) { r->attest(q, t, p, done); });
  add_tenant_route(router, "GET", "/policies/{type}",
                   [r](const HttpRequest& q, const std::string& t, const PathParams& p) {
                     return r->get_policy(q, t, p);
                   });
  add_tenant_route(router, "PUT", "/policies/{type}",
                   [r](const HttpRequest& q, const std::string& t, const PathParams& p) {
                     return r->put_policy(q, t, p, false);
                   });
  add_tenant_route(router, "POST", "/policies/{type}:reset",
                   [r](const HttpRequest& q, const std::string& t, const PathParams& p) {
                     return r->put_policy(q, t, p, true);
                   });
  add_tenant_route(router, "GET", "/certificates",
                   [r](const HttpRequest& q, const std::string& t, const PathParams&) {
                     return r->get_certificates(q, t);
                   });
  add_tenant_route(router, "POST", "/certificates:add",
                   [r](const HttpRequest& q, const std::string& t, const PathParams&) {
                     return r->change_certificates(q, t, true);
                   });
  add_tenant_route(router, "POST", "/certificates:remove",
                   [r](const HttpRequest& q, const std::string& t, const PathParams&) {
                     return r->change_certificates(q, t, false);
                   });
  add_tenant_route(
      router, "GET", "/certs",
      [r](const HttpRequest&, const std::string& t, const PathParams&) { return r->certs(t); });
  add_tenant_route(
      router, "GET", "/.well-known/openid-configuration",
      [r](const HttpRequest&, const std::string& t, const PathParams&) { return r->openid(t); });
}

}  // namespace vouch::service
