#include "service/maa_request.h"

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/json_depth.h"
#include "base/json_member.h"
#include "base/json_parse.h"
#include "base/text.h"
#include "service/check_ids.h"
#include "service/rp_request.h"

namespace vouch::service {
namespace {

using nlohmann::json;

Error field_error(std::string_view name, std::string_view what) {
  return Error{ErrorKind::kInvalidArgument, checks::kRequestField,
               std::string(name) + ": " + std::string(what)};
}

// The member named `name` in any case; a name given twice in different cases is ambiguous.
Result<const json*> member(const json& object, std::string_view name) {
  const JsonMember m = find_member_icase(object, name);
  if (m.repeated) {
    return tl::unexpected(field_error(name, "given more than once"));
  }
  return m.value;
}

Result<Bytes> decode_field(const json& v, std::string_view name) {
  if (!v.is_string()) {
    return tl::unexpected(field_error(name, "must be a base64 or base64url string"));
  }
  auto bytes = base64_decode_any(v.get<std::string>());
  if (!bytes) {
    return tl::unexpected(field_error(name, bytes.error().detail));
  }
  return bytes;
}

Result<std::optional<appraisal::BoundData>> bound_data(const json& body, std::string_view name) {
  VOUCH_TRY(const json* v, member(body, name));
  if (v == nullptr || v->is_null()) {
    return std::optional<appraisal::BoundData>{};
  }
  if (!v->is_object()) {
    return tl::unexpected(field_error(name, "must be an object {data, dataType}"));
  }
  appraisal::BoundData out;
  VOUCH_TRY(const json* data, member(*v, "data"));
  if (data == nullptr) {
    return tl::unexpected(field_error(name, "has no data"));
  }
  VOUCH_TRY(out.data, decode_field(*data, std::string(name) + ".data"));
  VOUCH_TRY(const json* type, member(*v, "dataType"));
  if (type != nullptr && !type->is_null()) {
    if (!type->is_string()) {
      return tl::unexpected(field_error(name, "dataType must be \"Binary\" or \"JSON\""));
    }
    const std::string t = type->get<std::string>();
    if (ascii_iequals(t, "json")) {
      out.json = true;
    } else if (!ascii_iequals(t, "binary")) {
      return tl::unexpected(field_error(name, "dataType must be \"Binary\" or \"JSON\""));
    }
  }
  return std::optional<appraisal::BoundData>(std::move(out));
}

Result<std::optional<std::string>> optional_string(const json& body, std::string_view name) {
  VOUCH_TRY(const json* v, member(body, name));
  if (v == nullptr || v->is_null()) {
    return std::optional<std::string>{};
  }
  if (!v->is_string()) {
    return tl::unexpected(field_error(name, "must be a string"));
  }
  return std::optional<std::string>(v->get<std::string>());
}

// SevSnpVm's "report" is base64url(JSON {"SnpReport": b64url(report), "VcekCertChain":
// b64(PEM)}); a bare report is accepted too.
Status unwrap_snp(Bytes report, appraisal::EvidenceRequest& out) {
  if (report.empty() || report.front() != '{') {
    out.evidence = std::move(report);
    return {};
  }
  const std::string_view text(reinterpret_cast<const char*>(report.data()),  // NOLINT
                              report.size());
  if (const JsonRefusal why = refuse_untrusted_json(text); why != JsonRefusal::kNone) {
    return tl::unexpected(field_error("report", "the wrapper " + json_refusal_text(why)));
  }
  json wrapper = parse_json(text);
  if (!wrapper.is_object()) {
    return tl::unexpected(field_error("report", "the wrapper is not a JSON object"));
  }
  VOUCH_TRY(const json* snp, member(wrapper, "SnpReport"));
  if (snp == nullptr) {
    return tl::unexpected(field_error("report", "the wrapper has no SnpReport"));
  }
  VOUCH_TRY(out.evidence, decode_field(*snp, "report.SnpReport"));
  VOUCH_TRY(const json* chain, member(wrapper, "VcekCertChain"));
  if (chain != nullptr && !chain->is_null()) {
    VOUCH_TRY(Bytes pem, decode_field(*chain, "report.VcekCertChain"));
    out.certificates_pem.assign(pem.begin(), pem.end());
  }
  return {};
}

}  // namespace

Result<MaaAttestBody> parse_maa_attest(appraisal::AttestationType type, std::string_view body) {
  VOUCH_TRY(const json j, parse_json_object_body(body));
  MaaAttestBody out;
  out.evidence.type = type;
  std::string_view evidence_name;
  switch (type) {
    case appraisal::AttestationType::kSgxEnclave:
    case appraisal::AttestationType::kTdxVm:
      evidence_name = "quote";
      break;
    case appraisal::AttestationType::kOpenEnclave:
    case appraisal::AttestationType::kSevSnpVm:
      evidence_name = "report";
      break;
    case appraisal::AttestationType::kTpm:
      evidence_name = "data";
      break;
    case appraisal::AttestationType::kAzureGuest:
      evidence_name = "AttestationInfo";
      break;
  }
  VOUCH_TRY(const json* ev, member(j, evidence_name));
  if (ev == nullptr) {
    return tl::unexpected(field_error(evidence_name, "missing"));
  }
  VOUCH_TRY(Bytes evidence, decode_field(*ev, evidence_name));
  if (evidence.empty()) {
    return tl::unexpected(field_error(evidence_name, "empty"));
  }
  if (type == appraisal::AttestationType::kSevSnpVm) {
    VOUCH_RETURN_IF_ERROR(unwrap_snp(std::move(evidence), out.evidence));
  } else {
    out.evidence.evidence = std::move(evidence);
  }
  VOUCH_TRY(out.evidence.runtime_data, bound_data(j, "runtimeData"));
  VOUCH_TRY(out.evidence.inittime_data, bound_data(j, "initTimeData"));
  VOUCH_TRY(out.draft_policy, optional_string(j, "draftPolicyForAttestation"));
  VOUCH_TRY(out.nonce, optional_string(j, "nonce"));
  return out;
}

}  // namespace vouch::service
