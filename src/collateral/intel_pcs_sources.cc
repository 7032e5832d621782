#include "collateral/intel_pcs_sources.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/digest.h"
#include "crypto/x509.h"

namespace vouch::collateral {
namespace {

Error response_error(std::string detail) {
  return Error{ErrorKind::kCollateralUnavailable, checks::kPcsResponse, std::move(detail)};
}

std::string text(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

std::string tcbm_key(const PckCertificateRequest& r) {
  return hex_encode(r.pce_id) + "-" + hex_encode(r.cpu_svn) + "-" + std::to_string(r.pce_svn) +
         "-" + hex_encode(r.encrypted_ppid);
}

}  // namespace

// --- freshness ---

Result<Timestamp> next_update_of(const IntelSignedJson& item) {
  const nlohmann::json j = nlohmann::json::parse(item.json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(response_error("the signed JSON is not a JSON object"));
  }
  for (const char* body : {"tcbInfo", "enclaveIdentity", "tcbEvaluationDataNumbers"}) {
    const auto it = j.find(body);
    if (it == j.end() || !it->is_object()) {
      continue;
    }
    const auto next = it->find("nextUpdate");
    if (next == it->end() || !next->is_string()) {
      break;
    }
    auto t = parse_rfc3339(next->get<std::string>());
    if (!t) {
      break;
    }
    return *t;
  }
  return fail(response_error("the signed JSON has no readable nextUpdate"));
}

Result<Timestamp> next_update_of(const IntelCrl& item) {
  auto crl = crypto::Crl::parse(item.crl);
  if (!crl || !crl->next_update()) {
    return fail(response_error("the CRL cannot be read or has no nextUpdate"));
  }
  return *crl->next_update();
}

Result<Timestamp> next_update_of(const IntelPckCertificate& item) {
  auto cert = crypto::Certificate::from_pem(item.certificate);
  if (!cert) {
    return fail(response_error("the PCK certificate cannot be read"));
  }
  return cert->not_after();
}

// --- online ---

Result<FetchResponse> OnlineIntelPcs::get_ok(const std::string& url) {
  const bool ours = url.rfind(urls_.base + "/", 0) == 0;
  VOUCH_TRY(FetchResponse r, ours && !headers_.empty() ? fetcher_.get_with_headers(url, headers_)
                                                       : fetcher_.get(url));
  if (r.status == 200) {
    return r;
  }
  if (r.status == 404) {
    return fail(ErrorKind::kNotFound, checks::kPcsNotFound, url + " answered 404");
  }
  return fail(ErrorKind::kCollateralUnavailable, checks::kPcsStatus,
              url + " answered HTTP " + std::to_string(r.status));
}

namespace {

Result<std::string> chain_header(const FetchResponse& r, std::initializer_list<const char*> names,
                                 const std::string& url) {
  for (const char* name : names) {
    const std::string value = r.header(name);
    if (!value.empty()) {
      return url_decode(value);
    }
  }
  return fail(
      response_error(url + ": the answer has no " + std::string(*names.begin()) + " header"));
}

}  // namespace

Result<IntelPckCertificate> OnlineIntelPcs::pck_certificate(const PckCertificateRequest& request) {
  const std::string url = pck_certificate_url(urls_, request);
  VOUCH_TRY(FetchResponse r, get_ok(url));
  IntelPckCertificate out;
  out.certificate = text(r.body);
  VOUCH_TRY(out.issuer_chain, chain_header(r, {"sgx-pck-certificate-issuer-chain"}, url));
  out.tcbm = r.header("sgx-tcbm");
  out.fmspc = r.header("sgx-fmspc");
  out.ca_type = r.header("sgx-pck-certificate-ca-type");
  return out;
}

Result<IntelCrl> OnlineIntelPcs::pck_crl(IntelCa ca) {
  const std::string url = pck_crl_url(urls_, ca);
  VOUCH_TRY(FetchResponse r, get_ok(url));
  IntelCrl out;
  out.crl = std::move(r.body);
  VOUCH_TRY(out.issuer_chain, chain_header(r, {"sgx-pck-crl-issuer-chain"}, url));
  return out;
}

Result<IntelSignedJson> OnlineIntelPcs::tcb_info(IntelTee tee, const Fmspc& fmspc,
                                                 const TcbBaseline& baseline) {
  const std::string url = tcb_info_url(urls_, tee, fmspc, baseline);
  VOUCH_TRY(FetchResponse r, get_ok(url));
  IntelSignedJson out;
  out.json = text(r.body);
  VOUCH_TRY(out.issuer_chain,
            chain_header(r, {"tcb-info-issuer-chain", "sgx-tcb-info-issuer-chain"}, url));
  return out;
}

Result<IntelSignedJson> OnlineIntelPcs::qe_identity(IntelTee tee, const TcbBaseline& baseline) {
  const std::string url = qe_identity_url(urls_, tee, baseline);
  VOUCH_TRY(FetchResponse r, get_ok(url));
  IntelSignedJson out;
  out.json = text(r.body);
  VOUCH_TRY(out.issuer_chain, chain_header(r, {"sgx-enclave-identity-issuer-chain"}, url));
  return out;
}

Result<IntelSignedJson> OnlineIntelPcs::tcb_evaluation_data_numbers(IntelTee tee) {
  const std::string url = tcb_evaluation_data_numbers_url(urls_, tee);
  VOUCH_TRY(FetchResponse r, get_ok(url));
  IntelSignedJson out;
  out.json = text(r.body);
  VOUCH_TRY(out.issuer_chain, chain_header(r, {"tcb-evaluation-data-numbers-issuer-chain"}, url));
  return out;
}

Result<IntelCrl> OnlineIntelPcs::root_ca_crl() {
  VOUCH_TRY(FetchResponse r, get_ok(urls_.root_ca_crl));
  return IntelCrl{std::move(r.body), {}};
}

// --- offline ---

std::string OfflineIntelPcs::pck_crl_path(IntelCa ca) {
  return "sgx/certification/v4/pckcrl/" + std::string(intel_ca_name(ca)) + ".der";
}

namespace {
// ".json" for latest, ".<early|N>.json" otherwise.
std::string baseline_suffix(const TcbBaseline& baseline) {
  return baseline.is_latest() ? ".json" : "." + tcb_baseline_name(baseline) + ".json";
}
}  // namespace

std::string OfflineIntelPcs::tcb_info_path(IntelTee tee, const Fmspc& fmspc,
                                           const TcbBaseline& baseline) {
  return std::string(intel_tee_name(tee)) + "/certification/v4/tcb/" + hex_encode(fmspc) +
         baseline_suffix(baseline);
}

std::string OfflineIntelPcs::qe_identity_path(IntelTee tee, const TcbBaseline& baseline) {
  return std::string(intel_tee_name(tee)) + "/certification/v4/qe/identity" +
         baseline_suffix(baseline);
}

std::string OfflineIntelPcs::tcb_evaluation_data_numbers_path(IntelTee tee) {
  return std::string(intel_tee_name(tee)) + "/certification/v4/tcbevaluationdatanumbers.json";
}

std::string OfflineIntelPcs::pck_certificate_path(const PckCertificateRequest& request) {
  std::array<std::uint8_t, 2> svn = {static_cast<std::uint8_t>(request.pce_svn),
                                     static_cast<std::uint8_t>(request.pce_svn >> 8)};
  // A PCK certificate belongs to one platform: the path names it by the first 8 bytes of
  // SHA-256(encrypted PPID), so platforms with the same TCB never share an entry.
  std::string platform;
  if (!request.encrypted_ppid.empty()) {
    const Bytes d = crypto::digest(crypto::HashAlg::kSha256, request.encrypted_ppid);
    platform = "-" + hex_encode(ByteSpan(d).first(8));
  }
  return "sgx/certification/v4/pckcert/" + hex_encode(request.pce_id) + "-" +
         hex_encode(request.cpu_svn) + "-" + hex_encode(svn) + platform + ".pem";
}

std::string OfflineIntelPcs::root_ca_crl_path() {
  return "rootcacrl.der";
}

namespace {

Result<Bytes> read_item(const std::string& dir, const std::string& relative) {
  const std::string path = dir + "/" + relative;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return fail(ErrorKind::kNotFound, checks::kPcsNotFound, path + " does not exist");
  }
  auto data = read_file(path);
  if (!data) {
    return fail(ErrorKind::kCollateralUnavailable, checks::kPcsResponse, data.error().detail);
  }
  return std::move(*data);
}

Result<std::string> read_chain(const std::string& dir, const std::string& relative) {
  auto chain = read_item(dir, relative + ".chain.pem");
  if (!chain && chain.error().kind == ErrorKind::kNotFound) {
    return std::string();
  }
  VOUCH_TRY(Bytes b, std::move(chain));
  return text(b);
}

}  // namespace

Result<IntelPckCertificate> OfflineIntelPcs::pck_certificate(const PckCertificateRequest& request) {
  const std::string rel = pck_certificate_path(request);
  VOUCH_TRY(Bytes pem, read_item(dir_, rel));
  IntelPckCertificate out;
  out.certificate = text(pem);
  VOUCH_TRY(out.issuer_chain, read_chain(dir_, rel));
  return out;
}

Result<IntelCrl> OfflineIntelPcs::pck_crl(IntelCa ca) {
  const std::string rel = pck_crl_path(ca);
  VOUCH_TRY(Bytes crl, read_item(dir_, rel));
  VOUCH_TRY(std::string chain, read_chain(dir_, rel));
  return IntelCrl{std::move(crl), std::move(chain)};
}

Result<IntelSignedJson> OfflineIntelPcs::tcb_info(IntelTee tee, const Fmspc& fmspc,
                                                  const TcbBaseline& baseline) {
  const std::string rel = tcb_info_path(tee, fmspc, baseline);
  VOUCH_TRY(Bytes json, read_item(dir_, rel));
  VOUCH_TRY(std::string chain, read_chain(dir_, rel));
  return IntelSignedJson{text(json), std::move(chain)};
}

Result<IntelSignedJson> OfflineIntelPcs::qe_identity(IntelTee tee, const TcbBaseline& baseline) {
  const std::string rel = qe_identity_path(tee, baseline);
  VOUCH_TRY(Bytes json, read_item(dir_, rel));
  VOUCH_TRY(std::string chain, read_chain(dir_, rel));
  return IntelSignedJson{text(json), std::move(chain)};
}

Result<IntelSignedJson> OfflineIntelPcs::tcb_evaluation_data_numbers(IntelTee tee) {
  const std::string rel = tcb_evaluation_data_numbers_path(tee);
  VOUCH_TRY(Bytes json, read_item(dir_, rel));
  VOUCH_TRY(std::string chain, read_chain(dir_, rel));
  return IntelSignedJson{text(json), std::move(chain)};
}

Result<IntelCrl> OfflineIntelPcs::root_ca_crl() {
  VOUCH_TRY(Bytes crl, read_item(dir_, root_ca_crl_path()));
  return IntelCrl{std::move(crl), {}};
}

// --- caching ---

CachingIntelPcs::CachingIntelPcs(IntelPcs& inner, const Clock& clock, Options options)
    : inner_(inner), clock_(clock), options_(options) {}

template <typename T, typename Fetch>
Result<T> CachingIntelPcs::cached(std::map<std::string, Entry<T>>& cache, const std::string& key,
                                  Fetch&& fetch) {
  const Timestamp now = clock_.now();
  std::optional<Entry<T>> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = cache.find(key);
    if (it != cache.end()) {
      const Entry<T>& e = it->second;
      const Timestamp refresh_at = std::max(e.next_update - options_.refresh_ahead,
                                            e.fetched_at + options_.min_refresh_interval);
      if (now < refresh_at) {
        ++hits_;
        return e.value;
      }
      old = e;
    }
    ++misses_;
  }
  Result<T> fresh = fetch();  // outside the lock: a slow source does not block cache hits
  if (fresh) {
    auto next = next_update_of(*fresh);
    if (next) {
      std::lock_guard<std::mutex> lock(mu_);
      cache.insert_or_assign(key, Entry<T>{*fresh, *next, now});
    }
    return fresh;
  }
  if (old && now <= old->next_update + options_.stale_grace) {
    return old->value;
  }
  if (old) {
    return fail(ErrorKind::kCollateralUnavailable, checks::kPcsStale,
                "the cached item expired at " + format_rfc3339(old->next_update) +
                    " and refreshing it failed: " + fresh.error().detail);
  }
  return fresh;
}

Result<IntelPckCertificate> CachingIntelPcs::pck_certificate(const PckCertificateRequest& request) {
  return cached(pck_certs_, tcbm_key(request), [&] { return inner_.pck_certificate(request); });
}

Result<IntelCrl> CachingIntelPcs::pck_crl(IntelCa ca) {
  return cached(crls_, "pckcrl/" + std::string(intel_ca_name(ca)),
                [&] { return inner_.pck_crl(ca); });
}

Result<IntelSignedJson> CachingIntelPcs::tcb_info(IntelTee tee, const Fmspc& fmspc,
                                                  const TcbBaseline& baseline) {
  return cached(json_,
                "tcb/" + std::string(intel_tee_name(tee)) + "/" + hex_encode(fmspc) + "/" +
                    tcb_baseline_name(baseline),
                [&] { return inner_.tcb_info(tee, fmspc, baseline); });
}

Result<IntelSignedJson> CachingIntelPcs::qe_identity(IntelTee tee, const TcbBaseline& baseline) {
  return cached(json_, "qe/" + std::string(intel_tee_name(tee)) + "/" + tcb_baseline_name(baseline),
                [&] { return inner_.qe_identity(tee, baseline); });
}

Result<IntelSignedJson> CachingIntelPcs::tcb_evaluation_data_numbers(IntelTee tee) {
  return cached(json_, "tcbevaluationdatanumbers/" + std::string(intel_tee_name(tee)),
                [&] { return inner_.tcb_evaluation_data_numbers(tee); });
}

Result<IntelCrl> CachingIntelPcs::root_ca_crl() {
  return cached(crls_, "rootcacrl", [&] { return inner_.root_ca_crl(); });
}

std::size_t CachingIntelPcs::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

std::size_t CachingIntelPcs::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

}  // namespace vouch::collateral
