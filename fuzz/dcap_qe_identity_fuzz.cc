// QE identity: the PCS envelope split and the enclaveIdentity body parser (a parsed body survives
// to_json), and QE identity matching against a fixed QE report.
#include <cstdlib>
#include <string_view>

#include "evidence/dcap/check_ids.h"
#include "evidence/dcap/qe_identity.h"
#include "evidence/dcap/signed_json.h"
#include "evidence/dcap/tcb.h"

namespace {

void check_body(std::string_view text) {
  using namespace vouch;
  auto id = dcap::parse_enclave_identity(text);
  if (!id) {
    return;
  }
  auto back = dcap::parse_enclave_identity(dcap::to_json(*id));
  if (!back || !(*back == *id)) {
    std::abort();
  }
  dcap::EnclaveReport report;
  report.mr_signer = id->mrsigner;
  report.isv_prod_id = id->isv_prod_id;
  report.isv_svn = 5;
  (void)dcap::evaluate_qe_identity(*id, report);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vouch;
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  if (auto sj = dcap::split_signed_json(text, "enclaveIdentity", dcap::checks::kQeIdentityFormat)) {
    auto again = dcap::split_signed_json(dcap::join_signed_json("enclaveIdentity", *sj),
                                         "enclaveIdentity", dcap::checks::kQeIdentityFormat);
    if (!again || again->body != sj->body || again->signature != sj->signature) {
      std::abort();
    }
    check_body(sj->body);
  }
  check_body(text);
  return 0;
}
