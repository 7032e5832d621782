// KBS mode: the Confidential Containers key broker protocol (rats-and-peers.md section 3.2), so
// guest components that speak it can fetch secrets from Vouch. auth -> nonce and session cookie;
// attest -> evidence bound to the runtime data (nonce and TEE key), an EAR; resource -> the secret
// named repo/type/tag as a flattened JWE to the TEE key, after the relying party's checks.

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/json_depth.h"
#include "rp/check_ids.h"
#include "service/auth.h"
#include "service/check_ids.h"
#include "service/errors.h"
#include "service/relying_party.h"
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
  const std::string cookies = req.header("cookie");
  std::size_t pos = 0;
  while (pos < cookies.size()) {
    std::size_t end = cookies.find(';', pos);
    if (end == std::string::npos) {
      end = cookies.size();
    }
    std::string item = cookies.substr(pos, end - pos);
    const std::size_t start = item.find_first_not_of(' ');
    item = start == std::string::npos ? "" : item.substr(start);
    const std::string prefix = std::string(kCookie) + "=";
    if (item.rfind(prefix, 0) == 0) {
      return item.substr(prefix.size());
    }
    pos = end + 1;
  }
  return "";
}

Error session_error(const std::string& what) {
  return Error{ErrorKind::kInvalidArgument, checks::kKbsSession, what};
}

Error field_error(const std::string& what) {
  return Error{ErrorKind::kInvalidArgument, checks::kRequestField, what};
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
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("tee") || !body["tee"].is_string()) {
      return error_response(field_error("the auth request needs {\"version\", \"tee\"}"));
    }
    const std::string tee = body["tee"].get<std::string>();
    if (media_type_of(tee).empty()) {
      return error_response(Error{ErrorKind::kInvalidArgument, checks::kUnsupportedType,
                                  "tee '" + tee + "' is not supported (tpm, snp)"});
    }
    VOUCH_TRY_RESPONSE_DECL(Bytes nonce, s_.random->bytes(32));
    VOUCH_TRY_RESPONSE_DECL(Bytes id, s_.random->bytes(16));
    store::Session session;
    session.tenant = tenant;
    session.id = hex_encode(id);
    session.kind = std::string(kSessionKind);
    session.nonce = nonce;
    session.context = {{"tee", tee}};
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
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("runtime-data") || !body["runtime-data"].is_object() ||
        !body.contains("tee-evidence")) {
      return fail(tenant, id,
                  field_error("the attest request needs \"runtime-data\" and \"tee-evidence\""));
    }
    const json& runtime = body["runtime-data"];
    auto nonce = runtime.find("nonce");
    if (nonce == runtime.end() || !nonce->is_string()) {
      return fail(tenant, id, field_error("runtime-data.nonce: missing"));
    }
    auto given = base64_decode_any(nonce->get<std::string>());
    if (!given || *given != session->nonce) {
      return fail(tenant, id,
                  Error{ErrorKind::kEvidenceRejected, checks::kKbsNonce,
                        "runtime-data.nonce is not this session's challenge"});
    }
    const std::string tee = session->context.value("tee", "");
    AttestRequest ar;
    ar.tenant = view;
    ar.profile = ResultProfile::kEar;
    const appraisal::EvidenceVerifier* verifier = s_.verifiers.find_media_type(media_type_of(tee));
    if (verifier == nullptr) {
      return fail(tenant, id,
                  Error{ErrorKind::kInvalidArgument, checks::kUnsupportedType,
                        "tee '" + tee + "' has no verifier on this node"});
    }
    ar.evidence.type = verifier->type();
    auto evidence = evidence_bytes(tee, body["tee-evidence"]);
    if (!evidence) {
      return fail(tenant, id, evidence.error());
    }
    ar.evidence.evidence = std::move(*evidence);
    // The evidence binds SHA-256 of the runtime data as compact JSON with sorted keys (the
    // nonce is inside it).
    const std::string canonical = runtime.dump();
    ar.evidence.runtime_data =
        appraisal::BoundData{Bytes(canonical.begin(), canonical.end()), true};
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
  static std::string media_type_of(const std::string& tee) {
    if (tee == "tpm") {
      return "application/vnd.vouch.tpm-quote+json";
    }
    if (tee == "snp") {
      return "application/vnd.vouch.sevsnp-report";
    }
    return "";
  }

  // tpm: the Vouch TPM bundle (a JSON object or its text); snp: {"report": base64}.
  static Result<Bytes> evidence_bytes(const std::string& tee, const json& ev) {
    const json* e = &ev;
    json parsed;
    if (ev.is_string()) {
      if (json_nesting_depth(ev.get_ref<const std::string&>()) > kMaxUntrustedJsonDepth) {
        return tl::unexpected(field_error("tee-evidence: nests too deep"));
      }
      parsed = json::parse(ev.get<std::string>(), nullptr, false);
      if (parsed.is_discarded()) {
        return tl::unexpected(field_error("tee-evidence: not JSON"));
      }
      e = &parsed;
    }
    if (e->is_object() && e->contains("primary_evidence")) {
      e = &(*e)["primary_evidence"];
    }
    if (!e->is_object()) {
      return tl::unexpected(field_error("tee-evidence: must be a JSON object"));
    }
    if (tee == "tpm") {
      const std::string text = e->dump();
      return Bytes(text.begin(), text.end());
    }
    auto report = e->find("report");
    if (report == e->end() || !report->is_string()) {
      return tl::unexpected(field_error("tee-evidence.report: missing (base64)"));
    }
    auto bytes = base64_decode_any(report->get<std::string>());
    if (!bytes) {
      return tl::unexpected(field_error("tee-evidence.report: " + bytes.error().detail));
    }
    return std::move(*bytes);
  }

  HttpResponse fail(const std::string& tenant, const std::string& id, const Error& e) {
    (void)s_.store->sessions().complete(tenant, id, store::SessionState::kFailed, e.to_string());
    return error_response(e);
  }

  ServiceState& s_;
};

}  // namespace

void add_kbs_routes(http::Router& router, ServiceState& state) {
  auto r = std::make_shared<KbsRoutes>(state);
  using Q = const HttpRequest&;
  using T = const std::string&;
  using P = const PathParams&;
  add_tenant_route(router, "POST", "/kbs/v0/auth", [r](Q q, T t, P) { return r->auth(q, t); });
  add_tenant_route(router, "POST", "/kbs/v0/attest", [r](Q q, T t, P) { return r->attest(q, t); });
  add_tenant_route(router, "GET", "/kbs/v0/resource/{repo}/{type}/{tag}",
                   [r](Q q, T t, P p) { return r->resource(q, t, p); });
}

}  // namespace vouch::service
