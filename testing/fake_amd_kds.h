#pragma once

// A local fake AMD KDS: a collateral::Fetcher that answers KDS URLs (parsed with the production
// parse_kds_url) from the fake AMD PKI. Never the internet. Test only.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "collateral/amd_kds.h"
#include "collateral/fetcher.h"
#include "crypto/x509.h"

namespace vouch::testing {

class FakeKdsFetcher final : public collateral::Fetcher {
 public:
  explicit FakeKdsFetcher(std::string base = std::string(collateral::kAmdKdsBaseUrl))
      : base_(std::move(base)) {}

  void add_vcek(collateral::AmdProduct product, const collateral::ChipId& chip_id,
                std::uint64_t tcb, const crypto::Certificate& cert);
  void add_vlek(collateral::AmdProduct product, std::uint64_t tcb, const crypto::Certificate& cert);
  void set_crl(collateral::AmdProduct product, collateral::AmdKeyKind kind, Bytes der);
  // Answers every request with this HTTP status (0: normal service).
  void force_status(int status) { forced_status_ = status; }
  // Fails every request as unreachable.
  void set_unreachable(bool down) { unreachable_ = down; }

  Result<collateral::FetchResponse> get(const std::string& url) override;

  std::size_t requests() const;
  std::vector<std::string> urls() const;

 private:
  std::string base_;
  int forced_status_ = 0;
  bool unreachable_ = false;
  mutable std::mutex mu_;
  std::vector<std::string> urls_;
  std::map<std::tuple<collateral::AmdProduct, Bytes, std::uint64_t>, Bytes> vceks_;
  std::map<std::pair<collateral::AmdProduct, std::uint64_t>, Bytes> vleks_;
  std::map<std::pair<collateral::AmdProduct, collateral::AmdKeyKind>, Bytes> crls_;
};

}  // namespace vouch::testing
