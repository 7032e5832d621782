// Azure guest attestation request parser (/attest/AzureGuest AttestationInfo) and the TDREPORT
// reader: never crash; whatever parses serializes to a form that parses back to the same value.
#include <cstdlib>

#include "evidence/azure_cvm/guest_request.h"
#include "evidence/azure_cvm/td_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const vouch::ByteSpan in(data, size);
  if (auto info = vouch::azure_cvm::parse_guest_attestation_info(in)) {
    const std::string text = vouch::azure_cvm::to_json_text(*info);
    auto again = vouch::azure_cvm::parse_guest_attestation_info(vouch::as_bytes(text));
    if (!again || !(*again == *info)) {
      std::abort();
    }
  }
  (void)vouch::azure_cvm::td_report_body(in);
  return 0;
}
