#include <array>

#include "claims/tables/tables.h"

namespace vouch::claims::tables {
namespace {

using T = ClaimType;

// Claims of the AMD SEV-SNP and Azure confidential VM verifiers (evidence/sevsnp,
// evidence/azure_cvm). Keep sorted by name. Bytes are lowercase hex in the canonical encoding; TCB
// maps hold {raw (8 bytes, big-endian), bootloader, tee, snp, microcode, fmc (Turin only)}.
constexpr std::array kSnpClaims = {
    ClaimSpec{"azure.hcl.ak_spki", T::kBytes, "azure_cvm",
              "The vTPM attestation key (HCLAkPub of the runtime claims) as DER "
              "SubjectPublicKeyInfo; it signed the verified vTPM quote"},
    ClaimSpec{"azure.guest.client_payload_unverified", T::kMap, "azure_cvm",
              "AzureGuest: the request's ClientPayload as sent. Nothing binds it to the evidence "
              "(Azure seals its token to the vTPM instead; Vouch does not yet), so a replayed "
              "request can carry any payload: never use it as a nonce"},
    ClaimSpec{"azure.hcl.report_type", T::kString, "azure_cvm",
              "Hardware report inside the HCL report: 'snp' or 'tdx'"},
    ClaimSpec{"azure.runtime", T::kMap, "azure_cvm",
              "The HCL runtime-claims JSON (keys, vm-configuration, user-data), bound to the "
              "hardware report by its SHA-256 in REPORT_DATA"},
    ClaimSpec{"azure.vm_id", T::kString, "azure_cvm",
              "vm-configuration.vmUniqueId of the runtime claims"},
    ClaimSpec{"azure.vtpm.nonce_checked", T::kBool, "azure_cvm",
              "Whether the vTPM quote's extraData was compared with an expected nonce (false for "
              "AzureGuest requests, which carry none; tpm.quote.nonce holds the value)"},
    ClaimSpec{"secureboot", T::kBool, "azure_cvm",
              "Azure guest attestation: UEFI SecureBoot enabled, from the TCG log replayed "
              "against the verified PCR 7 (absent when no log was sent or it does not say)"},
    ClaimSpec{"snp.author_key_digest", T::kBytes, "snp", "AUTHOR_KEY_DIGEST (48 bytes)"},
    ClaimSpec{"snp.author_key_en", T::kBool, "snp",
              "Signer info AUTHOR_KEY_EN: the ID block carried an author key"},
    ClaimSpec{"snp.cc_policy.digest", T::kBytes, "snp",
              "Confidential containers: SHA-256 of the init-time data (the security policy), "
              "verified equal to HOST_DATA"},
    ClaimSpec{"snp.cc_policy.text", T::kString, "snp",
              "Confidential containers: the verified init-time data (security policy) when it is "
              "UTF-8 text"},
    ClaimSpec{"snp.chip_id", T::kBytes, "snp", "CHIP_ID (64 bytes; zero when masked or VLEK)"},
    ClaimSpec{"snp.cpuid.family", T::kInteger, "snp", "CPUID_FAM_ID (report version 3+)"},
    ClaimSpec{"snp.cpuid.model", T::kInteger, "snp", "CPUID_MOD_ID (report version 3+)"},
    ClaimSpec{"snp.cpuid.stepping", T::kInteger, "snp", "CPUID_STEP (report version 3+)"},
    ClaimSpec{"snp.family_id", T::kBytes, "snp", "FAMILY_ID (16 bytes)"},
    ClaimSpec{"snp.firmware.committed", T::kString, "snp",
              "COMMITTED_MAJOR.COMMITTED_MINOR.COMMITTED_BUILD"},
    ClaimSpec{"snp.firmware.current", T::kString, "snp",
              "CURRENT_MAJOR.CURRENT_MINOR.CURRENT_BUILD"},
    ClaimSpec{"snp.guest_svn", T::kInteger, "snp", "GUEST_SVN"},
    ClaimSpec{"snp.host_data", T::kBytes, "snp", "HOST_DATA (32 bytes)"},
    ClaimSpec{"snp.host_data.binding", T::kString, "snp",
              "'init_data' when HOST_DATA was verified to be SHA-256 of supplied init-time data, "
              "'none' otherwise"},
    ClaimSpec{"snp.id_key_digest", T::kBytes, "snp", "ID_KEY_DIGEST (48 bytes)"},
    ClaimSpec{"snp.image_id", T::kBytes, "snp", "IMAGE_ID (16 bytes)"},
    ClaimSpec{"snp.mask_chip_key", T::kBool, "snp", "Signer info MASK_CHIP_KEY"},
    ClaimSpec{"snp.measurement", T::kBytes, "snp", "MEASUREMENT, the launch digest (48 bytes)"},
    ClaimSpec{"snp.mit_vector.current", T::kBytes, "snp",
              "CURRENT_MIT_VECTOR (8 bytes, big-endian; report version 5+)"},
    ClaimSpec{"snp.mit_vector.launch", T::kBytes, "snp",
              "LAUNCH_MIT_VECTOR (8 bytes, big-endian; report version 5+)"},
    ClaimSpec{"snp.platform_info", T::kBytes, "snp", "PLATFORM_INFO (8 bytes, big-endian)"},
    ClaimSpec{"snp.platform_info.alias_check_complete", T::kBool, "snp", "PLATFORM_INFO bit 5"},
    ClaimSpec{"snp.platform_info.ciphertext_hiding_enabled", T::kBool, "snp",
              "PLATFORM_INFO bit 4"},
    ClaimSpec{"snp.platform_info.ecc_enabled", T::kBool, "snp", "PLATFORM_INFO bit 2"},
    ClaimSpec{"snp.platform_info.rapl_disabled", T::kBool, "snp", "PLATFORM_INFO bit 3"},
    ClaimSpec{"snp.platform_info.smt_enabled", T::kBool, "snp", "PLATFORM_INFO bit 0"},
    ClaimSpec{"snp.platform_info.tsme_enabled", T::kBool, "snp", "PLATFORM_INFO bit 1"},
    ClaimSpec{"snp.policy", T::kInteger, "snp", "Guest POLICY, raw"},
    ClaimSpec{"snp.policy.abi_major", T::kInteger, "snp", "Guest policy ABI_MAJOR"},
    ClaimSpec{"snp.policy.abi_minor", T::kInteger, "snp", "Guest policy ABI_MINOR"},
    ClaimSpec{"snp.policy.ciphertext_hiding", T::kBool, "snp",
              "Guest policy CIPHERTEXT_HIDING (bit 24)"},
    ClaimSpec{"snp.policy.cxl_allowed", T::kBool, "snp", "Guest policy CXL_ALLOW (bit 21)"},
    ClaimSpec{"snp.policy.debug", T::kBool, "snp", "Guest policy DEBUG (bit 19)"},
    ClaimSpec{"snp.policy.mem_aes_256_xts", T::kBool, "snp",
              "Guest policy MEM_AES_256_XTS (bit 22)"},
    ClaimSpec{"snp.policy.migrate_ma", T::kBool, "snp", "Guest policy MIGRATE_MA (bit 18)"},
    ClaimSpec{"snp.policy.page_swap_disable", T::kBool, "snp",
              "Guest policy PAGE_SWAP_DISABLE (bit 25)"},
    ClaimSpec{"snp.policy.rapl_dis", T::kBool, "snp", "Guest policy RAPL_DIS (bit 23)"},
    ClaimSpec{"snp.policy.single_socket", T::kBool, "snp", "Guest policy SINGLE_SOCKET (bit 20)"},
    ClaimSpec{"snp.policy.smt", T::kBool, "snp", "Guest policy SMT allowed (bit 16)"},
    ClaimSpec{"snp.product", T::kString, "snp", "Product line: Milan, Genoa or Turin"},
    ClaimSpec{"snp.product.source", T::kString, "snp",
              "Where the product line came from: 'cpuid' (signed, report v3+), 'certificate' or "
              "'option'"},
    ClaimSpec{"snp.report.version", T::kInteger, "snp", "Report VERSION"},
    ClaimSpec{"snp.report_data", T::kBytes, "snp", "REPORT_DATA (64 bytes)"},
    ClaimSpec{"snp.report_data.binding", T::kString, "snp",
              "'exact' when REPORT_DATA equalled the expected 64 bytes, 'not_required' when the "
              "caller explicitly required nothing"},
    ClaimSpec{"snp.report_id", T::kBytes, "snp", "REPORT_ID (32 bytes)"},
    ClaimSpec{"snp.report_id_ma", T::kBytes, "snp", "REPORT_ID_MA (32 bytes)"},
    ClaimSpec{"snp.revocation.checked", T::kBool, "snp",
              "The ASK/ASVK was checked against a current AMD CRL"},
    ClaimSpec{"snp.revocation.mode", T::kString, "snp",
              "CRL mode of the verification: 'require', 'best_effort' or 'skip'"},
    ClaimSpec{"snp.signature_algo", T::kInteger, "snp", "SIGNATURE_ALGO (1: ECDSA P-384/SHA-384)"},
    ClaimSpec{"snp.signing_key", T::kString, "snp", "Signer info SIGNING_KEY: 'vcek' or 'vlek'"},
    ClaimSpec{"snp.tcb.committed", T::kMap, "snp", "COMMITTED_TCB, decomposed per product"},
    ClaimSpec{"snp.tcb.current", T::kMap, "snp", "CURRENT_TCB, decomposed per product"},
    ClaimSpec{"snp.tcb.launch", T::kMap, "snp", "LAUNCH_TCB, decomposed per product"},
    ClaimSpec{"snp.tcb.reported", T::kMap, "snp",
              "REPORTED_TCB, decomposed per product (equal to the VCEK/VLEK's TCB)"},
    ClaimSpec{"snp.vek.csp_id", T::kString, "snp", "VLEK: the cloud provider's CSP id"},
    ClaimSpec{"snp.vek.kind", T::kString, "snp", "Certificate that signed: 'vcek' or 'vlek'"},
    ClaimSpec{"snp.vek.not_after", T::kString, "snp",
              "End of the verified VCEK/VLEK chain's validity (RFC 3339)"},
    ClaimSpec{"snp.vek.product_name", T::kString, "snp",
              "productName extension of the VCEK/VLEK (e.g. Milan-B0)"},
    ClaimSpec{"snp.vek.source", T::kString, "snp",
              "Where the VCEK/VLEK came from: 'evidence', 'kds' or 'offline'"},
    ClaimSpec{"snp.vmpl", T::kInteger, "snp", "VMPL of the requesting guest"},
    ClaimSpec{"x-ms-azurevm-attestation-protocol-ver", T::kString, "azure_cvm",
              "Azure guest attestation: AttestationProtocolVersion of the request"},
    ClaimSpec{"x-ms-azurevm-attested-pcrs", T::kList, "azure_cvm",
              "PCR indices the verified vTPM quote covers"},
    ClaimSpec{"x-ms-azurevm-osbuild", T::kString, "azure_cvm",
              "Azure guest attestation: OSBuild as the guest reported it (not measured)"},
    ClaimSpec{"x-ms-azurevm-osdistro", T::kString, "azure_cvm",
              "Azure guest attestation: OSDistro as the guest reported it (not measured)"},
    ClaimSpec{"x-ms-azurevm-ostype", T::kString, "azure_cvm",
              "Azure guest attestation: OSType as the guest reported it (not measured)"},
    ClaimSpec{"x-ms-azurevm-osversion-major", T::kInteger, "azure_cvm",
              "Azure guest attestation: OSVersionMajor as the guest reported it (not measured)"},
    ClaimSpec{"x-ms-azurevm-osversion-minor", T::kInteger, "azure_cvm",
              "Azure guest attestation: OSVersionMinor as the guest reported it (not measured)"},
    ClaimSpec{"x-ms-azurevm-vmid", T::kString, "azure_cvm",
              "VM id (vm-configuration.vmUniqueId of the HCL runtime claims)"},
    ClaimSpec{"x-ms-isolation-tee", T::kMap, "azure_cvm",
              "Azure guest attestation: the isolation TEE's claims (x-ms-attestation-type "
              "'sevsnpvm' or 'tdxvm', x-ms-runtime = the HCL runtime claims, x-ms-sevsnpvm-* or "
              "tdx_* and attester_tcb_status)"},
    ClaimSpec{"x-ms-sevsnpvm-authorkeydigest", T::kBytes, "snp", "MAA: AUTHOR_KEY_DIGEST"},
    ClaimSpec{"x-ms-sevsnpvm-bootloader-svn", T::kInteger, "snp",
              "MAA: boot loader SPL of REPORTED_TCB"},
    ClaimSpec{"x-ms-sevsnpvm-familyId", T::kBytes, "snp", "MAA: FAMILY_ID"},
    ClaimSpec{"x-ms-sevsnpvm-guestsvn", T::kInteger, "snp", "MAA: GUEST_SVN"},
    ClaimSpec{"x-ms-sevsnpvm-hostdata", T::kBytes, "snp", "MAA: HOST_DATA"},
    ClaimSpec{"x-ms-sevsnpvm-idkeydigest", T::kBytes, "snp", "MAA: ID_KEY_DIGEST"},
    ClaimSpec{"x-ms-sevsnpvm-imageId", T::kBytes, "snp", "MAA: IMAGE_ID"},
    ClaimSpec{"x-ms-sevsnpvm-is-debuggable", T::kBool, "snp", "MAA: guest policy DEBUG"},
    ClaimSpec{"x-ms-sevsnpvm-launchmeasurement", T::kBytes, "snp", "MAA: MEASUREMENT"},
    ClaimSpec{"x-ms-sevsnpvm-microcode-svn", T::kInteger, "snp",
              "MAA: microcode SPL of REPORTED_TCB"},
    ClaimSpec{"x-ms-sevsnpvm-migration-allowed", T::kBool, "snp", "MAA: guest policy MIGRATE_MA"},
    ClaimSpec{"x-ms-sevsnpvm-reportdata", T::kBytes, "snp", "MAA: REPORT_DATA"},
    ClaimSpec{"x-ms-sevsnpvm-reportid", T::kBytes, "snp", "MAA: REPORT_ID"},
    ClaimSpec{"x-ms-sevsnpvm-smt-allowed", T::kBool, "snp", "MAA: guest policy SMT"},
    ClaimSpec{"x-ms-sevsnpvm-snpfw-svn", T::kInteger, "snp",
              "MAA: SNP firmware SPL of REPORTED_TCB"},
    ClaimSpec{"x-ms-sevsnpvm-tee-svn", T::kInteger, "snp", "MAA: TEE SPL of REPORTED_TCB"},
    ClaimSpec{"x-ms-sevsnpvm-vmpl", T::kInteger, "snp", "MAA: VMPL"},
};

}  // namespace

std::span<const ClaimSpec> snp() {
  return kSnpClaims;
}

}  // namespace vouch::claims::tables
