// Azure HCL report parser: never crashes; whatever parses re-serializes to the same bytes. Also
// the vTPM quote JSON parser.
#include <cstdlib>
#include <string_view>

#include "evidence/azure_cvm/hcl.h"
#include "evidence/azure_cvm/verify.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const vouch::ByteSpan in(data, size);
  if (auto h = vouch::azure_cvm::parse_hcl_report(in)) {
    if (vouch::azure_cvm::serialize(*h) != vouch::to_bytes(in)) {
      std::abort();
    }
  }
  (void)vouch::azure_cvm::parse_tpm_quote_json(
      std::string_view(reinterpret_cast<const char*>(data), size));  // NOLINT
  return 0;
}
