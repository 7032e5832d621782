// The collateral service's HTTP API (docs/collateral.md): Intel PCS v4 / PCCS-compatible routes
// and AMD KDS-compatible paths, answered from this node's collateral chain (memory, the store
// shared by every node, then the configured source), so one `vouch serve` can be the collateral
// cache of a fleet and another can name it as its [collateral] intel_pcs_url / amd_kds_url.
// Bodies and issuer-chain headers are exactly what Intel PCS and AMD KDS send. Also the MAA
// management route GET /tcbbaselines/{type}: the TCB baselines the Intel source offers and which
// one a tenant appraises against.

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>

#include "appraisal/attestation_type.h"
#include "base/encoding.h"
#include "collateral/amd_kds.h"
#include "collateral/intel_pcs.h"
#include "collateral/intel_pcs_sources.h"
#include "service/attest.h"
#include "service/auth.h"
#include "service/check_ids.h"
#include "service/collateral_store.h"
#include "service/errors.h"
#include "service/state.h"

namespace vouch::service {
namespace {

namespace col = collateral;

constexpr CheckId kNoSource{"collateral.source"};  // this node serves no collateral

http::HttpResponse error_response(const Error& e) {
  return problem(e, {});
}

std::string text(ByteSpan b) {
  return std::string(b.begin(), b.end());
}

bool is_pem(ByteSpan b) {
  return text(b.first(std::min<std::size_t>(b.size(), 64))).find("-----BEGIN") != std::string::npos;
}

// A CRL in the encoding asked for: DER with encoding=der, else PEM (Intel PCS's default).
Result<std::string> crl_as(ByteSpan crl, bool der) {
  if (is_pem(crl) == !der) {
    return text(crl);
  }
  if (!der) {
    return pem_armor("X509 CRL", crl);
  }
  const std::string pem = text(crl);
  const std::size_t begin = pem.find("-----\n");
  const std::size_t end = pem.find("-----END");
  if (begin == std::string::npos || end == std::string::npos || end < begin) {
    return fail(ErrorKind::kCollateralUnavailable, col::checks::kPcsResponse,
                "the stored CRL is not PEM");
  }
  std::string b64;
  for (char ch : pem.substr(begin + 6, end - begin - 6)) {
    if (ch != '\n' && ch != '\r' && ch != ' ') {
      b64 += ch;
    }
  }
  VOUCH_TRY(Bytes bytes, base64_decode(b64));
  return text(bytes);
}

// Rebuilds "path?query" from the decoded request, re-encoding each name and value so that a
// decoded '&' or '=' cannot add a parameter the caller did not send.
std::string target_of(const http::HttpRequest& req) {
  std::string url = req.path;
  char sep = '?';
  for (const auto& [k, v] : req.query) {
    url += sep + col::url_encode(k) + "=" + col::url_encode(v);
    sep = '&';
  }
  return url;
}

http::HttpResponse body_response(std::string body, std::string content_type) {
  http::HttpResponse r;
  r.status = 200;
  r.body = std::move(body);
  r.set_header("content-type", std::move(content_type));
  return r;
}

http::HttpResponse intel(const http::HttpRequest& req, ServiceState& s) {
  if (s.intel_pcs == nullptr) {
    return error_response(Error{ErrorKind::kCollateralUnavailable, kNoSource,
                                "this node serves no Intel collateral"});
  }
  col::PcsUrls urls;
  urls.base = "";
  urls.root_ca_crl = "/sgx/certification/v4/rootcacrl";
  VOUCH_TRY_RESPONSE_DECL(col::PcsRequest pr, col::parse_pcs_url(urls, target_of(req)));
  col::IntelPcs& pcs = *s.intel_pcs;
  using Kind = col::PcsRequest::Kind;
  switch (pr.kind) {
    case Kind::kPckCertificate: {
      VOUCH_TRY_RESPONSE_DECL(col::IntelPckCertificate c, pcs.pck_certificate(pr.pck));
      auto r = body_response(c.certificate, "application/x-pem-file");
      r.set_header("SGX-PCK-Certificate-Issuer-Chain", col::url_encode(c.issuer_chain));
      if (!c.tcbm.empty()) {
        r.set_header("SGX-TCBm", c.tcbm);
      }
      if (!c.fmspc.empty()) {
        r.set_header("SGX-FMSPC", c.fmspc);
      }
      if (!c.ca_type.empty()) {
        r.set_header("SGX-PCK-Certificate-CA-Type", c.ca_type);
      }
      return r;
    }
    case Kind::kPckCrl: {
      VOUCH_TRY_RESPONSE_DECL(col::IntelCrl c, pcs.pck_crl(pr.ca));
      const bool der = req.query_param("encoding") == "der";
      VOUCH_TRY_RESPONSE_DECL(std::string body, crl_as(c.crl, der));
      auto r =
          body_response(std::move(body), der ? "application/pkix-crl" : "application/x-pem-file");
      r.set_header("SGX-PCK-CRL-Issuer-Chain", col::url_encode(c.issuer_chain));
      return r;
    }
    case Kind::kTcbInfo: {
      VOUCH_TRY_RESPONSE_DECL(col::IntelSignedJson j, pcs.tcb_info(pr.tee, pr.fmspc, pr.baseline));
      auto r = body_response(j.json, "application/json");
      const std::string chain = col::url_encode(j.issuer_chain);
      r.set_header("TCB-Info-Issuer-Chain", chain);
      r.set_header("SGX-TCB-Info-Issuer-Chain", chain);
      return r;
    }
    case Kind::kQeIdentity: {
      VOUCH_TRY_RESPONSE_DECL(col::IntelSignedJson j, pcs.qe_identity(pr.tee, pr.baseline));
      auto r = body_response(j.json, "application/json");
      r.set_header("SGX-Enclave-Identity-Issuer-Chain", col::url_encode(j.issuer_chain));
      return r;
    }
    case Kind::kTcbEvaluationDataNumbers: {
      VOUCH_TRY_RESPONSE_DECL(col::IntelSignedJson j, pcs.tcb_evaluation_data_numbers(pr.tee));
      auto r = body_response(j.json, "application/json");
      r.set_header("TCB-Evaluation-Data-Numbers-Issuer-Chain", col::url_encode(j.issuer_chain));
      return r;
    }
    case Kind::kRootCaCrl: {
      VOUCH_TRY_RESPONSE_DECL(col::IntelCrl c, pcs.root_ca_crl());
      VOUCH_TRY_RESPONSE_DECL(std::string body, crl_as(c.crl, true));
      return body_response(std::move(body), "application/pkix-crl");
    }
  }
  return error_response(Error{ErrorKind::kNotFound, service::checks::kNotFound, "unknown item"});
}

http::HttpResponse amd(const http::HttpRequest& req, ServiceState& s) {
  if (s.amd_kds == nullptr) {
    return error_response(
        Error{ErrorKind::kCollateralUnavailable, kNoSource, "this node serves no AMD collateral"});
  }
  // KDS spells the SPL parameters in this order; parse_kds_url takes any order.
  VOUCH_TRY_RESPONSE_DECL(col::KdsRequest kr, col::parse_kds_url("", target_of(req)));
  col::AmdKds& kds = *s.amd_kds;
  if (const auto* chain = std::get_if<col::KdsProductChainRequest>(&kr)) {
    VOUCH_TRY_RESPONSE_DECL(col::AmdProductChain c, kds.product_chain(chain->product, chain->kind));
    return body_response(
        pem_armor("CERTIFICATE", c.intermediate_der) + pem_armor("CERTIFICATE", c.ark_der),
        "application/x-pem-file");
  }
  if (const auto* crl = std::get_if<col::KdsCrlRequest>(&kr)) {
    VOUCH_TRY_RESPONSE_DECL(col::AmdCrl c, kds.crl(crl->product, crl->kind));
    return body_response(text(c.der), "application/pkix-crl");
  }
  if (const auto* vcek = std::get_if<col::KdsVcekRequest>(&kr)) {
    col::ChipId chip{};
    std::copy(vcek->hwid.begin(), vcek->hwid.end(), chip.begin());
    VOUCH_TRY_RESPONSE_DECL(col::AmdCertificate c,
                            kds.vcek(vcek->product, chip, vcek->reported_tcb));
    return body_response(text(c.der), "application/pkix-cert");
  }
  const auto& vlek = std::get<col::KdsVlekRequest>(kr);
  VOUCH_TRY_RESPONSE_DECL(col::AmdCertificate c, kds.vlek(vlek.product, vlek.reported_tcb));
  return body_response(text(c.der), "application/pkix-cert");
}

// --- GET /tcbbaselines/{type} ---

// The api-versions that have the TCB baseline API (maa.md 1.2: 2022-09-01 and later).
constexpr std::array<std::string_view, 4> kBaselineApiVersions = {
    "2022-09-01-preview", "2022-09-01", "2023-04-01-preview", "2025-06-01"};

// The evaluation data numbers the TCB Infos in the store were issued under, when the source has
// no list (an offline directory or a PCCS without /tcbevaluationdatanumbers): number -> tcbDate
// of its first level. Reads at most `limit` items.
std::map<std::uint32_t, std::string> numbers_from_stored_tcb_infos(store::CollateralCache& cache,
                                                                   col::IntelTee tee,
                                                                   std::size_t limit = 64) {
  std::map<std::uint32_t, std::string> out;
  auto keys = collateral_keys(cache);
  if (!keys) {
    return out;
  }
  const std::string prefix = std::string(col::intel_tee_name(tee)) + "/certification/v4/tcb/";
  for (const std::string& key : *keys) {
    if (!key.starts_with(prefix) || limit == 0) {
      continue;
    }
    --limit;
    auto e = cache.get(key);
    if (!e) {
      continue;
    }
    const nlohmann::json j = nlohmann::json::parse(e->body, nullptr, false);
    const nlohmann::json* info = j.is_object() && j.contains("tcbInfo") ? &j["tcbInfo"] : nullptr;
    if (info == nullptr || !info->is_object() ||
        !info->value("tcbEvaluationDataNumber", nlohmann::json()).is_number_unsigned()) {
      continue;
    }
    std::string date;
    const auto levels = info->find("tcbLevels");
    if (levels != info->end() && levels->is_array() && !levels->empty() &&
        (*levels)[0].is_object() && (*levels)[0].value("tcbDate", nlohmann::json()).is_string()) {
      date = (*levels)[0]["tcbDate"].get<std::string>();
    }
    out.emplace((*info)["tcbEvaluationDataNumber"].get<std::uint32_t>(), date);
  }
  return out;
}

http::HttpResponse tcb_baselines(const http::HttpRequest& req, const std::string& tenant_name,
                                 const http::PathParams& params, ServiceState& s) {
  const std::string version = req.query_param("api-version");
  if (std::find(kBaselineApiVersions.begin(), kBaselineApiVersions.end(), version) ==
      kBaselineApiVersions.end()) {
    return maa_error(Error{ErrorKind::kInvalidArgument, checks::kApiVersion,
                           version.empty() ? "the api-version query parameter is required"
                                           : "api-version '" + version +
                                                 "' has no TCB baselines (2022-09-01 or later)"});
  }
  const auto it = params.find("type");
  const auto type = it == params.end() ? std::nullopt : appraisal::parse_type(it->second);
  if (!type || (*type != appraisal::AttestationType::kSgxEnclave &&
                *type != appraisal::AttestationType::kOpenEnclave &&
                *type != appraisal::AttestationType::kTdxVm)) {
    return maa_error(Error{ErrorKind::kNotFound, checks::kNotFound,
                           "TCB baselines exist for SgxEnclave, OpenEnclave and TdxVm"});
  }
  VOUCH_TRY_RESPONSE_DECL(auto tenant, s.tenants->get(tenant_name));
  VOUCH_TRY_RESPONSE(authorize(s.store->api_keys(), req, tenant_name,
                               {store::Role::kVerifierOwner, store::Role::kAuditor},
                               s.clock->now()));
  VOUCH_TRY_RESPONSE_DECL(ActivePolicy active, s.attestor->active_policy(tenant_name, *type));
  VOUCH_TRY_RESPONSE_DECL(col::TcbBaseline selected,
                          Attestor::tcb_baseline(*tenant, active.tcb_identifier));
  const col::IntelTee tee =
      *type == appraisal::AttestationType::kTdxVm ? col::IntelTee::kTdx : col::IntelTee::kSgx;

  // number -> (tcbRecoveryEventDate, tcbDate): the source's signed list, else the stored TCB
  // Infos.
  std::map<std::uint32_t, std::pair<std::string, std::string>> numbers;
  std::string listed_by = "source";
  Result<col::IntelSignedJson> list =
      s.intel_pcs != nullptr
          ? s.intel_pcs->tcb_evaluation_data_numbers(tee)
          : fail(ErrorKind::kNotFound, col::checks::kPcsNotFound, "no Intel collateral chain");
  auto entries =
      list ? col::read_tcb_evaluation_data_numbers(*list)
           : Result<std::vector<col::TcbEvaluationDataNumber>>(tl::unexpected(list.error()));
  if (entries) {
    for (const auto& e : *entries) {
      numbers[e.number] = {format_rfc3339(e.tcb_recovery_event_date), format_rfc3339(e.tcb_date)};
    }
  } else {
    listed_by = "cache";
    for (const auto& [n, date] : numbers_from_stored_tcb_infos(s.store->collateral(), tee)) {
      numbers[n] = {"", date};
    }
  }
  if (selected.kind == col::TcbBaseline::Kind::kNumber && !numbers.contains(selected.number)) {
    numbers[selected.number] = {"", ""};  // the tenant's choice, even if no longer offered
  }

  nlohmann::json out = nlohmann::json::array();
  for (const col::TcbBaseline b : {col::TcbBaseline::latest(), col::TcbBaseline::early()}) {
    out.push_back({{"tcbIdentifier", col::tcb_baseline_name(b)}, {"isSelectedTcb", b == selected}});
  }
  for (auto n = numbers.rbegin(); n != numbers.rend(); ++n) {
    const auto b = col::TcbBaseline::evaluation_data_number(n->first);
    nlohmann::json e = {{"tcbIdentifier", col::tcb_baseline_name(b)},
                        {"tcbEvaluationDataNumber", n->first},
                        {"isSelectedTcb", b == selected}};
    if (!n->second.first.empty()) {
      e["tcbRecoveryEventDate"] = n->second.first;
    }
    if (!n->second.second.empty()) {
      e["tcbDate"] = n->second.second;
      e["tcbReleaseDate"] = n->second.second;  // MAA's name for it
    }
    out.push_back(std::move(e));
  }
  return http::HttpResponse::json(
      200, nlohmann::json{{"tcbBaselines", std::move(out)}, {"listedBy", listed_by}});
}

}  // namespace

void add_tcb_baseline_routes(http::Router& router, ServiceState& state) {
  ServiceState* s = &state;
  add_tenant_route(router, "GET", "/tcbbaselines/{type}",
                   [s](const http::HttpRequest& q, const std::string& t,
                       const http::PathParams& p) { return tcb_baselines(q, t, p, *s); });
}

void add_collateral_routes(http::Router& router, ServiceState& state) {
  ServiceState* s = &state;
  auto intel_route = [s](const http::HttpRequest& req, const http::PathParams&) {
    return intel(req, *s);
  };
  for (const char* path :
       {"/sgx/certification/v4/pckcert", "/sgx/certification/v4/pckcrl",
        "/sgx/certification/v4/tcb", "/sgx/certification/v4/qe/identity",
        "/sgx/certification/v4/rootcacrl", "/tdx/certification/v4/tcb",
        "/tdx/certification/v4/qe/identity", "/sgx/certification/v4/tcbevaluationdatanumbers",
        "/tdx/certification/v4/tcbevaluationdatanumbers"}) {
    router.add("GET", path, intel_route);
  }
  auto amd_route = [s](const http::HttpRequest& req, const http::PathParams&) {
    return amd(req, *s);
  };
  router.add("GET", "/vcek/v1/{product}/{item}", amd_route);
  router.add("GET", "/vlek/v1/{product}/{item}", amd_route);
}

}  // namespace vouch::service
