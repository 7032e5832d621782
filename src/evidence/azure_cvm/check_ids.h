#pragma once

#include "base/error.h"

// Stable ids of the Azure confidential VM checks (the SNP, TDX/DCAP and vTPM checks keep their own
// ids).
namespace vouch::azure_cvm::checks {
// Parsing (kMalformedEvidence).
inline constexpr CheckId kHclParse{"azure.hcl.parse"};    // step: the HCL report decoded
inline constexpr CheckId kHclSize{"azure.hcl.size"};      // truncated / a size runs past the end
inline constexpr CheckId kHclHeader{"azure.hcl.header"};  // signature, version, sizes, hash type
inline constexpr CheckId kHclMbz{"azure.hcl.mbz"};        // reserved or padding bytes not zero
inline constexpr CheckId kHclReportType{"azure.hcl.report_type"};    // neither SNP (2) nor TDX (4)
inline constexpr CheckId kTpmQuoteFormat{"azure.tpm_quote.format"};  // {signature, message, pcrs}
inline constexpr CheckId kTdReport{"azure.tdx.tdreport"};  // TDREPORT malformed (not type 0x81)
// Azure guest attestation requests (/attest/AzureGuest AttestationInfo).
inline constexpr CheckId kGuestRequest{"azure.guest.request"};  // a member missing or malformed
inline constexpr CheckId kGuestIsolationType{"azure.guest.isolation_type"};  // unknown Type
// Verification.
inline constexpr CheckId kHardwareReport{"azure.hcl.hardware_report"};  // step: SNP / TDX verified
inline constexpr CheckId kRuntimeClaims{"azure.runtime_claims"};        // JSON or HCLAkPub unusable
inline constexpr CheckId kVtpmQuote{"azure.vtpm.quote"};  // step: vTPM quote verified by the AK
// TDX: the TD quote is missing (an HCL TDREPORT alone proves nothing outside the TD).
inline constexpr CheckId kTdQuoteMissing{"azure.tdx.td_quote_missing"};
// TDX: the TD quote's TD report body differs from the HCL's TDREPORT (the field is named).
inline constexpr CheckId kTdReportMismatch{"azure.tdx.tdreport_mismatch"};
// TDX: the TD quote's REPORT_DATA is not H(runtime claims) zero padded.
inline constexpr CheckId kTdxReportData{"azure.tdx.report_data"};
// TDX evidence but no DCAP verifier / collateral source was given (kCollateralUnavailable).
inline constexpr CheckId kTdxNoVerifier{"azure.tdx.no_verifier"};
// AzureGuest: IsolationInfo.Type TrustedLaunch carries no hardware isolation evidence.
inline constexpr CheckId kGuestTrustedLaunch{"azure.guest.trusted_launch"};
// AzureGuest: TpmInfo.AikPub is not the HCLAkPub the hardware report binds.
inline constexpr CheckId kGuestAikPub{"azure.guest.aik_pub"};
}  // namespace vouch::azure_cvm::checks
