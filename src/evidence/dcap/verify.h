#pragma once

// Verification of Intel DCAP ECDSA quotes, shared by evidence/sgx and evidence/tdx:
//   quote parse -> collateral dates -> TCB Info and QE identity signatures and signing chains ->
//   PCK chain to the Intel SGX Root CA with the root CA and PCK CRLs -> QE report signature by
//   the PCK key -> QE report data binds the attestation key and QE authentication data ->
//   quote signature by the attestation key -> QE identity -> TCB Info applies (id, FMSPC,
//   PCE-ID) -> TDX module -> TCB level matching.
// Inputs are bytes and injected context (time, trust anchors, collateral); the result is a
// VerifiedQuote that only Verifier::verify can make. Owner policy (acceptable TCB statuses,
// debug enclaves, measurements) is not applied here.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "collateral/intel_pcs.h"
#include "crypto/x509.h"
#include "evidence/check_log.h"
#include "evidence/dcap/pck.h"
#include "evidence/dcap/qe_identity.h"
#include "evidence/dcap/quote.h"
#include "evidence/dcap/tcb.h"
#include "evidence/dcap/tcb_info.h"

namespace vouch::dcap {

enum class TeeKind : std::uint8_t { kSgx, kTdx };

// The collateral one quote needs, in Intel PCS form. Absent items fail verification with
// dcap.collateral.missing unless VerifyOptions::allow_missing_collateral is set.
struct QuoteCollateral {
  std::optional<collateral::IntelSignedJson> tcb_info;     // SGX or TDX TCB Info for the FMSPC
  std::optional<collateral::IntelSignedJson> qe_identity;  // QE (SGX) or TD_QE (TDX) identity
  std::optional<collateral::IntelCrl> pck_crl;             // of the PCK's issuing CA
  std::optional<collateral::IntelCrl> root_ca_crl;
};

// Fetches the collateral for a quote from `pcs`: parses the quote and the PCK certificate in its
// certification data (not yet verified) for the FMSPC and issuing CA. Errors of `pcs` pass
// through; a quote that cannot be read fails like parse_quote.
// The TCB Info and QE identity are requested for `baseline` (latest by default).
[[nodiscard]] Result<QuoteCollateral> fetch_collateral(
    collateral::IntelPcs& pcs, ByteSpan quote, const collateral::TcbBaseline& baseline = {});

struct VerifyOptions {
  VerifyOptions() = default;
  // NOLINTNEXTLINE(google-explicit-constructor): {at, allow_missing} reads as before
  VerifyOptions(Timestamp at_time, bool allow_missing = false)
      : at(at_time), allow_missing_collateral(allow_missing) {}

  Timestamp at;  // verification time (from the injected clock)
  // Verify without some collateral items: their checks are recorded as skipped and the items are
  // listed by VerifiedQuote::unchecked_collateral() (and the dcap.collateral.unchecked claim).
  // Off by default: a missing item fails with dcap.collateral.missing.
  bool allow_missing_collateral = false;
  // The tcbEvaluationDataNumber the TCB Info and QE identity must have (a pinned TCB baseline);
  // nullopt: any (latest or early). Otherwise dcap.collateral.baseline.
  std::optional<std::uint32_t> tcb_evaluation_data_number;
  // An item past its nextUpdate by at most this much still passes its validity check (the
  // collateral cache's stale grace); it is listed in VerifiedQuote::stale_collateral() and the
  // collateral.stale claims, so policy can refuse it. Zero: nextUpdate is a hard limit.
  std::chrono::seconds stale_grace{0};
};

// A collateral item used past its nextUpdate (inside VerifyOptions::stale_grace).
struct StaleCollateral {
  std::string item;  // "tcb_info", "qe_identity", "pck_crl", "root_ca_crl"
  std::chrono::seconds past_next_update{0};
};

// SHA-256 digests of the quote and the collateral it was verified with (empty when absent).
struct CollateralDigests {
  Bytes quote;  // the quote bytes up to the end of its signature data
  Bytes tcb_info;
  Bytes tcb_info_issuer_chain;
  Bytes qe_identity;
  Bytes qe_identity_issuer_chain;
  Bytes pck_crl;
  Bytes root_ca_crl;
};

// A quote whose every check passed. Only Verifier::verify makes one.
class VerifiedQuote {
 public:
  TeeKind tee() const noexcept { return tee_; }
  const Quote& quote() const noexcept { return quote_; }
  const QuoteLayout& layout() const noexcept { return layout_; }
  const PckCertificate& pck() const noexcept { return *pck_; }
  // Present when the TCB Info was supplied and checked.
  const TcbInfo* tcb_info() const noexcept { return tcb_info_.get(); }
  const std::optional<TcbEvaluation>& tcb() const noexcept { return tcb_; }
  // Present when the QE identity was supplied and checked.
  const EnclaveIdentity* qe_identity() const noexcept { return qe_identity_.get(); }
  const std::optional<QeIdentityEvaluation>& qe() const noexcept { return qe_; }
  // TDX only, when the TCB Info was checked.
  const std::optional<TdxModuleEvaluation>& tdx_module() const noexcept { return tdx_module_; }
  const CollateralDigests& digests() const noexcept { return digests_; }
  // Collateral items that were not supplied ("tcb_info", "qe_identity", "pck_crl",
  // "root_ca_crl"); empty for a full verification.
  const std::vector<std::string>& unchecked_collateral() const noexcept { return unchecked_; }
  // Items that were past their nextUpdate at verification time (inside the stale grace).
  const std::vector<StaleCollateral>& stale_collateral() const noexcept { return stale_; }
  Timestamp verified_at() const noexcept { return at_; }

 private:
  friend class Verifier;
  VerifiedQuote() = default;
  TeeKind tee_ = TeeKind::kSgx;
  Quote quote_;
  QuoteLayout layout_;
  std::shared_ptr<const PckCertificate> pck_;
  std::shared_ptr<const TcbInfo> tcb_info_;
  std::optional<TcbEvaluation> tcb_;
  std::shared_ptr<const EnclaveIdentity> qe_identity_;
  std::optional<QeIdentityEvaluation> qe_;
  std::optional<TdxModuleEvaluation> tdx_module_;
  CollateralDigests digests_;
  std::vector<std::string> unchecked_;
  std::vector<StaleCollateral> stale_;
  Timestamp at_;
};

// Verifier holds the trust anchors and the verification caches. Build one at startup and share
// it: verify() is thread-safe. Cached results (verified PCK chains with their parsed keys and
// extensions, verified TCB Info / QE identity signatures and signing chains, parsed CRLs) are
// keyed by SHA-256 of the exact input bytes and used only while the verification time lies
// inside the window in which the original check holds (the intersection of the certificates'
// and CRLs' validity periods), so a cache hit never changes a verdict.
class Verifier {
 public:
  struct Options {
    bool cache = true;                     // false: verify everything on every call
    std::size_t max_cache_entries = 4096;  // per cache; expired entries are dropped first
  };

  // Trusts Intel's SGX Root CA (built in: the 2049 issue and the earlier 2033 issue of the same
  // key).
  [[nodiscard]] static Result<Verifier> intel(Options options);
  [[nodiscard]] static Result<Verifier> intel() { return intel(Options{}); }
  // Trusts the given roots instead (test PKIs, private deployments).
  [[nodiscard]] static Result<Verifier> with_roots(std::vector<crypto::Certificate> roots,
                                                   Options options);
  [[nodiscard]] static Result<Verifier> with_roots(std::vector<crypto::Certificate> roots) {
    return with_roots(std::move(roots), Options{});
  }

  Verifier(Verifier&&) noexcept;
  Verifier& operator=(Verifier&&) noexcept;
  ~Verifier();

  // Verifies `quote` (which must be of kind `tee`, else dcap.quote.kind) against `collateral` at
  // options.at. Every step is recorded in `log`; later steps are recorded as skipped after a
  // failure. Returns the first failure with its check id (evidence/dcap/check_ids.h).
  [[nodiscard]] Result<VerifiedQuote> verify(ByteSpan quote, TeeKind tee,
                                             const QuoteCollateral& collateral,
                                             const VerifyOptions& options,
                                             evidence::CheckLog& log) const;

  // The trusted roots.
  const std::vector<crypto::Certificate>& roots() const noexcept;

 private:
  struct Impl;
  explicit Verifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Intel's SGX Root CA certificates built into Vouch.
std::vector<crypto::Certificate> intel_sgx_roots();

}  // namespace vouch::dcap
