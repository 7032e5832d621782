#pragma once

// Verification of Intel SGX DCAP quotes (v3, v4 and v5 with an SGX body) and of the OpenEnclave
// envelopes around them. The DCAP pipeline (evidence/dcap/verify.h) does the work; this module
// pins the TEE kind and exposes the enclave's report body.

#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "evidence/check_log.h"
#include "evidence/dcap/verify.h"
#include "evidence/sgx/openenclave.h"

namespace vouch::sgx {

// An SGX quote whose every check passed. Only verify_quote / verify_openenclave make one.
class VerifiedQuote {
 public:
  const dcap::VerifiedQuote& dcap() const noexcept { return dcap_; }
  // The enclave's report body (MRENCLAVE, MRSIGNER, attributes, report data, ...).
  const dcap::EnclaveReport& report() const noexcept { return *dcap::sgx_body(dcap_.quote()); }
  // Present when the quote came in an OpenEnclave report or evidence.
  const std::optional<OeEnvelope>& open_enclave() const noexcept { return oe_; }
  // SHA-256 of the OpenEnclave envelope (empty otherwise).
  const Bytes& open_enclave_digest() const noexcept { return oe_digest_; }

 private:
  friend Result<VerifiedQuote> verify_quote(const dcap::Verifier&, ByteSpan,
                                            const dcap::QuoteCollateral&,
                                            const dcap::VerifyOptions&, evidence::CheckLog&);
  friend Result<VerifiedQuote> verify_openenclave(const dcap::Verifier&, ByteSpan,
                                                  const dcap::QuoteCollateral&,
                                                  const dcap::VerifyOptions&, evidence::CheckLog&);
  explicit VerifiedQuote(dcap::VerifiedQuote q) : dcap_(std::move(q)) {}
  dcap::VerifiedQuote dcap_;
  std::optional<OeEnvelope> oe_;
  Bytes oe_digest_;
};

// Verifies an SGX quote (see dcap::Verifier::verify for the steps). A TDX quote fails with
// dcap.quote.kind.
[[nodiscard]] Result<VerifiedQuote> verify_quote(const dcap::Verifier& verifier, ByteSpan quote,
                                                 const dcap::QuoteCollateral& collateral,
                                                 const dcap::VerifyOptions& options,
                                                 evidence::CheckLog& log);

// Verifies an OpenEnclave report or evidence: parses the envelope (sgx.oe.*), verifies the SGX
// quote inside, and for evidence with custom claims checks that the quote's report data starts
// with SHA-256 of the custom claims buffer (sgx.oe.custom_claims.binding).
[[nodiscard]] Result<VerifiedQuote> verify_openenclave(const dcap::Verifier& verifier,
                                                       ByteSpan envelope,
                                                       const dcap::QuoteCollateral& collateral,
                                                       const dcap::VerifyOptions& options,
                                                       evidence::CheckLog& log);

}  // namespace vouch::sgx
