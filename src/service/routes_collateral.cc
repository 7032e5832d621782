// The collateral service's HTTP API (docs/collateral.md): Intel PCS v4 / PCCS-compatible routes
// and AMD KDS-compatible paths, answered from this node's collateral chain (memory, the store
// shared by every node, then the configured source), so one `vouch serve` can be the collateral
// cache of a fleet and another can name it as its [collateral] intel_pcs_url / amd_kds_url.
// Bodies and issuer-chain headers are exactly what Intel PCS and AMD KDS send.

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "collateral/amd_kds.h"
#include "collateral/intel_pcs.h"
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

// Rebuilds "path?query" from the decoded request (values are hex or names, so nothing needs
// escaping; anything else fails the strict parsers below).
std::string target_of(const http::HttpRequest& req) {
  std::string url = req.path;
  char sep = '?';
  for (const auto& [k, v] : req.query) {
    url += sep + k + "=" + v;
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
      VOUCH_TRY_RESPONSE_DECL(col::IntelSignedJson j, pcs.tcb_info(pr.tee, pr.fmspc));
      auto r = body_response(j.json, "application/json");
      const std::string chain = col::url_encode(j.issuer_chain);
      r.set_header("TCB-Info-Issuer-Chain", chain);
      r.set_header("SGX-TCB-Info-Issuer-Chain", chain);
      return r;
    }
    case Kind::kQeIdentity: {
      VOUCH_TRY_RESPONSE_DECL(col::IntelSignedJson j, pcs.qe_identity(pr.tee));
      auto r = body_response(j.json, "application/json");
      r.set_header("SGX-Enclave-Identity-Issuer-Chain", col::url_encode(j.issuer_chain));
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

}  // namespace

void add_collateral_routes(http::Router& router, ServiceState& state) {
  ServiceState* s = &state;
  auto intel_route = [s](const http::HttpRequest& req, const http::PathParams&) {
    return intel(req, *s);
  };
  for (const char* path : {"/sgx/certification/v4/pckcert", "/sgx/certification/v4/pckcrl",
                           "/sgx/certification/v4/tcb", "/sgx/certification/v4/qe/identity",
                           "/sgx/certification/v4/rootcacrl", "/tdx/certification/v4/tcb",
                           "/tdx/certification/v4/qe/identity"}) {
    router.add("GET", path, intel_route);
  }
  auto amd_route = [s](const http::HttpRequest& req, const http::PathParams&) {
    return amd(req, *s);
  };
  router.add("GET", "/vcek/v1/{product}/{item}", amd_route);
  router.add("GET", "/vlek/v1/{product}/{item}", amd_route);
}

}  // namespace vouch::service
