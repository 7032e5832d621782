#include "evidence/dcap/tcb_info.h"

#include <cctype>

#include "evidence/dcap/check_ids.h"
#include "evidence/dcap/json_fields.h"

namespace vouch::dcap {
namespace {

using json::Fields;
using Json = nlohmann::json;

Result<TcbStatus> status_field(const Fields& f, bool module_level) {
  VOUCH_TRY(std::string s, f.string("tcbStatus"));
  const auto status = parse_tcb_status(s);
  const bool allowed =
      status && (!module_level || *status == TcbStatus::kUpToDate ||
                 *status == TcbStatus::kOutOfDate || *status == TcbStatus::kRevoked);
  if (!allowed) {
    return malformed(f.check(), f.name("tcbStatus") + " '" + s + "' is not a known TCB status");
  }
  return *status;
}

Status components(const Fields& f, std::string_view key, std::array<std::uint8_t, 16>& out) {
  VOUCH_TRY(const Json* list, f.array(key));
  if (list->size() != out.size()) {
    return malformed(f.check(), f.name(key) + " must have 16 components");
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    const Fields c((*list)[i], f.name(key) + "[" + std::to_string(i) + "]", f.check());
    VOUCH_TRY(std::uint64_t svn, c.uint("svn", 255));
    out[i] = static_cast<std::uint8_t>(svn);
    for (const char* text : {"category", "type"}) {
      if (c.has(text)) {
        VOUCH_RETURN_IF_ERROR(c.string(text));
      }
    }
  }
  return ok();
}

Result<TcbLevel> tcb_level(const Json& j, const std::string& path, bool tdx) {
  const Fields f(j, path, checks::kTcbInfoFormat);
  TcbLevel level;
  VOUCH_TRY(const Json* tcb_json, f.object("tcb"));
  const Fields tcb(*tcb_json, path + ".tcb", checks::kTcbInfoFormat);
  VOUCH_RETURN_IF_ERROR(components(tcb, "sgxtcbcomponents", level.sgx_svns));
  VOUCH_TRY(std::uint64_t pce_svn, tcb.uint("pcesvn", 65535));
  level.pce_svn = static_cast<std::uint16_t>(pce_svn);
  if (tdx) {
    std::array<std::uint8_t, 16> svns{};
    VOUCH_RETURN_IF_ERROR(components(tcb, "tdxtcbcomponents", svns));
    level.tdx_svns = svns;
  }
  VOUCH_TRY(level.tcb_date, f.time("tcbDate"));
  VOUCH_TRY(level.status, status_field(f, false));
  VOUCH_TRY(level.advisory_ids, f.strings("advisoryIDs"));
  return level;
}

Result<TdxModule> tdx_module(const Fields& f) {
  TdxModule m;
  VOUCH_RETURN_IF_ERROR(f.hex_array("mrsigner", m.mrsigner));
  VOUCH_RETURN_IF_ERROR(f.hex_array("attributes", m.attributes));
  VOUCH_RETURN_IF_ERROR(f.hex_array("attributesMask", m.attributes_mask));
  return m;
}

Result<TdxModuleIdentity> module_identity(const Json& j, const std::string& path) {
  const Fields f(j, path, checks::kTcbInfoFormat);
  TdxModuleIdentity id;
  VOUCH_TRY(id.id, f.string("id"));
  VOUCH_TRY(TdxModule m, tdx_module(f));
  id.mrsigner = m.mrsigner;
  id.attributes = m.attributes;
  id.attributes_mask = m.attributes_mask;
  VOUCH_TRY(const Json* levels, f.array("tcbLevels"));
  for (std::size_t i = 0; i < levels->size(); ++i) {
    const std::string lp = path + ".tcbLevels[" + std::to_string(i) + "]";
    const Fields lf((*levels)[i], lp, checks::kTcbInfoFormat);
    TdxModuleTcbLevel level;
    VOUCH_TRY(const Json* tcb_json, lf.object("tcb"));
    const Fields tcb(*tcb_json, lp + ".tcb", checks::kTcbInfoFormat);
    VOUCH_TRY(std::uint64_t isv_svn, tcb.uint("isvsvn", 255));
    level.isv_svn = static_cast<std::uint8_t>(isv_svn);
    VOUCH_TRY(level.tcb_date, lf.time("tcbDate"));
    VOUCH_TRY(level.status, status_field(lf, true));
    VOUCH_TRY(level.advisory_ids, lf.strings("advisoryIDs"));
    id.levels.push_back(std::move(level));
  }
  return id;
}

}  // namespace

namespace {

using OrderedJson = nlohmann::ordered_json;

OrderedJson level_json(const TcbLevel& level) {
  OrderedJson sgx = OrderedJson::array();
  for (std::uint8_t svn : level.sgx_svns) {
    sgx.push_back({{"svn", svn}});
  }
  OrderedJson tcb = {{"sgxtcbcomponents", sgx}, {"pcesvn", level.pce_svn}};
  if (level.tdx_svns) {
    OrderedJson tdx = OrderedJson::array();
    for (std::uint8_t svn : *level.tdx_svns) {
      tdx.push_back({{"svn", svn}});
    }
    tcb["tdxtcbcomponents"] = tdx;
  }
  OrderedJson out = {{"tcb", tcb},
                     {"tcbDate", format_rfc3339(level.tcb_date)},
                     {"tcbStatus", std::string(tcb_status_name(level.status))}};
  if (!level.advisory_ids.empty()) {
    out["advisoryIDs"] = level.advisory_ids;
  }
  return out;
}

}  // namespace

std::string_view tcb_info_id_name(TcbInfoId id) noexcept {
  return id == TcbInfoId::kTdx ? "TDX" : "SGX";
}

Result<TcbInfo> parse_tcb_info(std::string_view body) {
  VOUCH_TRY(Json j, Fields::parse_object(body, "tcbInfo", checks::kTcbInfoFormat));
  const Fields f(j, "tcbInfo", checks::kTcbInfoFormat);
  TcbInfo info;
  VOUCH_TRY(std::string id, f.string("id"));
  if (id == "SGX") {
    info.id = TcbInfoId::kSgx;
  } else if (id == "TDX") {
    info.id = TcbInfoId::kTdx;
  } else {
    return malformed(checks::kTcbInfoFormat, "tcbInfo.id '" + id + "' is neither SGX nor TDX");
  }
  VOUCH_TRY(std::uint64_t version, f.uint("version", 0xffffffffu));
  if (version != 3) {
    return malformed(checks::kTcbInfoFormat,
                     "tcbInfo.version " + std::to_string(version) + " is not supported (only 3)");
  }
  info.version = static_cast<std::uint32_t>(version);
  VOUCH_TRY(info.issue_date, f.time("issueDate"));
  VOUCH_TRY(info.next_update, f.time("nextUpdate"));
  VOUCH_RETURN_IF_ERROR(f.hex_array("fmspc", info.fmspc));
  VOUCH_RETURN_IF_ERROR(f.hex_array("pceId", info.pce_id));
  VOUCH_TRY(std::uint64_t tcb_type, f.uint("tcbType", 0xffffffffu));
  if (tcb_type != 0) {
    return malformed(checks::kTcbInfoFormat,
                     "tcbInfo.tcbType " + std::to_string(tcb_type) + " is not supported (only 0)");
  }
  info.tcb_type = 0;
  VOUCH_TRY(std::uint64_t eval, f.uint("tcbEvaluationDataNumber", 0xffffffffu));
  info.tcb_evaluation_data_number = static_cast<std::uint32_t>(eval);
  const bool tdx = info.id == TcbInfoId::kTdx;
  if (tdx) {
    VOUCH_TRY(const Json* module_json, f.object("tdxModule"));
    VOUCH_TRY(info.tdx_module,
              tdx_module(Fields(*module_json, "tcbInfo.tdxModule", checks::kTcbInfoFormat)));
    if (f.has("tdxModuleIdentities")) {
      VOUCH_TRY(const Json* ids, f.array("tdxModuleIdentities"));
      for (std::size_t i = 0; i < ids->size(); ++i) {
        VOUCH_TRY(TdxModuleIdentity m, module_identity((*ids)[i], "tcbInfo.tdxModuleIdentities[" +
                                                                      std::to_string(i) + "]"));
        info.tdx_module_identities.push_back(std::move(m));
      }
    }
  } else if (f.has("tdxModule") || f.has("tdxModuleIdentities")) {
    return malformed(checks::kTcbInfoFormat, "an SGX tcbInfo carries TDX module data");
  }
  VOUCH_TRY(const Json* levels, f.array("tcbLevels"));
  if (levels->empty()) {
    return malformed(checks::kTcbInfoFormat, "tcbInfo.tcbLevels is empty");
  }
  for (std::size_t i = 0; i < levels->size(); ++i) {
    VOUCH_TRY(TcbLevel level,
              tcb_level((*levels)[i], "tcbInfo.tcbLevels[" + std::to_string(i) + "]", tdx));
    info.levels.push_back(std::move(level));
  }
  return info;
}

std::string to_json(const TcbInfo& info) {
  OrderedJson j = {{"id", std::string(tcb_info_id_name(info.id))},
                   {"version", info.version},
                   {"issueDate", format_rfc3339(info.issue_date)},
                   {"nextUpdate", format_rfc3339(info.next_update)},
                   {"fmspc", json::upper_hex(info.fmspc)},
                   {"pceId", json::upper_hex(info.pce_id)},
                   {"tcbType", info.tcb_type},
                   {"tcbEvaluationDataNumber", info.tcb_evaluation_data_number}};
  if (info.tdx_module) {
    j["tdxModule"] = {{"mrsigner", json::upper_hex(info.tdx_module->mrsigner)},
                      {"attributes", json::upper_hex(info.tdx_module->attributes)},
                      {"attributesMask", json::upper_hex(info.tdx_module->attributes_mask)}};
    OrderedJson ids = OrderedJson::array();
    for (const TdxModuleIdentity& id : info.tdx_module_identities) {
      OrderedJson levels = OrderedJson::array();
      for (const TdxModuleTcbLevel& l : id.levels) {
        OrderedJson level = {{"tcb", {{"isvsvn", l.isv_svn}}},
                             {"tcbDate", format_rfc3339(l.tcb_date)},
                             {"tcbStatus", std::string(tcb_status_name(l.status))}};
        if (!l.advisory_ids.empty()) {
          level["advisoryIDs"] = l.advisory_ids;
        }
        levels.push_back(level);
      }
      ids.push_back({{"id", id.id},
                     {"mrsigner", json::upper_hex(id.mrsigner)},
                     {"attributes", json::upper_hex(id.attributes)},
                     {"attributesMask", json::upper_hex(id.attributes_mask)},
                     {"tcbLevels", levels}});
    }
    j["tdxModuleIdentities"] = ids;
  }
  OrderedJson levels = OrderedJson::array();
  for (const TcbLevel& level : info.levels) {
    levels.push_back(level_json(level));
  }
  j["tcbLevels"] = levels;
  return j.dump();
}

}  // namespace vouch::dcap
