// SEV-SNP ATTESTATION_REPORT parser: never crashes; whatever parses re-serializes to the same
// bytes; the decoded policy and signer info re-encode to the raw fields.
#include <cstdlib>

#include "evidence/sevsnp/abi.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const vouch::ByteSpan in(data, size);
  auto r = vouch::sevsnp::parse_report(in);
  if (r) {
    if (vouch::sevsnp::serialize(*r) != vouch::to_bytes(in)) {
      std::abort();
    }
    if (vouch::sevsnp::encode_guest_policy(vouch::sevsnp::guest_policy(*r)) != r->policy ||
        vouch::sevsnp::encode_signer_info(vouch::sevsnp::signer_info(*r)) != r->signer_info) {
      std::abort();
    }
  }
  return 0;
}
