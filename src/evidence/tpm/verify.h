#pragma once

#include <map>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "crypto/x509.h"
#include "evidence/check_log.h"
#include "evidence/tpm/abi.h"
#include "evidence/tpm/ak.h"
#include "evidence/tpm/eventlog/eventlog.h"

namespace vouch::tpm {

// PCR values supplied with a quote: bank -> PCR index -> digest.
using PcrValues = std::map<crypto::HashAlg, std::map<std::uint32_t, Bytes>>;

// QuoteEvidence is what an attester sends: the quote, its signature, the PCR values it claims and,
// optionally, the TCG event log that should explain them.
struct QuoteEvidence {
  ByteSpan quote;      // TPMS_ATTEST or TPM2B_ATTEST
  ByteSpan signature;  // TPMT_SIGNATURE
  std::optional<PcrValues> pcrs;
  std::optional<ByteSpan> event_log;
};

// AkCertificate trusts the AK through an X.509 certificate that chains to configured anchors.
struct AkCertificate {
  crypto::Certificate certificate;
  const crypto::TrustStore* anchors = nullptr;  // required, not owned
  std::vector<crypto::Certificate> intermediates;
};

// QuoteVerifyOptions holds everything external to the evidence: the time, the expected nonce and
// how the AK is trusted. With no certificate, the caller pins the AK (it supplied the exact key).
struct QuoteVerifyOptions {
  Timestamp at;
  Bytes expected_nonce;  // compared byte for byte; empty means extraData must be empty
  std::optional<AkCertificate> ak_certificate;
};

// VerifiedQuote is a quote whose every check passed. Only verify_quote() makes one, so claims can
// only come from verified evidence.
class VerifiedQuote {
 public:
  const Attest& attest() const noexcept { return attest_; }
  const Signature& signature() const noexcept { return signature_; }
  const Ak& ak() const noexcept { return ak_; }
  // The AK certificate chain (leaf first) when the AK was trusted through a certificate.
  const std::vector<crypto::Certificate>& ak_chain() const noexcept { return ak_chain_; }
  // PCR values proven by the quote's pcrDigest (empty if none were supplied).
  const PcrValues& pcrs() const noexcept { return pcrs_; }
  // The event log facts, when a log was supplied and matched the quoted PCRs.
  const std::optional<eventlog::VerifiedLog>& event_log() const noexcept { return event_log_; }

 private:
  friend Result<VerifiedQuote> verify_quote(const Ak&, const QuoteEvidence&,
                                            const QuoteVerifyOptions&, evidence::CheckLog&);
  explicit VerifiedQuote(Ak ak) : ak_(std::move(ak)) {}
  Attest attest_;
  Signature signature_;
  Ak ak_;
  std::vector<crypto::Certificate> ak_chain_;
  PcrValues pcrs_;
  std::optional<eventlog::VerifiedLog> event_log_;
};

// Verifies a TPM 2.0 quote: parse; AK attributes; AK trust (certificate chain at options.at, or
// pinned); magic; signature by the AK; nonce (exact bytes); pcrDigest over the supplied PCR values;
// event log replay against the quoted PCRs. Every step is recorded in `log` (later steps as skipped
// after a failure). Returns the first failure with its check id (evidence/tpm/check_ids.h).
[[nodiscard]] Result<VerifiedQuote> verify_quote(const Ak& ak, const QuoteEvidence& evidence,
                                                 const QuoteVerifyOptions& options,
                                                 evidence::CheckLog& log);

// Computes TPMS_QUOTE_INFO.pcrDigest: H_hash(concatenation of the selected PCR values, banks in
// selection order, indices ascending). Fails with tpm.pcrs.missing when a value is absent or has
// the wrong size for its bank.
[[nodiscard]] Result<Bytes> compute_pcr_digest(crypto::HashAlg hash,
                                               const std::vector<PcrSelection>& selection,
                                               const PcrValues& values);

}  // namespace vouch::tpm
