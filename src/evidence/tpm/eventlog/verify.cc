#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "evidence/tpm/eventlog/check_ids.h"
#include "evidence/tpm/eventlog/constants.h"
#include "evidence/tpm/eventlog/eventlog.h"
#include "evidence/tpm/eventlog/log_reader.h"
#include "evidence/tpm/eventlog/uefi.h"

namespace vouch::tpm::eventlog {
namespace {

using internal::event_label;
using internal::RawEvent;

constexpr std::uint32_t kPcrBootApplications = 4;
constexpr std::uint32_t kPcrExitBootServices = 5;
constexpr std::uint32_t kPcrSecureBootPolicy = 7;
constexpr std::uint32_t kNumFirmwarePcrs = 8;  // PCRs 0-7 hold separators

constexpr std::array<std::uint8_t, 4> kSeparatorOk = {0x00, 0x00, 0x00, 0x00};
constexpr std::array<std::uint8_t, 4> kSeparatorError = {0xFF, 0xFF, 0xFF, 0xFF};

void add_unique(std::vector<std::uint32_t>& v, std::uint32_t pcr) {
  if (std::find(v.begin(), v.end(), pcr) == v.end()) {
    v.push_back(pcr);
  }
}

// Hex of untrusted event data for an error detail, cut short: it can be up to 1 MiB.
std::string brief_hex(ByteSpan data) {
  constexpr std::size_t kShown = 16;
  if (data.size() <= kShown) {
    return hex_encode(data);
  }
  return hex_encode(data.first(kShown)) + "... (" + std::to_string(data.size()) + " bytes)";
}

std::string pcr_name(crypto::HashAlg bank, std::uint32_t pcr) {
  return std::string(crypto::hash_name(bank)) + " PCR " + std::to_string(pcr);
}

}  // namespace

Result<VerifiedLog> verify_against_quote(ByteSpan log, crypto::HashAlg bank,
                                         const PcrBank& quoted) {
  for (const auto& [pcr, value] : quoted) {
    if (value.size() != crypto::digest_size(bank)) {
      return fail(ErrorKind::kInvalidArgument, vouch::checks::kInvalidArgument,
                  "quoted " + pcr_name(bank, pcr) + " has " + std::to_string(value.size()) +
                      " bytes, expected " + std::to_string(crypto::digest_size(bank)));
    }
  }
  VOUCH_TRY(internal::LogReader reader, internal::LogReader::open(log, ReplayOptions{}));
  if (!reader.has_bank(bank)) {
    std::string declared;
    for (const internal::DeclaredAlgorithm& a : reader.algorithms()) {
      declared += declared.empty() ? "" : ", ";
      declared += a.hash ? std::string(crypto::hash_name(*a.hash)) : "unknown algorithm";
    }
    return rejected(checks::kBankMissing, "the event log has no " +
                                              std::string(crypto::hash_name(bank)) +
                                              " digests (it declares: " + declared + ")");
  }

  // Replay only the quoted bank, so a defect in another bank cannot hide a good one. Keep the
  // measuring events of quoted firmware PCRs (0-7): the facts below come only from them.
  const crypto::HashAlg banks[] = {bank};
  internal::Replayer replayer(banks);
  std::vector<RawEvent> events;
  RawEvent e;
  for (;;) {
    VOUCH_TRY(const bool more, reader.next(e));
    if (!more) {
      break;
    }
    VOUCH_RETURN_IF_ERROR(replayer.apply(e));
    if (e.type != ev::kNoAction && e.pcr < kNumFirmwarePcrs && quoted.contains(e.pcr)) {
      events.push_back(e);
    }
  }

  VerifiedLog out;
  out.format_ = reader.format();
  out.bank_ = bank;
  out.num_events_ = reader.num_events();
  const PcrBank& replayed = replayer.values(bank);
  for (const auto& [pcr, want] : quoted) {
    const auto it = replayed.find(pcr);
    if (it == replayed.end()) {
      out.pcrs_not_covered_.push_back(pcr);
      continue;
    }
    if (equal_bytes(it->second, want)) {
      out.pcrs_verified_.push_back(pcr);
      continue;
    }
    if (pcr == kPcrExitBootServices) {
      // Some firmware extends the two ExitBootServices EV_EFI_ACTION events into PCR 5 without
      // logging them; accept the replay with both appended, and say so.
      const Bytes invocation = crypto::digest(bank, as_bytes(kEbsInvocation));
      const Bytes success = crypto::digest(bank, as_bytes(kEbsReturnedSuccess));
      const Bytes patched =
          internal::extend(bank, internal::extend(bank, it->second, invocation), success);
      if (equal_bytes(patched, want)) {
        out.exit_boot_services_unlogged_ = true;
        out.pcrs_verified_.push_back(pcr);
        continue;
      }
    }
    return rejected(checks::kPcrMismatch, pcr_name(bank, pcr) + ": the event log replays to " +
                                              hex_encode(it->second) + " but the quote has " +
                                              hex_encode(want));
  }
  const auto verified = [&out](std::uint32_t pcr) {
    return std::binary_search(out.pcrs_verified_.begin(), out.pcrs_verified_.end(), pcr);
  };

  // The event type, and for most types the event data, are not covered by the digest: check the
  // ones facts depend on against their digests before believing them.
  const Bytes separator_ok = crypto::digest(bank, kSeparatorOk);
  const Bytes separator_error = crypto::digest(bank, kSeparatorError);
  bool pcr0_separator_seen = false;
  bool pcr7_separator_seen = false;
  std::set<std::string_view> variables_seen;
  if (verified(kPcrSecureBootPolicy)) {
    out.secure_boot_variables_.emplace();
  }
  if (verified(kPcrBootApplications)) {
    out.boot_applications_.emplace();
  }
  for (const RawEvent& event : events) {
    if (!verified(event.pcr)) {
      continue;
    }
    const ByteSpan digest = event.digest(bank);
    if (event.type == ev::kSeparator) {
      if (!equal_bytes(digest, crypto::digest(bank, event.data))) {
        return rejected(checks::kSeparator,
                        event_label(event) + ": EV_SEPARATOR in PCR " + std::to_string(event.pcr) +
                            " has digest " + hex_encode(digest) +
                            ", which is not the hash of its data " + brief_hex(event.data));
      }
      if (equal_bytes(event.data, kSeparatorOk)) {
        add_unique(out.separators_, event.pcr);
      } else if (equal_bytes(event.data, kSeparatorError)) {
        add_unique(out.error_separators_, event.pcr);  // the firmware reported an error here
      } else {
        return rejected(checks::kSeparator, event_label(event) + ": EV_SEPARATOR in PCR " +
                                                std::to_string(event.pcr) + " has data " +
                                                brief_hex(event.data) +
                                                ", expected 00000000 (or ffffffff)");
      }
      if (event.pcr == kPcrSecureBootPolicy) {
        pcr7_separator_seen = true;
      }
      if (event.pcr == 0) {
        pcr0_separator_seen = true;
      }
      continue;
    }
    // Intel Boot Guard firmware measures "FIT Type 0x2D Measured S-CRTM" as an
    // EV_S_CRTM_CONTENTS whose digest is H(00000000) (seen in a real laptop log). Tolerating
    // exactly that before PCR 0's separator can at worst hide PCR 0's separator, which only
    // removes PCR 0 from separators(); no fact is read from PCR 0.
    const bool boot_guard_scrtm =
        event.pcr == 0 && event.type == ev::kSCrtmContents && !pcr0_separator_seen;
    if ((equal_bytes(digest, separator_ok) || equal_bytes(digest, separator_error)) &&
        !boot_guard_scrtm) {
      return rejected(checks::kSeparator,
                      event_label(event) + ": " + internal::event_type_name(event.type) +
                          " in PCR " + std::to_string(event.pcr) +
                          " has a separator digest; a separator's type was changed");
    }
    if (event.pcr == kPcrSecureBootPolicy && event.type == ev::kEfiVariableDriverConfig &&
        !pcr7_separator_seen) {
      auto var = internal::parse_uefi_variable_data(event.data, event.data_offset);
      if (!var) {
        return fail(std::move(var).error().with_context(event_label(event)));
      }
      if (!equal_bytes(digest, crypto::digest(bank, event.data))) {
        return rejected(
            checks::kEventData,
            event_label(event) + ": EV_EFI_VARIABLE_DRIVER_CONFIG in PCR 7 has digest " +
                hex_encode(digest) + ", which is not the hash of its UEFI_VARIABLE_DATA");
      }
      const std::optional<std::string_view> name = internal::secure_boot_variable_name(*var);
      // Only the first measurement of a variable counts (go-attestation #95).
      if (name && variables_seen.insert(*name).second) {
        (*out.secure_boot_variables_)[std::string(*name)] = to_bytes(digest);
        if (*name == "SecureBoot") {
          out.secure_boot_ = var->variable_data.size() == 1 && var->variable_data[0] == 0x01;
        }
      }
    }
    if (event.pcr == kPcrBootApplications && event.type == ev::kEfiBootServicesApplication) {
      out.boot_applications_->push_back(to_bytes(digest));
    }
  }
  // Firmware measures the PCR 7 separator first; report indices in one canonical order.
  std::sort(out.separators_.begin(), out.separators_.end());
  std::sort(out.error_separators_.begin(), out.error_separators_.end());
  return out;
}

}  // namespace vouch::tpm::eventlog
