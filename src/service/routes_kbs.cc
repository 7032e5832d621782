// KBS mode: the Confidential Containers key broker protocol (rats-and-peers.md section 3.2), so
// guest components that speak it can fetch secrets from Vouch. auth -> nonce and session cookie;
// attest -> evidence bound to the runtime data (nonce and TEE key), an EAR; resource -> the secret
// named repo/type/tag as a flattened JWE to the TEE key, after the relying party's checks.

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
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::PathParams;
using nlohmann::json;

constexpr std::string_view kSessionKind = "kbs";
constexpr std::chrono::seconds kSessionTtl{300};
constexpr std::string_view kCookie = "kbs-session-id";

// KBS error bodies are RFC 7807 with KBS's type URIs; ours add the check id.
HttpResponse kbs_error(const Error& e, std::string_view kbs_type, int status) {
  HttpResponse r = problem(e, "", status);
  json body = json::parse(r.body, nullptr, false);
  body["type"] = "https://github.com/confidential-containers/kbs/errors/" + std::string(kbs_type);
  r.body = body.dump();
  return r;
}

HttpResponse error_response(const Error& e) {
  const int rp = rp_status(e);
  if (e.check.str().rfind("token.result.", 0) == 0) {
    return kbs_error(e, "TokenVerifierError", rp);
  }
  if (rp == 403) {
    return kbs_error(e, "PolicyDeny", 403);
  }
  if (e.kind == ErrorKind::kNotFound) {
    return kbs_error(e, "ResourceNotFound", 404);
  }
  return kbs_error(e, "AttestationError", e.check == checks::kKbsSession ? 401 : 0);
}

std::string session_cookie(const HttpRequest& req) {
  return kbs_session_cookie(req.header("cookie"));
}

Error session_error(const std::string& what) {
  return Error{ErrorKind::kInvalidArgument, checks::kKbsSession, what};
}

// The compact JWE as KBS's flattened JSON serialization.
json flattened(const std::string& compact) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    const std::size_t dot = compact.find('.', pos);
    parts.push_back(compact.substr(pos, dot - pos));
    pos = dot + 1;
  }
  parts.push_back(compact.substr(pos));
  return {{"protected", parts[0]},
          {"encrypted_key", parts[1]},
          {"iv", parts[2]},
          {"ciphertext", parts[3]},
          {"tag", parts[4]}};
}

class KbsRoutes {
 public:
  explicit KbsRoutes(ServiceState& s) : s_(s) {}

  // Tenants that require attestation API keys require them here too (Authorization: Bearer
  // vouch_...), on auth and attest; an attested session then carries the right.
  Status attester(const HttpRequest& req, const std::string& tenant) {
    VOUCH_TRY(auto view, s_.tenants->get(tenant));
    return authorize_attestation(s_.store->api_keys(), req, tenant,
                                 view->settings.attestation_requires_key, s_.clock->now());
  }

  HttpResponse auth(const HttpRequest& req, const std::string& tenant) {
    VOUCH_TRY_RESPONSE(attester(req, tenant));
    VOUCH_TRY_RESPONSE_DECL(KbsAuthBody body, parse_kbs_auth(req.body));
    VOUCH_TRY_RESPONSE_DECL(Bytes nonce, s_.random->bytes(32));
    VOUCH_TRY_RESPONSE_DECL(Bytes id, s_.random->bytes(16));
    store::Session session;
    session.tenant = tenant;
    session.id = hex_encode(id);
    session.kind = std::string(kSessionKind);
    session.nonce = nonce;
    session.context = {{"tee", body.tee}};
    session.created_at = s_.clock->now();
    session.expires_at = session.created_at + kSessionTtl;
    VOUCH_TRY_RESPONSE(s_.store->sessions().create(session));
    auto r = HttpResponse::json(200, json{{"nonce", base64_encode(nonce)}, {"extra-params", ""}});
    r.set_header("set-cookie",
                 std::string(kCookie) + "=" + session.id +
                     "; Path=/; HttpOnly; Max-Age=" + std::to_string(kSessionTtl.count()));
    return r;
  }

  HttpResponse attest(const HttpRequest& req, const std::string& tenant) {
    VOUCH_TRY_RESPONSE(attester(req, tenant));
    VOUCH_TRY_RESPONSE_DECL(auto view, s_.tenants->get(tenant));
    const std::string id = session_cookie(req);
    if (id.empty()) {
      return error_response(session_error("no kbs-session-id cookie: call /kbs/v0/auth first"));
    }
    auto session = s_.store->sessions().consume(tenant, kSessionKind, id, s_.clock->now());
    if (!session) {
      return error_response(session_error("kbs session: " + session.error().detail));
    }
    auto body = parse_kbs_attest(req.body);
    if (!body) {
      return fail(tenant, id, body.error());
    }
    if (body->nonce != session->nonce) {
      return fail(tenant, id,
                  Error{ErrorKind::kEvidenceRejected, checks::kKbsNonce,
                        "runtime-data.nonce is not this session's challenge"});
    }
    const std::string tee = session->context.value("tee", "");
    AttestRequest ar;
    ar.tenant = view;
    ar.profile = ResultProfile::kEar;
    const appraisal::EvidenceVerifier* verifier = s_.verifiers.find_media_type(kbs_media_type(tee));
    if (verifier == nullptr) {
      return fail(tenant, id,
                  Error{ErrorKind::kInvalidArgument, checks::kUnsupportedType,
                        "tee '" + tee + "' has no verifier on this node"});
    }
    ar.evidence.type = verifier->type();
    auto evidence = kbs_evidence(tee, body->tee_evidence);
    if (!evidence) {
      return fail(tenant, id, evidence.error());
    }
    ar.evidence.evidence = std::move(*evidence);
    // The evidence binds SHA-256 of the runtime data as compact JSON with sorted keys (the
    // nonce is inside it).
    ar.evidence.runtime_data =
        appraisal::BoundData{Bytes(body->runtime_data.begin(), body->runtime_data.end()), true};
    // Confidential containers' init-data: the verifier checks its digest against what the
    // hardware measured at launch (SEV-SNP HOST_DATA) and refuses it where nothing binds it.
    if (body->init_data) {
      ar.evidence.inittime_data =
          appraisal::BoundData{Bytes(body->init_data->begin(), body->init_data->end()), false};
    }
    ar.nonce = base64url_encode(session->nonce);
    ar.client_address = req.client_address;
    ar.request_id = req.request_id;
    auto outcome = s_.attestor->attest(ar);
    if (!outcome) {
      return fail(tenant, id, outcome.error());
    }
    if (!outcome->appraisal.permitted()) {
      const Error e = outcome->appraisal.error.value_or(
          Error{ErrorKind::kPolicyDenied, checks::kRpEvidenceDenied, "the policy denied it"});
      return fail(tenant, id, e);
    }
    VOUCH_TRY_RESPONSE(
        s_.store->sessions().complete(tenant, id, store::SessionState::kComplete, *outcome->token));
    return HttpResponse::json(200, json{{"token", *outcome->token}});
  }

  HttpResponse resource(const HttpRequest& req, const std::string& tenant, const PathParams& p) {
    VOUCH_TRY_RESPONSE_DECL(auto view, s_.tenants->get(tenant));
    std::string token;
    const std::string authorization = req.header("authorization");
    if (authorization.rfind("Bearer ", 0) == 0) {
      // The bearer is the result token, so there is no room for an API key: tenants that
      // require one take the session cookie only.
      if (view->settings.attestation_requires_key) {
        return kbs_error(session_error("this tenant requires an API key: use the kbs session"),
                         "TokenNotFound", 401);
      }
      token = authorization.substr(7);
    } else {
      const std::string id = session_cookie(req);
      if (id.empty()) {
        return kbs_error(session_error("no kbs-session-id cookie and no bearer token"),
                         "TokenNotFound", 401);
      }
      auto session = s_.store->sessions().get(tenant, id);
      if (!session || session->kind != kSessionKind ||
          session->state != store::SessionState::kComplete || session->result.empty()) {
        return kbs_error(session_error("the kbs session has not attested"), "TokenNotFound", 401);
      }
      token = session->result;
    }
    rp::ReleaseRequest rr;
    rr.tenant = tenant;
    rr.secret = p.at("repo") + "/" + p.at("type") + "/" + p.at("tag");
    rr.token = token;
    rr.flow = "kbs";
    rr.client_address = req.client_address;
    rr.request_id = req.request_id;
    VOUCH_TRY_RESPONSE_DECL(rp::Release r, s_.rp->release(rr));
    return HttpResponse::json(200, flattened(r.jwe));
  }

 private:
  HttpResponse fail(const std::string& tenant, const std::string& id, const Error& e) {
    (void)s_.store->sessions().complete(tenant, id, store::SessionState::kFailed, e.to_string());
    return error_response(e);
  }

  ServiceState& s_;
};

}  // namespace

void add_kbs_routes(http::Router& router, ServiceState& state) {
  auto r = std::make_shared<KbsRoutes>(state);
  add_tenant_route(router, "POST", "/kbs/v0/auth", member_route(r, &KbsRoutes::auth));
  add_tenant_route(router, "POST", "/kbs/v0/attest", member_route(r, &KbsRoutes::attest));
  add_tenant_route(router, "GET", "/kbs/v0/resource/{repo}/{type}/{tag}",
                   member_route(r, &KbsRoutes::resource));
}

}  // namespace vouch::service
