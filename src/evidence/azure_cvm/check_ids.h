#pragma once

#include "base/error.h"

// Stable ids of the Azure confidential VM checks (the SNP and vTPM checks keep their own ids).
namespace vouch::azure_cvm::checks {
// Parsing (kMalformedEvidence).
inline constexpr CheckId kHclParse{"azure.hcl.parse"};    // step: the HCL report decoded
inline constexpr CheckId kHclSize{"azure.hcl.size"};      // truncated / a size runs past the end
inline constexpr CheckId kHclHeader{"azure.hcl.header"};  // signature, version, sizes, hash type
inline constexpr CheckId kHclMbz{"azure.hcl.mbz"};        // reserved or padding bytes not zero
inline constexpr CheckId kHclReportType{"azure.hcl.report_type"};    // neither SNP (2) nor TDX (4)
inline constexpr CheckId kTpmQuoteFormat{"azure.tpm_quote.format"};  // {signature, message, pcrs}
// Verification.
inline constexpr CheckId kTdxUnsupported{"azure.hcl.tdx_unsupported"};  // TDX not yet supported
inline constexpr CheckId kHardwareReport{"azure.hcl.hardware_report"};  // step: SNP verified
inline constexpr CheckId kRuntimeClaims{"azure.runtime_claims"};        // JSON or HCLAkPub unusable
inline constexpr CheckId kVtpmQuote{"azure.vtpm.quote"};  // step: vTPM quote verified by the AK
}  // namespace vouch::azure_cvm::checks
