#include "testing/fake_intel_pcs.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "evidence/dcap/check_ids.h"
#include "evidence/dcap/signed_json.h"
#include "evidence/dcap/tcb_info.h"

namespace vouch::testing {
namespace {

std::string tee_key(collateral::IntelTee tee) {
  return std::string(collateral::intel_tee_name(tee));
}

collateral::IntelTee to_tee(dcap::TeeKind tee) {
  return tee == dcap::TeeKind::kTdx ? collateral::IntelTee::kTdx : collateral::IntelTee::kSgx;
}

std::string pck_key(const collateral::PckCertificateRequest& r) {
  return hex_encode(r.encrypted_ppid) + hex_encode(r.cpu_svn) + std::to_string(r.pce_svn) +
         hex_encode(r.pce_id);
}

}  // namespace

FakeIntelPcs::FakeIntelPcs(const FakeIntelPki& pki, collateral::PcsUrls urls)
    : pki_(pki), urls_(std::move(urls)) {}

void FakeIntelPcs::add(dcap::TeeKind tee, const dcap::QuoteCollateral& c, dcap::PckCaType ca) {
  const auto sj =
      dcap::split_signed_json(c.tcb_info->json, "tcbInfo", dcap::checks::kTcbInfoFormat);
  const auto info = dcap::parse_tcb_info(sj.value().body).value();
  tcb_infos_[tee_key(to_tee(tee)) + "/" + hex_encode(info.fmspc) + "/latest"] = *c.tcb_info;
  qe_identities_[tee_key(to_tee(tee)) + "/latest"] = *c.qe_identity;
  numbers_[tee_key(to_tee(tee))].insert(info.tcb_evaluation_data_number);
  pck_crls_[std::string(dcap::pck_ca_name(ca))] = *c.pck_crl;
  root_crl_ = *c.root_ca_crl;
}

void FakeIntelPcs::add_baseline(dcap::TeeKind tee, const collateral::IntelSignedJson& tcb_info,
                                const collateral::IntelSignedJson& qe_identity) {
  const auto sj = dcap::split_signed_json(tcb_info.json, "tcbInfo", dcap::checks::kTcbInfoFormat);
  const auto info = dcap::parse_tcb_info(sj.value().body).value();
  const std::string n = std::to_string(info.tcb_evaluation_data_number);
  tcb_infos_[tee_key(to_tee(tee)) + "/" + hex_encode(info.fmspc) + "/" + n] = tcb_info;
  qe_identities_[tee_key(to_tee(tee)) + "/" + n] = qe_identity;
  numbers_[tee_key(to_tee(tee))].insert(info.tcb_evaluation_data_number);
}

void FakeIntelPcs::add_pck_certificate(const collateral::PckCertificateRequest& request,
                                       const FakePlatform& platform) {
  collateral::IntelPckCertificate cert;
  cert.certificate = to_pem(platform.pck_certificate);
  cert.issuer_chain = pki_.pck_ca_chain_pem(platform.ca);
  cert.tcbm = hex_encode(platform.pck_extensions.tcb.cpu_svn) + "0d00";
  cert.fmspc = hex_encode(platform.pck_extensions.fmspc);
  cert.ca_type = std::string(dcap::pck_ca_name(platform.ca));
  pck_certs_[pck_key(request)] = cert;
}

collateral::FetchResponse FakeIntelPcs::ok(Bytes body, const std::string& header,
                                           const std::string& chain) {
  collateral::FetchResponse r;
  r.status = 200;
  r.body = std::move(body);
  if (!omit_chains_ && !header.empty()) {
    r.headers[header] = collateral::url_encode(chain);
  }
  return r;
}

Result<collateral::FetchResponse> FakeIntelPcs::get(const std::string& url) {
  requests_.push_back(url);
  if (fail_status_ != 0) {
    collateral::FetchResponse r;
    r.status = fail_status_;
    return r;
  }
  collateral::FetchResponse not_found;
  not_found.status = 404;
  VOUCH_TRY(collateral::PcsRequest req, collateral::parse_pcs_url(urls_, url));
  using Kind = collateral::PcsRequest::Kind;
  switch (req.kind) {
    case Kind::kTcbInfo: {
      const auto it = tcb_infos_.find(tee_key(req.tee) + "/" + hex_encode(req.fmspc) + "/" +
                                      collateral::tcb_baseline_name(req.baseline));
      if (it == tcb_infos_.end()) {
        return not_found;
      }
      return ok(to_bytes(as_bytes(it->second.json)), "tcb-info-issuer-chain",
                it->second.issuer_chain);
    }
    case Kind::kQeIdentity: {
      const auto it =
          qe_identities_.find(tee_key(req.tee) + "/" + collateral::tcb_baseline_name(req.baseline));
      if (it == qe_identities_.end()) {
        return not_found;
      }
      return ok(to_bytes(as_bytes(it->second.json)), "sgx-enclave-identity-issuer-chain",
                it->second.issuer_chain);
    }
    case Kind::kPckCrl: {
      const auto it = pck_crls_.find(std::string(collateral::intel_ca_name(req.ca)));
      if (it == pck_crls_.end()) {
        return not_found;
      }
      return ok(it->second.crl, "sgx-pck-crl-issuer-chain", it->second.issuer_chain);
    }
    case Kind::kTcbEvaluationDataNumbers: {
      const auto it = numbers_.find(tee_key(req.tee));
      if (it == numbers_.end() || it->second.empty()) {
        return not_found;
      }
      const std::uint32_t highest = *it->second.rbegin();
      nlohmann::json entries = nlohmann::json::array();
      for (auto n = it->second.rbegin(); n != it->second.rend(); ++n) {
        const Timestamp recovery = kDcapIssued - std::chrono::days(90) * (highest - *n);
        entries.push_back({{"tcbEvaluationDataNumber", *n},
                           {"tcbRecoveryEventDate", format_rfc3339(recovery)},
                           {"tcbDate", format_rfc3339(recovery + std::chrono::days(1))}});
      }
      const nlohmann::json body = {{"id", req.tee == collateral::IntelTee::kTdx ? "TDX" : "SGX"},
                                   {"version", 1},
                                   {"issueDate", format_rfc3339(kDcapIssued)},
                                   {"nextUpdate", format_rfc3339(kDcapNextUpdate)},
                                   {"tcbEvalNumbers", entries}};
      const collateral::IntelSignedJson list =
          sign_json(pki_, "tcbEvaluationDataNumbers", body.dump());
      return ok(to_bytes(as_bytes(list.json)), "tcb-evaluation-data-numbers-issuer-chain",
                list.issuer_chain);
    }
    case Kind::kRootCaCrl:
      if (!root_crl_) {
        return not_found;
      }
      return ok(root_crl_->crl, "", "");
    case Kind::kPckCertificate: {
      const auto it = pck_certs_.find(pck_key(req.pck));
      if (it == pck_certs_.end()) {
        return not_found;
      }
      collateral::FetchResponse r = ok(to_bytes(as_bytes(it->second.certificate)),
                                       "sgx-pck-certificate-issuer-chain", it->second.issuer_chain);
      r.headers["sgx-tcbm"] = it->second.tcbm;
      r.headers["sgx-fmspc"] = it->second.fmspc;
      r.headers["sgx-pck-certificate-ca-type"] = it->second.ca_type;
      return r;
    }
  }
  return not_found;
}

}  // namespace vouch::testing
