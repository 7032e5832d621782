#pragma once

// Concrete AMD KDS sources: online (over the Fetcher seam), caching and offline. Only composition
// roots (apps/, cli/) and tests pick these; verifiers see the AmdKds interface (amd_kds.h).

#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "base/time.h"
#include "collateral/amd_kds.h"
#include "collateral/fetcher.h"

namespace vouch::collateral {

// The freshness an AMD item declares, read without verifying: a certificate's notAfter, the
// earlier notAfter of a product chain, a CRL's nextUpdate. Fails with collateral.amd_kds
// (kCollateralUnavailable) when the item cannot be read.
[[nodiscard]] Result<Timestamp> next_update_of(const AmdCertificate& item);
[[nodiscard]] Result<Timestamp> next_update_of(const AmdProductChain& item);
[[nodiscard]] Result<Timestamp> next_update_of(const AmdCrl& item);

// OnlineAmdKds asks an AMD KDS (or a mirror at `base_url`) through the injected Fetcher.
// HTTP 200 is an answer, 404 kNotFound, anything else (and fetch failures) kCollateralUnavailable.
class OnlineAmdKds final : public AmdKds {
 public:
  explicit OnlineAmdKds(Fetcher& fetcher, std::string base_url = std::string(kAmdKdsBaseUrl))
      : fetcher_(fetcher), base_(std::move(base_url)) {}

  Result<AmdProductChain> product_chain(AmdProduct product, AmdKeyKind kind) override;
  Result<AmdCertificate> vcek(AmdProduct product, const ChipId& chip_id,
                              std::uint64_t reported_tcb) override;
  Result<AmdCertificate> vlek(AmdProduct product, std::uint64_t reported_tcb) override;
  Result<AmdCrl> crl(AmdProduct product, AmdKeyKind kind) override;

 private:
  Result<Bytes> get(const std::string& url);
  Fetcher& fetcher_;
  std::string base_;
};

// CachingAmdKds remembers successful answers of `inner`: VCEKs by (product, chip id, TCB), VLEKs
// by (product, TCB), product chains by (product, kind), CRLs by (product, kind) until their
// nextUpdate by the injected clock (a CRL that does not parse is not cached). Failures are never
// cached. The cache is a member, bounded by max_entries per kind of answer.
class CachingAmdKds final : public AmdKds {
 public:
  CachingAmdKds(AmdKds& inner, const Clock& clock, std::size_t max_entries = 4096)
      : inner_(inner), clock_(clock), max_entries_(max_entries) {}

  Result<AmdProductChain> product_chain(AmdProduct product, AmdKeyKind kind) override;
  Result<AmdCertificate> vcek(AmdProduct product, const ChipId& chip_id,
                              std::uint64_t reported_tcb) override;
  Result<AmdCertificate> vlek(AmdProduct product, std::uint64_t reported_tcb) override;
  Result<AmdCrl> crl(AmdProduct product, AmdKeyKind kind) override;

 private:
  struct CachedCrl {
    AmdCrl crl;
    Timestamp next_update;
  };
  AmdKds& inner_;
  const Clock& clock_;
  std::size_t max_entries_;
  std::mutex mu_;
  std::map<std::tuple<AmdProduct, ChipId, std::uint64_t>, AmdCertificate> vceks_;
  std::map<std::pair<AmdProduct, std::uint64_t>, AmdCertificate> vleks_;
  std::map<std::pair<AmdProduct, AmdKeyKind>, AmdProductChain> chains_;
  std::map<std::pair<AmdProduct, AmdKeyKind>, CachedCrl> crls_;
};

// OfflineAmdKds reads a directory laid out like the KDS paths:
//   <dir>/{vcek|vlek}/v1/<Product>/cert_chain        PEM, ASK or ASVK then ARK
//   <dir>/{vcek|vlek}/v1/<Product>/crl               DER (or PEM) CRL
//   <dir>/vcek/v1/<Product>/<hwid hex>/<tcb>.der     VCEK, <tcb> = REPORTED_TCB as 16 hex digits
//   <dir>/vlek/v1/<Product>/cert/<tcb>.der           VLEK
// A missing file is kNotFound (the directory is the whole truth; nothing is retryable).
class OfflineAmdKds final : public AmdKds {
 public:
  explicit OfflineAmdKds(std::string dir) : dir_(std::move(dir)) {}

  // Relative path of each item (also what a mirroring tool writes).
  static std::string product_chain_path(AmdProduct product, AmdKeyKind kind);
  static std::string vcek_path(AmdProduct product, const ChipId& chip_id, std::uint64_t tcb);
  static std::string vlek_path(AmdProduct product, std::uint64_t tcb);
  static std::string crl_path(AmdProduct product, AmdKeyKind kind);

  Result<AmdProductChain> product_chain(AmdProduct product, AmdKeyKind kind) override;
  Result<AmdCertificate> vcek(AmdProduct product, const ChipId& chip_id,
                              std::uint64_t reported_tcb) override;
  Result<AmdCertificate> vlek(AmdProduct product, std::uint64_t reported_tcb) override;
  Result<AmdCrl> crl(AmdProduct product, AmdKeyKind kind) override;

 private:
  Result<Bytes> read(const std::string& relative) const;
  std::string dir_;
};

}  // namespace vouch::collateral
