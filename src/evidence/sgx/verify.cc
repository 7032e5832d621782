#include "evidence/sgx/verify.h"

#include "crypto/digest.h"
#include "evidence/sgx/check_ids.h"

namespace vouch::sgx {

Result<VerifiedQuote> verify_quote(const dcap::Verifier& verifier, ByteSpan quote,
                                   const dcap::QuoteCollateral& collateral,
                                   const dcap::VerifyOptions& options, evidence::CheckLog& log) {
  VOUCH_TRY(dcap::VerifiedQuote q,
            verifier.verify(quote, dcap::TeeKind::kSgx, collateral, options, log));
  return VerifiedQuote(std::move(q));
}

Result<VerifiedQuote> verify_openenclave(const dcap::Verifier& verifier, ByteSpan envelope,
                                         const dcap::QuoteCollateral& collateral,
                                         const dcap::VerifyOptions& options,
                                         evidence::CheckLog& log) {
  auto parsed = parse_openenclave(envelope);
  if (!parsed) {
    return tl::unexpected(log.fail(std::move(parsed).error()));
  }
  log.pass(checks::kOpenEnclaveParse, parsed->format == OeFormat::kReport
                                          ? "OpenEnclave report (SGX remote)"
                                          : "OpenEnclave evidence (SGX ECDSA)");
  VOUCH_TRY(dcap::VerifiedQuote q,
            verifier.verify(parsed->quote, dcap::TeeKind::kSgx, collateral, options, log));
  VerifiedQuote out(std::move(q));
  if (!parsed->custom_claims_buffer.empty()) {
    const Bytes digest = crypto::digest(crypto::HashAlg::kSha256, parsed->custom_claims_buffer);
    if (!equal_bytes(ByteSpan(out.report().report_data).first(32), digest)) {
      return tl::unexpected(
          log.fail(Error{ErrorKind::kEvidenceRejected, checks::kOpenEnclaveBinding,
                         "the quote's report data does not start with SHA-256 "
                         "of the OpenEnclave custom claims"}));
    }
    log.pass(checks::kOpenEnclaveBinding, "report data binds the custom claims");
  }
  out.oe_digest_ = crypto::digest(crypto::HashAlg::kSha256, envelope);
  out.oe_ = std::move(*parsed);
  return out;
}

}  // namespace vouch::sgx
