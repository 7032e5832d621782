// TPMT_PUBLIC, TPM2B_PUBLIC and the AK loader (which also tries PEM/DER keys): round trips, and
// key import and Name computation on whatever parses.
#include <cstdlib>

#include "evidence/tpm/abi.h"
#include "evidence/tpm/ak.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const vouch::ByteSpan in(data, size);
  if (auto pub = vouch::tpm::parse_public(in)) {
    if (vouch::tpm::serialize(*pub) != vouch::to_bytes(in)) {
      std::abort();
    }
    (void)vouch::tpm::object_name(*pub);
    (void)vouch::tpm::to_public_key(*pub);
  }
  (void)vouch::tpm::parse_public_2b(in);
  (void)vouch::tpm::load_ak(in);
  return 0;
}
