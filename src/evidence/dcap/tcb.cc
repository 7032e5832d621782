#include "evidence/dcap/tcb.h"

#include <algorithm>
#include <cctype>

#include "base/encoding.h"
#include "evidence/dcap/check_ids.h"

namespace vouch::dcap {
namespace {

void add_advisories(std::vector<std::string>& out, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    if (std::find(out.begin(), out.end(), id) == out.end()) {
      out.push_back(id);
    }
  }
}

bool sgx_meets(const PckTcb& pck, const TcbLevel& level) {
  for (std::size_t i = 0; i < level.sgx_svns.size(); ++i) {
    if (pck.sgx_svns[i] < level.sgx_svns[i]) {
      return false;
    }
  }
  return pck.pce_svn >= level.pce_svn;
}

// QVL isTdxTcbHigherOrEqual: with a module major version (TEE_TCB_SVN[1]) above 0, the module
// bytes 0 and 1 are judged by the module identity instead.
bool tdx_meets(const std::array<std::uint8_t, 16>& tee_tcb_svn, const TcbLevel& level) {
  if (!level.tdx_svns) {
    return false;
  }
  const std::size_t first = tee_tcb_svn[1] > 0 ? 2 : 0;
  for (std::size_t i = first; i < tee_tcb_svn.size(); ++i) {
    if (tee_tcb_svn[i] < (*level.tdx_svns)[i]) {
      return false;
    }
  }
  return true;
}

bool config_needed(TcbStatus s) {
  return s == TcbStatus::kConfigurationNeeded || s == TcbStatus::kOutOfDateConfigurationNeeded ||
         s == TcbStatus::kConfigurationAndSwHardeningNeeded ||
         s == TcbStatus::kTdRelaunchAdvisedConfigurationNeeded;
}

// QVL convergeTcbStatusWithQeTcbStatus / convergeTcbStatusWithTdxModuleStatus: an OutOfDate
// component makes an otherwise current platform OutOfDate; a Revoked one makes it Revoked.
TcbStatus converge(TcbStatus platform, TcbStatus component) {
  if (component == TcbStatus::kOutOfDate) {
    if (platform == TcbStatus::kUpToDate || platform == TcbStatus::kSwHardeningNeeded) {
      return TcbStatus::kOutOfDate;
    }
    if (platform == TcbStatus::kConfigurationNeeded ||
        platform == TcbStatus::kConfigurationAndSwHardeningNeeded) {
      return TcbStatus::kOutOfDateConfigurationNeeded;
    }
  }
  if (component == TcbStatus::kRevoked) {
    return TcbStatus::kRevoked;
  }
  return platform;
}

std::string module_identity_id(std::uint8_t version) {
  return "TDX_" + hex_encode(ByteSpan(&version, 1));
}

const TdxModuleIdentity* find_module_identity(const TcbInfo& info, std::uint8_t version) {
  const std::string want = module_identity_id(version);
  for (const TdxModuleIdentity& id : info.tdx_module_identities) {
    std::string upper = id.id;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    std::string want_upper = want;
    std::transform(want_upper.begin(), want_upper.end(), want_upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (upper == want_upper) {
      return &id;
    }
  }
  return nullptr;
}

// QVL checkForRelaunch (TDX 1.5): a TD whose TCB is out of date only because of the TDX module it
// was launched with, while TEE_TCB_SVN_2 shows the platform now runs a current module, should be
// relaunched rather than treated as out of date.
Result<TcbStatus> relaunch(const TcbInfo& info, const std::array<std::uint8_t, 16>& svn2,
                           TcbStatus sgx_status, TcbStatus tdx_status, TcbStatus module_status,
                           const QeIdentityEvaluation* qe) {
  const bool qe_current = qe == nullptr || qe->status == TcbStatus::kUpToDate;
  const bool sgx_ok = sgx_status == TcbStatus::kUpToDate ||
                      sgx_status == TcbStatus::kSwHardeningNeeded ||
                      sgx_status == TcbStatus::kConfigurationNeeded ||
                      sgx_status == TcbStatus::kConfigurationAndSwHardeningNeeded;
  const bool tdx_outdated =
      tdx_status == TcbStatus::kOutOfDate || tdx_status == TcbStatus::kOutOfDateConfigurationNeeded;
  if (!qe_current || !sgx_ok || !tdx_outdated || module_status != TcbStatus::kOutOfDate) {
    return tdx_status;
  }
  const TcbLevel& latest = info.levels.front();
  if (!latest.tdx_svns) {
    return tdx_status;
  }
  bool current = false;
  if (svn2[1] == 0) {
    current = svn2[0] >= (*latest.tdx_svns)[0] && svn2[2] >= (*latest.tdx_svns)[2];
  } else {
    const TdxModuleIdentity* id2 = find_module_identity(info, svn2[1]);
    if (id2 == nullptr) {
      return rejected(checks::kTdxModule, "TEE_TCB_SVN_2 names TDX module version " +
                                              std::to_string(svn2[1]) +
                                              ", which the TCB Info does not describe");
    }
    if (id2->levels.empty()) {
      return rejected(checks::kTdxModuleTcbLevel,
                      "TDX module identity " + id2->id + " has no TCB levels");
    }
    current = svn2[0] >= id2->levels.front().isv_svn && svn2[2] >= (*latest.tdx_svns)[2];
  }
  if (!current) {
    return tdx_status;
  }
  return config_needed(sgx_status) || config_needed(tdx_status)
             ? TcbStatus::kTdRelaunchAdvisedConfigurationNeeded
             : TcbStatus::kTdRelaunchAdvised;
}

}  // namespace

Result<QeIdentityEvaluation> evaluate_qe_identity(const EnclaveIdentity& identity,
                                                  const EnclaveReport& qe_report) {
  const std::string who(enclave_identity_id_name(identity.id));
  for (std::size_t i = 0; i < 4; ++i) {
    const auto report_byte = static_cast<std::uint8_t>(qe_report.misc_select >> (8 * i));
    if ((report_byte & identity.miscselect_mask[i]) != identity.miscselect[i]) {
      return rejected(checks::kQeIdentityReport,
                      "the QE report's MISCSELECT does not match the " + who + " identity");
    }
  }
  for (std::size_t i = 0; i < qe_report.attributes.size(); ++i) {
    if ((qe_report.attributes[i] & identity.attributes_mask[i]) != identity.attributes[i]) {
      return rejected(checks::kQeIdentityReport, "the QE report's ATTRIBUTES " +
                                                     hex_encode(qe_report.attributes) +
                                                     " do not match the " + who + " identity");
    }
  }
  if (qe_report.mr_signer != identity.mrsigner) {
    return rejected(checks::kQeIdentityReport,
                    "the QE report's MRSIGNER " + hex_encode(qe_report.mr_signer) + " is not the " +
                        who + " identity's " + hex_encode(identity.mrsigner));
  }
  if (qe_report.isv_prod_id != identity.isv_prod_id) {
    return rejected(checks::kQeIdentityReport,
                    "the QE report's ISVPRODID " + std::to_string(qe_report.isv_prod_id) +
                        " is not " + std::to_string(identity.isv_prod_id));
  }
  for (const EnclaveIdentityTcbLevel& level : identity.levels) {
    if (qe_report.isv_svn >= level.isv_svn) {
      return QeIdentityEvaluation{level.status, level.tcb_date, level.advisory_ids};
    }
  }
  return rejected(checks::kQeIdentityTcbLevel,
                  "the QE's ISVSVN " + std::to_string(qe_report.isv_svn) +
                      " is below every TCB level of the " + who + " identity");
}

Result<TdxModuleEvaluation> evaluate_tdx_module(const TcbInfo& info, const TdxTcbInput& tdx) {
  if (!info.tdx_module) {
    return rejected(checks::kTdxModule, "the TCB Info has no TDX module description");
  }
  const std::uint8_t version = tdx.tee_tcb_svn[1];
  const TdxModuleIdentity* identity = nullptr;
  const std::array<std::uint8_t, 48>* mrsigner = &info.tdx_module->mrsigner;
  const std::array<std::uint8_t, 8>* attributes = &info.tdx_module->attributes;
  const std::array<std::uint8_t, 8>* mask = &info.tdx_module->attributes_mask;
  if (tdx.quote_version > 3 && version > 0) {
    identity = find_module_identity(info, version);
    if (identity == nullptr) {
      return rejected(checks::kTdxModule,
                      "the TCB Info has no identity " + module_identity_id(version) +
                          " for TDX module major version " + std::to_string(version));
    }
    mrsigner = &identity->mrsigner;
    attributes = &identity->attributes;
    mask = &identity->attributes_mask;
  }
  if (tdx.mr_signer_seam != *mrsigner) {
    return rejected(checks::kTdxModule, "MRSIGNERSEAM " + hex_encode(tdx.mr_signer_seam) +
                                            " is not the TDX module signer " +
                                            hex_encode(*mrsigner));
  }
  for (std::size_t i = 0; i < attributes->size(); ++i) {
    if ((tdx.seam_attributes[i] & (*mask)[i]) != (*attributes)[i]) {
      return rejected(checks::kTdxModule, "SEAMATTRIBUTES " + hex_encode(tdx.seam_attributes) +
                                              " do not match the TDX module's attributes");
    }
  }
  TdxModuleEvaluation out;
  if (identity == nullptr) {
    out.status = TcbStatus::kUpToDate;  // module version 0: judged by the platform TCB level
    return out;
  }
  out.identity_id = identity->id;
  for (const TdxModuleTcbLevel& level : identity->levels) {
    if (tdx.tee_tcb_svn[0] >= level.isv_svn) {
      out.status = level.status;
      out.tcb_date = level.tcb_date;
      out.advisory_ids = level.advisory_ids;
      return out;
    }
  }
  return rejected(checks::kTdxModuleTcbLevel, "TDX module SVN " +
                                                  std::to_string(tdx.tee_tcb_svn[0]) +
                                                  " is below every TCB level of " + identity->id);
}

Result<TcbEvaluation> evaluate_tcb(const TcbInfo& info, const PckTcb& pck, const TdxTcbInput* tdx,
                                   const TdxModuleEvaluation* module,
                                   const QeIdentityEvaluation* qe) {
  std::optional<std::size_t> sgx_level;
  std::optional<std::size_t> tdx_level;
  for (std::size_t i = 0; i < info.levels.size(); ++i) {
    if (!sgx_meets(pck, info.levels[i])) {
      continue;
    }
    if (!sgx_level) {
      sgx_level = i;
    }
    if (tdx == nullptr) {
      break;
    }
    if (tdx_meets(tdx->tee_tcb_svn, info.levels[i])) {
      tdx_level = i;
      break;
    }
  }
  if (!sgx_level) {
    return rejected(checks::kTcbLevel,
                    "no TCB level matches the PCK's TCB (CPUSVN components " +
                        hex_encode(pck.sgx_svns) + ", PCESVN " + std::to_string(pck.pce_svn) +
                        "): the platform's TCB is not supported by this TCB Info");
  }
  TcbEvaluation out;
  const TcbStatus sgx_status = info.levels[*sgx_level].status;
  if (tdx == nullptr) {
    out.level_index = *sgx_level;
    out.level_status = sgx_status;
    out.status = qe != nullptr ? converge(sgx_status, qe->status) : sgx_status;
  } else {
    if (!tdx_level) {
      return rejected(checks::kTcbLevel, "no TCB level matches TEE_TCB_SVN " +
                                             hex_encode(tdx->tee_tcb_svn) +
                                             ": the TD's TCB is not supported by this TCB Info");
    }
    out.level_index = *tdx_level;
    out.level_status = info.levels[*tdx_level].status;
    const TcbStatus module_status = module != nullptr ? module->status : TcbStatus::kUpToDate;
    TcbStatus status = converge(out.level_status, module_status);
    if (status != TcbStatus::kRevoked && tdx->tee_tcb_svn2) {
      VOUCH_TRY(status, relaunch(info, *tdx->tee_tcb_svn2, sgx_status, status, module_status, qe));
    }
    out.status =
        (status != TcbStatus::kRevoked && qe != nullptr) ? converge(status, qe->status) : status;
  }
  const TcbLevel& level = info.levels[out.level_index];
  out.tcb_date = level.tcb_date;
  add_advisories(out.advisory_ids, level.advisory_ids);
  if (module != nullptr) {
    add_advisories(out.advisory_ids, module->advisory_ids);
  }
  if (qe != nullptr) {
    add_advisories(out.advisory_ids, qe->advisory_ids);
  }
  return out;
}

}  // namespace vouch::dcap
