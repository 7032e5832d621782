#include "evidence/dcap/qe_identity.h"

#include <cctype>

#include "evidence/dcap/check_ids.h"
#include "evidence/dcap/json_fields.h"

namespace vouch::dcap {

namespace {

using OrderedJson = nlohmann::ordered_json;

}  // namespace

std::string_view enclave_identity_id_name(EnclaveIdentityId id) noexcept {
  switch (id) {
    case EnclaveIdentityId::kQe:
      return "QE";
    case EnclaveIdentityId::kTdQe:
      return "TD_QE";
    case EnclaveIdentityId::kQve:
      return "QVE";
  }
  return "QE";
}

Result<EnclaveIdentity> parse_enclave_identity(std::string_view body) {
  using json::Fields;
  constexpr CheckId kCheck = checks::kQeIdentityFormat;
  VOUCH_TRY(nlohmann::json j, Fields::parse_object(body, "enclaveIdentity", kCheck));
  const Fields f(j, "enclaveIdentity", kCheck);
  EnclaveIdentity e;
  VOUCH_TRY(std::string id, f.string("id"));
  if (id == "QE") {
    e.id = EnclaveIdentityId::kQe;
  } else if (id == "TD_QE") {
    e.id = EnclaveIdentityId::kTdQe;
  } else if (id == "QVE") {
    e.id = EnclaveIdentityId::kQve;
  } else {
    return malformed(kCheck, "enclaveIdentity.id '" + id + "' is not QE, TD_QE or QVE");
  }
  VOUCH_TRY(std::uint64_t version, f.uint("version", 0xffffffffu));
  if (version != 2) {
    return malformed(kCheck, "enclaveIdentity.version " + std::to_string(version) +
                                 " is not supported (only 2)");
  }
  VOUCH_TRY(e.issue_date, f.time("issueDate"));
  VOUCH_TRY(e.next_update, f.time("nextUpdate"));
  VOUCH_TRY(std::uint64_t eval, f.uint("tcbEvaluationDataNumber", 0xffffffffu));
  e.tcb_evaluation_data_number = static_cast<std::uint32_t>(eval);
  VOUCH_RETURN_IF_ERROR(f.hex_array("miscselect", e.miscselect));
  VOUCH_RETURN_IF_ERROR(f.hex_array("miscselectMask", e.miscselect_mask));
  VOUCH_RETURN_IF_ERROR(f.hex_array("attributes", e.attributes));
  VOUCH_RETURN_IF_ERROR(f.hex_array("attributesMask", e.attributes_mask));
  VOUCH_RETURN_IF_ERROR(f.hex_array("mrsigner", e.mrsigner));
  VOUCH_TRY(std::uint64_t prod, f.uint("isvprodid", 65535));
  e.isv_prod_id = static_cast<std::uint16_t>(prod);
  VOUCH_TRY(const nlohmann::json* levels, f.array("tcbLevels"));
  if (levels->empty()) {
    return malformed(kCheck, "enclaveIdentity.tcbLevels is empty");
  }
  for (std::size_t i = 0; i < levels->size(); ++i) {
    const std::string path = "enclaveIdentity.tcbLevels[" + std::to_string(i) + "]";
    const Fields lf((*levels)[i], path, kCheck);
    EnclaveIdentityTcbLevel level;
    VOUCH_TRY(const nlohmann::json* tcb_json, lf.object("tcb"));
    VOUCH_TRY(std::uint64_t isv_svn,
              Fields(*tcb_json, path + ".tcb", kCheck).uint("isvsvn", 65535));
    level.isv_svn = static_cast<std::uint16_t>(isv_svn);
    VOUCH_TRY(level.tcb_date, lf.time("tcbDate"));
    VOUCH_TRY(std::string status, lf.string("tcbStatus"));
    const auto s = parse_tcb_status(status);
    if (!s ||
        (*s != TcbStatus::kUpToDate && *s != TcbStatus::kOutOfDate && *s != TcbStatus::kRevoked)) {
      return malformed(kCheck, path + ".tcbStatus '" + status +
                                   "' is not UpToDate, OutOfDate "
                                   "or Revoked");
    }
    level.status = *s;
    VOUCH_TRY(level.advisory_ids, lf.strings("advisoryIDs"));
    e.levels.push_back(std::move(level));
  }
  return e;
}

std::string to_json(const EnclaveIdentity& e) {
  OrderedJson levels = OrderedJson::array();
  for (const EnclaveIdentityTcbLevel& l : e.levels) {
    OrderedJson level = {{"tcb", {{"isvsvn", l.isv_svn}}},
                         {"tcbDate", format_rfc3339(l.tcb_date)},
                         {"tcbStatus", std::string(tcb_status_name(l.status))}};
    if (!l.advisory_ids.empty()) {
      level["advisoryIDs"] = l.advisory_ids;
    }
    levels.push_back(level);
  }
  const OrderedJson j = {{"id", std::string(enclave_identity_id_name(e.id))},
                         {"version", e.version},
                         {"issueDate", format_rfc3339(e.issue_date)},
                         {"nextUpdate", format_rfc3339(e.next_update)},
                         {"tcbEvaluationDataNumber", e.tcb_evaluation_data_number},
                         {"miscselect", json::upper_hex(e.miscselect)},
                         {"miscselectMask", json::upper_hex(e.miscselect_mask)},
                         {"attributes", json::upper_hex(e.attributes)},
                         {"attributesMask", json::upper_hex(e.attributes_mask)},
                         {"mrsigner", json::upper_hex(e.mrsigner)},
                         {"isvprodid", e.isv_prod_id},
                         {"tcbLevels", levels}};
  return j.dump();
}

}  // namespace vouch::dcap
