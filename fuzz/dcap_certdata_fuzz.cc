// QE report certification data (the payload of certification data type 6): never crashes;
// whatever parses re-serializes to the same bytes.
#include <cstdlib>

#include "evidence/dcap/quote.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vouch;
  const ByteSpan in(data, size);
  if (auto c = dcap::parse_qe_report_certification_data(in)) {
    if (!equal_bytes(dcap::serialize(*c), in)) {
      std::abort();
    }
  }
  return 0;
}
