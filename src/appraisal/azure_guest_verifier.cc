// The Azure guest attestation verifier (/attest/AzureGuest) as the pipeline sees it: the evidence
// is the AttestationInfo JSON (evidence/azure_cvm/guest_request.h). SevSnp requests are verified
// with the VcekCertChain they carry (as SevSnpVm is), Tdx requests with Intel collateral from the
// context's source for the TD quote. Nothing in the protocol binds runtimeData, initTimeData or a
// nonce other than the vTPM quote's extraData, so a RATS nonce is compared there and bound data
// is refused.

#include <array>
#include <cstdlib>
#include <memory>

#include "appraisal/check_ids.h"
#include "appraisal/verifier.h"
#include "collateral/amd_kds.h"
#include "collateral/intel_pcs.h"
#include "evidence/azure_cvm/guest_request.h"
#include "evidence/azure_cvm/guest_verify.h"
#include "evidence/dcap/verify.h"
#include "evidence/sevsnp/verify.h"

namespace vouch::appraisal {
namespace {

constexpr std::array<std::string_view, 1> kMediaTypes = {"application/vnd.vouch.azure-guest"};

class AzureGuestVerifier final : public EvidenceVerifier {
 public:
  AzureGuestVerifier(sevsnp::TrustAnchors anchors, std::shared_ptr<const dcap::Verifier> dcap)
      : snp_(std::move(anchors)), dcap_(std::move(dcap)) {}
  AttestationType type() const override { return AttestationType::kAzureGuest; }
  std::span<const std::string_view> media_types() const override { return kMediaTypes; }

  Result<VerifiedEvidence> verify(const EvidenceRequest& request, const VerifyContext& context,
                                  evidence::CheckLog& log) const override {
    if (request.runtime_data || request.inittime_data) {
      return tl::unexpected(
          log.fail(Error{ErrorKind::kInvalidArgument, checks::kBinding,
                         "AzureGuest evidence cannot bind runtimeData or initTimeData: the runtime "
                         "claims travel in IsolationInfo.Evidence.RunTimeData"}));
    }
    auto info = azure_cvm::parse_guest_attestation_info(request.evidence);
    if (!info) {
      return tl::unexpected(log.fail(std::move(info.error())));
    }
    azure_cvm::HardwareRoots roots;
    std::optional<collateral::SuppliedAmdKds> kds;
    std::optional<dcap::QuoteCollateral> collateral;
    switch (info->isolation.type) {
      case azure_cvm::IsolationType::kTrustedLaunch:
        break;  // verify_guest rejects it
      case azure_cvm::IsolationType::kSevSnp: {
        auto supplied = collateral::SuppliedAmdKds::from_pem_chain(
            as_bytes(info->isolation.vcek_cert_chain), context.amd_kds);
        if (!supplied) {
          return tl::unexpected(log.fail(std::move(supplied.error())
                                             .with_context("IsolationInfo.Evidence.Proof."
                                                           "VcekCertChain")));
        }
        kds.emplace(std::move(*supplied));
        roots.snp = &snp_;
        roots.amd_kds = &*kds;
        break;
      }
      case azure_cvm::IsolationType::kTdx: {
        if (context.intel_pcs == nullptr) {
          VOUCH_TRY(auto parsed, dcap::parse_quote(info->isolation.td_quote));
          (void)parsed;
          return tl::unexpected(
              log.fail(Error{ErrorKind::kCollateralUnavailable, checks::kNoCollateralSource,
                             "no Intel collateral source is configured on this node"}));
        }
        // The tenant's TCB baseline and stale grace apply as for TdxVm.
        auto fetched = dcap::fetch_collateral(*context.intel_pcs, info->isolation.td_quote,
                                              context.tcb_baseline);
        if (!fetched) {
          return tl::unexpected(log.fail(std::move(fetched.error())));
        }
        collateral = std::move(*fetched);
        roots.dcap = dcap_.get();
        roots.tdx_collateral = &*collateral;
        if (context.tcb_baseline.kind == ::vouch::collateral::TcbBaseline::Kind::kNumber) {
          roots.tdx_options.tcb_evaluation_data_number = context.tcb_baseline.number;
        }
        roots.tdx_options.stale_grace = context.collateral_stale_grace;
        break;
      }
    }
    const azure_cvm::GuestVerifyOptions options{context.at, request.nonce,
                                                context.require_revocation
                                                    ? sevsnp::RevocationMode::kRequire
                                                    : sevsnp::RevocationMode::kBestEffort};
    VOUCH_TRY(azure_cvm::VerifiedAzureGuest verified,
              azure_cvm::verify_guest(roots, *info, options, log));
    VerifiedEvidence out;
    out.claims = azure_cvm::to_claims(verified);
    if (info->isolation.type == azure_cvm::IsolationType::kTdx) {
      out.claims.set("dcap.tcb_baseline",
                     ::vouch::collateral::tcb_baseline_name(context.tcb_baseline));
    }
    // No x-ms-runtime: ClientPayload is not bound to the evidence (it is the claim
    // azure.guest.client_payload_unverified); the HCL runtime claims are inside x-ms-isolation-tee.
    return out;
  }

 private:
  sevsnp::Verifier snp_;
  std::shared_ptr<const dcap::Verifier> dcap_;
};

}  // namespace

std::unique_ptr<EvidenceVerifier> make_azure_guest_verifier(
    sevsnp::TrustAnchors anchors, std::shared_ptr<const dcap::Verifier> dcap) {
  return std::make_unique<AzureGuestVerifier>(std::move(anchors), std::move(dcap));
}

std::unique_ptr<EvidenceVerifier> make_azure_guest_verifier() {
  auto anchors = sevsnp::TrustAnchors::amd();
  auto dcap = dcap::Verifier::intel();
  if (!anchors || !dcap) {
    std::abort();  // the built-in AMD and Intel roots are part of the binary
  }
  return make_azure_guest_verifier(std::move(*anchors),
                                   std::make_shared<const dcap::Verifier>(std::move(*dcap)));
}

}  // namespace vouch::appraisal
