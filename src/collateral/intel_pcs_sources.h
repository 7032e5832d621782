#pragma once

// Concrete Intel PCS sources: online (over the Fetcher seam), offline directory and in-memory
// caching. Only composition roots (apps/, cli/) and tests pick these; verifiers see the IntelPcs
// interface (intel_pcs.h).

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "base/time.h"
#include "collateral/fetcher.h"
#include "collateral/intel_pcs.h"

namespace vouch::collateral {

// OnlineIntelPcs fetches from Intel PCS (or a PCCS) through the Fetcher seam. HTTP 200 is an
// answer, 404 kNotFound (collateral.pcs.not_found), anything else and fetch failures
// kCollateralUnavailable; a 200 without its issuer-chain header or with an undecodable one is
// collateral.pcs.response. `headers` go with every request under urls.base (Intel's API key:
// {"Ocp-Apim-Subscription-Key", key}); the root CA CRL elsewhere is fetched without them.
class OnlineIntelPcs final : public IntelPcs {
 public:
  OnlineIntelPcs(Fetcher& fetcher, PcsUrls urls = {}, FetchHeaders headers = {})
      : fetcher_(fetcher), urls_(std::move(urls)), headers_(std::move(headers)) {}
  Result<IntelPckCertificate> pck_certificate(const PckCertificateRequest& request) override;
  Result<IntelCrl> pck_crl(IntelCa ca) override;
  Result<IntelSignedJson> tcb_info(IntelTee tee, const Fmspc& fmspc,
                                   const TcbBaseline& baseline) override;
  Result<IntelSignedJson> qe_identity(IntelTee tee, const TcbBaseline& baseline) override;
  Result<IntelSignedJson> tcb_evaluation_data_numbers(IntelTee tee) override;
  Result<IntelCrl> root_ca_crl() override;

 private:
  Result<FetchResponse> get_ok(const std::string& url);
  Fetcher& fetcher_;
  PcsUrls urls_;
  FetchHeaders headers_;
};

// OfflineIntelPcs serves collateral from a directory (air-gapped sites) laid out like the PCS
// paths; each body file has its issuer chain next to it as <file>.chain.pem (PEM, as the
// *-Issuer-Chain header carries it, URL-decoded):
//   <dir>/sgx/certification/v4/pckcrl/<processor|platform>.der
//   <dir>/<sgx|tdx>/certification/v4/tcb/<fmspc hex>.json        {"tcbInfo": ..., "signature": ...}
//   <dir>/<sgx|tdx>/certification/v4/qe/identity.json           {"enclaveIdentity": ..., ...}
//   (for a baseline other than latest: tcb/<fmspc hex>.<early|N>.json, qe/identity.<early|N>.json)
//   <dir>/<sgx|tdx>/certification/v4/tcbevaluationdatanumbers.json
//   <dir>/sgx/certification/v4/pckcert/<pceid>-<cpusvn>-<pcesvn hex>[-<platform>].pem
//       (<platform>: 16 hex digits of SHA-256(encrypted PPID), absent for an empty PPID)
//   <dir>/rootcacrl.der                                          (no chain: the root signs it)
// A missing body file is kNotFound (the directory is the whole truth); a missing chain file is
// read as an empty chain.
class OfflineIntelPcs final : public IntelPcs {
 public:
  explicit OfflineIntelPcs(std::string dir) : dir_(std::move(dir)) {}
  Result<IntelPckCertificate> pck_certificate(const PckCertificateRequest& request) override;
  Result<IntelCrl> pck_crl(IntelCa ca) override;
  Result<IntelSignedJson> tcb_info(IntelTee tee, const Fmspc& fmspc,
                                   const TcbBaseline& baseline) override;
  Result<IntelSignedJson> qe_identity(IntelTee tee, const TcbBaseline& baseline) override;
  Result<IntelSignedJson> tcb_evaluation_data_numbers(IntelTee tee) override;
  Result<IntelCrl> root_ca_crl() override;

  // Relative paths of the layout above (also what an exporter writes).
  static std::string pck_crl_path(IntelCa ca);
  static std::string tcb_info_path(IntelTee tee, const Fmspc& fmspc,
                                   const TcbBaseline& baseline = {});
  static std::string qe_identity_path(IntelTee tee, const TcbBaseline& baseline = {});
  static std::string tcb_evaluation_data_numbers_path(IntelTee tee);
  static std::string pck_certificate_path(const PckCertificateRequest& request);
  static std::string root_ca_crl_path();

 private:
  std::string dir_;
};

// The freshness an item declares: TCB Info / QE identity / tcbEvaluationDataNumbers nextUpdate,
// CRL nextUpdate, PCK
// certificate notAfter. Read without verifying (verification is evidence/dcap's job); fails with
// collateral.pcs.response when the item cannot be read.
[[nodiscard]] Result<Timestamp> next_update_of(const IntelSignedJson& item);
[[nodiscard]] Result<Timestamp> next_update_of(const IntelCrl& item);
[[nodiscard]] Result<Timestamp> next_update_of(const IntelPckCertificate& item);

// CachingIntelPcs keeps what `inner` returned in memory, per request. An entry is served while
// now < nextUpdate - refresh_ahead (and for at least min_refresh_interval after it was fetched,
// so an item that is already close to its nextUpdate is not refetched on every request); after
// that the next request refreshes it from `inner`. If the refresh fails, the old entry is still
// served until nextUpdate + stale_grace (verification then judges the item's own dates), and
// after that the request fails with collateral.pcs.stale (kCollateralUnavailable). No globals:
// the cache lives in this object; thread-safe.
class CachingIntelPcs final : public IntelPcs {
 public:
  struct Options {
    std::chrono::seconds refresh_ahead{std::chrono::hours(24)};
    std::chrono::seconds stale_grace{std::chrono::hours(0)};
    std::chrono::seconds min_refresh_interval{std::chrono::minutes(5)};
  };
  CachingIntelPcs(IntelPcs& inner, const Clock& clock, Options options);
  CachingIntelPcs(IntelPcs& inner, const Clock& clock) : CachingIntelPcs(inner, clock, Options{}) {}

  Result<IntelPckCertificate> pck_certificate(const PckCertificateRequest& request) override;
  Result<IntelCrl> pck_crl(IntelCa ca) override;
  Result<IntelSignedJson> tcb_info(IntelTee tee, const Fmspc& fmspc,
                                   const TcbBaseline& baseline) override;
  Result<IntelSignedJson> qe_identity(IntelTee tee, const TcbBaseline& baseline) override;
  Result<IntelSignedJson> tcb_evaluation_data_numbers(IntelTee tee) override;
  Result<IntelCrl> root_ca_crl() override;

  // Number of requests answered from memory / forwarded to `inner` (for tests and metrics).
  std::size_t hits() const;
  std::size_t misses() const;

 private:
  template <typename T>
  struct Entry {
    T value;
    Timestamp next_update;
    Timestamp fetched_at;
  };
  template <typename T, typename Fetch>
  Result<T> cached(std::map<std::string, Entry<T>>& cache, const std::string& key, Fetch&& fetch);

  IntelPcs& inner_;
  const Clock& clock_;
  Options options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry<IntelPckCertificate>> pck_certs_;
  std::map<std::string, Entry<IntelCrl>> crls_;
  std::map<std::string, Entry<IntelSignedJson>> json_;
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
};

}  // namespace vouch::collateral
