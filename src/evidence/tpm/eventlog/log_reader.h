#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/byte_reader.h"
#include "base/bytes.h"
#include "base/result.h"
#include "crypto/digest.h"
#include "evidence/tpm/eventlog/eventlog.h"

// Internal to the event log module (not part of its public API, which only returns replayed or
// verified facts): a streaming reader of log records and the replay state machine built on it.
namespace vouch::tpm::eventlog::internal {

inline constexpr std::size_t kNumHashAlgs = 5;  // values of crypto::HashAlg
constexpr std::size_t slot(crypto::HashAlg h) noexcept {
  return static_cast<std::size_t>(h);
}

// One algorithm the Spec ID header declares (a legacy log declares SHA-1 implicitly).
struct DeclaredAlgorithm {
  std::uint16_t alg_id = 0;
  std::uint16_t digest_size = 0;
  std::optional<crypto::HashAlg> hash;  // nullopt: Vouch cannot compute it; digests are skipped
};

// RawEvent is one record as read, unverified. Its spans view the caller's log buffer.
struct RawEvent {
  std::size_t index = 0;   // record number; 0 is the first record of the log
  std::size_t offset = 0;  // byte offset of the record in the log
  std::uint32_t pcr = 0;
  std::uint32_t type = 0;
  std::array<ByteSpan, kNumHashAlgs> digests{};  // by HashAlg; empty when the event has none
  ByteSpan data;
  std::size_t data_offset = 0;  // byte offset of `data` in the log

  ByteSpan digest(crypto::HashAlg h) const noexcept { return digests[slot(h)]; }
};

// "event 7 (record at offset 1234)": the prefix of every per-event error detail.
std::string event_label(const RawEvent& e);
// "EV_SEPARATOR" or "event type 0x80000042".
std::string event_type_name(std::uint32_t type);

// LogReader reads the records of a log one at a time, checking every length against the bytes
// that remain. open() reads the header; next() returns the measuring and informational events.
class LogReader {
 public:
  // Detects the format from the first record and, for a crypto-agile log, parses its Spec ID
  // header. Fails with tpm.eventlog.* ids (truncated, spec_id, limit) naming field and offset.
  [[nodiscard]] static Result<LogReader> open(ByteSpan log, const ReplayOptions& options);

  LogFormat format() const noexcept { return format_; }
  const std::vector<DeclaredAlgorithm>& algorithms() const noexcept { return algorithms_; }
  // Declared banks Vouch can replay, in header order.
  const std::vector<crypto::HashAlg>& banks() const noexcept { return banks_; }
  bool has_bank(crypto::HashAlg h) const noexcept;
  // Records consumed so far, including the Spec ID header.
  std::size_t num_events() const noexcept { return num_events_; }

  // Reads the next record into out. Returns false at the end of the log or, when padding is
  // allowed, where the padding starts.
  [[nodiscard]] Result<bool> next(RawEvent& out);

 private:
  LogReader(ByteSpan log, const ReplayOptions& options);

  ByteReader reader_;
  std::size_t log_size_ = 0;
  std::size_t padding_start_ = 0;  // the all-0x00 or all-0xFF suffix starts here
  bool allow_padding_ = false;
  LogFormat format_ = LogFormat::kLegacySha1;
  std::vector<DeclaredAlgorithm> algorithms_;
  std::vector<crypto::HashAlg> banks_;
  std::size_t num_events_ = 0;
};

// Replayer extends the banks it was built for with each event, in log order. It handles
// EV_NO_ACTION (never extended; a StartupLocality event sets PCR 0's initial value) and checks
// the PCR index and that every measuring event has a digest in each replayed bank.
class Replayer {
 public:
  explicit Replayer(std::span<const crypto::HashAlg> banks);

  [[nodiscard]] Status apply(const RawEvent& e);
  // The values reached so far in `bank` (which must be one of the replayed banks).
  const PcrBank& values(crypto::HashAlg bank) const;
  std::map<crypto::HashAlg, PcrBank> take_banks() &&;

 private:
  std::vector<crypto::HashAlg> banks_;
  std::map<crypto::HashAlg, PcrBank> values_;
  std::uint8_t locality_ = 0;
  bool locality_seen_ = false;
  bool pcr0_extended_ = false;
};

// Returns H(old || digest): one TPM2_PCR_Extend.
Bytes extend(crypto::HashAlg bank, ByteSpan old_value, ByteSpan digest);

}  // namespace vouch::tpm::eventlog::internal
