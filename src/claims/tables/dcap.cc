#include <array>

#include "claims/tables/tables.h"

namespace vouch::claims::tables {
namespace {

using T = ClaimType;

// Claims of the Intel SGX and TDX DCAP verifiers (evidence/sgx, evidence/tdx, evidence/dcap):
// canonical names (dcap.*, sgx.*, tdx.*, oe.*) and the Microsoft Azure Attestation names
// (x-ms-sgx-*, tdx_*, attester_tcb_status; reference/maa.md sections 3.4 and 3.6). Bytes are
// lowercase hex in the canonical encoding, which is also MAA's format for these claims. Keep
// sorted by name.
constexpr std::array kDcapClaims = {
    ClaimSpec{"collateral.stale", T::kBool, "dcap",
              "Whether a collateral item was used past its nextUpdate (served from the cache "
              "inside [collateral] stale_grace_seconds while the source could not refresh it)"},
    ClaimSpec{"collateral.stale_items", T::kMap, "dcap",
              "The stale items (tcb_info, qe_identity, pck_crl, root_ca_crl) and how many "
              "seconds past their nextUpdate each was; absent when nothing was stale"},
    ClaimSpec{"attester_tcb_status", T::kString, "tdx",
              "MAA name of dcap.tcb_status for TDX (Intel tcbStatus, e.g. UpToDate)"},
    ClaimSpec{"dcap.advisory_ids", T::kList, "dcap",
              "Intel security advisories (INTEL-SA-*) of the matched TCB level, then of the TDX "
              "module and QE levels, without duplicates"},
    ClaimSpec{"dcap.collateral.digests", T::kMap, "dcap",
              "SHA-256 of the quote and of each collateral item it was verified with: quote, "
              "tcb_info, tcb_info_issuer_chain, qe_identity, qe_identity_issuer_chain, pck_crl, "
              "root_ca_crl (items not supplied are absent)"},
    ClaimSpec{"dcap.collateral.unchecked", T::kList, "dcap",
              "Collateral items that were not supplied and so not checked (tcb_info, "
              "qe_identity, pck_crl, root_ca_crl); empty for a full verification"},
    ClaimSpec{"dcap.fmspc", T::kBytes, "dcap", "FMSPC from the PCK certificate (6 bytes)"},
    ClaimSpec{"dcap.pck.ca", T::kString, "dcap",
              "Intel CA that issued the PCK certificate: 'processor' or 'platform'"},
    ClaimSpec{"dcap.pck.configuration", T::kMap, "dcap",
              "Platform configuration flags from the PCK certificate (platform CA only): "
              "dynamic_platform, cached_keys, smt_enabled, as present"},
    ClaimSpec{"dcap.pck.cpu_svn", T::kBytes, "dcap", "CPUSVN from the PCK certificate (16 bytes)"},
    ClaimSpec{"dcap.pck.platform_instance_id", T::kBytes, "dcap",
              "Platform instance id from the PCK certificate (platform CA only, 16 bytes)"},
    ClaimSpec{"dcap.pck.sgx_type", T::kString, "dcap",
              "SGX type from the PCK certificate: Standard, Scalable or ScalableWithIntegrity"},
    ClaimSpec{"dcap.pck.tcb_components", T::kList, "dcap",
              "The 16 SGX TCB component SVNs from the PCK certificate"},
    ClaimSpec{"dcap.pce_id", T::kBytes, "dcap", "PCE-ID from the PCK certificate (2 bytes)"},
    ClaimSpec{"dcap.pce_svn", T::kInteger, "dcap", "PCE SVN from the PCK certificate"},
    ClaimSpec{"dcap.qe.isv_svn", T::kInteger, "dcap", "ISVSVN of the quoting enclave's report"},
    ClaimSpec{"dcap.qe.mrsigner", T::kBytes, "dcap", "MRSIGNER of the quoting enclave"},
    ClaimSpec{"dcap.qe.tcb_date", T::kString, "dcap",
              "tcbDate of the QE identity level the QE matched (RFC 3339)"},
    ClaimSpec{"dcap.qe.tcb_status", T::kString, "dcap",
              "Status of the QE identity level the QE matched: UpToDate, OutOfDate or Revoked"},
    ClaimSpec{"dcap.quote.qe_vendor_id", T::kBytes, "dcap", "QE vendor id from the quote header"},
    ClaimSpec{"dcap.quote.version", T::kInteger, "dcap", "Quote format version (3, 4 or 5)"},
    ClaimSpec{"dcap.tcb_baseline", T::kString, "dcap",
              "The TCB baseline the collateral was requested for: latest, early or a "
              "tcbEvaluationDataNumber (the tenant's tcb_baseline setting, or the policy's "
              "x-ms-sgx-tcbidentifier)"},
    ClaimSpec{"dcap.tcb_date", T::kString, "dcap",
              "tcbDate of the matched TCB level (RFC 3339): when that level became current"},
    ClaimSpec{"dcap.tcb_evaluation_data_number", T::kInteger, "dcap",
              "tcbEvaluationDataNumber of the TCB Info used"},
    ClaimSpec{"dcap.tcb_status", T::kString, "dcap",
              "Intel TCB status of the platform (UpToDate, SWHardeningNeeded, "
              "ConfigurationNeeded, ConfigurationAndSWHardeningNeeded, OutOfDate, "
              "OutOfDateConfigurationNeeded, Revoked, TDRelaunchAdvised, "
              "TDRelaunchAdvisedConfigurationNeeded), converged with the TDX module and QE "
              "statuses as Intel's QVL does. Which statuses are acceptable is policy"},
    ClaimSpec{"dcap.tdx_module.identity", T::kString, "tdx",
              "TDX module identity used (TDX_01, ...), or 'tdxModule' for module version 0"},
    ClaimSpec{"dcap.tdx_module.tcb_status", T::kString, "tdx",
              "TCB status of the TDX module (UpToDate, OutOfDate or Revoked)"},
    ClaimSpec{"oe.custom_claims", T::kMap, "sgx",
              "OpenEnclave evidence custom claims (name -> value bytes), bound to the quote's "
              "report data"},
    ClaimSpec{"oe.report_digest", T::kBytes, "sgx",
              "SHA-256 of the OpenEnclave report or evidence the SGX quote came in"},
    ClaimSpec{"sgx.attributes", T::kBytes, "sgx", "ATTRIBUTES (flags || xfrm, 16 bytes)"},
    ClaimSpec{"sgx.attributes.debug", T::kBool, "sgx", "ATTRIBUTES.DEBUG: a debug enclave"},
    ClaimSpec{"sgx.attributes.mode64bit", T::kBool, "sgx", "ATTRIBUTES.MODE64BIT"},
    ClaimSpec{"sgx.attributes.provision_key", T::kBool, "sgx", "ATTRIBUTES.PROVISIONKEY"},
    ClaimSpec{"sgx.config_id", T::kBytes, "sgx", "CONFIGID (KSS, 64 bytes)"},
    ClaimSpec{"sgx.config_svn", T::kInteger, "sgx", "CONFIGSVN (KSS)"},
    ClaimSpec{"sgx.cpu_svn", T::kBytes, "sgx", "CPUSVN of the enclave report (16 bytes)"},
    ClaimSpec{"sgx.isv_ext_prod_id", T::kBytes, "sgx", "ISVEXTPRODID (KSS, 16 bytes)"},
    ClaimSpec{"sgx.isv_family_id", T::kBytes, "sgx", "ISVFAMILYID (KSS, 16 bytes)"},
    ClaimSpec{"sgx.isv_prod_id", T::kInteger, "sgx", "ISVPRODID"},
    ClaimSpec{"sgx.isv_svn", T::kInteger, "sgx", "ISVSVN"},
    ClaimSpec{"sgx.misc_select", T::kInteger, "sgx", "MISCSELECT"},
    ClaimSpec{"sgx.mrenclave", T::kBytes, "sgx", "MRENCLAVE (32 bytes)"},
    ClaimSpec{"sgx.mrsigner", T::kBytes, "sgx", "MRSIGNER (32 bytes)"},
    ClaimSpec{"sgx.report_data", T::kBytes, "sgx", "REPORTDATA (64 bytes)"},
    ClaimSpec{"tdx.mr_config_id", T::kBytes, "tdx", "MRCONFIGID (48 bytes)"},
    ClaimSpec{"tdx.mr_owner", T::kBytes, "tdx", "MROWNER (48 bytes)"},
    ClaimSpec{"tdx.mr_owner_config", T::kBytes, "tdx", "MROWNERCONFIG (48 bytes)"},
    ClaimSpec{"tdx.mr_seam", T::kBytes, "tdx", "MRSEAM: measurement of the TDX module (48 bytes)"},
    ClaimSpec{"tdx.mr_service_td", T::kBytes, "tdx", "MR_SERVICETD (TDX 1.5 bodies, 48 bytes)"},
    ClaimSpec{"tdx.mr_signer_seam", T::kBytes, "tdx", "MRSIGNERSEAM (48 bytes)"},
    ClaimSpec{"tdx.mr_td", T::kBytes, "tdx", "MRTD: the TD's build-time measurement (48 bytes)"},
    ClaimSpec{"tdx.report_data", T::kBytes, "tdx", "REPORTDATA (64 bytes)"},
    ClaimSpec{"tdx.rtmr0", T::kBytes, "tdx", "RTMR0 (48 bytes)"},
    ClaimSpec{"tdx.rtmr1", T::kBytes, "tdx", "RTMR1 (48 bytes)"},
    ClaimSpec{"tdx.rtmr2", T::kBytes, "tdx", "RTMR2 (48 bytes)"},
    ClaimSpec{"tdx.rtmr3", T::kBytes, "tdx", "RTMR3 (48 bytes)"},
    ClaimSpec{"tdx.rtmrs_verified", T::kList, "tdx",
              "RTMR indices (0-3) whose value a CCEL event log replay reproduced"},
    ClaimSpec{"tdx.seam_attributes", T::kBytes, "tdx", "SEAMATTRIBUTES (8 bytes)"},
    ClaimSpec{"tdx.td_attributes", T::kBytes, "tdx", "TDATTRIBUTES (8 bytes, little-endian)"},
    ClaimSpec{"tdx.td_attributes.debug", T::kBool, "tdx", "TDATTRIBUTES bit 0: a debug TD"},
    ClaimSpec{"tdx.td_attributes.key_locker", T::kBool, "tdx", "TDATTRIBUTES bit 31 (KL)"},
    ClaimSpec{"tdx.td_attributes.perfmon", T::kBool, "tdx", "TDATTRIBUTES bit 63 (PERFMON)"},
    ClaimSpec{"tdx.td_attributes.protection_keys", T::kBool, "tdx", "TDATTRIBUTES bit 30 (PKS)"},
    ClaimSpec{"tdx.td_attributes.sept_ve_disable", T::kBool, "tdx",
              "TDATTRIBUTES bit 28 (SEPT_VE_DISABLE)"},
    ClaimSpec{"tdx.tee_tcb_svn", T::kBytes, "tdx", "TEE_TCB_SVN (16 bytes)"},
    ClaimSpec{"tdx.tee_tcb_svn2", T::kBytes, "tdx", "TEE_TCB_SVN_2 (TDX 1.5 bodies, 16 bytes)"},
    ClaimSpec{"tdx.xfam", T::kBytes, "tdx", "XFAM (8 bytes)"},
    ClaimSpec{"tdx_mrconfigid", T::kBytes, "tdx", "MAA name of tdx.mr_config_id"},
    ClaimSpec{"tdx_mrowner", T::kBytes, "tdx", "MAA name of tdx.mr_owner"},
    ClaimSpec{"tdx_mrownerconfig", T::kBytes, "tdx", "MAA name of tdx.mr_owner_config"},
    ClaimSpec{"tdx_mrseam", T::kBytes, "tdx", "MAA name of tdx.mr_seam"},
    ClaimSpec{"tdx_mrsignerseam", T::kBytes, "tdx", "MAA name of tdx.mr_signer_seam"},
    ClaimSpec{"tdx_mrtd", T::kBytes, "tdx", "MAA name of tdx.mr_td"},
    ClaimSpec{"tdx_report_data", T::kBytes, "tdx", "MAA name of tdx.report_data"},
    ClaimSpec{"tdx_rtmr0", T::kBytes, "tdx", "MAA name of tdx.rtmr0"},
    ClaimSpec{"tdx_rtmr1", T::kBytes, "tdx", "MAA name of tdx.rtmr1"},
    ClaimSpec{"tdx_rtmr2", T::kBytes, "tdx", "MAA name of tdx.rtmr2"},
    ClaimSpec{"tdx_rtmr3", T::kBytes, "tdx", "MAA name of tdx.rtmr3"},
    ClaimSpec{"tdx_seam_attributes", T::kBytes, "tdx", "MAA name of tdx.seam_attributes"},
    ClaimSpec{"tdx_seamsvn", T::kInteger, "tdx",
              "MAA: TDX module SVN as major << 8 | minor (TEE_TCB_SVN bytes 1 and 0)"},
    ClaimSpec{"tdx_td_attributes", T::kBytes, "tdx", "MAA name of tdx.td_attributes"},
    ClaimSpec{"tdx_td_attributes_debug", T::kBool, "tdx", "MAA name of tdx.td_attributes.debug"},
    ClaimSpec{"tdx_td_attributes_key_locker", T::kBool, "tdx",
              "MAA name of tdx.td_attributes.key_locker"},
    ClaimSpec{"tdx_td_attributes_perfmon", T::kBool, "tdx",
              "MAA name of tdx.td_attributes.perfmon"},
    ClaimSpec{"tdx_td_attributes_protection_keys", T::kBool, "tdx",
              "MAA name of tdx.td_attributes.protection_keys"},
    ClaimSpec{"tdx_td_attributes_septve_disable", T::kBool, "tdx",
              "MAA name of tdx.td_attributes.sept_ve_disable"},
    ClaimSpec{"tdx_tee_tcb_svn", T::kBytes, "tdx", "MAA name of tdx.tee_tcb_svn"},
    ClaimSpec{"tdx_xfam", T::kBytes, "tdx", "MAA name of tdx.xfam"},
    ClaimSpec{"x-ms-sgx-collateral", T::kMap, "sgx",
              "MAA: SHA-256 (hex) of the quote and collateral: quotehash, tcbinfohash, "
              "tcbinfocertshash, tcbinfocrlhash (root CA CRL), qeidhash, qeidcertshash, "
              "qeidcrlhash (root CA CRL)"},
    ClaimSpec{"x-ms-sgx-config-id", T::kBytes, "sgx", "MAA name of sgx.config_id"},
    ClaimSpec{"x-ms-sgx-config-svn", T::kInteger, "sgx", "MAA name of sgx.config_svn"},
    ClaimSpec{"x-ms-sgx-is-debuggable", T::kBool, "sgx", "MAA name of sgx.attributes.debug"},
    ClaimSpec{"x-ms-sgx-isv-extended-product-id", T::kBytes, "sgx",
              "MAA name of sgx.isv_ext_prod_id"},
    ClaimSpec{"x-ms-sgx-isv-family-id", T::kBytes, "sgx", "MAA name of sgx.isv_family_id"},
    ClaimSpec{"x-ms-sgx-mrenclave", T::kBytes, "sgx", "MAA name of sgx.mrenclave"},
    ClaimSpec{"x-ms-sgx-mrsigner", T::kBytes, "sgx", "MAA name of sgx.mrsigner"},
    ClaimSpec{"x-ms-sgx-product-id", T::kInteger, "sgx", "MAA name of sgx.isv_prod_id"},
    ClaimSpec{"x-ms-sgx-report-data", T::kBytes, "sgx", "MAA name of sgx.report_data"},
    ClaimSpec{"x-ms-sgx-svn", T::kInteger, "sgx", "MAA name of sgx.isv_svn"},
    ClaimSpec{"x-ms-sgx-tcbidentifier", T::kString, "sgx",
              "MAA: the TCB baseline the quote was appraised against (name of dcap.tcb_baseline)"},
};

}  // namespace

std::span<const ClaimSpec> dcap() {
  return kDcapClaims;
}

}  // namespace vouch::claims::tables
