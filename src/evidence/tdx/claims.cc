#include "evidence/tdx/claims.h"

#include <string>

#include "evidence/dcap/claims.h"

namespace vouch::tdx {
namespace {

// TDATTRIBUTES bits (8 bytes, little-endian; Intel TDX module ABI "TDATTRIBUTES").
constexpr std::uint64_t kDebug = 1ull << 0;
constexpr std::uint64_t kSeptVeDisable = 1ull << 28;
constexpr std::uint64_t kPks = 1ull << 30;
constexpr std::uint64_t kKeyLocker = 1ull << 31;
constexpr std::uint64_t kPerfmon = 1ull << 63;

Bytes bytes(ByteSpan b) {
  return to_bytes(b);
}

// Sets a claim under its canonical and its MAA name.
void both(claims::ClaimSet& out, const char* canonical, const char* maa, claims::ClaimValue v) {
  out.set(maa, v);
  out.set(canonical, std::move(v));
}

}  // namespace

claims::ClaimSet to_claims(const VerifiedQuote& quote) {
  claims::ClaimSet out;
  const dcap::Td10Report& r = quote.report();
  std::uint64_t attributes = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    attributes |= static_cast<std::uint64_t>(r.td_attributes[i]) << (8 * i);
  }
  both(out, "tdx.mr_td", "tdx_mrtd", bytes(r.mr_td));
  const char* canonical_rtmr[] = {"tdx.rtmr0", "tdx.rtmr1", "tdx.rtmr2", "tdx.rtmr3"};
  const char* maa_rtmr[] = {"tdx_rtmr0", "tdx_rtmr1", "tdx_rtmr2", "tdx_rtmr3"};
  for (std::size_t i = 0; i < r.rtmr.size(); ++i) {
    both(out, canonical_rtmr[i], maa_rtmr[i], bytes(r.rtmr[i]));
  }
  both(out, "tdx.mr_config_id", "tdx_mrconfigid", bytes(r.mr_config_id));
  both(out, "tdx.mr_owner", "tdx_mrowner", bytes(r.mr_owner));
  both(out, "tdx.mr_owner_config", "tdx_mrownerconfig", bytes(r.mr_owner_config));
  both(out, "tdx.mr_seam", "tdx_mrseam", bytes(r.mr_seam));
  both(out, "tdx.mr_signer_seam", "tdx_mrsignerseam", bytes(r.mr_signer_seam));
  both(out, "tdx.seam_attributes", "tdx_seam_attributes", bytes(r.seam_attributes));
  both(out, "tdx.td_attributes", "tdx_td_attributes", bytes(r.td_attributes));
  both(out, "tdx.td_attributes.debug", "tdx_td_attributes_debug", (attributes & kDebug) != 0);
  both(out, "tdx.td_attributes.sept_ve_disable", "tdx_td_attributes_septve_disable",
       (attributes & kSeptVeDisable) != 0);
  both(out, "tdx.td_attributes.protection_keys", "tdx_td_attributes_protection_keys",
       (attributes & kPks) != 0);
  both(out, "tdx.td_attributes.key_locker", "tdx_td_attributes_key_locker",
       (attributes & kKeyLocker) != 0);
  both(out, "tdx.td_attributes.perfmon", "tdx_td_attributes_perfmon", (attributes & kPerfmon) != 0);
  both(out, "tdx.xfam", "tdx_xfam", bytes(r.xfam));
  both(out, "tdx.tee_tcb_svn", "tdx_tee_tcb_svn", bytes(r.tee_tcb_svn));
  both(out, "tdx.report_data", "tdx_report_data", bytes(r.report_data));
  out.set("tdx_seamsvn",
          static_cast<std::int64_t>((std::int64_t{r.tee_tcb_svn[1]} << 8) | r.tee_tcb_svn[0]));
  if (const dcap::Td15Report* r15 = quote.report15()) {
    out.set("tdx.tee_tcb_svn2", bytes(r15->tee_tcb_svn2));
    out.set("tdx.mr_service_td", bytes(r15->mr_service_td));
  }

  dcap::add_claims(quote.dcap(), out);
  if (quote.dcap().tcb()) {
    out.set("attester_tcb_status", std::string(dcap::tcb_status_name(quote.dcap().tcb()->status)));
  }
  if (quote.rtmr_replay()) {
    claims::ClaimList verified;
    for (std::uint32_t i : quote.rtmr_replay()->verified) {
      verified.emplace_back(static_cast<std::int64_t>(i));
    }
    out.set("tdx.rtmrs_verified", std::move(verified));
  }
  return out;
}

}  // namespace vouch::tdx
