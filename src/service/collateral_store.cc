#include "service/collateral_store.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "appraisal/check_ids.h"
#include "base/encoding.h"
#include "base/file.h"
#include "collateral/amd_kds_sources.h"
#include "collateral/intel_pcs_sources.h"
#include "store/limits.h"

namespace vouch::service {
namespace {

namespace col = collateral;

constexpr std::string_view kIndexKey = "vouch.collateral.index";
constexpr std::string_view kMetaSuffix = ".meta.json";
constexpr std::string_view kChainSuffix = ".chain.pem";

std::string text(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

Bytes bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::set<std::string> parse_index(const Bytes& body) {
  std::set<std::string> keys;
  std::istringstream in(text(body));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) {
      keys.insert(line);
    }
  }
  return keys;
}

Result<std::set<std::string>> read_index(store::CollateralCache& cache) {
  auto entry = cache.get(kIndexKey);
  if (!entry) {
    if (entry.error().kind == ErrorKind::kNotFound) {
      return std::set<std::string>{};
    }
    return tl::unexpected(entry.error());
  }
  return parse_index(entry->body);
}

store::CollateralEntry entry_of(std::string key, Bytes body, std::string chain,
                                Result<Timestamp> next_update, Timestamp now, std::string source) {
  store::CollateralEntry e;
  e.key = std::move(key);
  e.body = std::move(body);
  e.issuer_chain = bytes(chain);
  e.fetched_at = now;
  if (next_update) {
    e.next_update = *next_update;
  }
  e.source = std::move(source);
  return e;
}

col::AmdSource amd_source_of(const store::CollateralEntry& e) {
  return e.source == "amd-kds" ? col::AmdSource::kKds : col::AmdSource::kOffline;
}

std::string amd_source_label(col::AmdSource s) {
  return s == col::AmdSource::kKds ? "amd-kds" : "offline";
}

// The kind of item a key (an offline-layout path) holds, for import.
enum class ItemKind { kSignedJson, kCrl, kPckCertificate, kMeta, kAmdChain, kAmdCertificate };

std::optional<ItemKind> kind_of(std::string_view key) {
  if (ends_with(key, kMetaSuffix)) {
    return key.find("/pckcert/") != std::string_view::npos ? std::optional(ItemKind::kMeta)
                                                           : std::nullopt;
  }
  if (key == col::OfflineIntelPcs::root_ca_crl_path()) {
    return ItemKind::kCrl;
  }
  if (key.starts_with("sgx/certification/v4/") || key.starts_with("tdx/certification/v4/")) {
    if (key.find("/pckcrl/") != std::string_view::npos && ends_with(key, ".der")) {
      return ItemKind::kCrl;
    }
    if (key.find("/pckcert/") != std::string_view::npos && ends_with(key, ".pem")) {
      return ItemKind::kPckCertificate;
    }
    if (ends_with(key, ".json")) {
      return ItemKind::kSignedJson;
    }
    return std::nullopt;
  }
  if (key.starts_with("vcek/v1/") || key.starts_with("vlek/v1/")) {
    if (ends_with(key, "/cert_chain")) {
      return ItemKind::kAmdChain;
    }
    if (ends_with(key, "/crl")) {
      return ItemKind::kCrl;
    }
    if (ends_with(key, ".der")) {
      return ItemKind::kAmdCertificate;
    }
  }
  return std::nullopt;
}

Result<Timestamp> no_date() {
  return fail(ErrorKind::kInvalidArgument, col::checks::kPcsResponse, "the item has no date");
}

Result<Timestamp> next_update_for(ItemKind kind, const Bytes& body) {
  switch (kind) {
    case ItemKind::kSignedJson:
      return col::next_update_of(col::IntelSignedJson{text(body), {}});
    case ItemKind::kCrl:
      return col::next_update_of(col::IntelCrl{body, {}});
    case ItemKind::kPckCertificate:
      return col::next_update_of(col::IntelPckCertificate{text(body), {}, {}, {}, {}});
    case ItemKind::kAmdChain: {
      VOUCH_TRY(col::AmdProductChain chain, col::parse_kds_cert_chain(body));
      return col::next_update_of(chain);
    }
    case ItemKind::kAmdCertificate:
      return col::next_update_of(col::AmdCertificate{body, col::AmdSource::kOffline});
    case ItemKind::kMeta:
      break;
  }
  return no_date();
}

Status write_bytes(const std::filesystem::path& path, ByteSpan data) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()),  // NOLINT
            static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) {
    return fail(ErrorKind::kUnavailable, CheckId{"file.write"}, "cannot write " + path.string());
  }
  return ok();
}

}  // namespace

std::string pem_armor(std::string_view label, ByteSpan der) {
  const std::string b64 = base64_encode(der);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out += b64.substr(i, 64) + "\n";
  }
  return out + "-----END " + std::string(label) + "-----\n";
}

// --- core ---

Status CollateralStoreCore::put(const store::CollateralEntry& entry) {
  VOUCH_RETURN_IF_ERROR(cache_.put(entry));
  // The index lists every key for export. Read-modify-write: nodes sharing a database may lose
  // each other's additions in a race (export then misses an item until it is stored again).
  std::lock_guard lock(index_mu_);
  VOUCH_TRY(std::set<std::string> keys, read_index(cache_));
  if (keys.contains(entry.key)) {
    return ok();
  }
  keys.insert(entry.key);
  std::string body;
  for (const auto& k : keys) {
    body += k + "\n";
  }
  store::CollateralEntry index;
  index.key = std::string(kIndexKey);
  index.body = bytes(body);
  index.fetched_at = clock_.now();
  index.source = "vouch";
  return cache_.put(index);
}

Result<store::CollateralEntry> CollateralStoreCore::get(const std::string& key, const Fetch& fetch,
                                                        CheckId stale_check,
                                                        CheckId missing_check) {
  const Timestamp now = clock_.now();
  std::optional<store::CollateralEntry> old;
  if (auto stored = cache_.get(key)) {
    old = std::move(*stored);
  } else if (stored.error().kind != ErrorKind::kNotFound && options_.on_store_error) {
    options_.on_store_error(key, stored.error());
  }
  // Whether to ask the source now. fetched_at is the last attempt, failed ones included, so a
  // source that is down is asked at most once per min_refresh_interval per item, not on every
  // request once the item is past its nextUpdate.
  bool attempt = static_cast<bool>(fetch);
  if (old) {
    if (!old->next_update) {
      return *old;  // an item without a readable date never goes stale here
    }
    const Timestamp refresh_at = std::max(*old->next_update - options_.refresh_ahead,
                                          old->fetched_at + options_.min_refresh_interval);
    if (now < refresh_at) {
      if (now <= *old->next_update) {
        return *old;
      }
      attempt = false;  // stale, and the source failed moments ago: the grace decides below
    }
  }
  Error why{ErrorKind::kNotFound, missing_check,
            "no collateral stored under " + key + " and no source is configured"};
  if (attempt) {
    auto fresh = fetch();
    if (fresh) {
      fresh->key = key;
      // An item whose date cannot be read is served but not stored: it would never be refreshed.
      if (fresh->next_update) {
        if (auto stored = put(*fresh); !stored && options_.on_store_error) {
          options_.on_store_error(key, stored.error());
        }
      }
      return fresh;
    }
    if (!old || fresh.error().kind == ErrorKind::kInvalidArgument) {
      return fresh;
    }
    why = fresh.error();
    store::CollateralEntry tried = *old;
    tried.fetched_at = now;
    if (auto stored = put(tried); !stored && options_.on_store_error) {
      options_.on_store_error(key, stored.error());
    }
  } else if (!old) {
    return tl::unexpected(std::move(why));
  } else if (fetch) {
    why = Error{ErrorKind::kCollateralUnavailable, stale_check,
                "the source failed at the last attempt, " + format_rfc3339(old->fetched_at) +
                    "; next attempt after " +
                    format_rfc3339(old->fetched_at + options_.min_refresh_interval)};
  }
  // The refresh failed (or there is no source): the stored item, while it is still current or
  // inside the grace.
  if (now <= *old->next_update) {
    return *old;
  }
  if (now <= *old->next_update + options_.stale_grace) {
    // Logged and audited once per attempt (and on every use where there is no source at all).
    if (options_.on_stale && (attempt || !fetch)) {
      options_.on_stale(key, *old->next_update, why);
    }
    return *old;
  }
  return fail(ErrorKind::kCollateralUnavailable, stale_check,
              key + " expired at " + format_rfc3339(*old->next_update) + " (grace " +
                  std::to_string(options_.stale_grace.count()) +
                  " s) and refreshing it failed: " + why.to_string());
}

// --- Intel ---

Result<col::IntelPckCertificate> StoreIntelPcs::pck_certificate(
    const col::PckCertificateRequest& request) {
  const std::string key = col::OfflineIntelPcs::pck_certificate_path(request);
  const std::string meta_key = key + std::string(kMetaSuffix);
  std::optional<col::IntelPckCertificate> fetched;
  CollateralStoreCore::Fetch fetch;
  if (upstream_ != nullptr) {
    fetch = [&]() -> Result<store::CollateralEntry> {
      VOUCH_TRY(col::IntelPckCertificate c, upstream_->pck_certificate(request));
      fetched = c;
      return entry_of(key, bytes(c.certificate), c.issuer_chain, col::next_update_of(c),
                      core_.clock().now(), "intel-pcs");
    };
  }
  VOUCH_TRY(store::CollateralEntry e,
            core_.get(key, fetch, col::checks::kPcsStale, col::checks::kPcsNotFound));
  col::IntelPckCertificate out;
  out.certificate = text(e.body);
  out.issuer_chain = text(e.issuer_chain);
  if (fetched) {
    out.tcbm = fetched->tcbm;
    out.fmspc = fetched->fmspc;
    out.ca_type = fetched->ca_type;
    const nlohmann::json meta = {
        {"tcbm", out.tcbm}, {"fmspc", out.fmspc}, {"ca_type", out.ca_type}};
    (void)core_.put(entry_of(meta_key, bytes(meta.dump()), {}, no_date(), e.fetched_at,
                             e.source));  // best effort: the certificate itself is stored
  } else if (auto m = core_.cache().get(meta_key)) {
    const nlohmann::json meta = nlohmann::json::parse(text(m->body), nullptr, false);
    if (meta.is_object()) {
      out.tcbm = meta.value("tcbm", "");
      out.fmspc = meta.value("fmspc", "");
      out.ca_type = meta.value("ca_type", "");
    }
  }
  return out;
}

Result<col::IntelCrl> StoreIntelPcs::pck_crl(col::IntelCa ca) {
  const std::string key = col::OfflineIntelPcs::pck_crl_path(ca);
  CollateralStoreCore::Fetch fetch;
  if (upstream_ != nullptr) {
    fetch = [&]() -> Result<store::CollateralEntry> {
      VOUCH_TRY(col::IntelCrl c, upstream_->pck_crl(ca));
      return entry_of(key, c.crl, c.issuer_chain, col::next_update_of(c), core_.clock().now(),
                      "intel-pcs");
    };
  }
  VOUCH_TRY(store::CollateralEntry e,
            core_.get(key, fetch, col::checks::kPcsStale, col::checks::kPcsNotFound));
  return col::IntelCrl{std::move(e.body), text(e.issuer_chain)};
}

Result<col::IntelSignedJson> StoreIntelPcs::signed_json(
    const std::string& key, const std::function<Result<col::IntelSignedJson>()>& fetch_item) {
  CollateralStoreCore::Fetch fetch;
  if (upstream_ != nullptr) {
    fetch = [&]() -> Result<store::CollateralEntry> {
      VOUCH_TRY(col::IntelSignedJson j, fetch_item());
      return entry_of(key, bytes(j.json), j.issuer_chain, col::next_update_of(j),
                      core_.clock().now(), "intel-pcs");
    };
  }
  VOUCH_TRY(store::CollateralEntry e,
            core_.get(key, fetch, col::checks::kPcsStale, col::checks::kPcsNotFound));
  return col::IntelSignedJson{text(e.body), text(e.issuer_chain)};
}

Result<col::IntelSignedJson> StoreIntelPcs::tcb_info(col::IntelTee tee, const col::Fmspc& fmspc,
                                                     const col::TcbBaseline& baseline) {
  return signed_json(col::OfflineIntelPcs::tcb_info_path(tee, fmspc, baseline),
                     [&] { return upstream_->tcb_info(tee, fmspc, baseline); });
}

Result<col::IntelSignedJson> StoreIntelPcs::qe_identity(col::IntelTee tee,
                                                        const col::TcbBaseline& baseline) {
  return signed_json(col::OfflineIntelPcs::qe_identity_path(tee, baseline),
                     [&] { return upstream_->qe_identity(tee, baseline); });
}

Result<col::IntelSignedJson> StoreIntelPcs::tcb_evaluation_data_numbers(col::IntelTee tee) {
  return signed_json(col::OfflineIntelPcs::tcb_evaluation_data_numbers_path(tee),
                     [&] { return upstream_->tcb_evaluation_data_numbers(tee); });
}

Result<col::IntelCrl> StoreIntelPcs::root_ca_crl() {
  const std::string key = col::OfflineIntelPcs::root_ca_crl_path();
  CollateralStoreCore::Fetch fetch;
  if (upstream_ != nullptr) {
    fetch = [&]() -> Result<store::CollateralEntry> {
      VOUCH_TRY(col::IntelCrl c, upstream_->root_ca_crl());
      return entry_of(key, c.crl, c.issuer_chain, col::next_update_of(c), core_.clock().now(),
                      "intel-pcs");
    };
  }
  VOUCH_TRY(store::CollateralEntry e,
            core_.get(key, fetch, col::checks::kPcsStale, col::checks::kPcsNotFound));
  return col::IntelCrl{std::move(e.body), text(e.issuer_chain)};
}

// --- store-only view for the verifiers ---

template <typename T>
Result<T> StoreOnlyIntelPcs::map(Result<T> r) const {
  if (!r && !has_source_ && r.error().kind == ErrorKind::kNotFound) {
    return fail(ErrorKind::kCollateralUnavailable, appraisal::checks::kNoCollateralSource,
                "no Intel collateral source is configured on this node and the store lacks an "
                "item: " +
                    r.error().detail);
  }
  return r;
}

Result<col::IntelPckCertificate> StoreOnlyIntelPcs::pck_certificate(
    const col::PckCertificateRequest& request) {
  return map(inner_.pck_certificate(request));
}

Result<col::IntelCrl> StoreOnlyIntelPcs::pck_crl(col::IntelCa ca) {
  return map(inner_.pck_crl(ca));
}

Result<col::IntelSignedJson> StoreOnlyIntelPcs::tcb_info(col::IntelTee tee, const col::Fmspc& fmspc,
                                                         const col::TcbBaseline& baseline) {
  return map(inner_.tcb_info(tee, fmspc, baseline));
}

Result<col::IntelSignedJson> StoreOnlyIntelPcs::qe_identity(col::IntelTee tee,
                                                            const col::TcbBaseline& baseline) {
  return map(inner_.qe_identity(tee, baseline));
}

Result<col::IntelSignedJson> StoreOnlyIntelPcs::tcb_evaluation_data_numbers(col::IntelTee tee) {
  return map(inner_.tcb_evaluation_data_numbers(tee));
}

Result<col::IntelCrl> StoreOnlyIntelPcs::root_ca_crl() {
  return map(inner_.root_ca_crl());
}

// --- AMD ---

Result<col::AmdProductChain> StoreAmdKds::product_chain(col::AmdProduct product,
                                                        col::AmdKeyKind kind) {
  const std::string key = col::OfflineAmdKds::product_chain_path(product, kind);
  CollateralStoreCore::Fetch fetch;
  if (upstream_ != nullptr) {
    fetch = [&]() -> Result<store::CollateralEntry> {
      VOUCH_TRY(col::AmdProductChain c, upstream_->product_chain(product, kind));
      const std::string pem =
          pem_armor("CERTIFICATE", c.intermediate_der) + pem_armor("CERTIFICATE", c.ark_der);
      return entry_of(key, bytes(pem), {}, col::next_update_of(c), core_.clock().now(),
                      amd_source_label(c.source));
    };
  }
  VOUCH_TRY(store::CollateralEntry e,
            core_.get(key, fetch, col::checks::kAmdKdsStale, col::checks::kAmdKdsNotFound));
  VOUCH_TRY(col::AmdProductChain chain, col::parse_kds_cert_chain(e.body));
  chain.source = amd_source_of(e);
  return chain;
}

Result<col::AmdCertificate> StoreAmdKds::vcek(col::AmdProduct product, const col::ChipId& chip_id,
                                              std::uint64_t reported_tcb) {
  const std::string key = col::OfflineAmdKds::vcek_path(product, chip_id, reported_tcb);
  CollateralStoreCore::Fetch fetch;
  if (upstream_ != nullptr) {
    fetch = [&]() -> Result<store::CollateralEntry> {
      VOUCH_TRY(col::AmdCertificate c, upstream_->vcek(product, chip_id, reported_tcb));
      return entry_of(key, c.der, {}, col::next_update_of(c), core_.clock().now(),
                      amd_source_label(c.source));
    };
  }
  VOUCH_TRY(store::CollateralEntry e,
            core_.get(key, fetch, col::checks::kAmdKdsStale, col::checks::kAmdKdsNotFound));
  return col::AmdCertificate{std::move(e.body), amd_source_of(e)};
}

Result<col::AmdCertificate> StoreAmdKds::vlek(col::AmdProduct product, std::uint64_t reported_tcb) {
  const std::string key = col::OfflineAmdKds::vlek_path(product, reported_tcb);
  CollateralStoreCore::Fetch fetch;
  if (upstream_ != nullptr) {
    fetch = [&]() -> Result<store::CollateralEntry> {
      VOUCH_TRY(col::AmdCertificate c, upstream_->vlek(product, reported_tcb));
      return entry_of(key, c.der, {}, col::next_update_of(c), core_.clock().now(),
                      amd_source_label(c.source));
    };
  }
  VOUCH_TRY(store::CollateralEntry e,
            core_.get(key, fetch, col::checks::kAmdKdsStale, col::checks::kAmdKdsNotFound));
  return col::AmdCertificate{std::move(e.body), amd_source_of(e)};
}

Result<col::AmdCrl> StoreAmdKds::crl(col::AmdProduct product, col::AmdKeyKind kind) {
  const std::string key = col::OfflineAmdKds::crl_path(product, kind);
  CollateralStoreCore::Fetch fetch;
  if (upstream_ != nullptr) {
    fetch = [&]() -> Result<store::CollateralEntry> {
      VOUCH_TRY(col::AmdCrl c, upstream_->crl(product, kind));
      return entry_of(key, c.der, {}, col::next_update_of(c), core_.clock().now(),
                      amd_source_label(c.source));
    };
  }
  VOUCH_TRY(store::CollateralEntry e,
            core_.get(key, fetch, col::checks::kAmdKdsStale, col::checks::kAmdKdsNotFound));
  return col::AmdCrl{std::move(e.body), amd_source_of(e)};
}

// --- export / import ---

Result<std::vector<std::string>> collateral_keys(store::CollateralCache& cache) {
  VOUCH_TRY(std::set<std::string> keys, read_index(cache));
  return std::vector<std::string>(keys.begin(), keys.end());
}

Result<std::size_t> export_collateral(
    store::CollateralCache& cache, const std::string& dir,
    const std::function<void(std::size_t, std::size_t, const std::string&)>& progress) {
  VOUCH_TRY(std::vector<std::string> keys, collateral_keys(cache));
  const std::filesystem::path root(dir);
  std::size_t written = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string& key = keys[i];
    if (progress) {
      progress(i + 1, keys.size(), key);
    }
    if (key.find("..") != std::string::npos || key.starts_with("/")) {
      continue;  // never write outside the directory
    }
    auto e = cache.get(key);
    if (!e) {
      if (e.error().kind == ErrorKind::kNotFound) {
        continue;  // purged since it was indexed
      }
      return tl::unexpected(e.error());
    }
    VOUCH_RETURN_IF_ERROR(write_bytes(root / key, e->body));
    if (!e->issuer_chain.empty()) {
      VOUCH_RETURN_IF_ERROR(write_bytes(root / (key + std::string(kChainSuffix)), e->issuer_chain));
    }
    ++written;
  }
  return written;
}

Result<ImportSummary> import_collateral(CollateralStoreCore& core, const std::string& dir) {
  ImportSummary summary;
  std::error_code ec;
  const std::filesystem::path root(dir);
  if (!std::filesystem::is_directory(root, ec)) {
    return fail(ErrorKind::kInvalidArgument, CheckId{"file.read"}, dir + " is not a directory");
  }
  std::vector<std::string> files;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      files.push_back(std::filesystem::relative(it->path(), root, ec).generic_string());
    }
  }
  if (ec) {
    return fail(ErrorKind::kInvalidArgument, CheckId{"file.read"}, dir + ": " + ec.message());
  }
  std::sort(files.begin(), files.end());
  const Timestamp now = core.clock().now();
  for (const std::string& rel : files) {
    if (ends_with(rel, kChainSuffix)) {
      continue;  // read with the item it belongs to
    }
    const auto kind = kind_of(rel);
    if (!kind) {
      summary.skipped.push_back(rel);
      continue;
    }
    VOUCH_TRY(Bytes body, read_file((root / rel).string(), store::limits::kMaxCollateral));
    std::string chain;
    if (std::filesystem::is_regular_file(root / (rel + std::string(kChainSuffix)), ec)) {
      VOUCH_TRY(Bytes c, read_file((root / (rel + std::string(kChainSuffix))).string(),
                                   store::limits::kMaxCollateral));
      chain = text(c);
    }
    Result<Timestamp> next = *kind == ItemKind::kMeta ? no_date() : next_update_for(*kind, body);
    if (!next && *kind != ItemKind::kMeta) {
      summary.skipped.push_back(rel);  // not readable as the item its path says
      continue;
    }
    VOUCH_RETURN_IF_ERROR(
        core.put(entry_of(rel, std::move(body), chain, std::move(next), now, "import")));
    ++summary.imported;
  }
  return summary;
}

}  // namespace vouch::service
