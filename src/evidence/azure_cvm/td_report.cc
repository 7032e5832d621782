#include "evidence/azure_cvm/td_report.h"

#include <string>

#include "base/byte_reader.h"
#include "evidence/azure_cvm/check_ids.h"
#include "evidence/azure_cvm/hcl.h"

namespace vouch::azure_cvm {

Result<dcap::Td10Report> td_report_body(ByteSpan raw) {
  if (raw.size() != kTdReportSize) {
    return malformed(checks::kTdReport, "a TDREPORT is " + std::to_string(kTdReportSize) +
                                            " bytes, not " + std::to_string(raw.size()));
  }
  ByteReader r(raw);
  std::uint8_t type = 0;
  dcap::Td10Report out;
  // REPORTMACSTRUCT: type, subtype, version, reserved, reserved (12), cpusvn (16), two hashes.
  bool ok =
      r.u8(type) && r.skip(3 + 12 + 16 + 48 + 48) && r.array(out.report_data) && r.skip(32 + 32);
  // TEE_TCB_INFO at 0x100: valid (8), then the fields the quote body repeats.
  ok = ok && r.skip(8) && r.array(out.tee_tcb_svn) && r.array(out.mr_seam) &&
       r.array(out.mr_signer_seam) && r.array(out.seam_attributes) &&
       r.skip(256 - 8 - 16 - 48 - 48 - 8);
  // TDINFO at 0x200.
  ok = ok && r.array(out.td_attributes) && r.array(out.xfam) && r.array(out.mr_td) &&
       r.array(out.mr_config_id) && r.array(out.mr_owner) && r.array(out.mr_owner_config);
  for (auto& rtmr : out.rtmr) {
    ok = ok && r.array(rtmr);
  }
  if (!ok) {
    return fail(r.truncated(checks::kTdReport, "TDREPORT"));  // unreachable: the size is exact
  }
  if (type != kTdReportTypeTdx) {
    return malformed(checks::kTdReport,
                     "offset 0x0: report type " + std::to_string(type) + " is not 0x81 (TDX)");
  }
  return out;
}

std::string first_difference(const dcap::Td10Report& a, const dcap::Td10Report& b) {
  if (a.tee_tcb_svn != b.tee_tcb_svn) {
    return "tee_tcb_svn";
  }
  if (a.mr_seam != b.mr_seam) {
    return "mr_seam";
  }
  if (a.mr_signer_seam != b.mr_signer_seam) {
    return "mr_signer_seam";
  }
  if (a.seam_attributes != b.seam_attributes) {
    return "seam_attributes";
  }
  if (a.td_attributes != b.td_attributes) {
    return "td_attributes";
  }
  if (a.xfam != b.xfam) {
    return "xfam";
  }
  if (a.mr_td != b.mr_td) {
    return "mr_td";
  }
  if (a.mr_config_id != b.mr_config_id) {
    return "mr_config_id";
  }
  if (a.mr_owner != b.mr_owner) {
    return "mr_owner";
  }
  if (a.mr_owner_config != b.mr_owner_config) {
    return "mr_owner_config";
  }
  for (std::size_t i = 0; i < a.rtmr.size(); ++i) {
    if (a.rtmr[i] != b.rtmr[i]) {
      return "rtmr[" + std::to_string(i) + "]";
    }
  }
  if (a.report_data != b.report_data) {
    return "report_data";
  }
  return {};
}

}  // namespace vouch::azure_cvm
