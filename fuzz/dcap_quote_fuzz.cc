// DCAP quote parser (v3, v4, v5): never crashes; whatever parses re-serializes to exactly the bytes
// it used, with a layout inside them. Also the 384-byte report body parser.
#include <cstdlib>

#include "evidence/dcap/quote.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vouch;
  const ByteSpan in(data, size);
  if (auto q = dcap::parse_quote(in)) {
    const dcap::QuoteLayout& l = q->layout;
    if (l.used_len > size || l.signed_len >= l.used_len ||
        l.qe_report_offset + dcap::kEnclaveReportSize > l.used_len) {
      std::abort();
    }
    if (!equal_bytes(dcap::serialize(q->quote), in.first(l.used_len))) {
      std::abort();
    }
    const bool sgx = dcap::sgx_body(q->quote) != nullptr;
    const bool tdx = dcap::td_body(q->quote) != nullptr;
    if (sgx == tdx || (dcap::header_of(q->quote).tee_type == dcap::kTeeTypeTdx) != tdx) {
      std::abort();
    }
    const auto& qe = dcap::auth_of(q->quote).qe.qe_report;
    if (!equal_bytes(dcap::serialize(qe),
                     in.subspan(l.qe_report_offset, dcap::kEnclaveReportSize))) {
      std::abort();
    }
  }
  if (auto r = dcap::parse_enclave_report(in)) {
    if (!equal_bytes(dcap::serialize(*r), in)) {
      std::abort();
    }
  }
  return 0;
}
