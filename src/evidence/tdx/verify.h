#pragma once

// Verification of Intel TDX DCAP quotes (v4 with a TD 1.0 body, v5 with a TD 1.0 or 1.5 body) and,
// optionally, of a Confidential Computing Event Log (CCEL) against the quote's RTMRs. The DCAP
// pipeline (evidence/dcap/verify.h) verifies the quote; this module pins the TEE kind, exposes the
// TD report and replays the log.

#include <array>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "evidence/check_log.h"
#include "evidence/dcap/verify.h"

namespace vouch::tdx {

// What a TD sends: its quote and, optionally, its CCEL (the ACPI CCEL table's log area; fixed-size
// buffers with trailing padding are accepted).
struct TdxEvidence {
  ByteSpan quote;
  std::optional<ByteSpan> ccel;
};

// What a CCEL replay proved about the quote's RTMRs.
struct RtmrReplay {
  // RTMR indices (0-3) whose quoted value equals the replay: those the log extends, and those it
  // never extends whose quoted value is still all zeros.
  std::vector<std::uint32_t> verified;
  // RTMR indices the log never extends although the quote's value is not zero (extended by
  // software that logs elsewhere): the log says nothing about them.
  std::vector<std::uint32_t> not_covered;
  std::size_t num_events = 0;
};

// A TDX quote whose every check passed. Only verify_quote makes one.
class VerifiedQuote {
 public:
  const dcap::VerifiedQuote& dcap() const noexcept { return dcap_; }
  // The TD 1.0 report (also the first part of a TD 1.5 body).
  const dcap::Td10Report& report() const noexcept { return *dcap::td_body(dcap_.quote()); }
  // The TD 1.5 body, or nullptr for TD 1.0.
  const dcap::Td15Report* report15() const noexcept { return dcap::td15_body(dcap_.quote()); }
  // Present when a CCEL was supplied and matched.
  const std::optional<RtmrReplay>& rtmr_replay() const noexcept { return replay_; }

 private:
  friend Result<VerifiedQuote> verify_quote(const dcap::Verifier&, const TdxEvidence&,
                                            const dcap::QuoteCollateral&,
                                            const dcap::VerifyOptions&, evidence::CheckLog&);
  explicit VerifiedQuote(dcap::VerifiedQuote q) : dcap_(std::move(q)) {}
  dcap::VerifiedQuote dcap_;
  std::optional<RtmrReplay> replay_;
};

// Verifies a TDX quote (see dcap::Verifier::verify for the steps; an SGX quote fails with
// dcap.quote.kind), then, when evidence.ccel is present, replays the log (SHA-384; MR index 1..4
// = RTMR0..3) and compares every RTMR it extends with the verified quote (tdx.ccel.rtmr naming
// the RTMR and both values; tdx.ccel.bank when the log has no SHA-384 bank; log parse errors keep
// their tpm.eventlog.* ids).
[[nodiscard]] Result<VerifiedQuote> verify_quote(const dcap::Verifier& verifier,
                                                 const TdxEvidence& evidence,
                                                 const dcap::QuoteCollateral& collateral,
                                                 const dcap::VerifyOptions& options,
                                                 evidence::CheckLog& log);

// Replays a CCEL and compares it with RTMR values (the pure part of the check above).
[[nodiscard]] Result<RtmrReplay> replay_ccel(ByteSpan ccel, const std::array<dcap::Mr48, 4>& rtmrs);

}  // namespace vouch::tdx
