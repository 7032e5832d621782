// PCR values JSON (the --pcrs input): any text, both shapes.
#include <string_view>

#include "evidence/tpm/pcr_values.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)vouch::tpm::parse_pcr_values_json(text, vouch::crypto::HashAlg::kSha256);
  return 0;
}
