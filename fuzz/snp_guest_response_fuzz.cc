// Fuzzes the /dev/sev-guest response parser (attester/tsm.h, MSG_REPORT_RSP): any bytes give
// the report or an error; a report is exactly kSnpReportSize bytes copied from offset 32.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "attester/tsm.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = vouch::attester::parse_snp_report_response(vouch::ByteSpan(data, size));
  if (!r) {
    if (r.error().check.str().empty()) {
      std::abort();
    }
    return 0;
  }
  if (r->size() != vouch::attester::kSnpReportSize || size < 32 + r->size() ||
      std::memcmp(r->data(), data + 32, r->size()) != 0) {
    std::abort();
  }
  return 0;
}
