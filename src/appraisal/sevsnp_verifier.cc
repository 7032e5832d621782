// The SEV-SNP verifier as the pipeline sees it: the raw 1184-byte report (optionally followed by
// the extended report's certificate table), the certificates that came with it, runtime data
// bound in REPORT_DATA and init-time data in HOST_DATA.

#include <array>
#include <cstdlib>

#include "appraisal/verifier.h"
#include "collateral/amd_kds.h"
#include "evidence/sevsnp/abi.h"
#include "evidence/sevsnp/claims.h"
#include "evidence/sevsnp/verify.h"

namespace vouch::appraisal {
namespace {

constexpr std::array<std::string_view, 1> kMediaTypes = {"application/vnd.vouch.sevsnp-report"};

collateral::SuppliedAmdKds::Certificates from_table(const sevsnp::CertTable& table) {
  collateral::SuppliedAmdKds::Certificates certs;
  auto take = [&](const sevsnp::Guid& guid) -> std::optional<Bytes> {
    const sevsnp::CertTableEntry* e = table.find(guid);
    return e != nullptr ? std::optional<Bytes>(e->data) : std::nullopt;
  };
  certs.vcek_der = take(sevsnp::kVcekGuid);
  certs.vlek_der = take(sevsnp::kVlekGuid);
  certs.intermediate_der = take(sevsnp::kAskGuid);
  certs.ark_der = take(sevsnp::kArkGuid);
  return certs;
}

class SevSnpVerifier final : public EvidenceVerifier {
 public:
  explicit SevSnpVerifier(sevsnp::TrustAnchors anchors) : verifier_(std::move(anchors)) {}
  AttestationType type() const override { return AttestationType::kSevSnpVm; }
  std::span<const std::string_view> media_types() const override { return kMediaTypes; }

  Result<VerifiedEvidence> verify(const EvidenceRequest& request, const VerifyContext& context,
                                  evidence::CheckLog& log) const override {
    // An extended report (SNP_GET_EXT_REPORT) is the report followed by its certificate table;
    // the table's VCEK/VLEK, ASK/ASVK and ARK stand in for certificates sent alongside.
    ByteSpan report(request.evidence);
    std::optional<collateral::SuppliedAmdKds> kds;
    if (report.size() > sevsnp::kReportSize && request.certificates_pem.empty()) {
      auto table = sevsnp::parse_cert_table(report.subspan(sevsnp::kReportSize));
      if (!table) {
        return tl::unexpected(log.fail(std::move(table.error())));
      }
      report = report.first(sevsnp::kReportSize);
      kds.emplace(from_table(*table), context.amd_kds);
    } else {
      auto supplied = collateral::SuppliedAmdKds::from_pem_chain(as_bytes(request.certificates_pem),
                                                                 context.amd_kds);
      if (!supplied) {
        return tl::unexpected(log.fail(std::move(supplied.error()).with_context("certificates")));
      }
      kds.emplace(std::move(*supplied));
    }
    sevsnp::VerifyOptions options{context.at, sevsnp::ReportDataBinding::not_required(),
                                  std::nullopt,
                                  context.require_revocation ? sevsnp::RevocationMode::kRequire
                                                             : sevsnp::RevocationMode::kBestEffort,
                                  std::nullopt};
    if (request.nonce || request.runtime_data) {
      Bytes expected = binding_digest(request.nonce, request.runtime_data);
      expected.resize(64, 0);
      options.report_data = sevsnp::ReportDataBinding::exact(expected);
    }
    if (request.inittime_data) {
      options.init_data = request.inittime_data->data;
    }
    VOUCH_TRY(sevsnp::VerifiedReport verified, verifier_.verify(report, *kds, options, log));
    VerifiedEvidence out;
    out.claims = sevsnp::to_claims(verified);
    out.maa_claims = sevsnp::maa_claims(verified);
    VOUCH_RETURN_IF_ERROR(apply_bound_data(request, out));
    return out;
  }

 private:
  sevsnp::Verifier verifier_;
};

}  // namespace

std::unique_ptr<EvidenceVerifier> make_sevsnp_verifier(sevsnp::TrustAnchors anchors) {
  return std::make_unique<SevSnpVerifier>(std::move(anchors));
}

std::unique_ptr<EvidenceVerifier> make_sevsnp_verifier() {
  auto anchors = sevsnp::TrustAnchors::amd();
  if (!anchors) {
    std::abort();  // the built-in AMD roots are part of the binary; failing to load them is a bug
  }
  return std::make_unique<SevSnpVerifier>(std::move(*anchors));
}

}  // namespace vouch::appraisal
