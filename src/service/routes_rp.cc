// The relying party's HTTP API (docs/relying-party.md): secrets for owners, release against an
// attestation result (passport model), and challenge + evidence (background-check model).

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "rp/check_ids.h"
#include "service/auth.h"
#include "service/check_ids.h"
#include "service/errors.h"
#include "service/relying_party.h"
#include "service/rp_request.h"
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

rp::ReleaseRules rules_of(RpRulesBody body) {
  rp::ReleaseRules rules;
  rules.release_policy = std::move(body.release_policy);
  rules.trusted_issuers = std::move(body.trusted_issuers);
  return rules;
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
    VOUCH_TRY_RESPONSE_DECL(RpSecretBody body, parse_rp_secret(req.body));
    const rp::ReleaseRules rules = rules_of(std::move(body.rules));
    const std::string name = secret_name(p);
    VOUCH_TRY_RESPONSE_DECL(rp::SecretInfo info,
                            s_.rp->secrets().put(tenant, name, body.value, rules));
    VOUCH_TRY_RESPONSE(s_.attestor->audit(
        tenant, "secret.put",
        {{"secret", name}, {"version", info.version}, {"trusted_issuers", rules.trusted_issuers}}));
    return HttpResponse::json(info.version == 1 ? 201 : 200, info_json(info));
  }

  HttpResponse set_rules(const HttpRequest& req, const std::string& tenant, const PathParams& p) {
    VOUCH_TRY_RESPONSE(owner(req, tenant));
    VOUCH_TRY_RESPONSE_DECL(RpRulesBody body, parse_rp_rules(req.body));
    const rp::ReleaseRules rules = rules_of(std::move(body));
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
    VOUCH_TRY_RESPONSE_DECL(RpReleaseBody body, parse_rp_release(req.body));
    rp::ReleaseRequest rr;
    rr.tenant = tenant;
    rr.secret = secret_name(p);
    rr.token = std::move(body.token);
    rr.presented_key = std::move(body.key);
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
    VOUCH_TRY_RESPONSE_DECL(RpAttestBody body, parse_rp_attest(req.body));
    const std::string name = secret_name(p);
    // A secret that does not exist is refused before the challenge is spent and the verifier
    // runs (the release checks it again, with its rules).
    VOUCH_TRY_RESPONSE(s_.rp->secrets().info(tenant, name));
    // Consumed before anything else: a challenge answers one attempt, successful or not.
    VOUCH_TRY_RESPONSE(
        s_.store->sessions().consume_nonce(tenant, kChallengeKind, body.nonce, s_.clock->now()));
    ForwardedEvidence fe;
    fe.tenant = tenant;
    fe.media_type = std::move(body.media_type);
    fe.evidence = std::move(body.evidence);
    fe.nonce = std::move(body.nonce);
    fe.runtime_data = std::move(body.runtime_data);
    fe.client_address = req.client_address;
    fe.request_id = req.request_id;
    VOUCH_TRY_RESPONSE_DECL(std::string token, s_.rp->appraise(fe, name));
    rp::ReleaseRequest rr;
    rr.tenant = tenant;
    rr.secret = name;
    rr.token = token;
    // The key the evidence bound is the key the secret goes to.
    rr.presented_key = std::move(body.runtime_key);
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
  add_tenant_route(router, "GET", "/rp/v1/secrets", member_route(r, &RpRoutes::list));
  add_tenant_route(router, "POST", "/rp/v1/challenge", member_route(r, &RpRoutes::challenge));
  // Suffixed routes first: ".../{c}:release" must not be read as a secret named "x:release".
  add_secret_route(router, "POST", ":release", member_route(r, &RpRoutes::release));
  add_secret_route(router, "POST", ":attest", member_route(r, &RpRoutes::attest));
  add_secret_route(router, "PUT", ":rules", member_route(r, &RpRoutes::set_rules));
  add_secret_route(router, "PUT", "", member_route(r, &RpRoutes::put));
  add_secret_route(router, "GET", "", member_route(r, &RpRoutes::get));
  add_secret_route(router, "DELETE", "", member_route(r, &RpRoutes::remove));
}

}  // namespace vouch::service
