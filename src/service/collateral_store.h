#pragma once

// The store-backed collateral cache of `vouch serve` (docs/collateral.md): Intel PCS and AMD KDS
// decorators that keep every item they obtain in the store's CollateralCache, so collateral
// survives restarts and is shared by every node on the same database. They live in service/
// because collateral/ may not depend on store/ (scripts/check-layering).
//
// Keys are the items' relative paths in the offline directory layouts
// (collateral/intel_pcs_sources.h, collateral/amd_kds_sources.h), which do not overlap, so
// export_collateral() writes a directory OfflineIntelPcs and OfflineAmdKds read, and
// import_collateral() reads one back. A PCK certificate's PCS headers (TCBm, FMSPC, CA type)
// travel in a sibling entry "<path>.meta.json".

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "collateral/amd_kds.h"
#include "collateral/intel_pcs.h"
#include "store/store.h"

namespace vouch::service {

struct CollateralStoreOptions {
  // An item is refreshed from the source once now >= nextUpdate - refresh_ahead (but not more
  // often than min_refresh_interval per item).
  std::chrono::seconds refresh_ahead{std::chrono::hours(24)};
  std::chrono::seconds min_refresh_interval{std::chrono::minutes(5)};
  // When a refresh fails, an item past its nextUpdate is still served for this long; after it
  // the request fails with collateral.pcs.stale / collateral.amd_kds.stale
  // (kCollateralUnavailable, HTTP 503).
  std::chrono::seconds stale_grace{0};
  // Called when an item past its nextUpdate is served inside the grace after a failed refresh
  // (once per attempt, so at most once per min_refresh_interval per item; on every use where
  // no source is configured): the key, its nextUpdate and why the refresh failed.
  std::function<void(const std::string& key, Timestamp next_update, const Error& why)> on_stale;
  // Called when the store could not be read or written (the item is still served).
  std::function<void(const std::string& key, const Error& error)> on_store_error;
};

// CollateralStoreCore is the policy both decorators share: look up, refresh, store, grace.
class CollateralStoreCore {
 public:
  CollateralStoreCore(store::CollateralCache& cache, const Clock& clock,
                      CollateralStoreOptions options)
      : cache_(cache), clock_(clock), options_(std::move(options)) {}

  using Fetch = std::function<Result<store::CollateralEntry>()>;
  // The entry under `key`: from the store while fresh, else from `fetch` (empty: no source),
  // else the stored one inside the grace. `stale_check` and `missing_check` name the failures.
  [[nodiscard]] Result<store::CollateralEntry> get(const std::string& key, const Fetch& fetch,
                                                   CheckId stale_check, CheckId missing_check);
  // Stores an entry and records its key in the index (import, PCK metadata).
  [[nodiscard]] Status put(const store::CollateralEntry& entry);
  store::CollateralCache& cache() noexcept { return cache_; }
  const Clock& clock() const noexcept { return clock_; }

 private:
  store::CollateralCache& cache_;
  const Clock& clock_;
  CollateralStoreOptions options_;
  std::mutex index_mu_;
};

// StoreIntelPcs answers from the store, refreshing from `upstream` (may be null: the store
// alone, e.g. collateral imported for an air-gapped site).
class StoreIntelPcs final : public collateral::IntelPcs {
 public:
  StoreIntelPcs(CollateralStoreCore& core, collateral::IntelPcs* upstream)
      : core_(core), upstream_(upstream) {}
  Result<collateral::IntelPckCertificate> pck_certificate(
      const collateral::PckCertificateRequest& request) override;
  Result<collateral::IntelCrl> pck_crl(collateral::IntelCa ca) override;
  Result<collateral::IntelSignedJson> tcb_info(collateral::IntelTee tee,
                                               const collateral::Fmspc& fmspc,
                                               const collateral::TcbBaseline& baseline) override;
  Result<collateral::IntelSignedJson> qe_identity(collateral::IntelTee tee,
                                                  const collateral::TcbBaseline& baseline) override;
  Result<collateral::IntelSignedJson> tcb_evaluation_data_numbers(
      collateral::IntelTee tee) override;
  Result<collateral::IntelCrl> root_ca_crl() override;

 private:
  Result<collateral::IntelSignedJson> signed_json(
      const std::string& key, const std::function<Result<collateral::IntelSignedJson>()>& fetch);
  CollateralStoreCore& core_;
  collateral::IntelPcs* upstream_;
};

// The Intel chain as the verifiers see it on a node without an Intel source: items come from
// the store only (imported or cached earlier, picked up without a restart), and an item the store
// lacks fails closed like a node without any collateral: kCollateralUnavailable
// appraisal.collateral.source (HTTP 503), not 404. With a source configured it passes through.
class StoreOnlyIntelPcs final : public collateral::IntelPcs {
 public:
  StoreOnlyIntelPcs(collateral::IntelPcs& inner, bool has_source)
      : inner_(inner), has_source_(has_source) {}
  Result<collateral::IntelPckCertificate> pck_certificate(
      const collateral::PckCertificateRequest& request) override;
  Result<collateral::IntelCrl> pck_crl(collateral::IntelCa ca) override;
  Result<collateral::IntelSignedJson> tcb_info(collateral::IntelTee tee,
                                               const collateral::Fmspc& fmspc,
                                               const collateral::TcbBaseline& baseline) override;
  Result<collateral::IntelSignedJson> qe_identity(collateral::IntelTee tee,
                                                  const collateral::TcbBaseline& baseline) override;
  Result<collateral::IntelSignedJson> tcb_evaluation_data_numbers(
      collateral::IntelTee tee) override;
  Result<collateral::IntelCrl> root_ca_crl() override;

 private:
  template <typename T>
  Result<T> map(Result<T> r) const;
  collateral::IntelPcs& inner_;
  bool has_source_;
};

// StoreAmdKds is the same for AMD KDS items (certificates until their notAfter, CRLs until their
// nextUpdate).
class StoreAmdKds final : public collateral::AmdKds {
 public:
  StoreAmdKds(CollateralStoreCore& core, collateral::AmdKds* upstream)
      : core_(core), upstream_(upstream) {}
  Result<collateral::AmdProductChain> product_chain(collateral::AmdProduct product,
                                                    collateral::AmdKeyKind kind) override;
  Result<collateral::AmdCertificate> vcek(collateral::AmdProduct product,
                                          const collateral::ChipId& chip_id,
                                          std::uint64_t reported_tcb) override;
  Result<collateral::AmdCertificate> vlek(collateral::AmdProduct product,
                                          std::uint64_t reported_tcb) override;
  Result<collateral::AmdCrl> crl(collateral::AmdProduct product,
                                 collateral::AmdKeyKind kind) override;

 private:
  CollateralStoreCore& core_;
  collateral::AmdKds* upstream_;
};

// The keys the index lists (every item a Vouch node stored), sorted.
[[nodiscard]] Result<std::vector<std::string>> collateral_keys(store::CollateralCache& cache);

// Writes every indexed item to `dir` in the offline layouts (bodies, "<file>.chain.pem" issuer
// chains, "<file>.meta.json" PCK metadata). `progress(done, total, key)` is called per item.
// Returns the number of items written.
[[nodiscard]] Result<std::size_t> export_collateral(
    store::CollateralCache& cache, const std::string& dir,
    const std::function<void(std::size_t, std::size_t, const std::string&)>& progress = {});

// Reads a directory in the offline layouts into the store (source "import"): every file but
// chains, with its chain; nextUpdate read from the item. Files that are not collateral of a known
// shape are skipped and counted. Returns the number of items stored.
struct ImportSummary {
  std::size_t imported = 0;
  std::vector<std::string> skipped;  // relative paths
};
[[nodiscard]] Result<ImportSummary> import_collateral(CollateralStoreCore& core,
                                                      const std::string& dir);

// PEM armour of DER bytes ("CERTIFICATE", "X509 CRL"), 64 columns.
std::string pem_armor(std::string_view label, ByteSpan der);

}  // namespace vouch::service
