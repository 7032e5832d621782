#pragma once

#include "base/error.h"

// Stable ids of every SEV-SNP check. Tests and callers assert these, never detail text.
namespace vouch::sevsnp::checks {
// Parsing (kMalformedEvidence).
inline constexpr CheckId kReportParse{"snp.report.parse"};      // step: the report decoded
inline constexpr CheckId kReportSize{"snp.report.size"};        // not exactly 1184 bytes
inline constexpr CheckId kReportVersion{"snp.report.version"};  // not 2..5
inline constexpr CheckId kReportSignatureAlgo{"snp.report.signature_algo"};  // not ECDSA P-384
inline constexpr CheckId kReportMbz{"snp.report.mbz"};        // a reserved byte is not zero
inline constexpr CheckId kReportPolicy{"snp.report.policy"};  // reserved guest policy bits
inline constexpr CheckId kReportSignerInfo{"snp.report.signer_info"};  // reserved signer bits
inline constexpr CheckId kCertTable{"snp.cert_table"};    // extended report certificate table
inline constexpr CheckId kMaaRequest{"snp.maa.request"};  // MAA SevSnpVm request body / wrapper
// Verification (kEvidenceRejected unless noted).
inline constexpr CheckId kReportSigner{"snp.report.signer"};  // SIGNING_KEY is "none"
inline constexpr CheckId kProduct{"snp.product"};     // product line undeterminable / inconsistent
inline constexpr CheckId kVekFetch{"snp.vek.fetch"};  // step: VCEK/VLEK obtained (collateral)
inline constexpr CheckId kVekParse{"snp.vek.parse"};  // the VCEK/VLEK is not an X.509 certificate
inline constexpr CheckId kVekChain{"snp.vek.chain"};  // VEK -> ASK/ASVK -> ARK at the time
inline constexpr CheckId kVekProfile{"snp.vek.profile"};  // names, algorithms, key types, OIDs
inline constexpr CheckId kVekKind{"snp.vek.kind"};        // VCEK/VLEK differs from SIGNING_KEY
inline constexpr CheckId kVekProduct{"snp.vek.product"};  // productName != report's product
inline constexpr CheckId kVekTcb{"snp.vek.tcb"};          // SPL extensions != REPORTED_TCB
inline constexpr CheckId kVekHwid{"snp.vek.hwid"};        // hwID != CHIP_ID
inline constexpr CheckId kRevocation{"snp.revocation"};   // CRL: revoked, bad or unavailable
inline constexpr CheckId kReportSignature{"snp.report.signature"};
inline constexpr CheckId kReportData{"snp.report_data"};  // report data binding (exact bytes)
inline constexpr CheckId kHostData{"snp.host_data"};      // init data (policy) -> host_data
inline constexpr CheckId kOptions{"snp.options"};  // kInvalidArgument: caller's options are wrong
}  // namespace vouch::sevsnp::checks
