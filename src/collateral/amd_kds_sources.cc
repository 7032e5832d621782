#include "collateral/amd_kds_sources.h"

#include <algorithm>
#include <filesystem>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/x509.h"

namespace vouch::collateral {
namespace {
Error unavailable(const std::string& what) {
  return Error{ErrorKind::kCollateralUnavailable, checks::kAmdKds, what};
}
}  // namespace

// --- freshness ---

Result<Timestamp> next_update_of(const AmdCertificate& item) {
  auto cert = crypto::Certificate::from_der(item.der);
  if (!cert) {
    return fail(unavailable("the certificate cannot be read"));
  }
  return cert->not_after();
}

Result<Timestamp> next_update_of(const AmdProductChain& item) {
  auto intermediate = crypto::Certificate::from_der(item.intermediate_der);
  auto ark = crypto::Certificate::from_der(item.ark_der);
  if (!intermediate || !ark) {
    return fail(unavailable("the product chain cannot be read"));
  }
  return std::min(intermediate->not_after(), ark->not_after());
}

Result<Timestamp> next_update_of(const AmdCrl& item) {
  auto crl = crypto::Crl::parse(item.der);
  if (!crl || !crl->next_update()) {
    return fail(unavailable("the CRL cannot be read or has no nextUpdate"));
  }
  return *crl->next_update();
}

// --- OnlineAmdKds ---

Result<Bytes> OnlineAmdKds::get(const std::string& url) {
  VOUCH_TRY(FetchResponse r, fetcher_.get(url));
  if (r.status == 200) {
    return std::move(r.body);
  }
  if (r.status == 404) {
    return fail(ErrorKind::kNotFound, checks::kAmdKdsNotFound, "KDS has no " + url);
  }
  std::string detail = "KDS answered HTTP " + std::to_string(r.status) + " for " + url;
  if (!r.header("retry-after").empty()) {
    detail += " (retry after " + r.header("retry-after") + ")";
  }
  return fail(unavailable(detail));
}

Result<AmdProductChain> OnlineAmdKds::product_chain(AmdProduct product, AmdKeyKind kind) {
  const std::string url = kds_product_chain_url(base_, product, kind);
  VOUCH_TRY(Bytes body, get(url));
  auto chain = parse_kds_cert_chain(body);
  if (!chain) {
    return fail(unavailable(url + ": " + chain.error().detail));
  }
  return chain;
}

Result<AmdCertificate> OnlineAmdKds::vcek(AmdProduct product, const ChipId& chip_id,
                                          std::uint64_t reported_tcb) {
  VOUCH_TRY(Bytes der, get(kds_vcek_url(base_, product, chip_id, reported_tcb)));
  return AmdCertificate{std::move(der), AmdSource::kKds};
}

Result<AmdCertificate> OnlineAmdKds::vlek(AmdProduct product, std::uint64_t reported_tcb) {
  VOUCH_TRY(Bytes der, get(kds_vlek_url(base_, product, reported_tcb)));
  return AmdCertificate{std::move(der), AmdSource::kKds};
}

Result<AmdCrl> OnlineAmdKds::crl(AmdProduct product, AmdKeyKind kind) {
  VOUCH_TRY(Bytes der, get(kds_crl_url(base_, product, kind)));
  return AmdCrl{std::move(der), AmdSource::kKds};
}

// --- CachingAmdKds ---

namespace {
template <typename Map>
void bound(Map& m, std::size_t max) {
  if (m.size() >= max && !m.empty()) {
    m.erase(m.begin());
  }
}
}  // namespace

Result<AmdProductChain> CachingAmdKds::product_chain(AmdProduct product, AmdKeyKind kind) {
  const auto key = std::make_pair(product, kind);
  {
    std::lock_guard lock(mu_);
    if (auto it = chains_.find(key); it != chains_.end()) {
      return it->second;
    }
  }
  VOUCH_TRY(AmdProductChain chain, inner_.product_chain(product, kind));
  std::lock_guard lock(mu_);
  bound(chains_, max_entries_);
  chains_.insert_or_assign(key, chain);
  return chain;
}

Result<AmdCertificate> CachingAmdKds::vcek(AmdProduct product, const ChipId& chip_id,
                                           std::uint64_t reported_tcb) {
  const auto key = std::make_tuple(product, chip_id, reported_tcb);
  {
    std::lock_guard lock(mu_);
    if (auto it = vceks_.find(key); it != vceks_.end()) {
      return it->second;
    }
  }
  VOUCH_TRY(AmdCertificate cert, inner_.vcek(product, chip_id, reported_tcb));
  std::lock_guard lock(mu_);
  bound(vceks_, max_entries_);
  vceks_.insert_or_assign(key, cert);
  return cert;
}

Result<AmdCertificate> CachingAmdKds::vlek(AmdProduct product, std::uint64_t reported_tcb) {
  const auto key = std::make_pair(product, reported_tcb);
  {
    std::lock_guard lock(mu_);
    if (auto it = vleks_.find(key); it != vleks_.end()) {
      return it->second;
    }
  }
  VOUCH_TRY(AmdCertificate cert, inner_.vlek(product, reported_tcb));
  std::lock_guard lock(mu_);
  bound(vleks_, max_entries_);
  vleks_.insert_or_assign(key, cert);
  return cert;
}

Result<AmdCrl> CachingAmdKds::crl(AmdProduct product, AmdKeyKind kind) {
  const auto key = std::make_pair(product, kind);
  const Timestamp now = clock_.now();
  {
    std::lock_guard lock(mu_);
    if (auto it = crls_.find(key); it != crls_.end() && now < it->second.next_update) {
      return it->second.crl;
    }
  }
  VOUCH_TRY(AmdCrl crl, inner_.crl(product, kind));
  auto parsed = crypto::Crl::parse(crl.der);
  if (parsed && parsed->next_update()) {
    std::lock_guard lock(mu_);
    bound(crls_, max_entries_);
    crls_.insert_or_assign(key, CachedCrl{crl, *parsed->next_update()});
  }
  return crl;
}

// --- OfflineAmdKds ---

namespace {
std::string tcb_hex(std::uint64_t tcb) {
  std::string s(16, '0');
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < 16; ++i) {
    s[15 - i] = kHex[(tcb >> (4 * i)) & 0xf];
  }
  return s;
}
std::string offline_base(AmdProduct product, AmdKeyKind kind) {
  return std::string(amd_key_kind_name(kind)) + "/v1/" + std::string(amd_product_name(product));
}
}  // namespace

std::string OfflineAmdKds::product_chain_path(AmdProduct product, AmdKeyKind kind) {
  return offline_base(product, kind) + "/cert_chain";
}
std::string OfflineAmdKds::vcek_path(AmdProduct product, const ChipId& chip_id, std::uint64_t tcb) {
  return offline_base(product, AmdKeyKind::kVcek) + "/" +
         hex_encode(ByteSpan(chip_id).first(amd_hwid_size(product))) + "/" + tcb_hex(tcb) + ".der";
}
std::string OfflineAmdKds::vlek_path(AmdProduct product, std::uint64_t tcb) {
  return offline_base(product, AmdKeyKind::kVlek) + "/cert/" + tcb_hex(tcb) + ".der";
}
std::string OfflineAmdKds::crl_path(AmdProduct product, AmdKeyKind kind) {
  return offline_base(product, kind) + "/crl";
}

Result<Bytes> OfflineAmdKds::read(const std::string& relative) const {
  const std::string path = dir_ + "/" + relative;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return fail(ErrorKind::kNotFound, checks::kAmdKdsNotFound,
                "the offline KDS directory has no " + relative);
  }
  return read_file(path, 1u << 20);
}

Result<AmdProductChain> OfflineAmdKds::product_chain(AmdProduct product, AmdKeyKind kind) {
  VOUCH_TRY(Bytes pem, read(product_chain_path(product, kind)));
  VOUCH_TRY(AmdProductChain chain, parse_kds_cert_chain(pem));
  chain.source = AmdSource::kOffline;
  return chain;
}

Result<AmdCertificate> OfflineAmdKds::vcek(AmdProduct product, const ChipId& chip_id,
                                           std::uint64_t reported_tcb) {
  VOUCH_TRY(Bytes der, read(vcek_path(product, chip_id, reported_tcb)));
  return AmdCertificate{std::move(der), AmdSource::kOffline};
}

Result<AmdCertificate> OfflineAmdKds::vlek(AmdProduct product, std::uint64_t reported_tcb) {
  VOUCH_TRY(Bytes der, read(vlek_path(product, reported_tcb)));
  return AmdCertificate{std::move(der), AmdSource::kOffline};
}

Result<AmdCrl> OfflineAmdKds::crl(AmdProduct product, AmdKeyKind kind) {
  VOUCH_TRY(Bytes der, read(crl_path(product, kind)));
  return AmdCrl{std::move(der), AmdSource::kOffline};
}

}  // namespace vouch::collateral
