#include "service/rp_request.h"

#include "base/encoding.h"
#include "base/json_depth.h"
#include "base/json_parse.h"
#include "service/check_ids.h"

namespace vouch::service {
namespace {

using nlohmann::json;

Error field_error(std::string what) {
  return Error{ErrorKind::kInvalidArgument, checks::kRequestField, std::move(what)};
}

// Untrusted text echoed into a message, cut short.
std::string excerpt(std::string_view text) {
  constexpr std::size_t kMax = 64;
  return text.size() <= kMax ? std::string(text) : std::string(text.substr(0, kMax)) + "...";
}

// The body as a JSON value, refused (service.request.json) when it nests deeper than any Vouch
// document (copying or dumping a parsed value recurses) or holds a NUL byte. Text that is not
// JSON gives a discarded value.
Result<json> parse_bounded(std::string_view body) {
  if (const JsonRefusal why = refuse_untrusted_json(body); why != JsonRefusal::kNone) {
    return fail(ErrorKind::kInvalidArgument, checks::kRequestJson,
                "the JSON body " + json_refusal_text(why));
  }
  return parse_json(body);
}

// The member `name` of `object` (an object) when it is a string, else nullptr.
const std::string* string_member(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return nullptr;
  }
  return &it->get_ref<const std::string&>();
}

// A non-empty string member of at most `max` bytes.
Result<std::string> text_member(const json& object, const char* name, std::size_t max) {
  const std::string* s = string_member(object, name);
  if (s == nullptr || s->empty()) {
    return tl::unexpected(field_error(std::string(name) + ": missing or not a string"));
  }
  if (s->size() > max) {
    return tl::unexpected(
        field_error(std::string(name) + ": longer than " + std::to_string(max) + " bytes"));
  }
  return *s;
}

// The "jwk" member of runtime data that is a JSON object. Runtime data that is not JSON has no
// key; JSON nested too deep to copy safely is refused rather than read as keyless.
Result<std::optional<json>> runtime_key(const Bytes& runtime) {
  const std::string_view text(reinterpret_cast<const char*>(runtime.data()),  // NOLINT
                              runtime.size());
  // A NUL byte: not JSON text (nlohmann would read up to it and skip the depth of what follows).
  if (const JsonRefusal why = refuse_untrusted_json(text); why == JsonRefusal::kNul) {
    return std::optional<json>{};
  } else if (why == JsonRefusal::kTooDeep) {
    if (json::accept(text)) {
      return tl::unexpected(field_error("runtimeData: its JSON " + json_refusal_text(why)));
    }
    return std::optional<json>{};
  }
  const json j = parse_json(text);
  if (!j.is_object()) {
    return std::optional<json>{};
  }
  auto it = j.find("jwk");
  if (it == j.end()) {
    return std::optional<json>{};
  }
  return std::optional<json>(*it);
}

// "primary_evidence" of an object that has it, else the value itself.
const json& primary(const json& e) {
  if (e.is_object()) {
    if (auto it = e.find("primary_evidence"); it != e.end()) {
      return *it;
    }
  }
  return e;
}

}  // namespace

Result<json> parse_json_object_body(std::string_view body) {
  VOUCH_TRY(json j, parse_bounded(body));
  if (!j.is_object()) {
    return fail(ErrorKind::kInvalidArgument, checks::kRequestJson,
                "the request body must be a JSON object");
  }
  return j;
}

Result<RpAttestBody> parse_rp_attest(std::string_view body) {
  VOUCH_TRY(const json j, parse_json_object_body(body));
  VOUCH_TRY(const std::string nonce_text, text_member(j, "nonce", kMaxRpNonceText));
  VOUCH_TRY(const std::string runtime_text, text_member(j, "runtimeData", kMaxRpRuntimeText));
  auto evidence = j.find("evidence");
  if (evidence == j.end() || !evidence->is_object()) {
    return tl::unexpected(field_error("evidence: missing ({\"type\", \"value\"})"));
  }
  RpAttestBody out;
  VOUCH_TRY(out.media_type, text_member(*evidence, "type", kMaxRpMediaType));
  VOUCH_TRY(const std::string value, text_member(*evidence, "value", kMaxRpEvidenceText));
  auto nonce = base64_decode_any(nonce_text);
  auto runtime = base64_decode_any(runtime_text);
  auto evidence_bytes = base64_decode_any(value);
  if (!nonce || !runtime || !evidence_bytes) {
    return tl::unexpected(field_error("nonce, runtimeData and evidence.value must be base64"));
  }
  out.nonce = std::move(*nonce);
  out.runtime_data = std::move(*runtime);
  out.evidence = std::move(*evidence_bytes);
  VOUCH_TRY(out.runtime_key, runtime_key(out.runtime_data));
  return out;
}

Result<RpReleaseBody> parse_rp_release(std::string_view body) {
  VOUCH_TRY(const json j, parse_json_object_body(body));
  const std::string* token = string_member(j, "token");
  if (token == nullptr) {
    return tl::unexpected(field_error("token: missing (the attestation result, a JWT)"));
  }
  if (token->size() > kMaxRpToken) {
    return tl::unexpected(
        field_error("token: longer than " + std::to_string(kMaxRpToken) + " bytes"));
  }
  RpReleaseBody out;
  out.token = *token;
  if (auto key = j.find("key"); key != j.end()) {
    if (!key->is_object()) {
      return tl::unexpected(field_error("key: must be a JWK object"));
    }
    out.key = *key;
  }
  return out;
}

namespace {

Result<RpRulesBody> rules_of(const json& j) {
  RpRulesBody rules;
  auto policy = j.find("releasePolicy");
  if (policy == j.end() || !(policy->is_object() || policy->is_string())) {
    return tl::unexpected(field_error("releasePolicy: missing (a key-release policy object)"));
  }
  rules.release_policy =
      policy->is_string() ? policy->get_ref<const std::string&>() : policy->dump();
  if (rules.release_policy.size() > kMaxRpPolicyText) {
    return tl::unexpected(
        field_error("releasePolicy: longer than " + std::to_string(kMaxRpPolicyText) + " bytes"));
  }
  auto issuers = j.find("trustedIssuers");
  if (issuers == j.end() || !issuers->is_array()) {
    return tl::unexpected(field_error("trustedIssuers: missing (an array of issuer URLs)"));
  }
  if (issuers->size() > kMaxRpIssuers) {
    return tl::unexpected(
        field_error("trustedIssuers: more than " + std::to_string(kMaxRpIssuers) + " entries"));
  }
  for (const json& i : *issuers) {
    if (!i.is_string()) {
      return tl::unexpected(field_error("trustedIssuers: every entry must be a string"));
    }
    const auto& url = i.get_ref<const std::string&>();
    if (url.size() > kMaxRpIssuerText) {
      return tl::unexpected(field_error("trustedIssuers: an entry is longer than " +
                                        std::to_string(kMaxRpIssuerText) + " bytes"));
    }
    rules.trusted_issuers.push_back(url);
  }
  return rules;
}

}  // namespace

Result<RpRulesBody> parse_rp_rules(std::string_view body) {
  VOUCH_TRY(const json j, parse_json_object_body(body));
  return rules_of(j);
}

Result<RpSecretBody> parse_rp_secret(std::string_view body) {
  VOUCH_TRY(const json j, parse_json_object_body(body));
  const std::string* value = string_member(j, "value");
  if (value == nullptr) {
    return tl::unexpected(field_error("value: missing (the secret, base64)"));
  }
  if (value->size() > kMaxRpSecretText) {
    return tl::unexpected(
        field_error("value: longer than " + std::to_string(kMaxRpSecretText) + " bytes"));
  }
  auto bytes = base64_decode_any(*value);
  if (!bytes) {
    return tl::unexpected(field_error("value: " + bytes.error().detail));
  }
  RpSecretBody out;
  out.value = std::move(*bytes);
  VOUCH_TRY(out.rules, rules_of(j));
  return out;
}

std::string kbs_media_type(std::string_view tee) {
  if (tee == "tpm") {
    return "application/vnd.vouch.tpm-quote+json";
  }
  if (tee == "snp") {
    return "application/vnd.vouch.sevsnp-report";
  }
  return "";
}

Result<KbsAuthBody> parse_kbs_auth(std::string_view body) {
  VOUCH_TRY(const json j, parse_bounded(body));
  const std::string* tee = j.is_object() ? string_member(j, "tee") : nullptr;
  if (tee == nullptr) {
    return tl::unexpected(field_error("the auth request needs {\"version\", \"tee\"}"));
  }
  KbsAuthBody out;
  out.tee = *tee;
  out.media_type = kbs_media_type(out.tee);
  if (out.media_type.empty()) {
    return fail(ErrorKind::kInvalidArgument, checks::kUnsupportedType,
                "tee '" + excerpt(out.tee) + "' is not supported (tpm, snp)");
  }
  return out;
}

Result<KbsAttestBody> parse_kbs_attest(std::string_view body) {
  VOUCH_TRY(json j, parse_bounded(body));
  auto runtime = j.is_object() ? j.find("runtime-data") : j.end();
  auto evidence = j.is_object() ? j.find("tee-evidence") : j.end();
  if (!j.is_object() || runtime == j.end() || !runtime->is_object() || evidence == j.end()) {
    return tl::unexpected(
        field_error("the attest request needs \"runtime-data\" and \"tee-evidence\""));
  }
  const std::string* nonce = string_member(*runtime, "nonce");
  if (nonce == nullptr) {
    return tl::unexpected(field_error("runtime-data.nonce: missing"));
  }
  std::optional<Bytes> given;
  if (nonce->size() <= kMaxRpNonceText) {
    if (auto decoded = base64_decode_any(*nonce)) {
      given = std::move(*decoded);
    }
  }
  if (!given) {
    return fail(ErrorKind::kEvidenceRejected, checks::kKbsNonce,
                "runtime-data.nonce is not this session's challenge");
  }
  KbsAttestBody out;
  if (auto init = j.find("init-data"); init != j.end() && !init->is_null()) {
    const std::string* format = init->is_object() ? string_member(*init, "format") : nullptr;
    if (format == nullptr || (*format != "toml" && *format != "json")) {
      return tl::unexpected(
          field_error("init-data: must be {\"format\": \"toml\"|\"json\", \"body\": string}"));
    }
    VOUCH_TRY(out.init_data, text_member(*init, "body", kMaxRpInitDataText));
  }
  out.nonce = std::move(*given);
  out.runtime_data = runtime->dump();
  out.tee_evidence = std::move(*evidence);
  return out;
}

Result<Bytes> kbs_evidence(std::string_view tee, const json& tee_evidence) {
  if (tee != "tpm" && tee != "snp") {
    return fail(ErrorKind::kInvalidArgument, checks::kUnsupportedType,
                "tee '" + excerpt(tee) + "' is not supported (tpm, snp)");
  }
  json parsed;
  const json* e = &tee_evidence;
  if (tee_evidence.is_string()) {
    const auto& text = tee_evidence.get_ref<const std::string&>();
    if (text.size() > kMaxRpEvidenceText) {
      return tl::unexpected(field_error("tee-evidence: longer than " +
                                        std::to_string(kMaxRpEvidenceText) + " bytes"));
    }
    if (const JsonRefusal why = refuse_untrusted_json(text); why != JsonRefusal::kNone) {
      return tl::unexpected(field_error("tee-evidence: " + json_refusal_text(why)));
    }
    parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded()) {
      return tl::unexpected(field_error("tee-evidence: not JSON"));
    }
    e = &parsed;
  }
  e = &primary(*e);
  if (!e->is_object()) {
    return tl::unexpected(field_error("tee-evidence: must be a JSON object"));
  }
  if (tee == "tpm") {
    const std::string text = e->dump();
    return Bytes(text.begin(), text.end());
  }
  const std::string* report = string_member(*e, "report");
  if (report == nullptr) {
    return tl::unexpected(field_error("tee-evidence.report: missing (base64)"));
  }
  if (report->size() > kMaxKbsReportText) {
    return tl::unexpected(field_error("tee-evidence.report: longer than " +
                                      std::to_string(kMaxKbsReportText) + " bytes"));
  }
  auto bytes = base64_decode_any(*report);
  if (!bytes) {
    return tl::unexpected(field_error("tee-evidence.report: " + bytes.error().detail));
  }
  return std::move(*bytes);
}

std::string kbs_session_cookie(std::string_view cookie_header) {
  constexpr std::string_view kPrefix = "kbs-session-id=";
  std::size_t pos = 0;
  while (pos < cookie_header.size()) {
    std::size_t end = cookie_header.find(';', pos);
    if (end == std::string_view::npos) {
      end = cookie_header.size();
    }
    std::string_view item = cookie_header.substr(pos, end - pos);
    const std::size_t start = item.find_first_not_of(' ');
    item = start == std::string_view::npos ? std::string_view{} : item.substr(start);
    if (item.substr(0, kPrefix.size()) == kPrefix) {
      const std::string_view id = item.substr(kPrefix.size());
      return id.size() <= kMaxKbsSessionId ? std::string(id) : std::string();
    }
    pos = end + 1;
  }
  return "";
}

}  // namespace vouch::service
