#include "policy/catalogue.h"

#include <algorithm>
#include <array>

namespace vouch::policy {
namespace {

using T = CatalogueType;

constexpr std::uint8_t bit(AttestationType t) {
  return std::uint8_t(1U << static_cast<unsigned>(t));
}
constexpr std::uint8_t kSgx = bit(AttestationType::kSgx);
constexpr std::uint8_t kTdx = bit(AttestationType::kTdx);
constexpr std::uint8_t kSnp = bit(AttestationType::kSevSnp);
constexpr std::uint8_t kTpm = bit(AttestationType::kTpm);
constexpr std::uint8_t kAzureVm = bit(AttestationType::kAzureVm);
constexpr std::uint8_t kAll = kSgx | kTdx | kSnp | kTpm | kAzureVm;

// Incoming claims per attestation type, from maa.md section 3 (claim-sets.md, the token examples
// and the TDX EAT profile). Sorted by type.
constexpr std::array kIncomingClaims = {
    IncomingClaimSpec{"$is-debuggable", T::kBoolean, kSgx, false, false, "x-ms-sgx-is-debuggable",
                      "Deprecated alias"},
    IncomingClaimSpec{"$product-id", T::kInteger, kSgx, false, false, "x-ms-sgx-product-id",
                      "Deprecated alias"},
    IncomingClaimSpec{"$sgx-mrenclave", T::kString, kSgx, false, false, "x-ms-sgx-mrenclave",
                      "Deprecated alias"},
    IncomingClaimSpec{"$sgx-mrsigner", T::kString, kSgx, false, false, "x-ms-sgx-mrsigner",
                      "Deprecated alias"},
    IncomingClaimSpec{"$svn", T::kInteger, kSgx, false, false, "x-ms-sgx-svn", "Deprecated alias"},
    IncomingClaimSpec{"$tee", T::kString, kSgx, false, false, "x-ms-attestation-type",
                      "Deprecated alias"},
    IncomingClaimSpec{"aas-ehd", T::kString, kSgx, false, false, "x-ms-sgx-ehd",
                      "Deprecated alias"},
    IncomingClaimSpec{"aikPubHash", T::kString, kTpm, false, false, "",
                      "base64(SHA-256(AIK public key))"},
    IncomingClaimSpec{"aikValidated", T::kBoolean, kTpm, false, false, "",
                      "The AIK certificate validated"},
    IncomingClaimSpec{"attester_tcb_status", T::kString, kTdx, false, false, "",
                      "Intel TCB status, e.g. UpToDate"},
    IncomingClaimSpec{"bootDebuggingDisabled", T::kBoolean, kTpm, false, false, "",
                      "Boot debugging disabled"},
    IncomingClaimSpec{"bootEvents", T::kJson, kTpm, false, true, "",
                      "Parsed TCG boot event log of the boot (not resume) as JSON"},
    IncomingClaimSpec{"dbgstat", T::kString, kTdx, false, false, "",
                      "EAT debug status, e.g. disabled"},
    IncomingClaimSpec{"eat_profile", T::kString, kTdx, false, false, "", "EAT profile URI"},
    IncomingClaimSpec{"enclaveAuthorId", T::kString, kTpm, false, false, "",
                      "VBS enclave author id (base64url)"},
    IncomingClaimSpec{"enclaveFamilyId", T::kString, kTpm, false, false, "",
                      "VBS enclave family id (base64url)"},
    IncomingClaimSpec{"enclaveFlags", T::kInteger, kTpm, false, false, "", "VBS enclave flags"},
    IncomingClaimSpec{"enclaveImageId", T::kString, kTpm, false, false, "",
                      "VBS enclave image id (base64url)"},
    IncomingClaimSpec{"enclaveOwnerId", T::kString, kTpm, false, false, "",
                      "VBS enclave owner id (base64url)"},
    IncomingClaimSpec{"enclavePlatformSvn", T::kInteger, kTpm, false, false, "",
                      "VBS platform SVN"},
    IncomingClaimSpec{"enclaveSvn", T::kInteger, kTpm, false, false, "", "VBS enclave SVN"},
    IncomingClaimSpec{"events", T::kJson, kTpm, false, true, "",
                      "Parsed TCG boot event log as JSON"},
    IncomingClaimSpec{"intuse", T::kString, kTdx, false, false, "",
                      "EAT intended use, e.g. generic"},
    IncomingClaimSpec{"iommuEnabled", T::kBoolean, kTpm, false, false, "", "IOMMU enabled"},
    IncomingClaimSpec{"maa-attestationcollateral", T::kJson, kSgx, false, false,
                      "x-ms-sgx-collateral", "Deprecated alias"},
    IncomingClaimSpec{"maa-ehd", T::kString, kSgx, false, false, "x-ms-sgx-ehd",
                      "Deprecated alias"},
    IncomingClaimSpec{"notSafeMode", T::kBoolean, kTpm, false, false, "",
                      "Not booted in safe mode"},
    IncomingClaimSpec{"notWinPE", T::kBoolean, kTpm, false, false, "", "Not booted in WinPE"},
    IncomingClaimSpec{"pcrs", T::kJson, kTpm, true, true, "",
                      "Quoted PCR values as JSON {PCRs:[{Index, Digests}]}"},
    IncomingClaimSpec{"secureBootEnabled", T::kBoolean, kTpm, false, false, "",
                      "Secure boot enabled"},
    IncomingClaimSpec{"secureboot", T::kBoolean, kAzureVm, false, false, "", "Secure boot enabled"},
    IncomingClaimSpec{"tdx_mrconfigid", T::kString, kTdx, false, false, "", "MRCONFIGID (hex)"},
    IncomingClaimSpec{"tdx_mrowner", T::kString, kTdx, false, false, "", "MROWNER (hex)"},
    IncomingClaimSpec{"tdx_mrownerconfig", T::kString, kTdx, false, false, "",
                      "MROWNERCONFIG (hex)"},
    IncomingClaimSpec{"tdx_mrseam", T::kString, kTdx, false, false, "", "MRSEAM (hex)"},
    IncomingClaimSpec{"tdx_mrsignerseam", T::kString, kTdx, false, false, "", "MRSIGNERSEAM (hex)"},
    IncomingClaimSpec{"tdx_mrtd", T::kString, kTdx, false, false, "", "MRTD (hex)"},
    IncomingClaimSpec{"tdx_report_data", T::kString, kTdx, false, false, "", "REPORT_DATA (hex)"},
    IncomingClaimSpec{"tdx_rtmr0", T::kString, kTdx, false, false, "", "RTMR0 (hex)"},
    IncomingClaimSpec{"tdx_rtmr1", T::kString, kTdx, false, false, "", "RTMR1 (hex)"},
    IncomingClaimSpec{"tdx_rtmr2", T::kString, kTdx, false, false, "", "RTMR2 (hex)"},
    IncomingClaimSpec{"tdx_rtmr3", T::kString, kTdx, false, false, "", "RTMR3 (hex)"},
    IncomingClaimSpec{"tdx_seam_attributes", T::kString, kTdx, false, false, "",
                      "SEAM_ATTRIBUTES (hex)"},
    IncomingClaimSpec{"tdx_seamsvn", T::kInteger, kTdx, false, false, "", "SEAM SVN"},
    IncomingClaimSpec{"tdx_td_attributes", T::kString, kTdx, false, false, "",
                      "TD_ATTRIBUTES (hex)"},
    IncomingClaimSpec{"tdx_td_attributes_debug", T::kBoolean, kTdx, false, false, "",
                      "TD attribute DEBUG"},
    IncomingClaimSpec{"tdx_td_attributes_key_locker", T::kBoolean, kTdx, false, false, "",
                      "TD attribute KEY_LOCKER"},
    IncomingClaimSpec{"tdx_td_attributes_perfmon", T::kBoolean, kTdx, false, false, "",
                      "TD attribute PERFMON"},
    IncomingClaimSpec{"tdx_td_attributes_protection_keys", T::kBoolean, kTdx, false, false, "",
                      "TD attribute PROTECTION_KEYS"},
    IncomingClaimSpec{"tdx_td_attributes_septve_disable", T::kBoolean, kTdx, false, false, "",
                      "TD attribute SEPTVE_DISABLE"},
    IncomingClaimSpec{"tdx_tee_tcb_svn", T::kString, kTdx, false, false, "", "TEE_TCB_SVN (hex)"},
    IncomingClaimSpec{"tdx_xfam", T::kString, kTdx, false, false, "", "XFAM (hex)"},
    IncomingClaimSpec{"tpmVersion", T::kInteger, kTpm, false, false, "", "TPM major version"},
    IncomingClaimSpec{"vbsEnabled", T::kBoolean, kTpm, false, false, "", "VBS enabled"},
    IncomingClaimSpec{"vbsReportPresent", T::kBoolean, kTpm, false, false, "",
                      "A VBS enclave report is present"},
    IncomingClaimSpec{"vsmReportPresent", T::kBoolean, kTpm, false, false, "",
                      "A VSM enclave report is present"},
    IncomingClaimSpec{"x-ms-attestation-type", T::kString, kAll, false, false, "",
                      "Attestation type: sgx, sevsnpvm, tdxvm, azurevm, ..."},
    IncomingClaimSpec{"x-ms-azurevm-attestation-protocol-ver", T::kString, kAzureVm, false, false,
                      "", "Guest attestation: attestation-protocol-ver"},
    IncomingClaimSpec{"x-ms-azurevm-attested-pcrs", T::kInteger, kAzureVm, false, false, "",
                      "Guest attestation: attested-pcrs"},
    IncomingClaimSpec{"x-ms-azurevm-bootdebug-enabled", T::kBoolean, kAzureVm, false, false, "",
                      "Guest attestation: bootdebug-enabled"},
    IncomingClaimSpec{"x-ms-azurevm-dbvalidated", T::kBoolean, kAzureVm, false, false, "",
                      "Guest attestation: dbvalidated"},
    IncomingClaimSpec{"x-ms-azurevm-dbxvalidated", T::kBoolean, kAzureVm, false, false, "",
                      "Guest attestation: dbxvalidated"},
    IncomingClaimSpec{"x-ms-azurevm-debuggersdisabled", T::kBoolean, kAzureVm, false, false, "",
                      "Guest attestation: debuggersdisabled"},
    IncomingClaimSpec{"x-ms-azurevm-default-securebootkeysvalidated", T::kBoolean, kAzureVm, false,
                      false, "", "Guest attestation: default-securebootkeysvalidated"},
    IncomingClaimSpec{"x-ms-azurevm-elam-enabled", T::kBoolean, kAzureVm, false, false, "",
                      "Guest attestation: elam-enabled"},
    IncomingClaimSpec{"x-ms-azurevm-flightsigning-enabled", T::kBoolean, kAzureVm, false, false, "",
                      "Guest attestation: flightsigning-enabled"},
    IncomingClaimSpec{"x-ms-azurevm-hvci-policy", T::kInteger, kAzureVm, false, false, "",
                      "Guest attestation: hvci-policy"},
    IncomingClaimSpec{"x-ms-azurevm-hypervisordebug-enabled", T::kBoolean, kAzureVm, false, false,
                      "", "Guest attestation: hypervisordebug-enabled"},
    IncomingClaimSpec{"x-ms-azurevm-is-windows", T::kBoolean, kAzureVm, false, false, "",
                      "Guest attestation: is-windows"},
    IncomingClaimSpec{"x-ms-azurevm-kerneldebug-enabled", T::kBoolean, kAzureVm, false, false, "",
                      "Guest attestation: kerneldebug-enabled"},
    IncomingClaimSpec{"x-ms-azurevm-osbuild", T::kString, kAzureVm, false, false, "",
                      "Guest attestation: osbuild"},
    IncomingClaimSpec{"x-ms-azurevm-osdistro", T::kString, kAzureVm, false, false, "",
                      "Guest attestation: osdistro"},
    IncomingClaimSpec{"x-ms-azurevm-ostype", T::kString, kAzureVm, false, false, "",
                      "Guest attestation: ostype"},
    IncomingClaimSpec{"x-ms-azurevm-osversion-major", T::kInteger, kAzureVm, false, false, "",
                      "Guest attestation: osversion-major"},
    IncomingClaimSpec{"x-ms-azurevm-osversion-minor", T::kInteger, kAzureVm, false, false, "",
                      "Guest attestation: osversion-minor"},
    IncomingClaimSpec{"x-ms-azurevm-signingdisabled", T::kBoolean, kAzureVm, false, false, "",
                      "Guest attestation: signingdisabled"},
    IncomingClaimSpec{"x-ms-azurevm-testsigning-enabled", T::kBoolean, kAzureVm, false, false, "",
                      "Guest attestation: testsigning-enabled"},
    IncomingClaimSpec{"x-ms-azurevm-vmid", T::kString, kAzureVm, false, false, "",
                      "Guest attestation: vmid"},
    IncomingClaimSpec{"x-ms-compliance-status", T::kString, kSnp | kTdx | kAzureVm, false, false,
                      "", "azure-compliant-cvm for a genuine Azure CVM host"},
    IncomingClaimSpec{"x-ms-inittime", T::kJson, kSgx | kTdx | kSnp, false, false, "",
                      "JSON init-time data sent with the evidence"},
    IncomingClaimSpec{"x-ms-isolation-tee", T::kJson, kAzureVm, false, false, "",
                      "The isolation TEE (SEV-SNP or TDX) claims, as JSON"},
    IncomingClaimSpec{"x-ms-runtime", T::kJson, kAll, false, false, "",
                      "JSON runtime data sent with the evidence"},
    IncomingClaimSpec{"x-ms-sevsnpvm-authorkeydigest", T::kString, kSnp, false, false, "",
                      "AUTHOR_KEY_DIGEST (hex)"},
    IncomingClaimSpec{"x-ms-sevsnpvm-bootloader-svn", T::kInteger, kSnp, false, false, "",
                      "TCB boot loader SVN"},
    IncomingClaimSpec{"x-ms-sevsnpvm-familyId", T::kString, kSnp, false, false, "",
                      "FAMILY_ID (hex)"},
    IncomingClaimSpec{"x-ms-sevsnpvm-guestsvn", T::kInteger, kSnp, false, false, "", "GUEST_SVN"},
    IncomingClaimSpec{"x-ms-sevsnpvm-hostdata", T::kString, kSnp, false, false, "",
                      "HOST_DATA (hex)"},
    IncomingClaimSpec{"x-ms-sevsnpvm-idkeydigest", T::kString, kSnp, false, false, "",
                      "ID_KEY_DIGEST (hex)"},
    IncomingClaimSpec{"x-ms-sevsnpvm-imageId", T::kString, kSnp, false, false, "",
                      "IMAGE_ID (hex)"},
    IncomingClaimSpec{"x-ms-sevsnpvm-is-debuggable", T::kBoolean, kSnp, false, false, "",
                      "POLICY.DEBUG"},
    IncomingClaimSpec{"x-ms-sevsnpvm-launchmeasurement", T::kString, kSnp, false, false, "",
                      "MEASUREMENT (hex)"},
    IncomingClaimSpec{"x-ms-sevsnpvm-microcode-svn", T::kInteger, kSnp, false, false, "",
                      "TCB microcode SVN"},
    IncomingClaimSpec{"x-ms-sevsnpvm-migration-allowed", T::kBoolean, kSnp, false, false, "",
                      "POLICY.MIGRATE_MA"},
    IncomingClaimSpec{"x-ms-sevsnpvm-reportdata", T::kString, kSnp, false, false, "",
                      "REPORT_DATA (hex)"},
    IncomingClaimSpec{"x-ms-sevsnpvm-reportid", T::kString, kSnp, false, false, "",
                      "REPORT_ID (hex)"},
    IncomingClaimSpec{"x-ms-sevsnpvm-smt-allowed", T::kBoolean, kSnp, false, false, "",
                      "POLICY.SMT"},
    IncomingClaimSpec{"x-ms-sevsnpvm-snpfw-svn", T::kInteger, kSnp, false, false, "",
                      "TCB SNP firmware SVN"},
    IncomingClaimSpec{"x-ms-sevsnpvm-tee-svn", T::kInteger, kSnp, false, false, "", "TCB TEE SVN"},
    IncomingClaimSpec{"x-ms-sevsnpvm-vmpl", T::kInteger, kSnp, false, false, "", "VMPL"},
    IncomingClaimSpec{"x-ms-sgx-collateral", T::kJson, kSgx, false, false, "",
                      "SHA-256 hashes of the collateral used"},
    IncomingClaimSpec{"x-ms-sgx-config-id", T::kString, kSgx, false, false, "",
                      "KSS CONFIGID (hex)"},
    IncomingClaimSpec{"x-ms-sgx-config-svn", T::kInteger, kSgx, false, false, "", "KSS CONFIGSVN"},
    IncomingClaimSpec{"x-ms-sgx-ehd", T::kString, kSgx, false, false, "",
                      "Enclave held data: the Binary runtime data (base64url)"},
    IncomingClaimSpec{"x-ms-sgx-is-debuggable", T::kBoolean, kSgx, false, false, "",
                      "The enclave DEBUG attribute"},
    IncomingClaimSpec{"x-ms-sgx-isv-extended-product-id", T::kString, kSgx, false, false, "",
                      "KSS ISVEXTPRODID (hex)"},
    IncomingClaimSpec{"x-ms-sgx-isv-family-id", T::kString, kSgx, false, false, "",
                      "KSS ISVFAMILYID (hex)"},
    IncomingClaimSpec{"x-ms-sgx-mrenclave", T::kString, kSgx, false, false, "", "MRENCLAVE (hex)"},
    IncomingClaimSpec{"x-ms-sgx-mrsigner", T::kString, kSgx, false, false, "", "MRSIGNER (hex)"},
    IncomingClaimSpec{"x-ms-sgx-product-id", T::kInteger, kSgx, false, false, "", "ISVPRODID"},
    IncomingClaimSpec{"x-ms-sgx-report-data", T::kString, kSgx, false, false, "",
                      "REPORTDATA of the quote (hex)"},
    IncomingClaimSpec{"x-ms-sgx-svn", T::kInteger, kSgx, false, false, "", "ISVSVN"},
};

constexpr std::array kProperties = {
    PropertySpec{"omit_x5c", ast::Section::kIssuance, T::kBoolean, kTpm,
                 "Put x5t instead of x5c in the token header"},
    PropertySpec{"report_validity_in_minutes", ast::Section::kIssuance, T::kInteger, kTpm,
                 "Token lifetime in minutes (default 1440, at most one year)"},
    PropertySpec{"require_valid_aik_cert", ast::Section::kConfiguration, T::kBoolean, kTpm,
                 "Require a valid AIK certificate (default true)"},
    PropertySpec{"required_pcr_mask", ast::Section::kConfiguration, T::kInteger, kTpm,
                 "PCRs the quote must include, bit i = PCR i (default 0xFFFFFF)"},
    PropertySpec{"x-ms-sgx-tcbidentifier", ast::Section::kConfiguration, T::kString, kSgx,
                 "The TCB baseline to appraise SGX quotes against (default azuredefault)"},
};

bool applies(std::uint8_t mask, std::optional<AttestationType> t) noexcept {
  return !t || (mask & bit(*t)) != 0;
}

}  // namespace

std::string_view attestation_type_name(AttestationType t) noexcept {
  switch (t) {
    case AttestationType::kSgx:
      return "sgx";
    case AttestationType::kTdx:
      return "tdx";
    case AttestationType::kSevSnp:
      return "sevsnp";
    case AttestationType::kTpm:
      return "tpm";
    case AttestationType::kAzureVm:
      return "azurevm";
  }
  return "sgx";
}

std::optional<AttestationType> parse_attestation_type(std::string_view name) noexcept {
  for (const AttestationType t :
       {AttestationType::kSgx, AttestationType::kTdx, AttestationType::kSevSnp,
        AttestationType::kTpm, AttestationType::kAzureVm}) {
    if (attestation_type_name(t) == name) {
      return t;
    }
  }
  return std::nullopt;
}

std::string_view catalogue_type_name(CatalogueType t) noexcept {
  switch (t) {
    case CatalogueType::kBoolean:
      return "Boolean";
    case CatalogueType::kInteger:
      return "Integer";
    case CatalogueType::kString:
      return "String";
    case CatalogueType::kJson:
      return "JSON (String)";
  }
  return "String";
}

ValueKind catalogue_value_kind(CatalogueType t) noexcept {
  switch (t) {
    case CatalogueType::kBoolean:
      return ValueKind::kBoolean;
    case CatalogueType::kInteger:
      return ValueKind::kInteger;
    case CatalogueType::kString:
    case CatalogueType::kJson:
      return ValueKind::kString;
  }
  return ValueKind::kString;
}

std::span<const IncomingClaimSpec> incoming_claim_catalogue() noexcept {
  return kIncomingClaims;
}

const IncomingClaimSpec* find_incoming_claim(std::string_view type,
                                             std::optional<AttestationType> t) noexcept {
  const auto it = std::lower_bound(
      kIncomingClaims.begin(), kIncomingClaims.end(), type,
      [](const IncomingClaimSpec& s, std::string_view name) { return s.type < name; });
  if (it == kIncomingClaims.end() || it->type != type || !applies(it->attestation_types, t)) {
    return nullptr;
  }
  return &*it;
}

std::span<const PropertySpec> property_catalogue() noexcept {
  return kProperties;
}

const PropertySpec* find_property(std::string_view name, ast::Section section,
                                  std::optional<AttestationType> t) noexcept {
  for (const auto& p : kProperties) {
    if (p.name == name && p.section == section && applies(p.attestation_types, t)) {
      return &p;
    }
  }
  return nullptr;
}

bool is_read_only_claim(std::string_view type, Issuer issuer) noexcept {
  const IncomingClaimSpec* spec = find_incoming_claim(type, std::nullopt);
  return issuer == Issuer::kAttestationService && spec != nullptr && spec->read_only;
}

}  // namespace vouch::policy
