#include "store/audit.h"

#include <string>

#include "base/byte_writer.h"
#include "crypto/digest.h"
#include "store/check_ids.h"

namespace vouch::store {
namespace {

constexpr std::string_view kDomain = "vouch.audit.v1";

void put_string(ByteWriter& w, std::string_view s) {
  w.u32be(static_cast<std::uint32_t>(s.size()));
  w.bytes(as_bytes(s));
}

Bytes zero_hash() {
  return Bytes(kAuditHashSize, 0);
}

ChainBreak make_break(std::size_t index, const AuditEntry& entry, CheckId check,
                      std::string detail) {
  return ChainBreak{index, entry.sequence,
                    Error{ErrorKind::kEvidenceRejected, check,
                          "audit entry " + std::to_string(entry.sequence) + " of tenant '" +
                              entry.tenant + "': " + std::move(detail)}};
}

}  // namespace

Bytes audit_entry_hash(std::string_view tenant, std::uint64_t sequence, Timestamp time,
                       std::string_view kind, std::string_view payload, ByteSpan prev_hash) {
  ByteWriter w;
  w.bytes(as_bytes(kDomain)).u8(0);
  put_string(w, tenant);
  w.u64be(sequence);
  w.u64be(static_cast<std::uint64_t>(unix_seconds(time)));
  put_string(w, kind);
  put_string(w, payload);
  w.bytes(prev_hash);
  return crypto::digest(crypto::HashAlg::kSha256, w.data());
}

Bytes audit_entry_hash(const AuditEntry& entry) {
  return audit_entry_hash(entry.tenant, entry.sequence, entry.time, entry.kind, entry.payload,
                          entry.prev_hash);
}

Status ChainVerdict::status() const {
  if (broken) {
    return fail(broken->error);
  }
  return vouch::ok();
}

ChainVerdict verify_chain(std::span<const AuditEntry> entries,
                          const std::optional<ChainHead>& previous) {
  ChainVerdict verdict;
  verdict.head = previous;
  std::uint64_t expected_sequence = previous ? previous->sequence + 1 : 1;
  Bytes expected_prev = previous ? previous->hash : zero_hash();
  const std::string* tenant = entries.empty() ? nullptr : &entries.front().tenant;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const AuditEntry& e = entries[i];
    if (e.tenant != *tenant) {
      verdict.broken =
          make_break(i, e, checks::kAuditTenant, "belongs to another chain than '" + *tenant + "'");
      return verdict;
    }
    if (e.sequence != expected_sequence) {
      verdict.broken = make_break(i, e, checks::kAuditSequence,
                                  "expected sequence " + std::to_string(expected_sequence));
      return verdict;
    }
    if (!equal_bytes(e.prev_hash, expected_prev)) {
      verdict.broken = make_break(
          i, e, checks::kAuditPrevHash,
          expected_sequence == 1
              ? "the first entry must link to the zero hash"
              : "prev_hash is not the hash of entry " + std::to_string(expected_sequence - 1));
      return verdict;
    }
    if (!equal_bytes(e.hash, audit_entry_hash(e))) {
      verdict.broken =
          make_break(i, e, checks::kAuditHash, "hash does not match the entry's content");
      return verdict;
    }
    verdict.head = ChainHead{e.sequence, e.hash};
    verdict.checked = i + 1;
    expected_sequence = e.sequence + 1;
    expected_prev = e.hash;
  }
  return verdict;
}

Result<std::string> canonical_json(const nlohmann::json& value) {
  try {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception& e) {
    return fail(ErrorKind::kInvalidArgument, checks::kArgument,
                std::string("JSON cannot be encoded: ") + e.what());
  }
}

}  // namespace vouch::store
