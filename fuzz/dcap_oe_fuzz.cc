// OpenEnclave report / evidence envelopes: never crash; whatever parses re-serializes to the same
// bytes.
#include <cstdlib>

#include "evidence/sgx/openenclave.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vouch;
  const ByteSpan in(data, size);
  if (auto oe = sgx::parse_openenclave(in)) {
    if (oe->format == sgx::OeFormat::kReport) {
      if (!equal_bytes(sgx::serialize_oe_report(oe->quote), in)) {
        std::abort();
      }
    } else if (!oe->custom_claims_buffer.empty() &&
               !equal_bytes(sgx::serialize_oe_custom_claims(oe->custom_claims),
                            oe->custom_claims_buffer)) {
      std::abort();
    } else if (!oe->custom_claims.empty() &&
               !equal_bytes(sgx::serialize_oe_evidence(oe->quote, oe->custom_claims), in)) {
      std::abort();
    }
  }
  return 0;
}
