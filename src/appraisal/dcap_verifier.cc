// The Intel SGX (SgxEnclave, OpenEnclave) and TDX verifiers as the pipeline sees them: the quote
// (or OpenEnclave report/evidence), collateral from the context's Intel PCS source, runtime data
// bound in the first 32 bytes of REPORT_DATA as Azure Attestation binds it, init-time data in
// the SGX CONFIGID or TDX MRCONFIGID.

#include <array>
#include <cstdlib>
#include <memory>

#include "appraisal/check_ids.h"
#include "appraisal/verifier.h"
#include "collateral/intel_pcs.h"
#include "crypto/digest.h"
#include "evidence/dcap/verify.h"
#include "evidence/sgx/claims.h"
#include "evidence/sgx/verify.h"
#include "evidence/tdx/claims.h"
#include "evidence/tdx/verify.h"

namespace vouch::appraisal {
namespace {

constexpr std::array<std::string_view, 1> kSgxMediaTypes = {"application/vnd.vouch.sgx-quote"};
constexpr std::array<std::string_view, 1> kOeMediaTypes = {"application/vnd.vouch.openenclave"};
constexpr std::array<std::string_view, 1> kTdxMediaTypes = {"application/vnd.vouch.tdx-quote"};

Error binding_error(std::string detail) {
  return Error{ErrorKind::kEvidenceRejected, checks::kBinding, std::move(detail)};
}

// The first 32 bytes of `field` must be binding_digest(nonce, runtime); a request that binds
// nothing checks nothing.
Status check_report_data(ByteSpan field, const EvidenceRequest& request) {
  if (!request.nonce && !request.runtime_data) {
    return {};
  }
  const Bytes expected = binding_digest(request.nonce, request.runtime_data);
  if (!std::equal(expected.begin(), expected.end(), field.begin())) {
    return tl::unexpected(binding_error(
        "REPORT_DATA[0:32] is not SHA-256 of the nonce and runtime data the request binds"));
  }
  return {};
}

Status check_init_data(ByteSpan field, const EvidenceRequest& request, std::string_view name) {
  if (!request.inittime_data) {
    return {};
  }
  const Bytes expected = crypto::digest(crypto::HashAlg::kSha256, request.inittime_data->data);
  if (!std::equal(expected.begin(), expected.end(), field.begin())) {
    return tl::unexpected(
        binding_error(std::string(name) + "[0:32] is not SHA-256 of the init-time data"));
  }
  return {};
}

Result<dcap::QuoteCollateral> collateral_for(const VerifyContext& context, ByteSpan quote) {
  if (context.intel_pcs == nullptr) {
    // Malformed quotes are still the caller's fault; a well-formed one the node cannot judge
    // without collateral is unavailable (503), not bad evidence.
    VOUCH_TRY(auto parsed, dcap::parse_quote(quote));
    (void)parsed;
    return tl::unexpected(Error{ErrorKind::kCollateralUnavailable, checks::kNoCollateralSource,
                                "no Intel collateral source is configured on this node"});
  }
  return dcap::fetch_collateral(*context.intel_pcs, quote, context.tcb_baseline);
}

class DcapVerifier final : public EvidenceVerifier {
 public:
  DcapVerifier(std::shared_ptr<const dcap::Verifier> dcap, AttestationType type)
      : dcap_(std::move(dcap)), type_(type) {}
  AttestationType type() const override { return type_; }
  std::span<const std::string_view> media_types() const override {
    switch (type_) {
      case AttestationType::kOpenEnclave:
        return kOeMediaTypes;
      case AttestationType::kTdxVm:
        return kTdxMediaTypes;
      default:
        return kSgxMediaTypes;
    }
  }

  Result<VerifiedEvidence> verify(const EvidenceRequest& request, const VerifyContext& context,
                                  evidence::CheckLog& log) const override {
    dcap::VerifyOptions options{context.at, false};
    if (context.tcb_baseline.kind == collateral::TcbBaseline::Kind::kNumber) {
      options.tcb_evaluation_data_number = context.tcb_baseline.number;
    }
    options.stale_grace = context.collateral_stale_grace;
    const std::string baseline = collateral::tcb_baseline_name(context.tcb_baseline);
    VerifiedEvidence out;
    if (type_ == AttestationType::kTdxVm) {
      VOUCH_TRY(dcap::QuoteCollateral collateral, collateral_for(context, request.evidence));
      VOUCH_TRY(tdx::VerifiedQuote quote,
                tdx::verify_quote(*dcap_, tdx::TdxEvidence{request.evidence, std::nullopt},
                                  collateral, options, log));
      VOUCH_RETURN_IF_ERROR(
          check_report_data(quote.report().report_data, request).map_error([&](Error e) {
            return log.fail(std::move(e));
          }));
      VOUCH_RETURN_IF_ERROR(check_init_data(quote.report().mr_config_id, request, "MRCONFIGID")
                                .map_error([&](Error e) { return log.fail(std::move(e)); }));
      out.claims = tdx::to_claims(quote);
      out.claims.set("dcap.tcb_baseline", baseline);
    } else {
      // OpenEnclave envelopes carry the quote inside; collateral is fetched for that quote.
      std::optional<sgx::VerifiedQuote> quote;
      if (type_ == AttestationType::kOpenEnclave) {
        VOUCH_TRY(sgx::OeEnvelope envelope, sgx::parse_openenclave(request.evidence));
        VOUCH_TRY(dcap::QuoteCollateral collateral, collateral_for(context, envelope.quote));
        VOUCH_TRY(quote,
                  sgx::verify_openenclave(*dcap_, request.evidence, collateral, options, log));
      } else {
        VOUCH_TRY(dcap::QuoteCollateral collateral, collateral_for(context, request.evidence));
        VOUCH_TRY(quote, sgx::verify_quote(*dcap_, request.evidence, collateral, options, log));
      }
      VOUCH_RETURN_IF_ERROR(
          check_report_data(quote->report().report_data, request).map_error([&](Error e) {
            return log.fail(std::move(e));
          }));
      VOUCH_RETURN_IF_ERROR(
          check_init_data(quote->report().config_id, request, "CONFIGID").map_error([&](Error e) {
            return log.fail(std::move(e));
          }));
      out.claims = sgx::to_claims(*quote);
      out.claims.set("dcap.tcb_baseline", baseline);
      // MAA's configuration property, echoed so relying parties see the baseline used.
      out.claims.set("x-ms-sgx-tcbidentifier", baseline);
    }
    VOUCH_RETURN_IF_ERROR(apply_bound_data(request, out));
    return out;
  }

 private:
  std::shared_ptr<const dcap::Verifier> dcap_;
  AttestationType type_;
};

}  // namespace

void add_dcap_verifiers(VerifierRegistry& registry, std::vector<crypto::Certificate> roots) {
  auto made =
      roots.empty() ? dcap::Verifier::intel() : dcap::Verifier::with_roots(std::move(roots));
  if (!made) {
    std::abort();  // the built-in Intel roots are part of the binary; failing to load them is a bug
  }
  auto shared = std::make_shared<const dcap::Verifier>(std::move(*made));
  registry.add(std::make_unique<DcapVerifier>(shared, AttestationType::kSgxEnclave));
  registry.add(std::make_unique<DcapVerifier>(shared, AttestationType::kOpenEnclave));
  registry.add(std::make_unique<DcapVerifier>(shared, AttestationType::kTdxVm));
}

}  // namespace vouch::appraisal
