#include "evidence/azure_cvm/guest_request.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/json_depth.h"
#include "base/json_member.h"
#include "base/json_parse.h"
#include "base/text.h"
#include "evidence/azure_cvm/check_ids.h"
#include "evidence/azure_cvm/verify.h"

namespace vouch::azure_cvm {
namespace {

using nlohmann::json;

constexpr std::uint32_t kMaxPcr = 23;

Error field(const std::string& path, std::string_view what) {
  return Error{ErrorKind::kMalformedEvidence, checks::kGuestRequest,
               path + ": " + std::string(what)};
}

// The member `name` of `object` in any case; nullptr when absent; an error when given twice.
Result<const json*> member(const json& object, std::string_view name, const std::string& path) {
  const JsonMember m = find_member_icase(object, name);
  if (m.repeated) {
    return fail(field(path, "given more than once"));
  }
  return m.value;
}

// Untrusted JSON text at `path`: refused when too deep or holding a NUL (base/json_depth.h).
Result<json> parse_text(ByteSpan raw, const std::string& path) {
  const std::string_view text(reinterpret_cast<const char*>(raw.data()),  // NOLINT
                              raw.size());
  if (const JsonRefusal why = refuse_untrusted_json(text); why != JsonRefusal::kNone) {
    return fail(field(path, json_refusal_text(why)));
  }
  return parse_json(text);
}

std::string join(const std::string& parent, std::string_view name) {
  return parent.empty() ? std::string(name) : parent + "." + std::string(name);
}

Result<const json*> required(const json& object, std::string_view name, const std::string& parent,
                             json::value_t type, std::string_view type_name) {
  const std::string path = join(parent, name);
  VOUCH_TRY(const json* v, member(object, name, path));
  if (v == nullptr || v->is_null()) {
    return fail(field(path, "missing"));
  }
  if (v->type() != type) {
    return fail(field(path, "must be " + std::string(type_name)));
  }
  return v;
}

Result<Bytes> decode(const json& v, const std::string& path) {
  if (!v.is_string()) {
    return fail(field(path, "must be a base64 string"));
  }
  auto b = base64_decode_any(v.get<std::string>());
  if (!b) {
    return fail(field(path, "not base64"));
  }
  return std::move(*b);
}

// A base64 member: required ones must be present and non-empty; optional ones may be absent.
Result<Bytes> b64_member(const json& object, std::string_view name, const std::string& parent,
                         bool is_required) {
  const std::string path = join(parent, name);
  VOUCH_TRY(const json* v, member(object, name, path));
  if (v == nullptr || v->is_null()) {
    if (is_required) {
      return fail(field(path, "missing"));
    }
    return Bytes{};
  }
  VOUCH_TRY(Bytes out, decode(*v, path));
  if (is_required && out.empty()) {
    return fail(field(path, "empty"));
  }
  return out;
}

// Optional base64-of-text members (OSType, OSDistro, OSBuild).
Result<std::optional<std::string>> b64_text(const json& object, std::string_view name) {
  const std::string path(name);
  VOUCH_TRY(const json* v, member(object, name, path));
  if (v == nullptr || v->is_null()) {
    return std::optional<std::string>{};
  }
  VOUCH_TRY(Bytes b, decode(*v, path));
  // OS names and builds are ASCII; anything else would reach the token as invalid text.
  for (const std::uint8_t c : b) {
    if (c < 0x20 || c > 0x7E) {
      return fail(field(path, "must decode to printable ASCII"));
    }
  }
  return std::optional<std::string>(std::string(b.begin(), b.end()));
}

Result<std::optional<std::int64_t>> integer(const json& object, std::string_view name) {
  const std::string path(name);
  VOUCH_TRY(const json* v, member(object, name, path));
  if (v == nullptr || v->is_null()) {
    return std::optional<std::int64_t>{};
  }
  if (v->is_number_unsigned() && v->get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v->get<std::uint64_t>()));
  }
  if (v->is_number_integer() && !v->is_number_unsigned()) {
    return std::optional<std::int64_t>(v->get<std::int64_t>());
  }
  return fail(field(path, "must be an integer"));
}

Result<std::uint32_t> pcr_index(const json& v, const std::string& path) {
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > kMaxPcr) {
    return fail(field(path, "must be a PCR index 0-23"));
  }
  return static_cast<std::uint32_t>(v.get<std::uint64_t>());
}

Result<GuestTpmInfo> parse_tpm_info(const json& t) {
  const std::string p = "TpmInfo";
  GuestTpmInfo out;
  VOUCH_TRY(out.aik_cert, b64_member(t, "AikCert", p, false));
  VOUCH_TRY(out.aik_pub, b64_member(t, "AikPub", p, true));
  VOUCH_TRY(out.pcr_quote, b64_member(t, "PcrQuote", p, true));
  VOUCH_TRY(out.pcr_signature, b64_member(t, "PcrSignature", p, true));
  if (out.pcr_signature.size() > kMaxRawSignature + 6) {  // raw, or a TPMT_SIGNATURE around it
    return fail(field("TpmInfo.PcrSignature", "longer than an RSA-4096 TPM signature"));
  }
  VOUCH_TRY(out.enc_key_pub, b64_member(t, "EncKeyPub", p, false));
  VOUCH_TRY(out.enc_key_certify_info, b64_member(t, "EncKeyCertifyInfo", p, false));
  VOUCH_TRY(out.enc_key_certify_info_signature,
            b64_member(t, "EncKeyCertifyInfoSignature", p, false));
  VOUCH_TRY(const json* set, member(t, "PcrSet", "TpmInfo.PcrSet"));
  if (set != nullptr && !set->is_null()) {
    if (!set->is_array()) {
      return fail(field("TpmInfo.PcrSet", "must be an array"));
    }
    for (std::size_t i = 0; i < set->size(); ++i) {
      const std::string path = "TpmInfo.PcrSet[" + std::to_string(i) + "]";
      VOUCH_TRY(std::uint32_t index, pcr_index((*set)[i], path));
      if (std::find(out.pcr_set.begin(), out.pcr_set.end(), index) != out.pcr_set.end()) {
        return fail(field(path, "PCR " + std::to_string(index) + " is listed twice"));
      }
      out.pcr_set.push_back(index);
    }
  }
  VOUCH_TRY(const json* pcrs, required(t, "PCRs", p, json::value_t::array, "an array"));
  for (std::size_t i = 0; i < pcrs->size(); ++i) {
    const std::string path = "TpmInfo.PCRs[" + std::to_string(i) + "]";
    const json& e = (*pcrs)[i];
    if (!e.is_object()) {
      return fail(field(path, "must be an object {Index, Digest}"));
    }
    GuestPcr pcr;
    VOUCH_TRY(const json* index, member(e, "Index", path + ".Index"));
    if (index == nullptr) {
      return fail(field(path + ".Index", "missing"));
    }
    VOUCH_TRY(pcr.index, pcr_index(*index, path + ".Index"));
    for (const GuestPcr& seen : out.pcrs) {
      if (seen.index == pcr.index) {
        return fail(field(path + ".Index", "PCR " + std::to_string(pcr.index) + " given twice"));
      }
    }
    VOUCH_TRY(pcr.digest, b64_member(e, "Digest", path, true));
    out.pcrs.push_back(std::move(pcr));
  }
  return out;
}

Result<GuestIsolation> parse_isolation(const json& iso) {
  const std::string p = "IsolationInfo";
  GuestIsolation out;
  VOUCH_TRY(const json* type, required(iso, "Type", p, json::value_t::string, "a string"));
  const std::string name = type->get<std::string>();
  if (ascii_iequals(name, "TrustedLaunch")) {
    out.type = IsolationType::kTrustedLaunch;
    return out;  // no hardware evidence; verification says so
  }
  if (ascii_iequals(name, "SevSnp")) {
    out.type = IsolationType::kSevSnp;
  } else if (ascii_iequals(name, "Tdx")) {
    out.type = IsolationType::kTdx;
  } else {
    return malformed(checks::kGuestIsolationType,
                     "IsolationInfo.Type: '" + name + "' is not TrustedLaunch, SevSnp or Tdx");
  }
  const std::string ep = "IsolationInfo.Evidence";
  VOUCH_TRY(const json* ev, required(iso, "Evidence", p, json::value_t::object, "an object"));
  VOUCH_TRY(out.runtime_data, b64_member(*ev, "RunTimeData", ep, true));
  VOUCH_TRY(Bytes proof, b64_member(*ev, "Proof", ep, true));
  const std::string pp = ep + ".Proof";
  if (out.type == IsolationType::kTdx) {
    out.td_quote = std::move(proof);
    return out;
  }
  // SevSnp: the proof is JSON {"SnpReport": base64url, "VcekCertChain": PEM (or base64 PEM)}.
  VOUCH_TRY(const json inner, parse_text(proof, pp));
  if (!inner.is_object()) {
    return fail(field(pp, "is not a JSON object {SnpReport, VcekCertChain}"));
  }
  VOUCH_TRY(out.snp_report, b64_member(inner, "SnpReport", pp, true));
  VOUCH_TRY(const json* chain,
            required(inner, "VcekCertChain", pp, json::value_t::string, "a string"));
  std::string pem = chain->get<std::string>();
  if (pem.find("-----BEGIN") == std::string::npos) {
    VOUCH_TRY(Bytes decoded, decode(*chain, pp + ".VcekCertChain"));
    pem.assign(decoded.begin(), decoded.end());
  }
  const bool ascii_pem =
      pem.find("-----BEGIN") != std::string::npos &&
      std::all_of(pem.begin(), pem.end(), [](char c) { return (c & 0x80) == 0; });
  if (!ascii_pem) {
    return fail(field(pp + ".VcekCertChain", "is not a PEM certificate chain"));
  }
  out.vcek_cert_chain = std::move(pem);
  return out;
}

}  // namespace

std::string_view isolation_type_name(IsolationType t) noexcept {
  switch (t) {
    case IsolationType::kTrustedLaunch:
      return "TrustedLaunch";
    case IsolationType::kSevSnp:
      return "SevSnp";
    case IsolationType::kTdx:
      return "Tdx";
  }
  return "";
}

Result<GuestAttestationInfo> parse_guest_attestation_info(ByteSpan raw) {
  VOUCH_TRY(const json j, parse_text(raw, "AttestationInfo"));
  if (!j.is_object()) {
    return fail(field("AttestationInfo", "is not a JSON object"));
  }
  GuestAttestationInfo out;
  VOUCH_TRY(const json* version,
            required(j, "AttestationProtocolVersion", "", json::value_t::string, "a string"));
  out.protocol_version = version->get<std::string>();
  VOUCH_TRY(out.os_type, b64_text(j, "OSType"));
  VOUCH_TRY(out.os_distro, b64_text(j, "OSDistro"));
  VOUCH_TRY(out.os_build, b64_text(j, "OSBuild"));
  VOUCH_TRY(out.os_version_major, integer(j, "OSVersionMajor"));
  VOUCH_TRY(out.os_version_minor, integer(j, "OSVersionMinor"));
  VOUCH_TRY(out.tcg_logs, b64_member(j, "TcgLogs", "", false));
  VOUCH_TRY(const json* payload, member(j, "ClientPayload", "ClientPayload"));
  if (payload != nullptr && !payload->is_null()) {
    if (!payload->is_object()) {
      return fail(field("ClientPayload", "must be an object of strings"));
    }
    for (auto it = payload->begin(); it != payload->end(); ++it) {
      if (!it.value().is_string()) {
        return fail(field("ClientPayload." + it.key(), "must be a string"));
      }
      out.client_payload[it.key()] = it.value().get<std::string>();
    }
  }
  VOUCH_TRY(const json* tpm, required(j, "TpmInfo", "", json::value_t::object, "an object"));
  VOUCH_TRY(out.tpm, parse_tpm_info(*tpm));
  VOUCH_TRY(const json* iso, required(j, "IsolationInfo", "", json::value_t::object, "an object"));
  VOUCH_TRY(out.isolation, parse_isolation(*iso));
  return out;
}

std::string to_json_text(const GuestAttestationInfo& info) {
  json j;
  j["AttestationProtocolVersion"] = info.protocol_version;
  const auto text = [](const std::string& s) { return base64_encode(as_bytes(s)); };
  if (info.os_type) {
    j["OSType"] = text(*info.os_type);
  }
  if (info.os_distro) {
    j["OSDistro"] = text(*info.os_distro);
  }
  if (info.os_build) {
    j["OSBuild"] = text(*info.os_build);
  }
  if (info.os_version_major) {
    j["OSVersionMajor"] = *info.os_version_major;
  }
  if (info.os_version_minor) {
    j["OSVersionMinor"] = *info.os_version_minor;
  }
  j["TcgLogs"] = base64_encode(info.tcg_logs);
  j["ClientPayload"] = json::object();
  for (const auto& [k, v] : info.client_payload) {
    j["ClientPayload"][k] = v;
  }
  const GuestTpmInfo& t = info.tpm;
  json tpm = {{"AikCert", base64_encode(t.aik_cert)},
              {"AikPub", base64_encode(t.aik_pub)},
              {"PcrQuote", base64_encode(t.pcr_quote)},
              {"PcrSignature", base64_encode(t.pcr_signature)},
              {"EncKeyPub", base64_encode(t.enc_key_pub)},
              {"EncKeyCertifyInfo", base64_encode(t.enc_key_certify_info)},
              {"EncKeyCertifyInfoSignature", base64_encode(t.enc_key_certify_info_signature)},
              {"PcrSet", t.pcr_set},
              {"PCRs", json::array()}};
  for (const GuestPcr& p : t.pcrs) {
    tpm["PCRs"].push_back({{"Index", p.index}, {"Digest", base64_encode(p.digest)}});
  }
  j["TpmInfo"] = std::move(tpm);
  const GuestIsolation& iso = info.isolation;
  json isolation = {{"Type", std::string(isolation_type_name(iso.type))}};
  switch (iso.type) {
    case IsolationType::kTrustedLaunch:
      break;
    case IsolationType::kSevSnp: {
      const json proof = {{"SnpReport", base64url_encode(iso.snp_report)},
                          {"VcekCertChain", iso.vcek_cert_chain}};
      isolation["Evidence"] = {{"Proof", base64_encode(as_bytes(proof.dump()))},
                               {"RunTimeData", base64_encode(iso.runtime_data)}};
      break;
    }
    case IsolationType::kTdx:
      isolation["Evidence"] = {{"Proof", base64_encode(iso.td_quote)},
                               {"RunTimeData", base64_encode(iso.runtime_data)}};
      break;
  }
  j["IsolationInfo"] = std::move(isolation);
  return j.dump();
}

}  // namespace vouch::azure_cvm
