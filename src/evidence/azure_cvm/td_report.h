#pragma once

// The Intel TDX TDREPORT_STRUCT (1024 bytes; Intel TDX Module ABI, TDG.MR.REPORT) that an Azure
// TDX CVM's HCL report carries as its hardware report:
//   0x000  REPORTMACSTRUCT (256): report_type {type 0x81 = TDX, subtype, version, reserved},
//          reserved (12), cpusvn (16), tee_tcb_info_hash (48), tee_info_hash (48),
//          report_data (64), reserved (32), mac (32)
//   0x100  TEE_TCB_INFO (239) + reserved (17): valid (8), tee_tcb_svn (16), mr_seam (48),
//          mr_signer_seam (48), attributes (8), then tee_tcb_svn2 and reserved
//   0x200  TDINFO (512): attributes (8), xfam (8), mr_td, mr_config_id, mr_owner,
//          mr_owner_config, rtmr[4] (48 each), servtd_hash (48), reserved
// The MAC can only be checked inside the TD that made it, so a TDREPORT proves nothing by itself:
// the TD quote (verified through DCAP) is the root of trust, and the TDREPORT is only compared
// with the quote's TD report body.

#include "base/bytes.h"
#include "base/result.h"
#include "evidence/dcap/quote.h"

namespace vouch::azure_cvm {

inline constexpr std::uint8_t kTdReportTypeTdx = 0x81;

// Reads the fields of a TDREPORT that a TD 1.0 quote body repeats, in the quote body's layout.
// Fails with azure.tdx.tdreport (kMalformedEvidence) unless `raw` is exactly 1024 bytes whose
// report type is TDX (0x81).
[[nodiscard]] Result<dcap::Td10Report> td_report_body(ByteSpan raw);

// The first field (in quote body order) where `a` and `b` differ, e.g. "rtmr[2]"; empty when
// they are equal.
std::string first_difference(const dcap::Td10Report& a, const dcap::Td10Report& b);

}  // namespace vouch::azure_cvm
