#pragma once

#include "base/error.h"

// Stable ids of every TPM check. Tests and callers assert these, never detail text.
namespace vouch::tpm::checks {
// Parsing (kMalformedEvidence).
inline constexpr CheckId kAttestParse{"tpm.attest.parse"};          // step: TPMS_ATTEST decoded
inline constexpr CheckId kAttestTruncated{"tpm.attest.truncated"};  // a field runs past the end
inline constexpr CheckId kAttestTrailing{"tpm.attest.trailing"};    // bytes after the structure
inline constexpr CheckId kAttestSize{"tpm.attest.size"};  // a TPM2B size exceeds its type's bound
inline constexpr CheckId kAttestType{"tpm.attest.type"};  // not TPM_ST_ATTEST_QUOTE
inline constexpr CheckId kAttestPcrSelection{"tpm.attest.pcr_selection"};  // bad TPML_PCR_SELECTION
inline constexpr CheckId kAttestClockSafe{"tpm.attest.clock_safe"};        // TPMI_YES_NO not 0 or 1
inline constexpr CheckId kSignatureParse{"tpm.signature.parse"};  // TPMT_SIGNATURE malformed
inline constexpr CheckId kSignatureAlgorithm{"tpm.signature.algorithm"};  // unsupported sigAlg/hash
inline constexpr CheckId kPublicParse{"tpm.public.parse"};  // TPMT_PUBLIC / TPM2B_PUBLIC malformed
inline constexpr CheckId kPublicUnsupported{"tpm.public.unsupported"};  // type/curve/alg we reject
inline constexpr CheckId kPublicAttributes{"tpm.public.attributes"};    // reserved TPMA_OBJECT bits
inline constexpr CheckId kAkParse{"tpm.ak.parse"};  // the AK file is none of the accepted encodings
inline constexpr CheckId kPcrValuesFormat{"tpm.pcrs.format"};  // PCR values JSON malformed
// Verification (kEvidenceRejected).
inline constexpr CheckId kAkAttributes{"tpm.ak.attributes"};  // not a restricted, fixed signing key
inline constexpr CheckId kAkCertificateChain{"tpm.ak.certificate.chain"};
inline constexpr CheckId kAkCertificateKey{"tpm.ak.certificate.key"};  // cert key != AK
inline constexpr CheckId kAkPinned{"tpm.ak.pinned"};                   // step: caller pinned the AK
inline constexpr CheckId kAttestMagic{"tpm.attest.magic"};             // not TPM_GENERATED_VALUE
inline constexpr CheckId kSignatureScheme{"tpm.signature.scheme"};  // sig alg does not fit the AK
inline constexpr CheckId kQuoteSignature{"tpm.quote.signature"};
inline constexpr CheckId kQuoteNonce{"tpm.quote.nonce"};
inline constexpr CheckId kPcrsMissing{"tpm.pcrs.missing"};  // a selected PCR has no supplied value
inline constexpr CheckId kQuotePcrDigest{"tpm.quote.pcr_digest"};
inline constexpr CheckId kEventLog{"tpm.eventlog.replay"};  // step: log replayed against the quote
// Enrolment.
inline constexpr CheckId kEkCertificateChain{"tpm.ek.certificate.chain"};
inline constexpr CheckId kEkCertificateKey{"tpm.ek.certificate.key"};
inline constexpr CheckId kCredential{"tpm.credential"};
}  // namespace vouch::tpm::checks
