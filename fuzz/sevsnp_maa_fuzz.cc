// MAA SevSnpVm request body parser: never crashes (untrusted JSON, base64 and nesting).
#include <string_view>

#include "evidence/sevsnp/maa.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  (void)vouch::sevsnp::parse_maa_sevsnp_request(text);
  (void)vouch::sevsnp::parse_maa_snp_report(text);
  return 0;
}
