// IETF RATS challenge-response sessions (the Veraison verification API,
// rats-and-peers.md section 2.2): a single-use server or caller nonce, evidence posted by media
// type, an EAR as the result.

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "service/auth.h"
#include "service/check_ids.h"
#include "service/errors.h"
#include "service/state.h"

namespace vouch::service {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::PathParams;
using nlohmann::json;

constexpr std::string_view kSessionKind = "rats";
constexpr std::string_view kSessionMediaType =
    "application/vnd.veraison.challenge-response-session+json";
constexpr std::chrono::seconds kSessionTtl{300};
constexpr std::string_view kRuntimeDataHeader = "vouch-runtime-data";

HttpResponse error_response(const Error& e) {
  return problem(e, "");
}

std::string session_path(const std::string& tenant, const std::string& id) {
  const std::string prefix = tenant == kDefaultTenant ? "" : "/tenants/" + tenant;
  return prefix + "/challenge-response/v1/session/" + id;
}

std::string_view status_name(store::SessionState s) {
  switch (s) {
    case store::SessionState::kPending:
      return "waiting";
    case store::SessionState::kConsumed:
      return "processing";
    case store::SessionState::kComplete:
      return "complete";
    case store::SessionState::kFailed:
      return "failed";
  }
  return "failed";
}

class RatsRoutes {
 public:
  explicit RatsRoutes(ServiceState& s) : s_(s) {}

  json session_json(const store::Session& session) const {
    json j = {{"status", std::string(status_name(session.state))},
              {"nonce", base64_encode(session.nonce)},
              {"expiry", format_rfc3339(session.expires_at)},
              {"accept", accept()}};
    if (session.context.contains("evidence")) {
      j["evidence"] = session.context["evidence"];
    }
    if (!session.result.empty()) {
      j["result"] = session.result;
    }
    return j;
  }

  json accept() const {
    json a = json::array();
    for (std::string_view m : s_.verifiers.media_types()) {
      a.push_back(std::string(m));
    }
    return a;
  }

  HttpResponse new_session(const HttpRequest& req, const std::string& tenant_name) {
    VOUCH_TRY_RESPONSE_DECL(auto tenant, s_.tenants->get(tenant_name));
    VOUCH_TRY_RESPONSE(authorize_attestation(s_.store->api_keys(), req, tenant_name,
                                             tenant->settings.attestation_requires_key,
                                             s_.clock->now()));
    const std::string given = req.query_param("nonce");
    const std::string size_text = req.query_param("nonceSize");
    if (!given.empty() && !size_text.empty()) {
      return error_response(Error{ErrorKind::kInvalidArgument, checks::kSessionNonce,
                                  "nonce and nonceSize are mutually exclusive"});
    }
    Bytes nonce;
    if (!given.empty()) {
      auto decoded = base64_decode_any(given);
      if (!decoded) {
        return error_response(Error{ErrorKind::kInvalidArgument, checks::kSessionNonce,
                                    "nonce: " + decoded.error().detail});
      }
      nonce = std::move(*decoded);
    } else {
      std::size_t size = 32;
      if (!size_text.empty()) {
        try {
          size = std::stoul(size_text);
        } catch (const std::exception&) {
          size = 0;
        }
      }
      if (size < 8 || size > 64) {
        return error_response(
            Error{ErrorKind::kInvalidArgument, checks::kSessionNonce, "nonceSize must be 8..64"});
      }
      VOUCH_TRY_RESPONSE_DECL(nonce, s_.random->bytes(size));
    }
    if (nonce.size() < 8 || nonce.size() > 64) {
      return error_response(Error{ErrorKind::kInvalidArgument, checks::kSessionNonce,
                                  "the nonce must be 8..64 bytes"});
    }
    VOUCH_TRY_RESPONSE_DECL(Bytes id_bytes, s_.random->bytes(16));
    store::Session session;
    session.tenant = tenant_name;
    session.id = hex_encode(id_bytes);
    session.kind = std::string(kSessionKind);
    session.nonce = std::move(nonce);
    session.created_at = s_.clock->now();
    session.expires_at = session.created_at + kSessionTtl;
    VOUCH_TRY_RESPONSE(s_.store->sessions().create(session));
    auto r = HttpResponse::json(201, session_json(session), std::string(kSessionMediaType));
    r.set_header("location",
                 s_.config.effective_public_url() + session_path(tenant_name, session.id));
    return r;
  }

  HttpResponse submit(const HttpRequest& req, const std::string& tenant_name,
                      const PathParams& params) {
    VOUCH_TRY_RESPONSE_DECL(auto tenant, s_.tenants->get(tenant_name));
    VOUCH_TRY_RESPONSE(authorize_attestation(s_.store->api_keys(), req, tenant_name,
                                             tenant->settings.attestation_requires_key,
                                             s_.clock->now()));
    const std::string media_type = req.header("content-type");
    const appraisal::EvidenceVerifier* verifier = s_.verifiers.find_media_type(media_type);
    if (verifier == nullptr) {
      return error_response(Error{ErrorKind::kInvalidArgument, checks::kMediaType,
                                  "unsupported evidence media type '" + media_type + "'"});
    }
    const std::string& id = params.at("id");
    // Consuming first makes the nonce single-use even when verification fails.
    VOUCH_TRY_RESPONSE_DECL(
        store::Session session,
        s_.store->sessions().consume(tenant_name, kSessionKind, id, s_.clock->now()));
    AttestRequest ar;
    ar.tenant = tenant;
    ar.profile = ResultProfile::kEar;
    const std::string ear = req.query_param("ear");
    ar.ear_names =
        ear == "02" || ear == "draft-02" ? token::EarNames::kDraft02 : token::EarNames::kDraft03;
    ar.evidence.type = verifier->type();
    ar.evidence.evidence = Bytes(req.body.begin(), req.body.end());
    ar.evidence.nonce = session.nonce;
    ar.nonce = base64url_encode(session.nonce);
    // Vouch extension: runtime data (a TEE key) bound with the nonce, as
    // SHA-256(nonce || runtime data), for the passport model (docs/relying-party.md).
    if (const std::string runtime = req.header(kRuntimeDataHeader); !runtime.empty()) {
      auto decoded = base64_decode_any(runtime);
      if (!decoded || decoded->empty()) {
        (void)s_.store->sessions().complete(tenant_name, id, store::SessionState::kFailed,
                                            "bad runtime data header");
        return error_response(Error{ErrorKind::kInvalidArgument, checks::kRequestField,
                                    std::string(kRuntimeDataHeader) + ": not base64 data"});
      }
      ar.evidence.runtime_data = appraisal::BoundData{std::move(*decoded), true};
    }
    ar.client_address = req.client_address;
    ar.request_id = req.request_id;
    auto outcome = s_.attestor->attest(ar);
    json evidence = {{"type", media_type}, {"value", base64_encode(ar.evidence.evidence)}};
    if (!outcome) {
      (void)s_.store->sessions().complete(tenant_name, id, store::SessionState::kFailed,
                                          outcome.error().to_string());
      return error_response(outcome.error());
    }
    VOUCH_TRY_RESPONSE_DECL(store::Session done,
                            s_.store->sessions().complete(
                                tenant_name, id, store::SessionState::kComplete, *outcome->token));
    done.context["evidence"] = evidence;
    json body = session_json(done);
    // Beyond the Veraison shape: why a result is not affirming, by check id.
    const appraisal::Appraisal& a = outcome->appraisal;
    body["appraisal"] = {{"verdict", a.permitted() ? "permit" : (a.verified ? "deny" : "reject")}};
    if (a.error) {
      body["appraisal"]["check"] = std::string(a.error->check.str());
      body["appraisal"]["detail"] = a.error->detail;
    }
    return HttpResponse::json(200, body, std::string(kSessionMediaType));
  }

  HttpResponse get(const std::string& tenant_name, const PathParams& params) {
    VOUCH_TRY_RESPONSE(s_.tenants->get(tenant_name));
    VOUCH_TRY_RESPONSE_DECL(store::Session session,
                            s_.store->sessions().get(tenant_name, params.at("id")));
    if (session.kind != kSessionKind) {
      return error_response(Error{ErrorKind::kNotFound, checks::kNotFound, "no such session"});
    }
    return HttpResponse::json(200, session_json(session), std::string(kSessionMediaType));
  }

  HttpResponse remove(const std::string& tenant_name, const PathParams& params) {
    VOUCH_TRY_RESPONSE(s_.tenants->get(tenant_name));
    VOUCH_TRY_RESPONSE_DECL(store::Session session,
                            s_.store->sessions().get(tenant_name, params.at("id")));
    if (session.kind != kSessionKind) {
      return error_response(Error{ErrorKind::kNotFound, checks::kNotFound, "no such session"});
    }
    VOUCH_TRY_RESPONSE(s_.store->sessions().remove(tenant_name, params.at("id")));
    return HttpResponse{204, {}, ""};
  }

  HttpResponse discovery(const std::string& tenant_name) {
    VOUCH_TRY_RESPONSE_DECL(auto tenant, s_.tenants->get(tenant_name));
    VOUCH_TRY_RESPONSE_DECL(
        auto signer, s_.keys->active(tenant->name, tenant->issuer, tenant->settings.signing_alg));
    json doc = {
        {"ear-verification-key", jose::jwk_to_json(signer->public_jwk())},
        {"media-types", accept()},
        {"version", "vouch"},
        {"service-state", s_.draining.load() ? "TERMINATING" : "READY"},
        {"api-endpoints", {{"newChallengeResponseSession", "/challenge-response/v1/newSession"}}}};
    return HttpResponse::json(200, doc, "application/vnd.veraison.discovery+json");
  }

 private:
  ServiceState& s_;
};

}  // namespace

void add_rats_routes(http::Router& router, ServiceState& state) {
  auto r = std::make_shared<RatsRoutes>(state);
  add_tenant_route(router, "POST", "/challenge-response/v1/newSession",
                   member_route(r, &RatsRoutes::new_session));
  add_tenant_route(router, "POST", "/challenge-response/v1/session/{id}",
                   member_route(r, &RatsRoutes::submit));
  add_tenant_route(router, "GET", "/challenge-response/v1/session/{id}",
                   member_route(r, &RatsRoutes::get));
  add_tenant_route(router, "DELETE", "/challenge-response/v1/session/{id}",
                   member_route(r, &RatsRoutes::remove));
  add_tenant_route(
      router, "GET", "/.well-known/veraison/verification",
      [r](const HttpRequest&, const std::string& t, const PathParams&) { return r->discovery(t); });
}

}  // namespace vouch::service
