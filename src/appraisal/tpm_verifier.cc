// The TPM 2.0 verifier as the pipeline sees it: the evidence is Vouch's TPM bundle
// (evidence/tpm/bundle.h); the AK is trusted through the tenant's AK anchors or enrolment.

#include <array>

#include "appraisal/check_ids.h"
#include "appraisal/verifier.h"
#include "evidence/tpm/ak.h"
#include "evidence/tpm/bundle.h"
#include "evidence/tpm/check_ids.h"
#include "evidence/tpm/claims.h"
#include "evidence/tpm/verify.h"

namespace vouch::appraisal {
namespace {

constexpr std::array<std::string_view, 1> kMediaTypes = {tpm::kBundleMediaType};

class TpmVerifier final : public EvidenceVerifier {
 public:
  AttestationType type() const override { return AttestationType::kTpm; }
  std::span<const std::string_view> media_types() const override { return kMediaTypes; }

  Result<VerifiedEvidence> verify(const EvidenceRequest& request, const VerifyContext& context,
                                  evidence::CheckLog& log) const override {
    // extraData binds the nonce and runtime data; nothing in a quote binds init-time data, so it
    // is refused rather than echoed, unbound, as x-ms-inittime in a signed token.
    if (request.inittime_data) {
      return tl::unexpected(log.fail(Error{ErrorKind::kInvalidArgument, checks::kBinding,
                                           "a TPM quote cannot bind initTimeData"}));
    }
    const std::string_view text(reinterpret_cast<const char*>(request.evidence.data()),  // NOLINT
                                request.evidence.size());
    auto bundle = tpm::parse_bundle(text);
    if (!bundle) {
      return tl::unexpected(log.fail(std::move(bundle.error())));
    }
    // The AK: its public area when sent (attributes can be checked), else the certificate's key.
    std::optional<crypto::Certificate> leaf;
    std::vector<crypto::Certificate> intermediates;
    for (std::size_t i = 0; i < bundle->ak_certificate_chain.size(); ++i) {
      auto cert = crypto::Certificate::from_der(bundle->ak_certificate_chain[i]);
      if (!cert) {
        return tl::unexpected(
            log.fail(std::move(cert.error()).with_context("ak_certificate_chain")));
      }
      if (i == 0) {
        leaf = std::move(*cert);
      } else {
        intermediates.push_back(std::move(*cert));
      }
    }
    std::optional<tpm::Ak> ak;
    if (bundle->ak_public) {
      auto loaded = tpm::load_ak(*bundle->ak_public);
      if (!loaded) {
        return tl::unexpected(log.fail(std::move(loaded.error()).with_context("ak_public")));
      }
      ak = std::move(*loaded);
    } else {
      auto key = leaf->public_key();
      if (!key) {
        return tl::unexpected(log.fail(std::move(key.error()).with_context("AK certificate")));
      }
      ak = tpm::Ak{std::move(*key), std::nullopt};
    }
    tpm::QuoteVerifyOptions options{context.at, expected_extra_data(request), std::nullopt};
    if (leaf) {
      if (context.trust.tpm_ak_anchors == nullptr) {
        return tl::unexpected(log.fail(Error{ErrorKind::kEvidenceRejected, checks::kTpmAkUntrusted,
                                             "the tenant has no TPM AK trust anchors configured"}));
      }
      options.ak_certificate =
          tpm::AkCertificate{*leaf, context.trust.tpm_ak_anchors, std::move(intermediates)};
    } else if (auto name = tpm::registration_name(*ak);
               !name || !context.trust.ak_is_enrolled || !context.trust.ak_is_enrolled(*name)) {
      return tl::unexpected(log.fail(Error{ErrorKind::kEvidenceRejected, checks::kTpmAkUntrusted,
                                           "the AK has no certificate and is not enrolled for "
                                           "this tenant"}));
    }
    tpm::QuoteEvidence ev{bundle->quote, bundle->signature, bundle->pcrs, std::nullopt};
    if (bundle->event_log) {
      ev.event_log = ByteSpan(*bundle->event_log);
    }
    VOUCH_TRY(tpm::VerifiedQuote quote, tpm::verify_quote(*ak, ev, options, log));
    VerifiedEvidence out;
    out.claims = tpm::to_claims(quote);
    VOUCH_RETURN_IF_ERROR(apply_bound_data(request, out));
    return out;
  }

 private:
  // extraData carries the raw nonce when only a nonce is bound, SHA-256(nonce || runtime data)
  // when runtime data is, and nothing when neither is.
  static Bytes expected_extra_data(const EvidenceRequest& request) {
    if (request.runtime_data) {
      return binding_digest(request.nonce, request.runtime_data);
    }
    return request.nonce.value_or(Bytes{});
  }
};

}  // namespace

std::unique_ptr<EvidenceVerifier> make_tpm_verifier() {
  return std::make_unique<TpmVerifier>();
}

}  // namespace vouch::appraisal
