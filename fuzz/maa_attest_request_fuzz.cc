// Fuzzes the Azure Attestation attest request bodies (service/maa_request.h) for every type:
// any bytes must give a request or an error, never a crash.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "service/maa_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  // The first byte picks the attestation type; the rest is the body.
  const auto type = static_cast<vouch::appraisal::AttestationType>(data[0] % 6);
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);  // NOLINT
  auto parsed = vouch::service::parse_maa_attest(type, body);
  if (parsed) {
    // Touch what came out so the parse is not optimised away.
    volatile std::size_t n = parsed->evidence.evidence.size();
    (void)n;
  }
  return 0;
}
