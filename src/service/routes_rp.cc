// The relying party's HTTP API (docs/relying-party.md): secrets for owners, release against an
// attestation result (passport model), and challenge + evidence (background-check model).

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "rp/check_ids.h"
#include "service/auth.h"
#include "service/check_ids.h"
#include "service/errors.h"
#include "service/relying_party.h"
#include "service/state.h"

namespace vouch::service {

int rp_status(const Error& e) {
  const std::string_view id = e.check.str();
  if (id.rfind("token.result.", 0) == 0) {
    return e.kind == ErrorKind::kRevocationUnavailable ? 503 : 401;
  }
  if (e.check == rp::checks::kIssuerUntrusted || e.check == rp::checks::kReleasePolicy ||
      e.check == rp::checks::kTeeKeyMismatch || e.kind == ErrorKind::kPolicyDenied) {
    return 403;
  }
  return 0;  // the service-wide mapping
}

namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::PathParams;
using nlohmann::json;

constexpr std::string_view kChallengeKind = "rp";
constexpr std::chrono::seconds kChallengeTtl{300};

HttpResponse error_response(const Error& e) {
  return problem(e, "", rp_status(e));
}

Error bad_field(const std::string& what) {
  return Error{ErrorKind::kInvalidArgument, checks::kRequestField, what};
}

// The secret name of a route: one to three path segments ({a}, {a}/{b}, {a}/{b}/{c}).
std::string secret_name(const PathParams& p) {
  std::string name = p.at("a");
  for (const char* k : {"b", "c"}) {
    if (auto it = p.find(k); it != p.end()) {
      name += "/" + it->second;
    }
  }
  return name;
}

json info_json(const rp::SecretInfo& i) {
  return {{"name", i.name},
          {"version", i.version},
          {"releasePolicy", json::parse(i.rules.release_policy, nullptr, false)},
          {"trustedIssuers", i.rules.trusted_issuers},
          {"createdAt", format_rfc3339(i.created_at)},
          {"updatedAt", format_rfc3339(i.updated_at)}};
}

Result<rp::ReleaseRules> rules_from(const json& body) {
  rp::ReleaseRules rules;
  auto policy = body.find("releasePolicy");
  if (policy == body.end() || !(policy->is_object() || policy->is_string())) {
    return tl::unexpected(bad_field("releasePolicy: missing (a key-release policy object)"));
  }
  rules.release_policy = policy->is_string() ? policy->get<std::string>() : policy->dump();
  auto issuers = body.find("trustedIssuers");
  if (issuers == body.end() || !issuers->is_array()) {
    return tl::unexpected(bad_field("trustedIssuers: missing (an array of issuer URLs)"));
  }
  for (const json& i : *issuers) {
    if (!i.is_string()) {
      return tl::unexpected(bad_field("trustedIssuers: every entry must be a string"));
    }
    rules.trusted_issuers.push_back(i.get<std::string>());
  }
  return rules;
}

Result<json> json_body(const HttpRequest& req) {
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kRequestJson,
                                "the request body must be a JSON object"});
  }
  return body;
}

class RpRoutes {
 public:
  explicit RpRoutes(ServiceState& s) : s_(s) {}

  Status owner(const HttpRequest& req, const std::string& tenant) {
    VOUCH_RETURN_IF_ERROR(s_.tenants->get(tenant));
    return authorize(s_.store->api_keys(), req, tenant,
                     {store::Role::kRpOwner, store::Role::kVerifierOwner}, s_.clock->now())
        .map([](const Principal&) {});
  }

  Status attester(const HttpRequest& req, const std::string& tenant) {
    VOUCH_TRY(auto view, s_.tenants->get(tenant));
    return authorize_attestation(s_.store->api_keys(), req, tenant,
                                 view->settings.attestation_requires_key, s_.clock->now());
  }

  HttpResponse put(const HttpRequest& req, const std::string& tenant, const PathParams& p) {
    VOUCH_TRY_RESPONSE(owner(req, tenant));
    VOUCH_TRY_RESPONSE_DECL(json body, json_body(req));
    auto value = body.find("value");
    if (value == body.end() || !value->is_string()) {
      return error_response(bad_field("value: missing (the secret, base64)"));
    }
    auto bytes = base64_decode_any(value->get<std::string>());
    if (!bytes) {
      return error_response(bad_field("value: " + bytes.error().detail));
    }
    VOUCH_TRY_RESPONSE_DECL(rp::ReleaseRules rules, rules_from(body));
    const std::string name = secret_name(p);
    VOUCH_TRY_RESPONSE_DECL(rp::SecretInfo info, s_.rp->secrets().put(tenant, name, *bytes, rules));
    VOUCH_TRY_RESPONSE(s_.attestor->audit(
        tenant, "secret.put",
        {{"secret", name}, {"version", info.version}, {"trusted_issuers", rules.trusted_issuers}}));
    return HttpResponse::json(info.version == 1 ? 201 : 200, info_json(info));
  }

  HttpResponse set_rules(const HttpRequest& req, const std::string& tenant, const PathParams& p) {
    VOUCH_TRY_RESPONSE(owner(req, tenant));
    VOUCH_TRY_RESPONSE_DECL(json body, json_body(req));
    VOUCH_TRY_RESPONSE_DECL(rp::ReleaseRules rules, rules_from(body));
    const std::string name = secret_name(p);
    VOUCH_TRY_RESPONSE_DECL(rp::SecretInfo info, s_.rp->secrets().set_rules(tenant, name, rules));
    VOUCH_TRY_RESPONSE(s_.attestor->audit(
        tenant, "secret.rules",
        {{"secret", name}, {"version", info.version}, {"trusted_issuers", rules.trusted_issuers}}));
    return HttpResponse::json(200, info_json(info));
  }

  HttpResponse get(const HttpRequest& req, const std::string& tenant, const PathParams& p) {
    VOUCH_TRY_RESPONSE(owner(req, tenant));
    VOUCH_TRY_RESPONSE_DECL(rp::SecretInfo info, s_.rp->secrets().info(tenant, secret_name(p)));
    return HttpResponse::json(200, info_json(info));
  }

  HttpResponse list(const HttpRequest& req, const std::string& tenant) {
    VOUCH_TRY_RESPONSE(owner(req, tenant));
    VOUCH_TRY_RESPONSE_DECL(auto infos, s_.rp->secrets().list(tenant));
    json out = json::array();
    for (const auto& i : infos) {
      out.push_back(info_json(i));
    }
    return HttpResponse::json(200, json{{"secrets", out}});
  }

  HttpResponse remove(const HttpRequest& req, const std::string& tenant, const PathParams& p) {
    VOUCH_TRY_RESPONSE(owner(req, tenant));
    const std::string name = secret_name(p);
    VOUCH_TRY_RESPONSE(s_.rp->secrets().remove(tenant, name));
    VOUCH_TRY_RESPONSE(s_.attestor->audit(tenant, "secret.delete", {{"secret", name}}));
    return HttpResponse{204, {}, ""};
  }

  // Passport model: the attester brings a result token.
  HttpResponse release(const HttpRequest& req, const std::string& tenant, const PathParams& p) {
    VOUCH_TRY_RESPONSE(attester(req, tenant));
    VOUCH_TRY_RESPONSE_DECL(json body, json_body(req));
    auto token = body.find("token");
    if (token == body.end() || !token->is_string()) {
      return error_response(bad_field("token: missing (the attestation result, a JWT)"));
    }
    rp::ReleaseRequest rr;
    rr.tenant = tenant;
    rr.secret = secret_name(p);
    rr.token = token->get<std::string>();
    if (auto key = body.find("key"); key != body.end()) {
      if (!key->is_object()) {
        return error_response(bad_field("key: must be a JWK object"));
      }
      rr.presented_key = *key;
    }
    rr.flow = "passport";
    rr.client_address = req.client_address;
    rr.request_id = req.request_id;
    VOUCH_TRY_RESPONSE_DECL(rp::Release r, s_.rp->release(rr));
    return HttpResponse::json(200, release_json(r));
  }

  static json release_json(const rp::Release& r) {
    return {{"name", r.secret}, {"version", r.version}, {"issuer", r.issuer}, {"jwe", r.jwe}};
  }

  // Background-check model, step 1: a single-use challenge.
  HttpResponse challenge(const HttpRequest& req, const std::string& tenant) {
    VOUCH_TRY_RESPONSE(attester(req, tenant));
    VOUCH_TRY_RESPONSE_DECL(Bytes nonce, s_.random->bytes(32));
    VOUCH_TRY_RESPONSE_DECL(Bytes id, s_.random->bytes(16));
    store::Session session;
    session.tenant = tenant;
    session.id = hex_encode(id);
    session.kind = std::string(kChallengeKind);
    session.nonce = nonce;
    session.created_at = s_.clock->now();
    session.expires_at = session.created_at + kChallengeTtl;
    VOUCH_TRY_RESPONSE(s_.store->sessions().create(session));
    return HttpResponse::json(201, json{{"nonce", base64url_encode(nonce)},
                                        {"expiresAt", format_rfc3339(session.expires_at)}});
  }

  // Background-check model, step 2: evidence in, secret out.
  HttpResponse attest(const HttpRequest& req, const std::string& tenant, const PathParams& p) {
    VOUCH_TRY_RESPONSE(attester(req, tenant));
    VOUCH_TRY_RESPONSE_DECL(json body, json_body(req));
    const std::string name = secret_name(p);
    auto text = [&](const json& j, const char* member) -> Result<std::string> {
      auto it = j.find(member);
      if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
        return tl::unexpected(bad_field(std::string(member) + ": missing or not a string"));
      }
      return it->get<std::string>();
    };
    VOUCH_TRY_RESPONSE_DECL(std::string nonce_text, text(body, "nonce"));
    VOUCH_TRY_RESPONSE_DECL(std::string runtime_text, text(body, "runtimeData"));
    auto evidence = body.find("evidence");
    if (evidence == body.end() || !evidence->is_object()) {
      return error_response(bad_field("evidence: missing ({\"type\", \"value\"})"));
    }
    VOUCH_TRY_RESPONSE_DECL(std::string media_type, text(*evidence, "type"));
    VOUCH_TRY_RESPONSE_DECL(std::string value, text(*evidence, "value"));
    auto nonce = base64_decode_any(nonce_text);
    auto runtime = base64_decode_any(runtime_text);
    auto evidence_bytes = base64_decode_any(value);
    if (!nonce || !runtime || !evidence_bytes) {
      return error_response(bad_field("nonce, runtimeData and evidence.value must be base64"));
    }
    // A secret that does not exist is refused before the challenge is spent and the verifier
    // runs (the release checks it again, with its rules).
    VOUCH_TRY_RESPONSE(s_.rp->secrets().info(tenant, name));
    // Consumed before anything else: a challenge answers one attempt, successful or not.
    VOUCH_TRY_RESPONSE(
        s_.store->sessions().consume_nonce(tenant, kChallengeKind, *nonce, s_.clock->now()));
    ForwardedEvidence fe;
    fe.tenant = tenant;
    fe.media_type = media_type;
    fe.evidence = std::move(*evidence_bytes);
    fe.nonce = std::move(*nonce);
    fe.runtime_data = std::move(*runtime);
    fe.client_address = req.client_address;
    fe.request_id = req.request_id;
    VOUCH_TRY_RESPONSE_DECL(std::string token, s_.rp->appraise(fe, name));
    rp::ReleaseRequest rr;
    rr.tenant = tenant;
    rr.secret = name;
    rr.token = token;
    // The key the evidence bound is the key the secret goes to.
    const json runtime_json = json::parse(fe.runtime_data, nullptr, false);
    if (runtime_json.is_object() && runtime_json.contains("jwk")) {
      rr.presented_key = runtime_json["jwk"];
    }
    rr.flow = "background-check";
    rr.client_address = req.client_address;
    rr.request_id = req.request_id;
    VOUCH_TRY_RESPONSE_DECL(rp::Release r, s_.rp->release(rr));
    json out = release_json(r);
    out["token"] = token;
    return HttpResponse::json(200, out);
  }

 private:
  ServiceState& s_;
};

// Registers a secret route for names of one, two and three segments.
void add_secret_route(http::Router& router, const std::string& method, const std::string& suffix,
                      const TenantHandler& handler) {
  for (const char* pattern :
       {"/rp/v1/secrets/{a}", "/rp/v1/secrets/{a}/{b}", "/rp/v1/secrets/{a}/{b}/{c}"}) {
    add_tenant_route(router, method, pattern + suffix, handler);
  }
}

}  // namespace

void add_rp_routes(http::Router& router, ServiceState& state) {
  auto r = std::make_shared<RpRoutes>(state);
  using Q = const HttpRequest&;
  using T = const std::string&;
  using P = const PathParams&;
  add_tenant_route(router, "GET", "/rp/v1/secrets", [r](Q q, T t, P) { return r->list(q, t); });
  add_tenant_route(router, "POST", "/rp/v1/challenge",
                   [r](Q q, T t, P) { return r->challenge(q, t); });
  // Suffixed routes first: ".../{c}:release" must not be read as a secret named "x:release".
  add_secret_route(router, "POST", ":release", [r](Q q, T t, P p) { return r->release(q, t, p); });
  add_secret_route(router, "POST", ":attest", [r](Q q, T t, P p) { return r->attest(q, t, p); });
  add_secret_route(router, "PUT", ":rules", [r](Q q, T t, P p) { return r->set_rules(q, t, p); });
  add_secret_route(router, "PUT", "", [r](Q q, T t, P p) { return r->put(q, t, p); });
  add_secret_route(router, "GET", "", [r](Q q, T t, P p) { return r->get(q, t, p); });
  add_secret_route(router, "DELETE", "", [r](Q q, T t, P p) { return r->remove(q, t, p); });
}

}  // namespace vouch::service
