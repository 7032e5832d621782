// The admin API (problem+json errors): tenants, settings, API keys, reference values, deny
// lists, signing keys, token revocation, TPM AK pinning, the audit log, and the public status
// lists that revocation publishes.

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "crypto/digest.h"
#include "evidence/tpm/abi.h"
#include "evidence/tpm/ak.h"
#include "service/auth.h"
#include "service/check_ids.h"
#include "service/errors.h"
#include "service/rp_request.h"
#include "service/state.h"
#include "token/status_list.h"

namespace vouch::service {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::PathParams;
using nlohmann::json;
using store::Role;

HttpResponse error_response(const Error& e) {
  return problem(e, "");
}

Result<json> body_object(const HttpRequest& req) {
  return parse_json_object_body(req.body);
}

Result<std::string> string_member(const json& j, const char* name, bool required = true) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    if (required) {
      return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kRequestField,
                                  std::string(name) + ": missing"});
    }
    return std::string();
  }
  if (!it->is_string()) {
    return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kRequestField,
                                std::string(name) + ": must be a string"});
  }
  return it->get<std::string>();
}

json list_entry_json(const store::ListEntry& e) {
  json j = {{"kind", e.kind}, {"value", e.value}, {"created_at", format_rfc3339(e.created_at)}};
  if (!e.reason.empty()) {
    j["reason"] = e.reason;
  }
  if (!e.metadata.empty()) {
    j["metadata"] = e.metadata;
  }
  if (e.not_before) {
    j["not_before"] = format_rfc3339(*e.not_before);
  }
  if (e.not_after) {
    j["not_after"] = format_rfc3339(*e.not_after);
  }
  return j;
}

json api_key_json(const store::ApiKey& k) {
  json j = {{"key_id", k.key_id},
            {"role", std::string(store::role_name(k.role))},
            {"label", k.label},
            {"created_at", format_rfc3339(k.created_at)}};
  if (k.revoked_at) {
    j["revoked_at"] = format_rfc3339(*k.revoked_at);
  }
  return j;
}

class AdminRoutes {
 public:
  explicit AdminRoutes(ServiceState& s) : s_(s) {}

  Result<Principal> who(const HttpRequest& req, const std::string& tenant,
                        std::initializer_list<Role> roles) {
    VOUCH_TRY(auto t, s_.tenants->get(tenant));  // 404 before 401 for unknown tenants
    (void)t;
    return authorize(s_.store->api_keys(), req, tenant, roles, s_.clock->now());
  }

  // --- tenants (operators: verifier-owners of the default tenant) ---
  HttpResponse create_tenant(const HttpRequest& req) {
    VOUCH_TRY_RESPONSE(who(req, std::string(kDefaultTenant), {Role::kVerifierOwner}));
    VOUCH_TRY_RESPONSE_DECL(json body, body_object(req));
    VOUCH_TRY_RESPONSE_DECL(std::string name, string_member(body, "name"));
    TenantSettings settings;
    if (body.contains("settings")) {
      VOUCH_TRY_RESPONSE_DECL(settings, TenantSettings::from_json(body["settings"]));
    }
    VOUCH_TRY_RESPONSE_DECL(auto view, s_.tenants->create(name, settings));
    VOUCH_TRY_RESPONSE_DECL(
        IssuedKey owner, issue_api_key(s_.store->api_keys(), *s_.random, name, Role::kVerifierOwner,
                                       "bootstrap", s_.clock->now()));
    VOUCH_TRY_RESPONSE(s_.attestor->audit(name, "tenant.create", {{"name", name}}));
    return HttpResponse::json(201, json{{"name", view->name},
                                        {"issuer", view->issuer},
                                        {"settings", view->settings.to_json()},
                                        {"api_key", owner.token},
                                        {"api_key_id", owner.record.key_id}});
  }

  HttpResponse list_tenants(const HttpRequest& req) {
    VOUCH_TRY_RESPONSE(
        who(req, std::string(kDefaultTenant), {Role::kVerifierOwner, Role::kAuditor}));
    VOUCH_TRY_RESPONSE_DECL(auto names, s_.tenants->names());
    json out = json::array();
    for (const auto& n : names) {
      out.push_back({{"name", n}, {"issuer", s_.tenants->issuer_for(n)}});
    }
    return HttpResponse::json(200, json{{"tenants", out}});
  }

  HttpResponse delete_tenant(const HttpRequest& req, const PathParams& p) {
    VOUCH_TRY_RESPONSE(who(req, std::string(kDefaultTenant), {Role::kVerifierOwner}));
    VOUCH_TRY_RESPONSE(s_.tenants->get(p.at("name")));
    VOUCH_TRY_RESPONSE(s_.tenants->remove(p.at("name")));
    s_.keys->invalidate(p.at("name"));
    s_.attestor->invalidate_tenant(p.at("name"));
    VOUCH_TRY_RESPONSE(s_.attestor->audit(p.at("name"), "tenant.delete", {{"name", p.at("name")}}));
    return HttpResponse{204, {}, ""};
  }

  // --- settings ---
  HttpResponse get_settings(const HttpRequest& req, const std::string& t) {
    VOUCH_TRY_RESPONSE(who(req, t, {Role::kVerifierOwner, Role::kAuditor}));
    VOUCH_TRY_RESPONSE_DECL(auto view, s_.tenants->get(t));
    return HttpResponse::json(200, json{{"name", view->name},
                                        {"issuer", view->issuer},
                                        {"settings", view->settings.to_json()}});
  }

  HttpResponse put_settings(const HttpRequest& req, const std::string& t) {
    VOUCH_TRY_RESPONSE(who(req, t, {Role::kVerifierOwner}));
    VOUCH_TRY_RESPONSE_DECL(json body, body_object(req));
    VOUCH_TRY_RESPONSE_DECL(TenantSettings settings, TenantSettings::from_json(body));
    VOUCH_TRY_RESPONSE_DECL(auto before, s_.tenants->get(t));
    VOUCH_TRY_RESPONSE_DECL(auto view, s_.tenants->update(t, settings));
    VOUCH_TRY_RESPONSE(s_.attestor->audit(t, "tenant.settings", settings.to_json()));
    if (before->settings.signing_alg != settings.signing_alg) {
      // A new algorithm needs a new key; the old one stays published for a token lifetime.
      VOUCH_TRY_RESPONSE_DECL(auto signer, s_.keys->rotate(t, view->issuer, settings.signing_alg,
                                                           before->settings.token_lifetime));
      VOUCH_TRY_RESPONSE(s_.attestor->audit(t, "key.rotate", {{"kid", signer->kid()}}));
    }
    return HttpResponse::json(200, json{{"name", view->name}, {"settings", settings.to_json()}});
  }

  // --- API keys ---
  HttpResponse create_key(const HttpRequest& req, const std::string& t) {
    VOUCH_TRY_RESPONSE(who(req, t, {Role::kVerifierOwner}));
    VOUCH_TRY_RESPONSE_DECL(json body, body_object(req));
    VOUCH_TRY_RESPONSE_DECL(std::string role_name, string_member(body, "role"));
    VOUCH_TRY_RESPONSE_DECL(std::string label, string_member(body, "label", false));
    auto role = store::parse_role(role_name);
    if (!role) {
      return error_response(Error{ErrorKind::kInvalidArgument, checks::kRequestField,
                                  "role: one of verifier-owner, rp-owner, auditor, attester"});
    }
    VOUCH_TRY_RESPONSE_DECL(IssuedKey key, issue_api_key(s_.store->api_keys(), *s_.random, t, *role,
                                                         label, s_.clock->now()));
    VOUCH_TRY_RESPONSE(s_.attestor->audit(t, "api_key.create",
                                          {{"key_id", key.record.key_id}, {"role", role_name}}));
    json j = api_key_json(key.record);
    j["token"] = key.token;
    return HttpResponse::json(201, j);
  }

  HttpResponse list_keys(const HttpRequest& req, const std::string& t) {
    VOUCH_TRY_RESPONSE(who(req, t, {Role::kVerifierOwner, Role::kAuditor}));
    VOUCH_TRY_RESPONSE_DECL(auto keys, s_.store->api_keys().list(t));
    json out = json::array();
    for (const auto& k : keys) {
      out.push_back(api_key_json(k));
    }
    return HttpResponse::json(200, json{{"api_keys", out}});
  }

  HttpResponse revoke_key(const HttpRequest& req, const std::string& t, const PathParams& p) {
    VOUCH_TRY_RESPONSE(who(req, t, {Role::kVerifierOwner}));
    VOUCH_TRY_RESPONSE_DECL(auto key, s_.store->api_keys().revoke(t, p.at("id"), s_.clock->now()));
    VOUCH_TRY_RESPONSE(s_.attestor->audit(t, "api_key.revoke", {{"key_id", key.key_id}}));
    return HttpResponse::json(200, api_key_json(key));
  }

  // --- reference values and deny lists ---
  HttpResponse add_entry(const HttpRequest& req, const std::string& t, store::ListStore& ls,
                         std::string_view what) {
    VOUCH_TRY_RESPONSE(who(req, t, {Role::kVerifierOwner}));
    VOUCH_TRY_RESPONSE_DECL(json body, body_object(req));
    store::ListEntry e;
    e.tenant = t;
    VOUCH_TRY_RESPONSE_DECL(e.kind, string_member(body, "kind"));
    VOUCH_TRY_RESPONSE_DECL(e.value, string_member(body, "value"));
    VOUCH_TRY_RESPONSE_DECL(e.reason, string_member(body, "reason", false));
    if (body.contains("metadata") && body["metadata"].is_object()) {
      e.metadata = body["metadata"];
    }
    for (const char* name : {"not_before", "not_after"}) {
      VOUCH_TRY_RESPONSE_DECL(std::string text, string_member(body, name, false));
      if (!text.empty()) {
        VOUCH_TRY_RESPONSE_DECL(Timestamp ts, parse_rfc3339(text));
        (std::string_view(name) == "not_before" ? e.not_before : e.not_after) = ts;
      }
    }
    e.created_at = s_.clock->now();
    VOUCH_TRY_RESPONSE(ls.add(e));
    s_.attestor->invalidate_lists(t);
    VOUCH_TRY_RESPONSE(
        s_.attestor->audit(t, std::string(what) + ".add", {{"kind", e.kind}, {"value", e.value}}));
    return HttpResponse::json(201, list_entry_json(e));
  }

  HttpResponse list_entries(const HttpRequest& req, const std::string& t, store::ListStore& ls) {
    VOUCH_TRY_RESPONSE(who(req, t, {Role::kVerifierOwner, Role::kAuditor}));
    store::ListQuery q;
    if (auto k = req.query_param("kind"); !k.empty()) {
      q.kind = k;
    }
    q.after_kind = req.query_param("after_kind");
    q.after_value = req.query_param("after_value");
    VOUCH_TRY_RESPONSE_DECL(auto page, ls.list(t, q));
    json out = json::array();
    for (const auto& e : page) {
      out.push_back(list_entry_json(e));
    }
    return HttpResponse::json(200, json{{"entries", out}});
  }

  HttpResponse remove_entry(const HttpRequest& req, const std::string& t, store::ListStore& ls,
                            std::string_view what) {
    VOUCH_TRY_RESPONSE(who(req, t, {Role::kVerifierOwner}));
    const std::string kind = req.query_param("kind");
    const std::string value = req.query_param("value");
    VOUCH_TRY_RESPONSE(ls.remove(t, kind, value));
    s_.attestor->invalidate_lists(t);
    VOUCH_TRY_RESPONSE(
        s_.attestor->audit(t, std::string(what) + ".remove", {{"kind", kind}, {"value", value}}));
    return HttpResponse{204, {}, ""};
  }

  // --- signing keys ---
  HttpResponse list_signing_keys(const HttpRequest& req, const std::string& t) {
    VOUCH_TRY_RESPONSE(who(req, t, {Role::kVerifierOwner, Role::kAuditor}));
    VOUCH_TRY_RESPONSE_DECL(auto keys, s_.store->keys().list(t));
    json out = json::array();
    for (const auto& k : keys) {
      json j = {{"kid", k.kid},
                {"alg", k.algorithm},
                {"state", std::string(store::key_state_name(k.state))},
                {"created_at", format_rfc3339(k.created_at)}};
      if (k.not_after) {
        j["not_after"] = format_rfc3339(*k.not_after);
      }
      out.push_back(j);
    }
    return HttpResponse::json(200, json{{"keys", out}});
  }

  HttpResponse rotate_signing_key(const HttpRequest& req, const std::string& t) {
    VOUCH_TRY_RESPONSE(who(req, t, {Role::kVerifierOwner}));
    VOUCH_TRY_RESPONSE_DECL(auto view, s_.tenants->get(t));
    VOUCH_TRY_RESPONSE(s_.keys->active(view->name, view->issuer, view->settings.signing_alg));
    VOUCH_TRY_RESPONSE_DECL(auto signer,
                            s_.keys->rotate(view->name, view->issuer, view->settings.signing_alg,
                                            view->settings.token_lifetime));
    VOUCH_TRY_RESPONSE(s_.attestor->audit(t, "key.rotate", {{"kid", signer->kid()}}));
    return HttpResponse::json(200, json{{"kid", signer->kid()}});
  }

  // --- tokens ---
  HttpResponse revoke_token(const HttpRequest& req, const std::string& t, const PathParams& p) {
    VOUCH_TRY_RESPONSE(who(req, t, {Role::kVerifierOwner}));
    VOUCH_TRY_RESPONSE_DECL(auto status,
                            s_.store->token_status().revoke(t, p.at("jti"), s_.clock->now()));
    VOUCH_TRY_RESPONSE(s_.attestor->audit(
        t, "token.revoke", {{"jti", status.jti}, {"list", status.list_id}, {"idx", status.index}}));
    return HttpResponse::json(200, json{{"jti", status.jti},
                                        {"revoked_at", format_rfc3339(*status.revoked_at)},
                                        {"status_list", status.list_id},
                                        {"idx", status.index}});
  }

  HttpResponse status_list(const std::string& t, const PathParams& p) {
    VOUCH_TRY_RESPONSE_DECL(auto view, s_.tenants->get(t));
    std::int64_t id = 0;
    try {
      id = std::stoll(p.at("id"));
    } catch (const std::exception&) {
      return error_response(Error{ErrorKind::kNotFound, checks::kNotFound, "no such status list"});
    }
    VOUCH_TRY_RESPONSE_DECL(store::StatusList stored, s_.store->token_status().read_list(t, id));
    token::StatusList list(stored.capacity, store::StatusList::kBits);
    for (std::uint32_t i = 0; i < stored.capacity; ++i) {
      if ((stored.bits[i / 8] >> (i % 8)) & 1U) {
        VOUCH_TRY_RESPONSE(list.set(i, 1));
      }
    }
    VOUCH_TRY_RESPONSE_DECL(auto signer,
                            s_.keys->active(view->name, view->issuer, view->settings.signing_alg));
    token::StatusListTokenOptions options;
    options.uri = view->issuer + "/status-lists/" + p.at("id");
    options.issuer = view->issuer;
    options.issued_at = s_.clock->now();
    options.lifetime = std::chrono::seconds(3600);
    options.ttl = std::chrono::seconds(60);
    VOUCH_TRY_RESPONSE_DECL(std::string token,
                            token::issue_status_list_token(*signer, list, options));
    return HttpResponse::text(200, token, "application/statuslist+jwt");
  }

  // --- TPM AKs pinned by the owner (enrolment without an EK certificate) ---
  HttpResponse pin_ak(const HttpRequest& req, const std::string& t) {
    VOUCH_TRY_RESPONSE(who(req, t, {Role::kVerifierOwner}));
    VOUCH_TRY_RESPONSE_DECL(json body, body_object(req));
    VOUCH_TRY_RESPONSE_DECL(std::string b64, string_member(body, "ak_public"));
    VOUCH_TRY_RESPONSE_DECL(Bytes ak_public, base64_decode_any(b64));
    VOUCH_TRY_RESPONSE_DECL(tpm::Ak ak, tpm::load_ak(ak_public));
    store::EnrolledAk e;
    e.tenant = t;
    VOUCH_TRY_RESPONSE_DECL(e.ak_name, tpm::registration_name(ak));
    e.ak_public = ak_public;
    // No EK certificate vouches for a pinned AK: record the digest of an empty certificate.
    e.ek_certificate_digest = crypto::digest(crypto::HashAlg::kSha256, ByteSpan{});
    e.enrolled_at = s_.clock->now();
    VOUCH_TRY_RESPONSE(s_.store->enrollment().register_ak(e));
    // "ak_name" is the TPM Name when the public area was given (what tpm2-tools print), else the
    // registration name (SHA-256 of the key) under which the AK is stored either way.
    std::string shown = hex_encode(e.ak_name);
    if (ak.tpm_public) {
      VOUCH_TRY_RESPONSE_DECL(Bytes tpm_name, tpm::object_name(*ak.tpm_public));
      shown = hex_encode(tpm_name);
    }
    const json out = {{"ak_name", shown}, {"registration_name", hex_encode(e.ak_name)}};
    VOUCH_TRY_RESPONSE(s_.attestor->audit(t, "tpm.ak.pin", out));
    return HttpResponse::json(201, out);
  }

  // --- audit ---
  HttpResponse audit(const HttpRequest& req, const std::string& t) {
    VOUCH_TRY_RESPONSE(who(req, t, {Role::kAuditor, Role::kVerifierOwner}));
    std::uint64_t after = 0;
    std::size_t limit = 100;
    try {
      if (auto a = req.query_param("after"); !a.empty()) {
        after = std::stoull(a);
      }
      if (auto l = req.query_param("limit"); !l.empty()) {
        limit = std::stoul(l);
      }
    } catch (const std::exception&) {
      return error_response(Error{ErrorKind::kInvalidArgument, checks::kRequestField,
                                  "after and limit must be numbers"});
    }
    VOUCH_TRY_RESPONSE_DECL(auto page, s_.store->audit().page(t, after, limit));
    json out = json::array();
    for (const auto& e : page) {
      out.push_back({{"sequence", e.sequence},
                     {"time", format_rfc3339(e.time)},
                     {"kind", e.kind},
                     {"payload", json::parse(e.payload, nullptr, false)},
                     {"prev_hash", hex_encode(e.prev_hash)},
                     {"hash", hex_encode(e.hash)}});
    }
    json body = {{"tenant", t}, {"entries", out}};
    if (!page.empty()) {
      body["next_after"] = page.back().sequence;
    }
    return HttpResponse::json(200, body);
  }

 private:
  ServiceState& s_;
};

}  // namespace

void add_admin_routes(http::Router& router, ServiceState& state) {
  auto r = std::make_shared<AdminRoutes>(state);
  using P = const PathParams&;
  using Q = const HttpRequest&;
  using T = const std::string&;
  router.add("POST", "/admin/tenants", [r](Q q, P) { return r->create_tenant(q); });
  router.add("GET", "/admin/tenants", [r](Q q, P) { return r->list_tenants(q); });
  router.add("DELETE", "/admin/tenants/{name}", [r](Q q, P p) { return r->delete_tenant(q, p); });
  add_tenant_route(router, "GET", "/admin/settings",
                   [r](Q q, T t, P) { return r->get_settings(q, t); });
  add_tenant_route(router, "PUT", "/admin/settings",
                   [r](Q q, T t, P) { return r->put_settings(q, t); });
  add_tenant_route(router, "POST", "/admin/api-keys",
                   [r](Q q, T t, P) { return r->create_key(q, t); });
  add_tenant_route(router, "GET", "/admin/api-keys",
                   [r](Q q, T t, P) { return r->list_keys(q, t); });
  add_tenant_route(router, "DELETE", "/admin/api-keys/{id}",
                   [r](Q q, T t, P p) { return r->revoke_key(q, t, p); });
  ServiceState* s = &state;
  add_tenant_route(router, "POST", "/admin/reference-values", [r, s](Q q, T t, P) {
    return r->add_entry(q, t, s->store->reference_values(), "reference_value");
  });
  add_tenant_route(router, "GET", "/admin/reference-values", [r, s](Q q, T t, P) {
    return r->list_entries(q, t, s->store->reference_values());
  });
  add_tenant_route(router, "DELETE", "/admin/reference-values", [r, s](Q q, T t, P) {
    return r->remove_entry(q, t, s->store->reference_values(), "reference_value");
  });
  add_tenant_route(router, "POST", "/admin/deny-list", [r, s](Q q, T t, P) {
    return r->add_entry(q, t, s->store->deny_list(), "deny_list");
  });
  add_tenant_route(router, "GET", "/admin/deny-list",
                   [r, s](Q q, T t, P) { return r->list_entries(q, t, s->store->deny_list()); });
  add_tenant_route(router, "DELETE", "/admin/deny-list", [r, s](Q q, T t, P) {
    return r->remove_entry(q, t, s->store->deny_list(), "deny_list");
  });
  add_tenant_route(router, "GET", "/admin/keys",
                   [r](Q q, T t, P) { return r->list_signing_keys(q, t); });
  add_tenant_route(router, "POST", "/admin/keys:rotate",
                   [r](Q q, T t, P) { return r->rotate_signing_key(q, t); });
  add_tenant_route(router, "POST", "/admin/tokens/{jti}:revoke",
                   [r](Q q, T t, P p) { return r->revoke_token(q, t, p); });
  add_tenant_route(router, "POST", "/admin/tpm/aks", [r](Q q, T t, P) { return r->pin_ak(q, t); });
  add_tenant_route(router, "GET", "/status-lists/{id}",
                   [r](Q, T t, P p) { return r->status_list(t, p); });
  add_tenant_route(router, "GET", "/audit", [r](Q q, T t, P) { return r->audit(q, t); });
}

}  // namespace vouch::service
