#include "attester/flows.h"

#include <array>

#include "attester/check_ids.h"
#include "base/encoding.h"
#include "crypto/digest.h"
#include "crypto/jwk.h"
#include "evidence/tpm/bundle.h"
#include "jose/encryption.h"

namespace vouch::attester {
namespace {

using nlohmann::json;

constexpr std::array<ErrorKind, 11> kAllKinds = {ErrorKind::kMalformedEvidence,
                                                 ErrorKind::kEvidenceRejected,
                                                 ErrorKind::kCollateralUnavailable,
                                                 ErrorKind::kRevocationUnavailable,
                                                 ErrorKind::kPolicyDenied,
                                                 ErrorKind::kInvalidArgument,
                                                 ErrorKind::kNotFound,
                                                 ErrorKind::kAlreadyExists,
                                                 ErrorKind::kFailedPrecondition,
                                                 ErrorKind::kUnavailable,
                                                 ErrorKind::kInternal};

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

// Check-id prefixes of the evidence modules: a refusal naming one is a rejected piece of evidence.
bool is_evidence_check(std::string_view check) {
  for (std::string_view p : {"tpm.", "snp.", "sevsnp.", "sgx.", "tdx.", "dcap.", "azure.",
                             "eventlog.", "openenclave.", "appraisal.deny_list"}) {
    if (starts_with(check, p)) {
      return true;
    }
  }
  return false;
}

// The ErrorKind of a remote refusal (see flows.h).
ErrorKind kind_of_refusal(int status, std::string_view check, std::string_view kind_name) {
  if (check == "rp.release_policy.deny" || check == "rp.issuer.untrusted") {
    return ErrorKind::kPolicyDenied;
  }
  if (check == "token.result.status_unavailable") {
    return ErrorKind::kRevocationUnavailable;
  }
  for (ErrorKind k : kAllKinds) {
    if (!kind_name.empty() && error_kind_name(k) == kind_name) {
      return k;
    }
  }
  if (is_evidence_check(check) && status >= 400 && status < 500) {
    return ErrorKind::kEvidenceRejected;
  }
  if (starts_with(check, "collateral.") && status == 503) {
    return ErrorKind::kCollateralUnavailable;
  }
  if (status == 429 || status >= 500) {
    return ErrorKind::kUnavailable;
  }
  if (status == 404) {
    return ErrorKind::kNotFound;
  }
  return ErrorKind::kInvalidArgument;
}

std::string origin_of(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    return std::string(url);
  }
  const std::size_t slash = url.find('/', scheme + 3);
  std::string o(url.substr(0, slash));
  for (char& c : o) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return o;
}

std::string strip_slash(std::string s) {
  while (!s.empty() && s.back() == '/') {
    s.pop_back();
  }
  return s;
}

// Shorthand for failures of the flow itself.
Error flow_error(ErrorKind kind, CheckId check, std::string detail) {
  return Error{kind, check, std::move(detail)};
}

// The top-level EAR status (draft-03 "ear.status", or the first submodule's) for narration; the
// token is not verified here, the relying party does that.
std::string ear_status(const std::string& token) {
  const std::size_t a = token.find('.');
  const std::size_t b = a == std::string::npos ? a : token.find('.', a + 1);
  if (b == std::string::npos) {
    return "";
  }
  auto payload = base64url_decode(std::string_view(token).substr(a + 1, b - a - 1));
  if (!payload) {
    return "";
  }
  const json claims = json::parse(payload->begin(), payload->end(), nullptr, false);
  if (!claims.is_object()) {
    return "";
  }
  for (const char* name : {"ear.status", "ear_status"}) {
    if (auto it = claims.find(name); it != claims.end() && it->is_string()) {
      return it->get<std::string>();
    }
  }
  if (auto it = claims.find("submods"); it != claims.end() && it->is_object() && !it->empty()) {
    for (const char* name : {"ear.status", "ear_status"}) {
      if (auto s = it->begin()->find(name); s != it->begin()->end() && s->is_string()) {
        return s->get<std::string>();
      }
    }
  }
  return "";
}

// One conversation with the verifier and the relying party: URLs, headers, retries, errors and
// the step log.
class Flow {
 public:
  Flow(const FlowOptions& o, Transport& t, FlowResult& r) : o_(o), t_(t), r_(r) {
    verifier_ = strip_slash(o.verifier_url) + tenant_prefix(o.tenant);
    rp_ = strip_slash(o.relying_party_url.empty() ? o.verifier_url : o.relying_party_url) +
          tenant_prefix(o.tenant);
    rp_gets_key_ = origin_of(o.relying_party_url.empty() ? o.verifier_url : o.relying_party_url) ==
                   origin_of(o.verifier_url);
  }

  const std::string& verifier() const { return verifier_; }
  const std::string& rp() const { return rp_; }

  // Sends a request and returns the response when its status is one of `expected`; otherwise
  // records the failure under `step` and returns the mapped error.
  Result<HttpResponse> call(const std::string& step, std::string method, std::string url,
                            std::string body, std::string content_type, bool to_verifier,
                            std::initializer_list<int> expected,
                            std::vector<std::pair<std::string, std::string>> extra = {}) {
    HttpRequest req;
    req.method = std::move(method);
    req.url = std::move(url);
    req.body = std::move(body);
    req.headers.emplace_back("Accept", "application/json, application/problem+json");
    if (!content_type.empty()) {
      req.headers.emplace_back("Content-Type", std::move(content_type));
    }
    if (!o_.api_key.empty() && (to_verifier || rp_gets_key_)) {
      req.headers.emplace_back("Authorization", "Bearer " + o_.api_key);
    }
    for (auto& h : extra) {
      req.headers.push_back(std::move(h));
    }
    int attempts = 0;
    auto resp = send_with_retry(t_, o_.retry, req, &attempts);
    if (!resp) {
      Error e = flow_error(
          resp.error().kind == ErrorKind::kInvalidArgument ? ErrorKind::kInvalidArgument
                                                           : ErrorKind::kUnavailable,
          checks::kTransport, req.method + " " + req.url + ": " + resp.error().to_string());
      record_failure(step, e, {{"url", req.url}});
      return tl::unexpected(std::move(e));
    }
    for (int s : expected) {
      if (resp->status == s) {
        if (attempts > 1) {
          retries_[step] = attempts;
        }
        return resp;
      }
    }
    // A refusal: problem+json names the check, or a bare status.
    const json problem = json::parse(resp->body, nullptr, false);
    std::string check;
    std::string detail;
    std::string kind;
    if (problem.is_object()) {
      check = problem.value("check", std::string());
      detail = problem.value("detail", std::string());
      kind = problem.value("kind", std::string());
    }
    const ErrorKind k = kind_of_refusal(resp->status, check, kind);
    const bool exhausted = (resp->status == 429 || resp->status == 503) && attempts > 1;
    std::string text =
        req.method + " " + req.url + " answered HTTP " + std::to_string(resp->status);
    if (exhausted) {
      text += " after " + std::to_string(attempts) + " attempts";
    }
    if (!check.empty()) {
      text += ": " + check;
    }
    if (!detail.empty()) {
      text += ": " + detail;
    }
    Error e = flow_error(
        k, check.empty() ? (exhausted ? checks::kRetries : checks::kResponse) : checks::kRemote,
        std::move(text));
    r_.remote_check = check;
    json d = {{"url", req.url}, {"status", resp->status}};
    if (!check.empty()) {
      d["check"] = check;
    }
    if (attempts > 1) {
      d["attempts"] = attempts;
    }
    record_failure(step, e, std::move(d));
    return tl::unexpected(std::move(e));
  }

  // Parses a JSON object answer.
  Result<json> object(const std::string& step, const HttpResponse& resp) {
    json j = json::parse(resp.body, nullptr, false);
    if (!j.is_object()) {
      Error e = flow_error(ErrorKind::kUnavailable, checks::kResponse,
                           step + ": the answer is not a JSON object");
      record_failure(step, e, {});
      return tl::unexpected(std::move(e));
    }
    return j;
  }

  Result<std::string> string_member(const std::string& step, const json& j, const char* name) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
      Error e = flow_error(ErrorKind::kUnavailable, checks::kResponse,
                           step + ": the answer has no \"" + name + "\" string");
      record_failure(step, e, {});
      return tl::unexpected(std::move(e));
    }
    return it->get<std::string>();
  }

  void ok(const std::string& step, json detail = json::object()) {
    if (auto it = retries_.find(step); it != retries_.end()) {
      detail["attempts"] = it->second;
    }
    r_.steps.push_back(Step{step, true, std::move(detail)});
  }

  Error record_failure(const std::string& step, Error e, json detail) {
    if (!detail.is_object()) {
      detail = json::object();
    }
    detail["error"] = e.to_string();
    r_.steps.push_back(Step{step, false, std::move(detail)});
    return e;
  }

  Result<Bytes> nonce_bytes(const std::string& step, const std::string& text) {
    auto n = base64_decode_any(text);
    if (!n || n->empty()) {
      Error e = flow_error(ErrorKind::kUnavailable, checks::kResponse,
                           step + ": the nonce is not base64");
      record_failure(step, e, {});
      return tl::unexpected(std::move(e));
    }
    return n;
  }

 private:
  const FlowOptions& o_;
  Transport& t_;
  FlowResult& r_;
  std::string verifier_;
  std::string rp_;
  bool rp_gets_key_ = false;
  std::map<std::string, int> retries_;
};

Status collect(Flow& f, EvidenceSource& evidence, const Binding& binding, ByteSpan nonce,
               Bytes* out) {
  auto digest = binding.digest(nonce);
  if (!digest) {
    return tl::unexpected(f.record_failure("bind", digest.error(), {}));
  }
  f.ok("bind", {{"runtime_data", binding.runtime_data()},
                {"binding_sha256", hex_encode(*digest)},
                {"key_thumbprint", crypto::jwk_thumbprint(binding.key().public_key())}});
  auto ev = evidence.collect(*digest);
  if (!ev) {
    return tl::unexpected(f.record_failure("evidence", ev.error(), {}));
  }
  f.ok("evidence", {{"type", evidence.media_type()}, {"bytes", ev->size()}});
  *out = std::move(*ev);
  return ok();
}

// Decrypts a {"name","version","issuer","jwe"[,"token"]} answer into the result.
Status take_secret(Flow& f, const std::string& step, const json& answer, const Binding& binding,
                   FlowResult& r) {
  VOUCH_TRY(const std::string jwe, f.string_member(step, answer, "jwe"));
  r.secret_name = answer.value("name", std::string());
  if (auto it = answer.find("version"); it != answer.end() && it->is_number_integer()) {
    r.secret_version = it->get<std::int64_t>();
  }
  r.issuer = answer.value("issuer", std::string());
  if (auto it = answer.find("token"); it != answer.end() && it->is_string()) {
    r.ear = it->get<std::string>();
  }
  json d = {{"name", r.secret_name}, {"version", r.secret_version}, {"issuer", r.issuer}};
  f.ok(step, d);
  auto plain = jose::jwe_decrypt_compact(jwe, binding.key());
  if (!plain) {
    Error e = flow_error(
        ErrorKind::kEvidenceRejected, checks::kDecrypt,
        "the secret's JWE does not decrypt with the bound key: " + plain.error().to_string());
    return tl::unexpected(f.record_failure("decrypt", std::move(e), {}));
  }
  r.secret = std::move(plain->plaintext);
  f.ok("decrypt", {{"bytes", r.secret->size()},
                   {"sha256", hex_encode(crypto::digest(crypto::HashAlg::kSha256, *r.secret))}});
  return ok();
}

Status passport(Flow& f, const FlowOptions& o, EvidenceSource& evidence, const Binding& binding,
                FlowResult& r) {
  VOUCH_TRY(HttpResponse created,
            f.call("verifier.session", "POST",
                   f.verifier() + "/challenge-response/v1/newSession?nonceSize=32", "", "", true,
                   {200, 201}));
  VOUCH_TRY(json session, f.object("verifier.session", created));
  VOUCH_TRY(const std::string nonce_text, f.string_member("verifier.session", session, "nonce"));
  VOUCH_TRY(const Bytes nonce, f.nonce_bytes("verifier.session", nonce_text));
  const std::string location = created.header("location");
  const std::size_t at = location.find("/challenge-response/");
  if (at == std::string::npos) {
    return tl::unexpected(
        f.record_failure("verifier.session",
                         flow_error(ErrorKind::kUnavailable, checks::kResponse,
                                    "newSession answered without a session Location"),
                         {}));
  }
  const std::string session_url = f.verifier() + location.substr(at);
  f.ok("verifier.session", {{"session", session_url}, {"nonce", nonce_text}});

  Bytes ev;
  VOUCH_RETURN_IF_ERROR(collect(f, evidence, binding, nonce, &ev));

  VOUCH_TRY(HttpResponse appraised,
            f.call("verifier.appraise", "POST", session_url, std::string(ev.begin(), ev.end()),
                   evidence.media_type(), true, {200},
                   {{"Vouch-Runtime-Data", binding.runtime_data_b64url()}}));
  VOUCH_TRY(json done, f.object("verifier.appraise", appraised));
  json appraisal = done.value("appraisal", json::object());
  r.verdict = appraisal.is_object() ? appraisal.value("verdict", std::string()) : "";
  if (auto it = done.find("result"); it != done.end() && it->is_string()) {
    r.ear = it->get<std::string>();
  }
  json d = {{"verdict", r.verdict}, {"ear_status", ear_status(r.ear)}};
  if (appraisal.is_object() && appraisal.contains("check")) {
    d["check"] = appraisal["check"];
  }
  if (r.verdict == "reject" || r.verdict == "deny") {
    r.remote_check = appraisal.value("check", std::string());
    const bool deny = r.verdict == "deny";
    const std::string detail =
        appraisal.is_object() ? appraisal.value("detail", std::string()) : "";
    return tl::unexpected(
        f.record_failure("verifier.appraise",
                         flow_error(deny ? ErrorKind::kPolicyDenied : ErrorKind::kEvidenceRejected,
                                    deny ? checks::kVerdictDeny : checks::kVerdictReject,
                                    "the verifier's verdict is \"" + r.verdict + "\"" +
                                        (r.remote_check.empty() ? "" : ": " + r.remote_check) +
                                        (detail.empty() ? "" : ": " + detail)),
                         std::move(d)));
  }
  if (r.ear.empty()) {
    return tl::unexpected(f.record_failure(
        "verifier.appraise",
        flow_error(ErrorKind::kUnavailable, checks::kResponse, "the session has no result"), d));
  }
  f.ok("verifier.appraise", std::move(d));
  if (o.secret_name.empty()) {
    return ok();
  }
  const json release = {{"token", r.ear},
                        {"key", crypto::public_key_to_jwk(binding.key().public_key())}};
  VOUCH_TRY(HttpResponse released,
            f.call("rp.release", "POST",
                   f.rp() + "/rp/v1/secrets/" + encode_secret_name(o.secret_name) + ":release",
                   release.dump(), "application/json", false, {200, 201}));
  VOUCH_TRY(json answer, f.object("rp.release", released));
  return take_secret(f, "rp.release", answer, binding, r);
}

Status background_check(Flow& f, const FlowOptions& o, EvidenceSource& evidence,
                        const Binding& binding, FlowResult& r) {
  VOUCH_TRY(HttpResponse challenged, f.call("rp.challenge", "POST", f.rp() + "/rp/v1/challenge",
                                            "{}", "application/json", false, {200, 201}));
  VOUCH_TRY(json challenge, f.object("rp.challenge", challenged));
  VOUCH_TRY(const std::string nonce_text, f.string_member("rp.challenge", challenge, "nonce"));
  VOUCH_TRY(const Bytes nonce, f.nonce_bytes("rp.challenge", nonce_text));
  f.ok("rp.challenge",
       {{"nonce", nonce_text}, {"expires_at", challenge.value("expiresAt", json())}});
  Bytes ev;
  VOUCH_RETURN_IF_ERROR(collect(f, evidence, binding, nonce, &ev));
  const json body = {{"nonce", nonce_text},
                     {"evidence", {{"type", evidence.media_type()}, {"value", base64_encode(ev)}}},
                     {"runtimeData", binding.runtime_data_b64url()}};
  VOUCH_TRY(HttpResponse attested,
            f.call("rp.attest", "POST",
                   f.rp() + "/rp/v1/secrets/" + encode_secret_name(o.secret_name) + ":attest",
                   body.dump(), "application/json", false, {200, 201}));
  VOUCH_TRY(json answer, f.object("rp.attest", attested));
  return take_secret(f, "rp.attest", answer, binding, r);
}

}  // namespace

std::string TpmEvidenceSource::media_type() const {
  return std::string(tpm::kBundleMediaType);
}

Result<Bytes> TpmEvidenceSource::collect(ByteSpan binding_digest) {
  VOUCH_TRY(tpm::TpmBundle bundle,
            collect_bundle(tpm_, selection_, binding_digest, event_log_path_));
  const std::string text = tpm::serialize_bundle(bundle);
  return Bytes(text.begin(), text.end());
}

std::string tenant_prefix(const std::string& tenant) {
  return tenant.empty() || tenant == "default" ? "" : "/tenants/" + encode_secret_name(tenant);
}

std::string encode_secret_name(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string FlowResult::failed_check() const {
  if (!remote_check.empty()) {
    return remote_check;
  }
  return error ? std::string(error->check.str()) : std::string();
}

nlohmann::json FlowResult::to_json() const {
  json steps_json = json::array();
  for (const Step& s : steps) {
    json j = {{"step", s.name}, {"ok", s.ok}};
    if (s.detail.is_object()) {
      for (const auto& [k, v] : s.detail.items()) {
        j[k] = v;
      }
    }
    steps_json.push_back(std::move(j));
  }
  json out = {{"ok", !error.has_value()}, {"steps", std::move(steps_json)}};
  if (!verdict.empty()) {
    out["verdict"] = verdict;
  }
  if (!ear.empty()) {
    out["ear"] = ear;
  }
  if (secret) {
    out["secret"] = {{"name", secret_name},
                     {"version", secret_version},
                     {"issuer", issuer},
                     {"sha256", hex_encode(crypto::digest(crypto::HashAlg::kSha256, *secret))}};
  }
  if (error) {
    out["error"] = {{"check", failed_check()},
                    {"kind", std::string(error_kind_name(error->kind))},
                    {"detail", error->detail}};
  }
  return out;
}

Status enroll_ak(const FlowOptions& options, Transport& transport, TpmDevice& tpm,
                 FlowResult& result) {
  Flow f(options, transport, result);
  const std::string step = "tpm.enroll";
  auto ek = tpm.endorsement_key();
  if (!ek) {
    return tl::unexpected(f.record_failure(step, ek.error(), {}));
  }
  if (!ek->certificate) {
    return tl::unexpected(f.record_failure(
        step,
        flow_error(ErrorKind::kFailedPrecondition, checks::kTpmEkCert,
                   "the TPM has no EK certificate at NV index 0x01c00002: enrolment needs one "
                   "(or pin the AK with `vouch admin ak pin`)"),
        {}));
  }
  auto ak = tpm.ak_public();
  if (!ak) {
    return tl::unexpected(f.record_failure(step, ak.error(), {}));
  }
  const json request = {{"ek_certificate", base64_encode(*ek->certificate)},
                        {"ek_public", base64_encode(ek->ek_public)},
                        {"ak_public", base64_encode(*ak)}};
  VOUCH_TRY(HttpResponse started, f.call(step, "POST", f.verifier() + "/tpm/v1/enrollments",
                                         request.dump(), "application/json", true, {200, 201}));
  VOUCH_TRY(json challenge, f.object(step, started));
  VOUCH_TRY(const std::string id, f.string_member(step, challenge, "id"));
  VOUCH_TRY(const std::string id_object_b64, f.string_member(step, challenge, "id_object"));
  VOUCH_TRY(const std::string secret_b64, f.string_member(step, challenge, "encrypted_secret"));
  auto id_object = base64_decode_any(id_object_b64);
  auto encrypted = base64_decode_any(secret_b64);
  if (!id_object || !encrypted) {
    return tl::unexpected(f.record_failure(
        step,
        flow_error(ErrorKind::kUnavailable, checks::kEnrollment,
                   "the enrolment challenge's id_object or encrypted_secret is not base64"),
        {}));
  }
  auto secret = tpm.activate_credential(*id_object, *encrypted);
  if (!secret) {
    return tl::unexpected(f.record_failure(step, secret.error(), {{"enrollment", id}}));
  }
  VOUCH_TRY(HttpResponse finished,
            f.call(step, "POST", f.verifier() + "/tpm/v1/enrollments/" + encode_secret_name(id),
                   json{{"secret", base64_encode(*secret)}}.dump(), "application/json", true,
                   {200, 201}));
  VOUCH_TRY(json done, f.object(step, finished));
  f.ok(step, {{"ak_name", challenge.value("ak_name", std::string())},
              {"registration_name", done.value("registration_name", std::string())}});
  return ok();
}

FlowResult run_flow(const FlowOptions& options, Transport& transport, EvidenceSource& evidence) {
  auto binding = Binding::generate();
  if (!binding) {
    FlowResult r;
    r.error = binding.error();
    r.steps.push_back(Step{"bind", false, {{"error", binding.error().to_string()}}});
    return r;
  }
  return run_flow(options, transport, evidence, *binding);
}

namespace {

FlowResult run_flow_unguarded(const FlowOptions& options, Transport& transport,
                              EvidenceSource& evidence, const Binding& binding) {
  FlowResult r;
  auto fail_with = [&r](Error e) {
    r.error = std::move(e);
    return r;
  };
  if (options.model == Model::kBackgroundCheck && options.secret_name.empty()) {
    return fail_with(flow_error(ErrorKind::kInvalidArgument, checks::kArgument,
                                "the background-check model needs a secret name"));
  }
  if (options.verifier_url.empty() &&
      (options.model == Model::kPassport || options.relying_party_url.empty())) {
    return fail_with(flow_error(ErrorKind::kInvalidArgument, checks::kArgument, "no verifier URL"));
  }
  if (options.enroll_tpm_ak) {
    if (TpmDevice* tpm = evidence.tpm_to_enroll()) {
      if (auto s = enroll_ak(options, transport, *tpm, r); !s) {
        return fail_with(s.error());
      }
    }
  }
  Flow f(options, transport, r);
  Status s = options.model == Model::kPassport ? passport(f, options, evidence, binding, r)
                                               : background_check(f, options, evidence, binding, r);
  if (!s) {
    r.error = s.error();
  }
  return r;
}

}  // namespace

FlowResult run_flow(const FlowOptions& options, Transport& transport, EvidenceSource& evidence,
                    const Binding& binding) {
  // Answers are checked member by member, but a JSON accessor meeting an unexpected type throws;
  // a hostile or broken server must not crash the attester, so that ends the flow as an error.
  try {
    return run_flow_unguarded(options, transport, evidence, binding);
  } catch (const std::exception& e) {
    FlowResult r;
    r.error = flow_error(ErrorKind::kUnavailable, checks::kResponse,
                         std::string("a server answer has an unexpected shape: ") + e.what());
    return r;
  }
}

}  // namespace vouch::attester
