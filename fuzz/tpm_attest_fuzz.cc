// TPMS_ATTEST / TPM2B_ATTEST parser: never crashes; whatever parses re-serializes to the same
// bytes.
#include <cstdlib>

#include "evidence/tpm/abi.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const vouch::ByteSpan in(data, size);
  if (auto a = vouch::tpm::parse_attest(in)) {
    if (vouch::tpm::serialize(*a) != vouch::to_bytes(in)) {
      std::abort();
    }
  }
  if (auto any = vouch::tpm::parse_attest_any(in)) {
    if (vouch::tpm::serialize(any->first) != any->second) {
      std::abort();
    }
  }
  return 0;
}
