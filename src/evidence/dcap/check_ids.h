#pragma once

#include "base/error.h"

// Stable ids of every Intel DCAP check (quotes, PCK certificates, TCB Info, QE Identity, CRLs and
// TCB level matching), shared by the SGX and TDX verifiers. Tests and callers assert these, never
// detail text.
namespace vouch::dcap::checks {

// --- Quote parsing (kMalformedEvidence) ---
inline constexpr CheckId kQuoteParse{"dcap.quote.parse"};           // step: the quote decoded
inline constexpr CheckId kQuoteTruncated{"dcap.quote.truncated"};   // a field runs past the end
inline constexpr CheckId kQuoteVersion{"dcap.quote.version"};       // not 3, 4 or 5
inline constexpr CheckId kQuoteKeyType{"dcap.quote.att_key_type"};  // not ECDSA-256-with-P-256
inline constexpr CheckId kQuoteTeeType{"dcap.quote.tee_type"};      // not SGX (0) / TDX (0x81), or
                                                                    // not allowed for the version
inline constexpr CheckId kQuoteBodyType{"dcap.quote.body_type"};    // v5 body type/size invalid
inline constexpr CheckId kQuoteReserved{"dcap.quote.reserved"};     // a reserved field is non-zero
inline constexpr CheckId kQuoteSignatureData{"dcap.quote.signature_data"};     // sizes inside the
                                                                               // signature data
inline constexpr CheckId kCertificationData{"dcap.quote.certification_data"};  // type or layout
inline constexpr CheckId kQuoteKind{"dcap.quote.kind"};  // an SGX quote given to the TDX verifier
                                                         // or the other way round

// --- PCK certificate (from the quote's certification data) ---
inline constexpr CheckId kPckChainParse{"dcap.pck.chain.parse"};  // PEM chain malformed (malformed)
inline constexpr CheckId kPckExtensions{
    "dcap.pck.extensions"};  // SGX extension malformed (malformed)
inline constexpr CheckId kPckCertificate{"dcap.pck.certificate"};  // not a PCK profile (rejected)
inline constexpr CheckId kPckChain{"dcap.pck.chain"};      // chain to a trusted root (rejected)
inline constexpr CheckId kPckRevoked{"dcap.pck.revoked"};  // the PCK or its CA is on a CRL
inline constexpr CheckId kCertificationDataUnsupported{"dcap.pck.certification_data"};  // not a
                                                                                        // PCK chain

// --- Quote verification (kEvidenceRejected) ---
inline constexpr CheckId kAttestationKey{"dcap.attestation_key"};  // not a P-256 point
inline constexpr CheckId kQeReportSignature{"dcap.qe_report.signature"};
inline constexpr CheckId kQeReportBinding{"dcap.qe_report.binding"};  // report data != SHA-256(
                                                                      // key || auth data) || 0
inline constexpr CheckId kQuoteSignature{"dcap.quote.signature"};

// --- Collateral ---
inline constexpr CheckId kCollateralMissing{"dcap.collateral.missing"};  // an item was not given
inline constexpr CheckId kTcbInfoFormat{"dcap.tcb_info.format"};         // malformed
inline constexpr CheckId kTcbInfoChain{"dcap.tcb_info.chain"};  // signing chain, revocation
inline constexpr CheckId kTcbInfoSignature{"dcap.tcb_info.signature"};
inline constexpr CheckId kTcbInfoValidity{"dcap.tcb_info.validity"};  // issueDate/nextUpdate
inline constexpr CheckId kTcbInfoMismatch{"dcap.tcb_info.mismatch"};  // id, FMSPC or PCE-ID
inline constexpr CheckId kQeIdentityFormat{"dcap.qe_identity.format"};
inline constexpr CheckId kQeIdentityChain{"dcap.qe_identity.chain"};
inline constexpr CheckId kQeIdentitySignature{"dcap.qe_identity.signature"};
inline constexpr CheckId kQeIdentityValidity{"dcap.qe_identity.validity"};
inline constexpr CheckId kQeIdentityMismatch{"dcap.qe_identity.mismatch"};  // QE vs TD_QE
inline constexpr CheckId kQeIdentityReport{"dcap.qe_identity.report"};      // MRSIGNER, ISVPRODID,
                                                                        // MISCSELECT, ATTRIBUTES
inline constexpr CheckId kQeIdentityTcbLevel{"dcap.qe_identity.tcb_level"};  // ISVSVN below all
inline constexpr CheckId kPckCrlFormat{"dcap.pck_crl.format"};
inline constexpr CheckId kPckCrlIssuer{"dcap.pck_crl.issuer"};  // not issued and signed by the
                                                                // PCK's issuing CA
inline constexpr CheckId kPckCrlValidity{"dcap.pck_crl.validity"};
inline constexpr CheckId kRootCaCrlFormat{"dcap.root_ca_crl.format"};
inline constexpr CheckId kRootCaCrlIssuer{"dcap.root_ca_crl.issuer"};  // not issued and signed
                                                                       // by a trusted root
inline constexpr CheckId kRootCaCrlValidity{"dcap.root_ca_crl.validity"};
// The TCB Info / QE identity are not of the tcbEvaluationDataNumber the verification asked for
// (the tenant's TCB baseline); a source serving another baseline is refused (rejected).
inline constexpr CheckId kCollateralBaseline{"dcap.collateral.baseline"};

// --- TCB evaluation ---
inline constexpr CheckId kTdxModule{"dcap.tdx_module"};  // MRSIGNERSEAM / SEAMATTRIBUTES / identity
inline constexpr CheckId kTdxModuleTcbLevel{"dcap.tdx_module.tcb_level"};  // no module level
inline constexpr CheckId kTcbLevel{"dcap.tcb.level"};    // no TCB level matches: not supported
inline constexpr CheckId kTcbStatus{"dcap.tcb.status"};  // step: status computed (never fails)

}  // namespace vouch::dcap::checks
