#include "evidence/dcap/claims.h"

#include "base/time.h"

namespace vouch::dcap {
namespace {

Bytes bytes(ByteSpan b) {
  return to_bytes(b);
}

claims::ClaimList strings(const std::vector<std::string>& in) {
  claims::ClaimList out;
  for (const std::string& s : in) {
    out.emplace_back(s);
  }
  return out;
}

}  // namespace

void add_claims(const VerifiedQuote& q, claims::ClaimSet& out) {
  const QuoteHeader& header = header_of(q.quote());
  out.set("dcap.quote.version", static_cast<std::int64_t>(header.version));
  out.set("dcap.quote.qe_vendor_id", bytes(header.qe_vendor_id));

  const PckExtensions& pck = q.pck().extensions;
  out.set("dcap.fmspc", bytes(pck.fmspc));
  out.set("dcap.pce_id", bytes(pck.pce_id));
  out.set("dcap.pce_svn", static_cast<std::int64_t>(pck.tcb.pce_svn));
  out.set("dcap.pck.cpu_svn", bytes(pck.tcb.cpu_svn));
  claims::ClaimList components;
  for (std::uint8_t svn : pck.tcb.sgx_svns) {
    components.emplace_back(static_cast<std::int64_t>(svn));
  }
  out.set("dcap.pck.tcb_components", std::move(components));
  out.set("dcap.pck.ca", std::string(pck_ca_name(q.pck().ca)));
  out.set("dcap.pck.sgx_type", std::string(sgx_type_name(pck.sgx_type)));
  if (pck.platform_instance_id) {
    out.set("dcap.pck.platform_instance_id", bytes(*pck.platform_instance_id));
  }
  if (pck.configuration) {
    claims::ClaimMap config;
    if (pck.configuration->dynamic_platform) {
      config["dynamic_platform"] = *pck.configuration->dynamic_platform;
    }
    if (pck.configuration->cached_keys) {
      config["cached_keys"] = *pck.configuration->cached_keys;
    }
    if (pck.configuration->smt_enabled) {
      config["smt_enabled"] = *pck.configuration->smt_enabled;
    }
    out.set("dcap.pck.configuration", std::move(config));
  }

  const EnclaveReport& qe_report = auth_of(q.quote()).qe.qe_report;
  out.set("dcap.qe.isv_svn", static_cast<std::int64_t>(qe_report.isv_svn));
  out.set("dcap.qe.mrsigner", bytes(qe_report.mr_signer));
  if (q.qe()) {
    out.set("dcap.qe.tcb_status", std::string(tcb_status_name(q.qe()->status)));
    out.set("dcap.qe.tcb_date", format_rfc3339(q.qe()->tcb_date));
  }
  if (q.tcb()) {
    out.set("dcap.tcb_status", std::string(tcb_status_name(q.tcb()->status)));
    out.set("dcap.tcb_date", format_rfc3339(q.tcb()->tcb_date));
    out.set("dcap.advisory_ids", strings(q.tcb()->advisory_ids));
  }
  if (q.tcb_info() != nullptr) {
    out.set("dcap.tcb_evaluation_data_number",
            static_cast<std::int64_t>(q.tcb_info()->tcb_evaluation_data_number));
  }
  if (q.tdx_module()) {
    out.set("dcap.tdx_module.identity", q.tdx_module()->identity_id.empty()
                                            ? std::string("tdxModule")
                                            : q.tdx_module()->identity_id);
    out.set("dcap.tdx_module.tcb_status", std::string(tcb_status_name(q.tdx_module()->status)));
  }

  const CollateralDigests& d = q.digests();
  claims::ClaimMap digests;
  const std::pair<const char*, const Bytes*> items[] = {
      {"quote", &d.quote},
      {"tcb_info", &d.tcb_info},
      {"tcb_info_issuer_chain", &d.tcb_info_issuer_chain},
      {"qe_identity", &d.qe_identity},
      {"qe_identity_issuer_chain", &d.qe_identity_issuer_chain},
      {"pck_crl", &d.pck_crl},
      {"root_ca_crl", &d.root_ca_crl},
  };
  for (const auto& [name, digest] : items) {
    if (!digest->empty()) {
      digests[name] = *digest;
    }
  }
  out.set("dcap.collateral.digests", std::move(digests));
  out.set("dcap.collateral.unchecked", strings(q.unchecked_collateral()));
  // Collateral used past its nextUpdate inside the stale grace: always said, so a policy can
  // require fresh collateral ([type=="collateral.stale", value==false]).
  out.set("collateral.stale", !q.stale_collateral().empty());
  if (!q.stale_collateral().empty()) {
    claims::ClaimMap stale;
    for (const StaleCollateral& s : q.stale_collateral()) {
      stale[s.item] = static_cast<std::int64_t>(s.past_next_update.count());
    }
    out.set("collateral.stale_items", std::move(stale));
  }
}

}  // namespace vouch::dcap
