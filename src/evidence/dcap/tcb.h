#pragma once

// Intel's TCB level matching (Intel QVL TcbLevelCheck, TdxModuleCheck, TDRelaunchCheck and
// EnclaveReportVerifier, as specified in the Intel SGX/TDX DCAP Quote Verification Library
// documentation section 4.1.2.4.17). Pure functions over verified collateral: they compute a
// status; which statuses are acceptable is owner policy, not code.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "evidence/dcap/pck.h"
#include "evidence/dcap/qe_identity.h"
#include "evidence/dcap/quote.h"
#include "evidence/dcap/tcb_info.h"

namespace vouch::dcap {

// Result of checking a QE (or TD QE) report against its enclave identity.
struct QeIdentityEvaluation {
  TcbStatus status = TcbStatus::kUpToDate;  // UpToDate, OutOfDate or Revoked
  Timestamp tcb_date;
  std::vector<std::string> advisory_ids;
};

// Checks MISCSELECT and ATTRIBUTES under their masks, MRSIGNER and ISVPRODID (failing with
// dcap.qe_identity.report) and picks the first TCB level whose ISVSVN the report meets (none:
// dcap.qe_identity.tcb_level).
[[nodiscard]] Result<QeIdentityEvaluation> evaluate_qe_identity(const EnclaveIdentity& identity,
                                                                const EnclaveReport& qe_report);

// The TDX facts that TCB evaluation reads from a TD quote.
struct TdxTcbInput {
  std::uint16_t quote_version = 4;
  std::array<std::uint8_t, 16> tee_tcb_svn{};
  std::optional<std::array<std::uint8_t, 16>> tee_tcb_svn2;  // TDX 1.5 bodies
  Mr48 mr_signer_seam{};
  std::array<std::uint8_t, 8> seam_attributes{};
};

// Which TDX module description applies: tcbInfo.tdxModule for module major version 0, else the
// identity "TDX_<version>".
struct TdxModuleEvaluation {
  std::string identity_id;  // empty for tcbInfo.tdxModule
  TcbStatus status = TcbStatus::kUpToDate;
  std::optional<Timestamp> tcb_date;
  std::vector<std::string> advisory_ids;
};

// Checks MRSIGNERSEAM and SEAMATTRIBUTES against the applicable module description (failing
// with dcap.tdx_module) and computes the module's TCB status (no level: dcap.tdx_module.tcb_level).
[[nodiscard]] Result<TdxModuleEvaluation> evaluate_tdx_module(const TcbInfo& info,
                                                              const TdxTcbInput& tdx);

// The outcome of TCB level matching.
struct TcbEvaluation {
  TcbStatus status = TcbStatus::kUpToDate;        // converged with the TDX module and QE statuses
  TcbStatus level_status = TcbStatus::kUpToDate;  // status of the matched platform level
  Timestamp tcb_date;                             // tcbDate of the matched platform level
  std::size_t level_index = 0;                    // index into TcbInfo::levels
  std::vector<std::string> advisory_ids;  // platform level, then TDX module and QE, deduplicated
};

// Matches the PCK's TCB (and, for TDX, TEE_TCB_SVN) against the TCB levels and converges the
// status with the TDX module and QE evaluations. Fails with dcap.tcb.level when no level matches
// (the platform's TCB is not supported by this TCB Info).
[[nodiscard]] Result<TcbEvaluation> evaluate_tcb(const TcbInfo& info, const PckTcb& pck,
                                                 const TdxTcbInput* tdx,
                                                 const TdxModuleEvaluation* module,
                                                 const QeIdentityEvaluation* qe);

}  // namespace vouch::dcap
