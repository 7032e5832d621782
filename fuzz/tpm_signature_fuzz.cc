// TPMT_SIGNATURE parser: round trip for every accepted input.
#include <cstdlib>

#include "evidence/tpm/abi.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const vouch::ByteSpan in(data, size);
  if (auto sig = vouch::tpm::parse_signature(in)) {
    if (vouch::tpm::serialize(*sig) != vouch::to_bytes(in)) {
      std::abort();
    }
    (void)vouch::tpm::scheme_name(*sig);
  }
  return 0;
}
