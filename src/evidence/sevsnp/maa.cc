#include "evidence/sevsnp/maa.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/json_depth.h"
#include "base/json_member.h"
#include "base/json_parse.h"
#include "evidence/sevsnp/check_ids.h"

namespace vouch::sevsnp {
namespace {

using nlohmann::json;

Error bad(std::string detail) {
  return Error{ErrorKind::kMalformedEvidence, checks::kMaaRequest, std::move(detail)};
}

Result<json> parse_object(std::string_view text, const std::string& what) {
  if (const JsonRefusal why = refuse_untrusted_json(text); why != JsonRefusal::kNone) {
    return fail(bad(what + " " + json_refusal_text(why)));
  }
  json j = parse_json(text);
  if (j.is_discarded() || !j.is_object()) {
    return fail(bad(what + " is not a JSON object"));
  }
  return j;
}

// The member named `name` in any letter case; nullptr when absent; an error when repeated.
Result<const json*> member(const json& obj, std::string_view name, const std::string& where) {
  const JsonMember m = find_member_icase(obj, name);
  if (m.repeated) {
    return fail(bad(where + ": member '" + std::string(name) + "' appears twice"));
  }
  return m.value;
}

Result<std::optional<std::string>> string_member(const json& obj, std::string_view name,
                                                 const std::string& where) {
  VOUCH_TRY(const json* v, member(obj, name, where));
  if (v == nullptr) {
    return std::optional<std::string>();
  }
  if (!v->is_string()) {
    return fail(bad(where + ": '" + std::string(name) + "' is not a string"));
  }
  return std::optional<std::string>(v->get<std::string>());
}

Result<Bytes> b64(const std::string& text, const std::string& what) {
  auto decoded = base64_decode_any(text);
  if (!decoded) {
    return fail(bad(what + " is not base64: " + decoded.error().detail));
  }
  return std::move(*decoded);
}

Result<std::optional<MaaData>> data_member(const json& obj, std::string_view name) {
  const std::string where(name);
  VOUCH_TRY(const json* v, member(obj, name, "the request"));
  if (v == nullptr) {
    return std::optional<MaaData>();
  }
  if (!v->is_object()) {
    return fail(bad(where + " is not an object"));
  }
  VOUCH_TRY(auto data, string_member(*v, "data", where));
  VOUCH_TRY(auto type, string_member(*v, "dataType", where));
  if (!data) {
    return fail(bad(where + " has no 'data'"));
  }
  MaaData out;
  VOUCH_TRY(out.data, b64(*data, where + ".data"));
  if (type && ascii_iequals(*type, "json")) {
    out.type = MaaData::Type::kJson;
    const std::string_view text(reinterpret_cast<const char*>(out.data.data()),  // NOLINT
                                out.data.size());
    if (!json::accept(text)) {
      return fail(bad(where + " is dataType JSON but not JSON text"));
    }
  } else if (type && !ascii_iequals(*type, "binary")) {
    return fail(bad(where + ".dataType '" + *type + "' is neither Binary nor JSON"));
  }
  return std::optional<MaaData>(std::move(out));
}

}  // namespace

Result<MaaSnpReport> parse_maa_snp_report(std::string_view report_field) {
  VOUCH_TRY(Bytes wrapper, b64(std::string(report_field), "report"));
  const std::string_view text(reinterpret_cast<const char*>(wrapper.data()),  // NOLINT
                              wrapper.size());
  VOUCH_TRY(json j, parse_object(text, "the decoded report"));
  VOUCH_TRY(auto snp, string_member(j, "SnpReport", "the report wrapper"));
  VOUCH_TRY(auto chain, string_member(j, "VcekCertChain", "the report wrapper"));
  if (!snp) {
    return fail(bad("the report wrapper has no 'SnpReport'"));
  }
  MaaSnpReport out;
  VOUCH_TRY(out.report, b64(*snp, "SnpReport"));
  if (chain) {
    VOUCH_TRY(out.vcek_cert_chain, b64(*chain, "VcekCertChain"));
  }
  return out;
}

Result<MaaSevSnpRequest> parse_maa_sevsnp_request(std::string_view body) {
  VOUCH_TRY(json j, parse_object(body, "the request body"));
  VOUCH_TRY(auto report, string_member(j, "report", "the request"));
  if (!report) {
    return fail(bad("the request has no 'report'"));
  }
  MaaSevSnpRequest out;
  VOUCH_TRY(out.report, parse_maa_snp_report(*report));
  VOUCH_TRY(out.runtime_data, data_member(j, "runtimeData"));
  VOUCH_TRY(out.init_time_data, data_member(j, "initTimeData"));
  VOUCH_TRY(out.draft_policy, string_member(j, "draftPolicyForAttestation", "the request"));
  VOUCH_TRY(out.nonce, string_member(j, "nonce", "the request"));
  return out;
}

}  // namespace vouch::sevsnp
