#pragma once

// The audit log's hash chain, as pure functions: the entry hash and chain verification that
// `vouch audit verify` and GET /audit clients run offline.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "store/store.h"

namespace vouch::store {

// Size of prev_hash and hash: SHA-256.
inline constexpr std::size_t kAuditHashSize = 32;

// audit_entry_hash returns SHA-256 over this encoding of an entry (all integers big-endian):
//
//   "vouch.audit.v1" 0x00
//   u32 len(tenant)  || tenant            (UTF-8 bytes)
//   u64 sequence
//   u64 time                              (Unix seconds, two's complement)
//   u32 len(kind)    || kind
//   u32 len(payload) || payload           (the stored canonical JSON text, byte for byte)
//   prev_hash                             (32 bytes; 32 zero bytes for sequence 1)
//
// Lengths make the encoding unambiguous; the payload is hashed as stored, so verification never
// re-encodes JSON. Strings longer than 2^32-1 bytes cannot occur (store/limits.h).
Bytes audit_entry_hash(std::string_view tenant, std::uint64_t sequence, Timestamp time,
                       std::string_view kind, std::string_view payload, ByteSpan prev_hash);
// audit_entry_hash over an entry's fields (its own `hash` is ignored).
Bytes audit_entry_hash(const AuditEntry& entry);

// ChainBreak names the first entry that does not verify: its position in the input, its claimed
// sequence number, and the error (kEvidenceRejected with store.audit.tenant, .sequence,
// .prev_hash or .hash).
struct ChainBreak {
  std::size_t index = 0;
  std::uint64_t sequence = 0;
  Error error;
};

// ChainVerdict is the outcome of verify_chain().
struct ChainVerdict {
  std::size_t checked = 0;  // entries that verified before the break (all of them when intact)
  std::optional<ChainHead> head;  // the last verified link (the `previous` passed in if none)
  std::optional<ChainBreak> broken;

  bool ok() const noexcept { return !broken.has_value(); }
  // status is ok() as a Status: the break's error, with the sequence number in its detail.
  [[nodiscard]] Status status() const;
};

// verify_chain checks that `entries` form one unbroken chain: one tenant, sequence numbers
// consecutive, each prev_hash equal to the previous entry's hash, each hash equal to
// audit_entry_hash() of the entry. Without `previous` the entries must start the chain
// (sequence 1, zero prev_hash); with it (the head of the page before) they must continue it.
// Stops at the first broken entry and names it. Pure: no I/O.
ChainVerdict verify_chain(std::span<const AuditEntry> entries,
                          const std::optional<ChainHead>& previous = std::nullopt);

// canonical_json renders a JSON value the one way the store stores JSON: object members sorted
// by name (bytewise), no insignificant whitespace, UTF-8 output, numbers in nlohmann's shortest
// round-trip form. Fails with kInvalidArgument / store.argument on invalid UTF-8 in a string.
[[nodiscard]] Result<std::string> canonical_json(const nlohmann::json& value);

}  // namespace vouch::store
