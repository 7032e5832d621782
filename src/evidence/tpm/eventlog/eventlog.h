#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "claims/claim_set.h"
#include "crypto/digest.h"

// TCG PC Client event logs (legacy SHA-1 and crypto-agile, TCG PC Client Platform Firmware
// Profile section 10) and Confidential Computing event logs (CCEL, same crypto-agile format with
// measurement register indices). Logs are parsed only as part of a replay: the API returns replayed
// PCR values and facts taken from events whose PCR a quote has verified, never raw events
// (go-attestation #9, #95, #190 and its event-log disclosure note).
namespace vouch::tpm::eventlog {

// PcrBank maps a PCR (or CC measurement register) index to its digest.
using PcrBank = std::map<std::uint32_t, Bytes>;

// LogFormat tells which record format a log uses.
enum class LogFormat : std::uint8_t {
  kLegacySha1,   // TCG_PCR_EVENT records only, one SHA-1 digest each
  kCryptoAgile,  // a "Spec ID Event03" header, then TCG_PCR_EVENT2 records
};

// ReplayOptions selects how strictly the log buffer is framed.
struct ReplayOptions {
  // Accept padding (all 0x00 or all 0xFF bytes) after the last event, as fixed-size CCEL buffers
  // have. Off by default: TPM logs are exact and padding is rejected as tpm.eventlog.trailing.
  bool allow_trailing_padding = false;
};

// Replay is the result of replaying every bank of a log.
struct Replay {
  LogFormat format = LogFormat::kCryptoAgile;
  // One entry per bank the log declares and Vouch can compute (algorithms it cannot compute are
  // skipped). Each maps every index the log extends to its final value; indices the log never
  // extends are absent.
  std::map<crypto::HashAlg, PcrBank> banks;
  // Number of records in the log, including the Spec ID header of a crypto-agile log.
  std::size_t num_events = 0;
};

// replay parses `log` and replays every bank it declares, starting each PCR at zero (PCR 0 at the
// StartupLocality value when the log has one) and skipping EV_NO_ACTION events. It is a pure
// function of the bytes. Fails with kMalformedEvidence and a tpm.eventlog.* check id naming the
// event, field and byte offset when the log is malformed.
[[nodiscard]] Result<Replay> replay(ByteSpan log, const ReplayOptions& options = {});

// VerifiedLog holds what a log says about the PCRs a quote verified. Only verify_against_quote
// makes one; every fact in it comes from events whose PCR is quoted and whose replay matched.
class VerifiedLog {
 public:
  LogFormat format() const noexcept { return format_; }
  // The bank the log was checked against.
  crypto::HashAlg bank() const noexcept { return bank_; }
  // Number of records in the log, including the Spec ID header of a crypto-agile log.
  std::size_t num_events() const noexcept { return num_events_; }
  // Quoted PCRs that the log extends and whose replay equals the quoted value, ascending.
  const std::vector<std::uint32_t>& pcrs_verified() const noexcept { return pcrs_verified_; }
  // Quoted PCRs that the log never extends (for example PCR 10, measured by IMA), ascending. The
  // log says nothing about them; they are not an error.
  const std::vector<std::uint32_t>& pcrs_not_covered() const noexcept { return pcrs_not_covered_; }
  // Verified PCRs 0-7 that carry an EV_SEPARATOR with data 00000000 and digest H(data), ascending.
  const std::vector<std::uint32_t>& separators() const noexcept { return separators_; }
  // Verified PCRs 0-7 whose EV_SEPARATOR carries FFFFFFFF: the firmware reported an error there
  // (PFP 10.4.4), ascending. Such a PCR is not listed in separators().
  const std::vector<std::uint32_t>& error_separators() const noexcept { return error_separators_; }
  // The UEFI SecureBoot variable (enabled when its data is the single byte 0x01), from the first
  // EV_EFI_VARIABLE_DRIVER_CONFIG for it in PCR 7 before the PCR 7 separator. nullopt when PCR 7
  // is not verified or the variable was not measured there.
  std::optional<bool> secure_boot() const noexcept { return secure_boot_; }
  // Digests (in bank()) of the first EV_EFI_VARIABLE_DRIVER_CONFIG event for each of SecureBoot,
  // PK, KEK, db and dbx in PCR 7 before its separator, by variable name. nullopt when PCR 7 is not
  // verified.
  const std::optional<std::map<std::string, Bytes>>& secure_boot_variables() const noexcept {
    return secure_boot_variables_;
  }
  // Digests (in bank()) of the EV_EFI_BOOT_SERVICES_APPLICATION events in PCR 4, in log order.
  // nullopt when PCR 4 is not verified.
  const std::optional<std::vector<Bytes>>& boot_applications() const noexcept {
    return boot_applications_;
  }
  // True when PCR 5 matched only after appending the two unlogged ExitBootServices actions.
  bool exit_boot_services_unlogged() const noexcept { return exit_boot_services_unlogged_; }

 private:
  VerifiedLog() = default;
  friend Result<VerifiedLog> verify_against_quote(ByteSpan log, crypto::HashAlg bank,
                                                  const PcrBank& quoted);

  LogFormat format_ = LogFormat::kCryptoAgile;
  crypto::HashAlg bank_ = crypto::HashAlg::kSha256;
  std::size_t num_events_ = 0;
  std::vector<std::uint32_t> pcrs_verified_;
  std::vector<std::uint32_t> pcrs_not_covered_;
  std::vector<std::uint32_t> separators_;
  std::vector<std::uint32_t> error_separators_;
  std::optional<bool> secure_boot_;
  std::optional<std::map<std::string, Bytes>> secure_boot_variables_;
  std::optional<std::vector<Bytes>> boot_applications_;
  bool exit_boot_services_unlogged_ = false;
};

// verify_against_quote replays `log` (strictly framed: no padding) in `bank` and checks it against
// the quoted PCR values of that bank, which the caller has already verified against a quote:
// - every quoted PCR the log extends must equal its replayed value, else tpm.eventlog.pcr_mismatch
//   naming the PCR and both values. If PCR 5 differs, its replay is retried with the two
//   ExitBootServices EV_EFI_ACTION digests appended after the last PCR 5 event; a match there is
//   accepted and reported by exit_boot_services_unlogged();
// - quoted PCRs the log never extends are listed as not covered (not an error);
// - events for PCRs that are not quoted are unverified and yield no facts;
// - in verified PCRs 0-7, separators must be genuine and no other event may carry a separator
//   digest (tpm.eventlog.separator; check_ids.h names the one tolerated firmware pattern);
// - the secure boot variables read for facts must hash to their digests
//   (tpm.eventlog.event_data); for a repeated variable only the first occurrence counts, and only
//   events before the PCR 7 separator count.
// Fails with kMalformedEvidence for a malformed log, kInvalidArgument when a quoted value has the
// wrong size for `bank`, and kEvidenceRejected (tpm.eventlog.bank_missing) when the log has no
// digests in `bank`.
[[nodiscard]] Result<VerifiedLog> verify_against_quote(ByteSpan log, crypto::HashAlg bank,
                                                       const PcrBank& quoted);

// add_claims adds the verified facts of `log` to `out`: tpm.eventlog.events,
// tpm.eventlog.pcrs_verified, tpm.eventlog.pcrs_not_covered, tpm.eventlog.separators,
// tpm.eventlog.error_separators, tpm.eventlog.exit_boot_services_unlogged,
// and, when their PCR was verified, tpm.eventlog.secure_boot (PCR 7, variable measured),
// tpm.eventlog.secure_boot_variables (PCR 7) and tpm.eventlog.boot_applications (PCR 4).
void add_claims(const VerifiedLog& log, claims::ClaimSet& out);

}  // namespace vouch::tpm::eventlog
