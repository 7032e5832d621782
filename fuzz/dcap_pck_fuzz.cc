// The PCK certificate's SGX extension (DER): never crashes; whatever parses re-encodes to the
// same bytes (the parser accepts only minimal DER in the canonical member order).
#include <cstdlib>

#include "evidence/dcap/pck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vouch;
  const ByteSpan in(data, size);
  if (auto ext = dcap::parse_pck_extensions(in)) {
    if (!equal_bytes(dcap::serialize(*ext), in)) {
      std::abort();
    }
  }
  return 0;
}
