// `vouch admin ...`: the service's admin API (docs/service.md) over HTTP(S): policies, tenants,
// settings, API keys, reference values, deny lists, signing keys, token revocation, TPM AK
// pinning, relying-party secrets and the audit log. A thin shell: one request (or a few, for
// paging) per command.

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "base/file.h"
#include "cli/commands.h"
#include "service/http/client.h"

namespace vouch::cli {
namespace {

using nlohmann::json;
namespace http = service::http;

constexpr std::string_view kDefaultUrl = "http://127.0.0.1:8080";
constexpr std::string_view kMaaApiVersion = "2022-08-01";
constexpr std::size_t kMaxUploadBytes = std::size_t{4} << 20;  // the service's default body limit
constexpr int kListPagesMax = 10000;  // stops a server that keeps answering the same page

// Options shared by every `vouch admin` command, and the arguments of the one that runs.
struct AdminArgs {
  // global
  std::string url;
  std::string api_key;
  std::string tenant;
  std::string ca_file;
  bool insecure = false;
  bool json = false;
  double timeout_seconds = 30;
  // per command
  std::string type;
  std::string file;
  std::string name;
  std::string settings;
  bool replace = false;
  std::string role;
  std::string label;
  std::string id;
  std::string kind;
  std::string value;
  std::string reason;
  std::string jti;
  std::uint64_t after = 0;
  std::size_t limit = 100;
  std::vector<std::string> issuers;
  std::string policy_file;
};

std::string env_or(const char* name, std::string_view fallback) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read before any thread
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

std::string dump(const json& j, int indent = 2) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

// A member as text: strings as they are, other scalars in their JSON form, absent as "".
std::string text_of(const json& j, std::string_view key) {
  if (!j.is_object()) {
    return "";
  }
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return "";
  }
  return it->is_string() ? it->get<std::string>() : dump(*it, -1);
}

// The claims of a compact JWS/JWT, decoded without checking its signature (the transport is
// what the CLI trusts; the token is only unpacked for display).
std::optional<json> jwt_payload(std::string_view token) {
  const std::size_t a = token.find('.');
  const std::size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos) {
    return std::nullopt;
  }
  auto bytes = base64_decode_any(token.substr(a + 1, b - a - 1));
  if (!bytes) {
    return std::nullopt;
  }
  json j = json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (j.is_discarded()) {
    return std::nullopt;
  }
  return j;
}

// The exit code for an error kind named by the service ("invalid_argument", ...).
std::optional<ErrorKind> kind_from_name(std::string_view name) {
  for (ErrorKind k : {ErrorKind::kMalformedEvidence, ErrorKind::kEvidenceRejected,
                      ErrorKind::kCollateralUnavailable, ErrorKind::kRevocationUnavailable,
                      ErrorKind::kPolicyDenied, ErrorKind::kInvalidArgument, ErrorKind::kNotFound,
                      ErrorKind::kAlreadyExists, ErrorKind::kFailedPrecondition,
                      ErrorKind::kUnavailable, ErrorKind::kInternal}) {
    if (error_kind_name(k) == name) {
      return k;
    }
  }
  return std::nullopt;
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  void print(std::ostream& out) const {
    if (rows.empty()) {
      out << "(none)\n";
      return;
    }
    std::vector<std::size_t> width(header.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
      for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
        width[i] = std::max(width[i], row[i].size());
      }
    };
    measure(header);
    for (const auto& r : rows) {
      measure(r);
    }
    auto line = [&](const std::vector<std::string>& row) {
      std::string s;
      for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
        s += row[i];
        if (i + 1 < row.size()) {
          s += std::string(width[i] - row[i].size() + 2, ' ');
        }
      }
      while (!s.empty() && s.back() == ' ') {
        s.pop_back();
      }
      out << s << "\n";
    };
    line(header);
    for (const auto& r : rows) {
      line(r);
    }
  }
};

// Admin talks to one service as one principal.
class Admin {
 public:
  Admin(const Context& ctx, const AdminArgs& args)
      : ctx_(ctx), args_(args), client_(options(args)) {
    base_ = args.url.empty() ? env_or("VOUCH_URL", kDefaultUrl) : args.url;
    while (!base_.empty() && base_.back() == '/') {
      base_.pop_back();
    }
    api_key_ = args.api_key.empty() ? env_or("VOUCH_API_KEY", "") : args.api_key;
  }

  // Checks the base URL before anything is sent.
  Status check_url() const {
    return http::parse_url(base_).map([](const http::Url&) {});
  }

  bool json_output() const { return args_.json; }
  std::ostream& out() const { return ctx_.out; }

  // A route of the selected tenant (/tenants/NAME/... when --tenant is given).
  std::string tenant_url(std::string_view route) const {
    return args_.tenant.empty()
               ? base_ + std::string(route)
               : base_ + "/tenants/" + http::percent_encode(args_.tenant) + std::string(route);
  }
  // A route that exists only at the root (tenant management).
  std::string root_url(std::string_view route) const { return base_ + std::string(route); }

  // Sends one request; on a transport failure or an HTTP error prints the reason (check id and
  // detail) and returns the exit code in `code`.
  std::optional<http::ClientResponse> call(const std::string& method, const std::string& url,
                                           const std::string& body, std::string_view content_type,
                                           int& code) {
    http::ClientRequest req;
    req.method = method;
    req.url = url;
    req.body = body;
    req.headers.emplace_back("accept", "application/json, application/problem+json");
    if (!content_type.empty()) {
      req.headers.emplace_back("content-type", std::string(content_type));
    }
    if (!api_key_.empty()) {
      req.headers.emplace_back("authorization", "Bearer " + api_key_);
    }
    auto res = client_.send(req);
    if (!res) {
      ctx_.err << "vouch admin: " << res.error().to_string() << "\n";
      code = exit_code_for(res.error().kind);
      return std::nullopt;
    }
    if (res->status >= 400) {
      code = report_http_error(*res);
      return std::nullopt;
    }
    code = kExitOk;
    return std::move(*res);
  }

  // call() for a JSON answer (null for an empty body).
  std::optional<json> call_json(const std::string& method, const std::string& url,
                                const std::string& body, std::string_view content_type, int& code) {
    auto res = call(method, url, body, content_type, code);
    if (!res) {
      return std::nullopt;
    }
    if (res->body.empty()) {
      return json(nullptr);
    }
    json j = json::parse(res->body, nullptr, false);
    if (j.is_discarded()) {
      ctx_.err << "vouch admin: the service answered HTTP " << res->status
               << " with a body that is not JSON\n";
      code = kExitUsage;
      return std::nullopt;
    }
    return j;
  }

  std::optional<json> get(const std::string& url, int& code) {
    return call_json("GET", url, "", "", code);
  }
  std::optional<json> post(const std::string& url, const json& body, int& code) {
    return call_json("POST", url, dump(body, -1), "application/json", code);
  }

  // Prints the raw answer with --json (an empty answer as {}); returns whether it did.
  bool print_json(const json& j) const {
    if (!args_.json) {
      return false;
    }
    ctx_.out << dump(j.is_null() ? json::object() : j) << "\n";
    return true;
  }

  // Reports a usage-level problem found before sending anything.
  int usage(const std::string& what) const {
    ctx_.err << "vouch admin: " << what << "\n";
    return kExitUsage;
  }
  int usage(const Error& e) const { return usage(e.to_string()); }

 private:
  static http::ClientOptions options(const AdminArgs& args) {
    http::ClientOptions o;
    o.ca_file = args.ca_file;
    o.insecure = args.insecure;
    if (args.timeout_seconds > 0) {
      o.read_timeout =
          std::chrono::milliseconds(static_cast<std::int64_t>(args.timeout_seconds * 1000));
    }
    return o;
  }

  // problem+json {check, detail, kind} or the MAA shape {error: {code, message, innererror}}.
  int report_http_error(const http::ClientResponse& res) {
    const json j = json::parse(res.body, nullptr, false);
    std::string check;
    std::string detail;
    int code = kExitUsage;
    if (j.is_object() && j.contains("error") && j["error"].is_object()) {  // MAA routes
      const json& e = j["error"];
      check = text_of(e.value("innererror", json::object()), "code");
      if (check.empty()) {
        check = text_of(e, "target");
      }
      detail = text_of(e, "message");
      if (!check.empty() && detail.rfind(check + ": ", 0) == 0) {
        detail = detail.substr(check.size() + 2);
      }
      const std::string maa_code = text_of(e, "code");
      if (maa_code == "PolicyParsingError") {
        code = kExitRejected;
      } else if (maa_code == "PolicyEvaluationError") {
        code = kExitPolicy;
      }
    } else if (j.is_object() && j.contains("check")) {  // problem+json
      check = text_of(j, "check");
      detail = text_of(j, "detail");
      if (auto kind = kind_from_name(text_of(j, "kind"))) {
        code = exit_code_for(*kind);
      }
    } else {
      std::string body = res.body.substr(0, 300);
      std::replace(body.begin(), body.end(), '\n', ' ');
      detail = body.empty() ? "no detail" : body;
    }
    ctx_.err << "vouch admin: " << (check.empty() ? "" : check + ": ") << detail << " (HTTP "
             << res.status << ")\n";
    if (args_.json && !j.is_discarded()) {
      ctx_.out << dump(j) << "\n";
    }
    return code;
  }

  const Context& ctx_;
  const AdminArgs& args_;
  http::HttpClient client_;
  std::string base_;
  std::string api_key_;
};

// ---- policy ----

std::string policy_url(const Admin& a, const std::string& type, std::string_view suffix = {}) {
  return a.tenant_url("/policies/" + http::percent_encode(type) + std::string(suffix) +
                      "?api-version=" + std::string(kMaaApiVersion));
}

// An unsecured JWS (RFC 7515 "alg": "none") with an empty signature, as open-mode tenants take.
std::string unsigned_jws(const std::string& payload) {
  return base64url_encode(as_bytes(std::string_view(R"({"alg":"none"})"))) + "." +
         base64url_encode(as_bytes(payload)) + ".";
}

int policy_get(Admin& a, const AdminArgs& args) {
  int code = kExitOk;
  auto j = a.get(policy_url(a, args.type), code);
  if (!j) {
    return code;
  }
  if (a.print_json(*j)) {
    return kExitOk;
  }
  // {"token": JWT{"x-ms-policy": JWT{"AttestationPolicy": base64url(text)}}}
  const auto claims = jwt_payload(text_of(*j, "token"));
  const auto stored = claims ? jwt_payload(text_of(*claims, "x-ms-policy")) : std::nullopt;
  const std::string b64 = stored ? text_of(*stored, "AttestationPolicy") : std::string();
  auto text = base64_decode_any(b64);
  if (b64.empty() || !text) {
    return a.usage("the service's answer carries no x-ms-policy.AttestationPolicy");
  }
  std::string policy(text->begin(), text->end());
  a.out() << policy << (policy.empty() || policy.back() != '\n' ? "\n" : "");
  return kExitOk;
}

int policy_set(Admin& a, const AdminArgs& args, bool reset) {
  std::string body;
  if (reset) {
    body = unsigned_jws("");
  } else {
    auto text = read_text_file(args.file, kMaxUploadBytes);
    if (!text) {
      return a.usage(text.error());
    }
    body = unsigned_jws(dump(json{{"AttestationPolicy", base64url_encode(as_bytes(*text))}}, -1));
  }
  int code = kExitOk;
  auto j = a.call_json(reset ? "POST" : "PUT", policy_url(a, args.type, reset ? ":reset" : ""),
                       body, "text/plain", code);
  if (!j) {
    return code;
  }
  if (a.print_json(*j)) {
    return kExitOk;
  }
  const auto claims = jwt_payload(text_of(*j, "token"));
  const std::string result = claims ? text_of(*claims, "x-ms-policy-result") : std::string();
  if (reset) {
    a.out() << args.type << ": policy reset to the default"
            << (result.empty() ? "" : " (" + result + ")") << "\n";
  } else {
    a.out() << args.type << ": policy " << (result.empty() ? "Updated" : result) << "\n";
    if (claims && claims->contains("x-ms-policy-token-hash")) {
      a.out() << "policy token hash: " << text_of(*claims, "x-ms-policy-token-hash") << "\n";
    }
  }
  return kExitOk;
}

// ---- tenants and settings ----

int tenant_create(Admin& a, const AdminArgs& args) {
  json body = {{"name", args.name}};
  if (!args.settings.empty()) {
    json s = json::parse(args.settings, nullptr, false);
    if (!s.is_object()) {
      return a.usage("--settings must be a JSON object");
    }
    body["settings"] = std::move(s);
  }
  int code = kExitOk;
  auto j = a.post(a.root_url("/admin/tenants"), body, code);
  if (!j) {
    return code;
  }
  if (a.print_json(*j)) {
    return kExitOk;
  }
  a.out() << "created tenant " << text_of(*j, "name") << "\n"
          << "issuer: " << text_of(*j, "issuer") << "\n"
          << "API key (verifier-owner, id " << text_of(*j, "api_key_id")
          << "; shown once, store it now):\n"
          << text_of(*j, "api_key") << "\n";
  return kExitOk;
}

int tenant_list(Admin& a) {
  int code = kExitOk;
  auto j = a.get(a.root_url("/admin/tenants"), code);
  if (!j) {
    return code;
  }
  if (a.print_json(*j)) {
    return kExitOk;
  }
  Table t{{"NAME", "ISSUER"}, {}};
  for (const auto& e : j->value("tenants", json::array())) {
    t.rows.push_back({text_of(e, "name"), text_of(e, "issuer")});
  }
  t.print(a.out());
  return kExitOk;
}

int tenant_delete(Admin& a, const AdminArgs& args) {
  int code = kExitOk;
  auto j = a.call_json("DELETE", a.root_url("/admin/tenants/" + http::percent_encode(args.name)),
                       "", "", code);
  if (!j) {
    return code;
  }
  if (!a.print_json(*j)) {
    a.out() << "deleted tenant " << args.name << "\n";
  }
  return kExitOk;
}

int settings_get(Admin& a) {
  int code = kExitOk;
  auto j = a.get(a.tenant_url("/admin/settings"), code);
  if (!j) {
    return code;
  }
  if (!a.print_json(*j)) {
    a.out() << "tenant " << text_of(*j, "name") << " (issuer " << text_of(*j, "issuer") << ")\n"
            << dump(j->value("settings", json::object())) << "\n";
  }
  return kExitOk;
}

// Merges the given members into the current settings (RFC 7396: null removes a member, so it
// takes its default), unless --replace asks for the object to be taken as the whole settings.
int settings_set(Admin& a, const AdminArgs& args) {
  std::string text = args.settings;
  if (!text.empty() && text.front() == '@') {
    auto file = read_text_file(text.substr(1), kMaxUploadBytes);
    if (!file) {
      return a.usage(file.error());
    }
    text = *file;
  }
  json patch = json::parse(text, nullptr, false);
  if (!patch.is_object()) {
    return a.usage("settings must be a JSON object (or @FILE holding one)");
  }
  json settings = patch;
  int code = kExitOk;
  if (!args.replace) {
    auto current = a.get(a.tenant_url("/admin/settings"), code);
    if (!current) {
      return code;
    }
    settings = current->value("settings", json::object());
    settings.merge_patch(patch);
  }
  auto j = a.call_json("PUT", a.tenant_url("/admin/settings"), dump(settings, -1),
                       "application/json", code);
  if (!j) {
    return code;
  }
  if (!a.print_json(*j)) {
    a.out() << "updated settings of tenant " << text_of(*j, "name") << "\n"
            << dump(j->value("settings", json::object())) << "\n";
  }
  return kExitOk;
}

// ---- API keys ----

int api_key_create(Admin& a, const AdminArgs& args) {
  json body = {{"role", args.role}};
  if (!args.label.empty()) {
    body["label"] = args.label;
  }
  int code = kExitOk;
  auto j = a.post(a.tenant_url("/admin/api-keys"), body, code);
  if (!j) {
    return code;
  }
  if (!a.print_json(*j)) {
    a.out() << "created API key " << text_of(*j, "key_id") << " (" << text_of(*j, "role")
            << (text_of(*j, "label").empty() ? "" : ", " + text_of(*j, "label"))
            << "; shown once, store it now):\n"
            << text_of(*j, "token") << "\n";
  }
  return kExitOk;
}

int api_key_list(Admin& a) {
  int code = kExitOk;
  auto j = a.get(a.tenant_url("/admin/api-keys"), code);
  if (!j) {
    return code;
  }
  if (a.print_json(*j)) {
    return kExitOk;
  }
  Table t{{"KEY ID", "ROLE", "LABEL", "CREATED", "REVOKED"}, {}};
  for (const auto& k : j->value("api_keys", json::array())) {
    t.rows.push_back({text_of(k, "key_id"), text_of(k, "role"), text_of(k, "label"),
                      text_of(k, "created_at"), text_of(k, "revoked_at")});
  }
  t.print(a.out());
  return kExitOk;
}

int api_key_revoke(Admin& a, const AdminArgs& args) {
  int code = kExitOk;
  auto j = a.call_json("DELETE", a.tenant_url("/admin/api-keys/" + http::percent_encode(args.id)),
                       "", "", code);
  if (!j) {
    return code;
  }
  if (!a.print_json(*j)) {
    a.out() << "revoked API key " << text_of(*j, "key_id") << " at " << text_of(*j, "revoked_at")
            << "\n";
  }
  return kExitOk;
}

// ---- reference values and deny lists ----

int list_add(Admin& a, const AdminArgs& args, std::string_view route) {
  json body = {{"kind", args.kind}, {"value", args.value}};
  if (!args.reason.empty()) {
    body["reason"] = args.reason;
  }
  int code = kExitOk;
  auto j = a.post(a.tenant_url(route), body, code);
  if (!j) {
    return code;
  }
  if (!a.print_json(*j)) {
    a.out() << "added " << text_of(*j, "kind") << " = " << text_of(*j, "value") << "\n";
  }
  return kExitOk;
}

// Pages through the whole list (the service answers 100 entries at a time).
int list_list(Admin& a, const AdminArgs& args, std::string_view route) {
  json all = json::array();
  std::string after_kind;
  std::string after_value;
  for (int page = 0; page < kListPagesMax; ++page) {
    std::string url = a.tenant_url(route) + "?";
    if (!args.kind.empty()) {
      url += "kind=" + http::percent_encode(args.kind) + "&";
    }
    if (!after_kind.empty()) {
      url += "after_kind=" + http::percent_encode(after_kind) +
             "&after_value=" + http::percent_encode(after_value) + "&";
    }
    url.pop_back();
    int code = kExitOk;
    auto j = a.get(url, code);
    if (!j) {
      return code;
    }
    const json entries = j->value("entries", json::array());
    if (!entries.is_array() || entries.empty()) {
      break;
    }
    const std::string last_kind = text_of(entries.back(), "kind");
    const std::string last_value = text_of(entries.back(), "value");
    if (last_kind == after_kind && last_value == after_value) {
      break;
    }
    for (const auto& e : entries) {
      all.push_back(e);
    }
    after_kind = last_kind;
    after_value = last_value;
  }
  if (a.print_json(json{{"entries", all}})) {
    return kExitOk;
  }
  Table t{{"KIND", "VALUE", "REASON", "CREATED", "NOT AFTER"}, {}};
  for (const auto& e : all) {
    t.rows.push_back({text_of(e, "kind"), text_of(e, "value"), text_of(e, "reason"),
                      text_of(e, "created_at"), text_of(e, "not_after")});
  }
  t.print(a.out());
  return kExitOk;
}

int list_remove(Admin& a, const AdminArgs& args, std::string_view route) {
  int code = kExitOk;
  auto j = a.call_json("DELETE",
                       a.tenant_url(route) + "?kind=" + http::percent_encode(args.kind) +
                           "&value=" + http::percent_encode(args.value),
                       "", "", code);
  if (!j) {
    return code;
  }
  if (!a.print_json(*j)) {
    a.out() << "removed " << args.kind << " = " << args.value << "\n";
  }
  return kExitOk;
}

// ---- signing keys, tokens, AKs, audit ----

int keys_list(Admin& a) {
  int code = kExitOk;
  auto j = a.get(a.tenant_url("/admin/keys"), code);
  if (!j) {
    return code;
  }
  if (a.print_json(*j)) {
    return kExitOk;
  }
  Table t{{"KID", "ALG", "STATE", "CREATED", "NOT AFTER"}, {}};
  for (const auto& k : j->value("keys", json::array())) {
    t.rows.push_back({text_of(k, "kid"), text_of(k, "alg"), text_of(k, "state"),
                      text_of(k, "created_at"), text_of(k, "not_after")});
  }
  t.print(a.out());
  return kExitOk;
}

int keys_rotate(Admin& a) {
  int code = kExitOk;
  auto j = a.post(a.tenant_url("/admin/keys:rotate"), json::object(), code);
  if (!j) {
    return code;
  }
  if (!a.print_json(*j)) {
    a.out() << "new signing key " << text_of(*j, "kid") << "\n";
  }
  return kExitOk;
}

int token_revoke(Admin& a, const AdminArgs& args) {
  int code = kExitOk;
  auto j = a.post(a.tenant_url("/admin/tokens/" + http::percent_encode(args.jti) + ":revoke"),
                  json::object(), code);
  if (!j) {
    return code;
  }
  if (!a.print_json(*j)) {
    a.out() << "revoked token " << text_of(*j, "jti") << " at " << text_of(*j, "revoked_at")
            << " (status list " << text_of(*j, "status_list") << ", index " << text_of(*j, "idx")
            << ")\n";
  }
  return kExitOk;
}

int ak_pin(Admin& a, const AdminArgs& args) {
  auto bytes = read_file(args.file, kMaxUploadBytes);
  if (!bytes) {
    return a.usage(bytes.error());
  }
  int code = kExitOk;
  auto j = a.post(a.tenant_url("/admin/tpm/aks"), json{{"ak_public", base64_encode(*bytes)}}, code);
  if (!j) {
    return code;
  }
  if (!a.print_json(*j)) {
    a.out() << "pinned AK " << text_of(*j, "ak_name") << "\n";
  }
  return kExitOk;
}

// ---- relying-party secrets ----

// /rp/v1/secrets/NAME with each '/'-separated segment encoded on its own.
std::string secret_url(const Admin& a, const std::string& name, std::string_view suffix = {}) {
  std::string path = "/rp/v1/secrets";
  std::size_t pos = 0;
  while (pos <= name.size()) {
    const std::size_t slash = std::min(name.find('/', pos), name.size());
    path += "/" + http::percent_encode(name.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return a.tenant_url(path + std::string(suffix));
}

void print_secret(Admin& a, const json& j) {
  a.out() << text_of(j, "name") << "  version " << text_of(j, "version") << "  trusted issuers "
          << dump(j.value("trustedIssuers", json::array()), -1) << "  updated "
          << text_of(j, "updatedAt") << "\n";
}

int secret_put(Admin& a, const AdminArgs& args) {
  auto value = read_file(args.file, kMaxUploadBytes);
  if (!value) {
    return a.usage(value.error());
  }
  auto policy_text = read_text_file(args.policy_file, kMaxUploadBytes);
  if (!policy_text) {
    return a.usage(policy_text.error());
  }
  json policy = json::parse(*policy_text, nullptr, false);
  if (!policy.is_object()) {
    return a.usage(args.policy_file + ": the release policy is not a JSON object");
  }
  const json body = {{"value", base64_encode(*value)},
                     {"releasePolicy", policy},
                     {"trustedIssuers", args.issuers}};
  int code = kExitOk;
  auto j = a.call_json("PUT", secret_url(a, args.name), dump(body, -1), "application/json", code);
  if (!j) {
    return code;
  }
  if (!a.print_json(*j)) {
    a.out() << "stored ";
    print_secret(a, *j);
  }
  return kExitOk;
}

int secret_get(Admin& a, const AdminArgs& args) {
  int code = kExitOk;
  auto j = a.get(secret_url(a, args.name), code);
  if (!j) {
    return code;
  }
  if (!a.print_json(*j)) {
    print_secret(a, *j);
    a.out() << "release policy: " << dump(j->value("releasePolicy", json::object())) << "\n";
  }
  return kExitOk;
}

int secret_list(Admin& a) {
  int code = kExitOk;
  auto j = a.get(a.tenant_url("/rp/v1/secrets"), code);
  if (!j) {
    return code;
  }
  if (a.print_json(*j)) {
    return kExitOk;
  }
  Table t{{"NAME", "VERSION", "TRUSTED ISSUERS", "UPDATED"}, {}};
  for (const auto& e : j->value("secrets", json::array())) {
    t.rows.push_back({text_of(e, "name"), text_of(e, "version"),
                      dump(e.value("trustedIssuers", json::array()), -1), text_of(e, "updatedAt")});
  }
  t.print(a.out());
  return kExitOk;
}

int secret_delete(Admin& a, const AdminArgs& args) {
  int code = kExitOk;
  if (!a.call("DELETE", secret_url(a, args.name), "", "", code)) {
    return code;
  }
  if (!a.print_json(json::object())) {
    a.out() << "deleted secret " << args.name << " (every version)\n";
  }
  return kExitOk;
}

int audit(Admin& a, const AdminArgs& args) {
  int code = kExitOk;
  auto j = a.get(a.tenant_url("/audit?after=" + std::to_string(args.after) +
                              "&limit=" + std::to_string(args.limit)),
                 code);
  if (!j) {
    return code;
  }
  if (a.print_json(*j)) {
    return kExitOk;
  }
  Table t{{"SEQ", "TIME", "KIND", "PAYLOAD"}, {}};
  const json entries = j->value("entries", json::array());
  for (const auto& e : entries) {
    t.rows.push_back({text_of(e, "sequence"), text_of(e, "time"), text_of(e, "kind"),
                      e.contains("payload") ? dump(e["payload"], -1) : std::string()});
  }
  t.print(a.out());
  if (entries.is_array() && entries.size() >= args.limit && j->contains("next_after")) {
    a.out() << "(more: --after " << text_of(*j, "next_after") << ")\n";
  }
  return kExitOk;
}

// ---- registration ----

using Runner = std::function<int(Admin&, const AdminArgs&)>;

CLI::App* sub(CLI::App& parent, const std::string& name, const std::string& description) {
  CLI::App* s = parent.add_subcommand(name, description);
  s->fallthrough();  // the global --url, --api-key, ... may also follow the subcommand
  return s;
}

void on_run(CLI::App* cmd, const std::shared_ptr<AdminArgs>& args, const Context& ctx,
            Action& action, Runner run) {
  cmd->callback([args, &ctx, &action, run = std::move(run)] {
    action = [args, &ctx, run]() -> int {
      Admin admin(ctx, *args);
      if (auto ok = admin.check_url(); !ok) {
        return admin.usage(ok.error());
      }
      return run(admin, *args);
    };
  });
}

void add_list_commands(CLI::App& admin, const std::shared_ptr<AdminArgs>& args, const Context& ctx,
                       Action& action, const std::string& name, const std::string& what,
                       const std::string& route) {
  CLI::App* group = sub(admin, name, what + " of the tenant");
  group->require_subcommand(1);
  CLI::App* add = sub(*group, "add", "Add an entry");
  add->add_option("--kind", args->kind, "Entry kind (a claim name, e.g. snp.measurement)")
      ->required();
  add->add_option("--value", args->value, "Entry value (claims encode bytes as lowercase hex)")
      ->required();
  add->add_option("--reason", args->reason, "Why the entry exists");
  on_run(add, args, ctx, action,
         [route](Admin& a, const AdminArgs& x) { return list_add(a, x, route); });
  CLI::App* list = sub(*group, "list", "List the entries (all pages)");
  list->add_option("--kind", args->kind, "Only entries of this kind");
  on_run(list, args, ctx, action,
         [route](Admin& a, const AdminArgs& x) { return list_list(a, x, route); });
  CLI::App* remove = sub(*group, "remove", "Remove an entry");
  remove->add_option("--kind", args->kind, "Entry kind")->required();
  remove->add_option("--value", args->value, "Entry value")->required();
  on_run(remove, args, ctx, action,
         [route](Admin& a, const AdminArgs& x) { return list_remove(a, x, route); });
}

}  // namespace

void add_admin(CLI::App& app, const Context& ctx, Action& action) {
  auto args = std::make_shared<AdminArgs>();
  CLI::App* admin = app.add_subcommand(
      "admin",
      "Manage a running `vouch serve` through its admin API.\n"
      "Exit codes: 0 success; 1 usage error, or the request was refused (400 invalid request, "
      "401 missing/invalid API key, 403 role, 404 not found, 409 conflict), or the service is "
      "unreachable or failing (connection, TLS verification, timeout, 5xx); 2 the policy or AK "
      "sent does not parse (policy.*, tpm.* checks). Errors print the service's check id and "
      "detail on stderr; with --json the service's error body is also printed on stdout.");
  admin->require_subcommand(1);
  admin->add_option("--url", args->url,
                    "Service base URL, http(s)://host[:port][/prefix] (default $VOUCH_URL or "
                    "http://127.0.0.1:8080)");
  admin->add_option("--api-key", args->api_key,
                    "API key vouch_<id>_<secret> (default $VOUCH_API_KEY; never printed; prefer "
                    "the variable: command lines are visible to other users)");
  admin->add_option("--tenant", args->tenant,
                    "Tenant to manage (routes under /tenants/NAME; default: the default tenant)");
  admin->add_option("--ca-file", args->ca_file,
                    "PEM CA certificates (or the server's own certificate) to verify HTTPS "
                    "against instead of the system store");
  admin->add_flag("--insecure", args->insecure,
                  "HTTPS without certificate or host name verification (development only)");
  admin->add_flag("--json", args->json, "Print the service's JSON answer instead of text");
  admin->add_option("--timeout", args->timeout_seconds,
                    "Seconds to wait for an answer (default 30)");

  // policy
  CLI::App* policy =
      sub(*admin, "policy",
          "Appraisal policies (MAA routes /policies/{type}, api-version 2022-08-01); "
          "TYPE: SgxEnclave, OpenEnclave, SevSnpVm, TdxVm, Tpm");
  policy->require_subcommand(1);
  CLI::App* pget = sub(*policy, "get", "Print the tenant's policy text for TYPE");
  pget->add_option("TYPE", args->type, "Attestation type")->required();
  on_run(pget, args, ctx, action, [](Admin& a, const AdminArgs& x) { return policy_get(a, x); });
  CLI::App* pset = sub(*policy, "set",
                       "Set the policy for TYPE from FILE (sent as an unsigned JWS, which "
                       "tenants in open mode take)");
  pset->add_option("TYPE", args->type, "Attestation type")->required();
  pset->add_option("FILE", args->file, "Policy text file")->required();
  on_run(pset, args, ctx, action,
         [](Admin& a, const AdminArgs& x) { return policy_set(a, x, false); });
  CLI::App* preset = sub(*policy, "reset", "Reset the policy for TYPE to the built-in default");
  preset->add_option("TYPE", args->type, "Attestation type")->required();
  on_run(preset, args, ctx, action,
         [](Admin& a, const AdminArgs& x) { return policy_set(a, x, true); });

  // tenants
  CLI::App* tenant = sub(*admin, "tenant",
                         "Tenants (needs a verifier-owner key of the default tenant; --tenant is "
                         "not used)");
  tenant->require_subcommand(1);
  CLI::App* tcreate = sub(*tenant, "create", "Create a tenant; prints its first API key (once)");
  tcreate->add_option("NAME", args->name, "Tenant name ([a-z0-9-]{1,63})")->required();
  tcreate->add_option("--settings", args->settings, "Initial settings as a JSON object");
  on_run(tcreate, args, ctx, action,
         [](Admin& a, const AdminArgs& x) { return tenant_create(a, x); });
  CLI::App* tlist = sub(*tenant, "list", "List tenants");
  on_run(tlist, args, ctx, action, [](Admin& a, const AdminArgs&) { return tenant_list(a); });
  CLI::App* tdelete = sub(*tenant, "delete", "Delete a tenant");
  tdelete->add_option("NAME", args->name, "Tenant name")->required();
  on_run(tdelete, args, ctx, action,
         [](Admin& a, const AdminArgs& x) { return tenant_delete(a, x); });

  // settings
  CLI::App* settings = sub(*admin, "settings", "The tenant's settings");
  settings->require_subcommand(1);
  CLI::App* sget = sub(*settings, "get", "Print the settings");
  on_run(sget, args, ctx, action, [](Admin& a, const AdminArgs&) { return settings_get(a); });
  CLI::App* sset = sub(*settings, "set",
                       "Change settings: JSON members are merged into the current settings "
                       "(null resets one to its default) unless --replace is given");
  sset->add_option("JSON", args->settings, "A JSON object, or @FILE")->required();
  sset->add_flag("--replace", args->replace,
                 "Replace all settings: members left out take their defaults");
  on_run(sset, args, ctx, action, [](Admin& a, const AdminArgs& x) { return settings_set(a, x); });

  // API keys
  CLI::App* keys = sub(*admin, "api-key", "The tenant's API keys");
  keys->require_subcommand(1);
  CLI::App* kcreate = sub(*keys, "create", "Create an API key; prints it (once)");
  kcreate->add_option("--role", args->role, "verifier-owner, rp-owner, auditor or attester")
      ->required();
  kcreate->add_option("--label", args->label, "A label to recognise the key by");
  on_run(kcreate, args, ctx, action,
         [](Admin& a, const AdminArgs& x) { return api_key_create(a, x); });
  CLI::App* klist = sub(*keys, "list", "List API keys (ids, roles, labels; never secrets)");
  on_run(klist, args, ctx, action, [](Admin& a, const AdminArgs&) { return api_key_list(a); });
  CLI::App* krevoke = sub(*keys, "revoke", "Revoke an API key");
  krevoke->add_option("ID", args->id, "Key id (the <id> of vouch_<id>_<secret>)")->required();
  on_run(krevoke, args, ctx, action,
         [](Admin& a, const AdminArgs& x) { return api_key_revoke(a, x); });

  add_list_commands(*admin, args, ctx, action, "reference-value", "Reference values",
                    "/admin/reference-values");
  add_list_commands(*admin, args, ctx, action, "deny-list", "Deny-list entries",
                    "/admin/deny-list");

  // signing keys
  CLI::App* signing = sub(*admin, "keys", "The tenant's token signing keys");
  signing->require_subcommand(1);
  CLI::App* slist = sub(*signing, "list", "List signing keys");
  on_run(slist, args, ctx, action, [](Admin& a, const AdminArgs&) { return keys_list(a); });
  CLI::App* srotate = sub(*signing, "rotate",
                          "Generate a new active signing key (the old one stays published for "
                          "one token lifetime)");
  on_run(srotate, args, ctx, action, [](Admin& a, const AdminArgs&) { return keys_rotate(a); });

  // tokens
  CLI::App* token = sub(*admin, "token", "Issued tokens");
  token->require_subcommand(1);
  CLI::App* trevoke = sub(*token, "revoke", "Revoke a token through its status list entry");
  trevoke->add_option("JTI", args->jti, "The token's jti claim")->required();
  on_run(trevoke, args, ctx, action,
         [](Admin& a, const AdminArgs& x) { return token_revoke(a, x); });

  // TPM AKs
  CLI::App* ak = sub(*admin, "ak", "TPM attestation keys");
  ak->require_subcommand(1);
  CLI::App* pin = sub(*ak, "pin", "Trust a TPM AK without an EK certificate (POST /admin/tpm/aks)");
  pin->add_option("FILE", args->file,
                  "The AK: TPMT_PUBLIC, TPM2B_PUBLIC, or a PEM/DER SubjectPublicKeyInfo")
      ->required();
  on_run(pin, args, ctx, action, [](Admin& a, const AdminArgs& x) { return ak_pin(a, x); });

  // relying-party secrets
  CLI::App* secret = sub(*admin, "secret",
                         "The relying party's secrets (/rp/v1/secrets; rp-owner or "
                         "verifier-owner key). Values are never shown");
  secret->require_subcommand(1);
  CLI::App* sput =
      sub(*secret, "put", "Store a secret, or a new version of it, with its release rules");
  sput->add_option("NAME", args->name, "Secret name (segments of [A-Za-z0-9._-], '/' between)")
      ->required();
  sput->add_option("--value-file", args->file, "File holding the secret value (any bytes)")
      ->required();
  sput->add_option("--release-policy", args->policy_file,
                   "Key-release policy JSON file (Azure Key Vault's secure key release grammar)")
      ->required();
  sput->add_option("--trusted-issuer", args->issuers,
                   "Verifier URL whose results may release it (repeatable)")
      ->required();
  on_run(sput, args, ctx, action, [](Admin& a, const AdminArgs& x) { return secret_put(a, x); });
  CLI::App* sget2 = sub(*secret, "get", "Show a secret's version and release rules");
  sget2->add_option("NAME", args->name, "Secret name")->required();
  on_run(sget2, args, ctx, action, [](Admin& a, const AdminArgs& x) { return secret_get(a, x); });
  CLI::App* slist2 = sub(*secret, "list", "List the tenant's secrets");
  on_run(slist2, args, ctx, action, [](Admin& a, const AdminArgs&) { return secret_list(a); });
  CLI::App* sdel = sub(*secret, "delete", "Delete a secret and every version of it");
  sdel->add_option("NAME", args->name, "Secret name")->required();
  on_run(sdel, args, ctx, action, [](Admin& a, const AdminArgs& x) { return secret_delete(a, x); });

  // audit
  CLI::App* log = sub(*admin, "audit", "Print the tenant's audit log");
  log->add_option("--after", args->after, "Only entries after this sequence number (default 0)");
  log->add_option("--limit", args->limit, "At most this many entries (default 100)");
  on_run(log, args, ctx, action, [](Admin& a, const AdminArgs& x) { return audit(a, x); });
}

}  // namespace vouch::cli
