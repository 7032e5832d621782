#include "evidence/azure_cvm/guest_verify.h"

#include "evidence/azure_cvm/check_ids.h"
#include "evidence/tpm/ak.h"

namespace vouch::azure_cvm {

Result<VerifiedAzureGuest> verify_guest(const HardwareRoots& roots,
                                        const GuestAttestationInfo& info,
                                        const GuestVerifyOptions& options,
                                        evidence::CheckLog& log) {
  const GuestIsolation& iso = info.isolation;
  if (iso.type == IsolationType::kTrustedLaunch) {
    return tl::unexpected(log.fail(
        Error{ErrorKind::kEvidenceRejected, checks::kGuestTrustedLaunch,
              "IsolationInfo.Type TrustedLaunch carries no hardware isolation evidence (no SEV-SNP "
              "report or TD quote): only the vTPM would vouch for the VM"}));
  }
  auto ak = tpm::load_ak(info.tpm.aik_pub);
  if (!ak) {
    return tl::unexpected(log.fail(std::move(ak.error()).with_context("TpmInfo.AikPub")));
  }
  CvmParts parts;
  parts.hcl.report_type = iso.type == IsolationType::kTdx ? HwReportType::kTdx : HwReportType::kSnp;
  parts.hcl.hash = crypto::HashAlg::kSha256;
  parts.hcl.runtime_claims = iso.runtime_data;
  if (iso.type == IsolationType::kSevSnp) {
    parts.hcl.hw_report = iso.snp_report;
  } else {
    parts.td_quote = ByteSpan(iso.td_quote);
  }
  parts.aik_spki = ak->key.spki_der();
  parts.expected_nonce = options.expected_nonce;
  parts.quote.attest = info.tpm.pcr_quote;
  // Azure's client sends the raw RSA signature; a TPMT_SIGNATURE is accepted too.
  parts.quote.signature = tpm::parse_signature(info.tpm.pcr_signature)
                              ? info.tpm.pcr_signature
                              : raw_rsassa_signature(info.tpm.pcr_signature);
  for (const GuestPcr& pcr : info.tpm.pcrs) {
    parts.quote.pcrs[crypto::HashAlg::kSha256][pcr.index] = pcr.digest;
  }
  if (!info.tcg_logs.empty()) {
    parts.quote.event_log = ByteSpan(info.tcg_logs);
  }
  const std::string source = std::string("assembled from AttestationInfo (") +
                             (iso.type == IsolationType::kTdx ? "TD quote" : "SnpReport") +
                             " and RunTimeData)";
  VOUCH_TRY(VerifiedAzureCvm cvm,
            verify_parts(roots, parts, options.at, options.revocation, source, log));
  VerifiedAzureGuest out;
  out.info_ = info;
  out.cvm_.emplace(std::move(cvm));
  return out;
}

claims::ClaimSet to_claims(const VerifiedAzureGuest& v) {
  claims::ClaimSet out = to_claims(v.cvm());
  const GuestAttestationInfo& info = v.info();
  out.set("x-ms-azurevm-attestation-protocol-ver", info.protocol_version);
  if (info.os_type) {
    out.set("x-ms-azurevm-ostype", *info.os_type);
  }
  if (info.os_distro) {
    out.set("x-ms-azurevm-osdistro", *info.os_distro);
  }
  if (info.os_build) {
    out.set("x-ms-azurevm-osbuild", *info.os_build);
  }
  if (info.os_version_major) {
    out.set("x-ms-azurevm-osversion-major", *info.os_version_major);
  }
  if (info.os_version_minor) {
    out.set("x-ms-azurevm-osversion-minor", *info.os_version_minor);
  }
  if (!info.client_payload.empty()) {
    claims::ClaimMap payload;
    for (const auto& [k, value] : info.client_payload) {
      payload.emplace(k, value);
    }
    out.set("azure.guest.client_payload_unverified", std::move(payload));
  }
  const auto& log = v.cvm().quote().event_log();
  if (log && log->secure_boot()) {
    out.set("secureboot", *log->secure_boot());
  }
  return out;
}

}  // namespace vouch::azure_cvm
