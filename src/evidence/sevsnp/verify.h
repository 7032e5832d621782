#pragma once

// SEV-SNP report verification: ARK (RSA-4096, PSS) -> ASK or ASVK -> VCEK or VLEK (P-384) at an
// injected time, the KDS extensions against the report, the CRL through the collateral source, the
// report signature over [0, 0x2A0), and the report-data and host-data bindings by exact bytes.
// Owner decisions (minimum TCB, measurements, debug, VMPL) are policy over the claims, never here.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "collateral/amd_kds.h"
#include "crypto/x509.h"
#include "evidence/check_log.h"
#include "evidence/sevsnp/abi.h"
#include "evidence/sevsnp/p384.h"
#include "evidence/sevsnp/vek.h"

namespace vouch::sevsnp {

// ProductRoots is what a deployment trusts for one product line: its ARK (the anchor) and the
// ASK and/or ASVK it already knows (more can come from the collateral source or the evidence).
struct ProductRoots {
  AmdProduct product;
  crypto::Certificate ark;
  std::vector<crypto::Certificate> intermediates;
};

// TrustAnchors holds the roots per product. Build once at start-up and share between threads.
class TrustAnchors {
 public:
  struct Entry {
    crypto::Certificate ark;
    crypto::TrustStore store;  // the ARK alone (revocation checks, fetched intermediates)
    // The ARK and the configured intermediates whose signature by the ARK was checked when the
    // anchors were built: a VEK chain then costs one RSA verification instead of two.
    crypto::TrustStore fast_store;
    std::vector<crypto::Certificate> intermediates;
    std::string ark_cn;  // subject CNs, computed once
    std::vector<std::string> intermediate_cns;
  };
  // Anchors from explicit roots (tests, pinned deployments). Fails with snp.options
  // (kInvalidArgument) when a product repeats.
  [[nodiscard]] static Result<TrustAnchors> create(const std::vector<ProductRoots>& roots);
  // AMD's ARK, ASK and ASVK of Milan, Genoa and Turin, compiled in (evidence/sevsnp/amd_roots.inc).
  [[nodiscard]] static Result<TrustAnchors> amd();
  // The roots of `product`, or nullptr.
  const Entry* find(AmdProduct product) const noexcept;

 private:
  std::map<AmdProduct, Entry> entries_;
};

// How the CRL is consulted; the mode is always reported (claim snp.revocation.mode).
enum class RevocationMode : std::uint8_t {
  kRequire,     // no usable CRL -> kRevocationUnavailable
  kBestEffort,  // no CRL -> continue, claim snp.revocation.checked = false
  kSkip,        // never consulted (claim snp.revocation.checked = false)
};
std::string_view revocation_mode_name(RevocationMode m) noexcept;  // "require", ...

// ReportDataBinding says what REPORT_DATA must hold: exactly these 64 bytes, or (explicitly)
// anything. There is no padding and no truncation: an expected value of another length is the
// caller's error (snp.options, kInvalidArgument).
class ReportDataBinding {
 public:
  static ReportDataBinding exact(ByteSpan expected) {
    return ReportDataBinding(Bytes(expected.begin(), expected.end()));
  }
  static ReportDataBinding not_required() { return ReportDataBinding(std::nullopt); }
  // MAA's rule for runtimeData: SHA-256(data) followed by 32 zero bytes.
  static ReportDataBinding sha256_of(ByteSpan runtime_data);
  const std::optional<Bytes>& expected() const noexcept { return expected_; }

 private:
  explicit ReportDataBinding(std::optional<Bytes> e) : expected_(std::move(e)) {}
  std::optional<Bytes> expected_;
};

// VerifyOptions are the per-request inputs besides the report and the collateral source.
struct VerifyOptions {
  Timestamp at;                    // certificate validity time (injected clock)
  ReportDataBinding report_data;   // required, or explicitly not
  std::optional<Bytes> init_data;  // confidential containers: SHA-256(init_data)
                                   // must equal HOST_DATA (the policy)
  RevocationMode revocation = RevocationMode::kRequire;
  std::optional<AmdProduct> product;  // product line of a v2 report (no CPUID) when
                                      // no certificate names it
};

// Where the product line came from.
enum class ProductSource : std::uint8_t { kCpuid, kCertificate, kOption };
std::string_view product_source_name(ProductSource s) noexcept;  // "cpuid", "certificate", "option"

// VerifiedReport is a report whose every check passed. Only Verifier::verify makes one, so claims
// can only come from verified evidence.
class VerifiedReport {
 public:
  const Report& report() const noexcept { return report_; }
  AmdProduct product() const noexcept { return product_; }
  ProductSource product_source() const noexcept { return product_source_; }
  AmdKeyKind vek_kind() const noexcept { return vek_kind_; }
  const VekExtensions& vek() const noexcept { return *vek_; }
  collateral::AmdSource vek_source() const noexcept { return vek_source_; }
  Timestamp vek_not_after() const noexcept { return vek_not_after_; }
  bool report_data_bound() const noexcept { return report_data_bound_; }
  RevocationMode revocation_mode() const noexcept { return revocation_mode_; }
  bool revocation_checked() const noexcept { return revocation_checked_; }
  // The init-time data whose SHA-256 equals HOST_DATA, when the caller bound one.
  const std::optional<Bytes>& init_data() const noexcept { return init_data_; }

 private:
  friend class Verifier;
  VerifiedReport() = default;
  Report report_;
  AmdProduct product_ = AmdProduct::kMilan;
  ProductSource product_source_ = ProductSource::kCpuid;
  AmdKeyKind vek_kind_ = AmdKeyKind::kVcek;
  std::shared_ptr<const VekExtensions> vek_;
  collateral::AmdSource vek_source_ = collateral::AmdSource::kKds;
  Timestamp vek_not_after_{};
  bool report_data_bound_ = false;
  RevocationMode revocation_mode_ = RevocationMode::kRequire;
  bool revocation_checked_ = false;
  std::optional<Bytes> init_data_;
};

// Verifier verifies SEV-SNP reports against fixed trust anchors. It caches verified VEK chains
// (keyed by the certificate's SHA-256, product and kind; valid inside the chain's validity window
// and, for the CRL, until the CRL's nextUpdate), so repeated reports from one chip cost one P-384
// verification. The cache is a bounded member; one Verifier is shared between threads.
class Verifier {
 public:
  explicit Verifier(TrustAnchors anchors, std::size_t max_cached_chains = 4096)
      : anchors_(std::move(anchors)), max_cached_(max_cached_chains) {}

  // Verifies `report` (exactly 1184 bytes). The VCEK/VLEK, missing intermediates and the CRL come
  // from `kds` (SuppliedAmdKds for certificates that came with the evidence). Every step is
  // recorded in `log`; later steps are recorded as skipped after a failure. Returns the first
  // failure with its check id (evidence/sevsnp/check_ids.h): kMalformedEvidence for parsing,
  // kEvidenceRejected for checks, kCollateralUnavailable when the VEK cannot be had,
  // kRevocationUnavailable when a required CRL cannot be had, kInvalidArgument for bad options.
  [[nodiscard]] Result<VerifiedReport> verify(ByteSpan report, collateral::AmdKds& kds,
                                              const VerifyOptions& options,
                                              evidence::CheckLog& log) const;

  // Number of cached chains (for tests and metrics).
  std::size_t cached_chains() const;

 private:
  struct Chain;  // a verified VEK chain and what was derived from it
  // The product of a cached chain for this certificate fingerprint (v2 reports), if any.
  std::optional<AmdProduct> cached_product(const Bytes& fingerprint, AmdKeyKind kind) const;
  Result<std::shared_ptr<Chain>> verify_chain(ByteSpan vek_der,
                                              std::optional<crypto::Certificate> parsed,
                                              const Bytes& fingerprint, AmdProduct product,
                                              AmdKeyKind kind, collateral::AmdKds& kds,
                                              Timestamp at, evidence::CheckSteps& steps) const;
  Result<bool> check_revocation(Chain& chain, AmdProduct product, AmdKeyKind kind,
                                collateral::AmdKds& kds, const VerifyOptions& options,
                                evidence::CheckSteps& steps) const;

  TrustAnchors anchors_;
  std::size_t max_cached_;
  mutable std::mutex mu_;
  mutable std::map<Bytes, std::shared_ptr<Chain>> cache_;
};

}  // namespace vouch::sevsnp
