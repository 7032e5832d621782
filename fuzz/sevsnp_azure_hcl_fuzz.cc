// Azure HCL report parser: never crashes; whatever parses re-serializes to the same bytes. A TDX
// report's TDREPORT goes through td_report_body (the real TDX HCL report is a vector seed). Also
// the vTPM quote JSON parser.
#include <cstdlib>
#include <string_view>

#include "evidence/azure_cvm/hcl.h"
#include "evidence/azure_cvm/td_report.h"
#include "evidence/azure_cvm/verify.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const vouch::ByteSpan in(data, size);
  if (auto h = vouch::azure_cvm::parse_hcl_report(in)) {
    if (vouch::azure_cvm::serialize(*h) != vouch::to_bytes(in)) {
      std::abort();
    }
    if (h->report_type == vouch::azure_cvm::HwReportType::kTdx) {
      (void)vouch::azure_cvm::td_report_body(h->hw_report);
    }
  }
  (void)vouch::azure_cvm::parse_tpm_quote_json(
      std::string_view(reinterpret_cast<const char*>(data), size));  // NOLINT
  return 0;
}
