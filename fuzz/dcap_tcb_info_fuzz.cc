// TCB Info: the PCS envelope split ({"tcbInfo": ..., "signature": ...}) and the body parser. The
// split is stable under join; a parsed body survives to_json; TCB level matching over any parsed
// TCB Info never crashes.
#include <cstdlib>
#include <string_view>

#include "evidence/dcap/check_ids.h"
#include "evidence/dcap/signed_json.h"
#include "evidence/dcap/tcb.h"
#include "evidence/dcap/tcb_info.h"

namespace {

void check_body(std::string_view text, const std::uint8_t* data, std::size_t size) {
  using namespace vouch;
  auto info = dcap::parse_tcb_info(text);
  if (!info) {
    return;
  }
  auto back = dcap::parse_tcb_info(dcap::to_json(*info));
  if (!back || !(*back == *info)) {
    std::abort();
  }
  // Match a platform whose SVNs come from the input bytes.
  dcap::PckTcb pck;
  for (std::size_t i = 0; i < pck.sgx_svns.size() && i < size; ++i) {
    pck.sgx_svns[i] = data[i];
  }
  pck.pce_svn = size > 16 ? data[16] : 0;
  dcap::TdxTcbInput tdx;
  tdx.quote_version = 5;
  tdx.tee_tcb_svn = pck.sgx_svns;
  tdx.tee_tcb_svn2 = pck.sgx_svns;
  auto module = dcap::evaluate_tdx_module(*info, tdx);
  (void)dcap::evaluate_tcb(*info, pck, info->id == dcap::TcbInfoId::kTdx ? &tdx : nullptr,
                           module ? &*module : nullptr, nullptr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace vouch;
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  if (auto sj = dcap::split_signed_json(text, "tcbInfo", dcap::checks::kTcbInfoFormat)) {
    auto again = dcap::split_signed_json(dcap::join_signed_json("tcbInfo", *sj), "tcbInfo",
                                         dcap::checks::kTcbInfoFormat);
    if (!again || again->body != sj->body || again->signature != sj->signature) {
      std::abort();
    }
    check_body(sj->body, data, size);
  }
  check_body(text, data, size);
  return 0;
}
