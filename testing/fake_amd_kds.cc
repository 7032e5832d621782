#include "testing/fake_amd_kds.h"

#include "testing/fake_amd_pki.h"

namespace vouch::testing {

void FakeKdsFetcher::add_vcek(collateral::AmdProduct product, const collateral::ChipId& chip_id,
                              std::uint64_t tcb, const crypto::Certificate& cert) {
  std::lock_guard lock(mu_);
  const Bytes hwid(chip_id.begin(), chip_id.begin() + static_cast<std::ptrdiff_t>(
                                                          collateral::amd_hwid_size(product)));
  vceks_[{product, hwid, tcb}] = cert.der();
}

void FakeKdsFetcher::add_vlek(collateral::AmdProduct product, std::uint64_t tcb,
                              const crypto::Certificate& cert) {
  std::lock_guard lock(mu_);
  vleks_[{product, tcb}] = cert.der();
}

void FakeKdsFetcher::set_crl(collateral::AmdProduct product, collateral::AmdKeyKind kind,
                             Bytes der) {
  std::lock_guard lock(mu_);
  crls_[{product, kind}] = std::move(der);
}

std::size_t FakeKdsFetcher::requests() const {
  std::lock_guard lock(mu_);
  return urls_.size();
}

std::vector<std::string> FakeKdsFetcher::urls() const {
  std::lock_guard lock(mu_);
  return urls_;
}

Result<collateral::FetchResponse> FakeKdsFetcher::get(const std::string& url) {
  std::lock_guard lock(mu_);
  urls_.push_back(url);
  if (unreachable_) {
    return fail(ErrorKind::kCollateralUnavailable, collateral::checks::kFetch,
                "fake KDS is down: " + url);
  }
  collateral::FetchResponse r;
  if (forced_status_ != 0) {
    r.status = forced_status_;
    return r;
  }
  auto req = collateral::parse_kds_url(base_, url);
  r.status = 404;
  if (!req) {
    r.status = 400;
    return r;
  }
  auto answer = [&](const Bytes* body) {
    if (body != nullptr) {
      r.status = 200;
      r.body = *body;
    }
  };
  if (const auto* chain = std::get_if<collateral::KdsProductChainRequest>(&*req)) {
    const std::string pem = FakeAmdPki::get(chain->product).chain_pem(chain->kind);
    r.status = 200;
    r.body.assign(pem.begin(), pem.end());
  } else if (const auto* vcek = std::get_if<collateral::KdsVcekRequest>(&*req)) {
    const auto it = vceks_.find({vcek->product, vcek->hwid, vcek->reported_tcb});
    answer(it == vceks_.end() ? nullptr : &it->second);
  } else if (const auto* vlek = std::get_if<collateral::KdsVlekRequest>(&*req)) {
    const auto it = vleks_.find({vlek->product, vlek->reported_tcb});
    answer(it == vleks_.end() ? nullptr : &it->second);
  } else if (const auto* crl = std::get_if<collateral::KdsCrlRequest>(&*req)) {
    const auto it = crls_.find({crl->product, crl->kind});
    answer(it == crls_.end() ? nullptr : &it->second);
  }
  return r;
}

}  // namespace vouch::testing
