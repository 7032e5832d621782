#pragma once

#include "base/error.h"

// Stable ids of the checks the TCG event log module performs. Parse failures carry
// ErrorKind::kMalformedEvidence; failures found while checking a log against a quote carry
// ErrorKind::kEvidenceRejected. Every detail names the event index (0 is the first record of the
// log, the Spec ID header in a crypto-agile log), the field and its byte offset.
namespace vouch::tpm::eventlog::checks {

// A record field (header, digest list, event data) runs past the end of the log. A log cut exactly
// at an event boundary is a valid shorter log; comparing the replay with a quote catches that.
inline constexpr CheckId kTruncated{"tpm.eventlog.truncated"};
// Padding-like bytes (all 0x00 or all 0xFF) follow the last event while
// ReplayOptions::allow_trailing_padding is off (TPM logs are exact; CCEL buffers are padded).
inline constexpr CheckId kTrailing{"tpm.eventlog.trailing"};
// The first record is not a usable log header: a malformed "Spec ID Event03" (signature, version,
// uintnSize, algorithm count, an algorithm listed twice or with the wrong digest size, vendor info
// size, non-zero digest field) or an unsupported "Spec ID Event" signature.
inline constexpr CheckId kSpecId{"tpm.eventlog.spec_id"};
// An event's TPML_DIGEST_VALUES is malformed: more digests than the header declares algorithms, an
// algorithm the header did not declare, or the same algorithm twice.
inline constexpr CheckId kDigest{"tpm.eventlog.digest"};
// A measuring event carries no digest for a bank the header declares (malformed), or the log has no
// bank for the hash algorithm of the quote being checked (rejected).
inline constexpr CheckId kBankMissing{"tpm.eventlog.bank_missing"};
// A hostile-size field: event data larger than kMaxEventDataSize or more than kMaxEvents records.
inline constexpr CheckId kLimit{"tpm.eventlog.limit"};
// A measuring (not EV_NO_ACTION) event names a PCR index outside 0..23.
inline constexpr CheckId kPcrIndex{"tpm.eventlog.pcr_index"};
// A quoted PCR that the log extends does not equal its replayed value (also after the
// ExitBootServices workaround for PCR 5). The detail names the PCR and both values.
inline constexpr CheckId kPcrMismatch{"tpm.eventlog.pcr_mismatch"};
// An EV_SEPARATOR in PCR 0-7 whose digest is not H(event data) or whose data is neither 00000000
// nor FFFFFFFF, or a non-separator event in PCR 0-7 whose digest is H(00000000) or H(FFFFFFFF)
// (a retyped separator: the type is not covered by the digest). One real firmware pattern is
// tolerated: an EV_S_CRTM_CONTENTS with digest H(00000000) in PCR 0 before PCR 0's separator
// (Intel Boot Guard "FIT Type 0x2D Measured S-CRTM").
inline constexpr CheckId kSeparator{"tpm.eventlog.separator"};
// Event data that replay or the claims rely on is malformed or not what was measured: a
// StartupLocality event of the wrong size or after PCR 0 was extended, or a UEFI secure boot
// variable event (PCR 7) whose UEFI_VARIABLE_DATA does not parse or whose digest is not its hash.
inline constexpr CheckId kEventData{"tpm.eventlog.event_data"};

}  // namespace vouch::tpm::eventlog::checks
