#pragma once

// A fake Intel PCS: a collateral::Fetcher that answers Intel PCS v4 URLs (parsed with the
// production collateral::parse_pcs_url) from a FakeIntelPki's collateral, with the issuer chains
// URL-encoded in the same headers PCS uses. Tests point OnlineIntelPcs at it; nothing leaves the
// process.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "collateral/fetcher.h"
#include "collateral/intel_pcs.h"
#include "testing/dcap_builder.h"

namespace vouch::testing {

class FakeIntelPcs final : public collateral::Fetcher {
 public:
  explicit FakeIntelPcs(const FakeIntelPki& pki, collateral::PcsUrls urls = {});

  // Serves this collateral (TCB Info by its FMSPC; QE identity by TEE; CRLs by issuer) as the
  // latest baseline (no tcbEvaluationDataNumber / update parameter).
  void add(dcap::TeeKind tee, const dcap::QuoteCollateral& collateral, dcap::PckCaType ca);
  // Serves a TCB Info and QE identity for ?tcbEvaluationDataNumber=<their number>. The
  // tcbevaluationdatanumbers list names every number served for the TEE (signed by the fake TCB
  // Signing key; recovery dates 90 days apart, the highest at kDcapIssued).
  void add_baseline(dcap::TeeKind tee, const collateral::IntelSignedJson& tcb_info,
                    const collateral::IntelSignedJson& qe_identity);
  // Serves a PCK certificate for a request.
  void add_pck_certificate(const collateral::PckCertificateRequest& request,
                           const FakePlatform& platform);
  // Makes every request answer this HTTP status (0 restores normal answers).
  void fail_with(int status) { fail_status_ = status; }
  // Drops the issuer-chain header from answers.
  void omit_chain_headers(bool omit) { omit_chains_ = omit; }

  Result<collateral::FetchResponse> get(const std::string& url) override;
  // The URLs asked for, in order.
  const std::vector<std::string>& requests() const noexcept { return requests_; }

 private:
  collateral::FetchResponse ok(Bytes body, const std::string& header, const std::string& chain);
  const FakeIntelPki& pki_;
  collateral::PcsUrls urls_;
  std::map<std::string, collateral::IntelSignedJson> tcb_infos_;      // "sgx/<fmspc>/<baseline>"
  std::map<std::string, collateral::IntelSignedJson> qe_identities_;  // "sgx/<baseline>"
  std::map<std::string, std::set<std::uint32_t>> numbers_;            // "sgx" -> numbers
  std::map<std::string, collateral::IntelCrl> pck_crls_;              // "processor" / "platform"
  std::optional<collateral::IntelCrl> root_crl_;
  std::map<std::string, collateral::IntelPckCertificate> pck_certs_;
  std::vector<std::string> requests_;
  int fail_status_ = 0;
  bool omit_chains_ = false;
};

}  // namespace vouch::testing
