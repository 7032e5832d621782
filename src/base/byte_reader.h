#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace vouch {

// ByteReader is a bounds-checked, non-owning cursor over untrusted bytes (BoringSSL CBS for C++).
// Every getter returns false and leaves the cursor unchanged when too few bytes remain; on success
// it advances. The reader remembers its absolute offset in the outermost buffer, so errors can say
// where a field was, and the size of the last failed request, so errors can say what was missing.
class ByteReader {
 public:
  explicit ByteReader(ByteSpan in, std::size_t base_offset = 0) noexcept
      : in_(in), offset_(base_offset) {}
  ByteReader() noexcept = default;

  [[nodiscard]] bool u8(std::uint8_t& out) noexcept;
  [[nodiscard]] bool u16le(std::uint16_t& out) noexcept;
  [[nodiscard]] bool u32le(std::uint32_t& out) noexcept;
  [[nodiscard]] bool u64le(std::uint64_t& out) noexcept;
  [[nodiscard]] bool u16be(std::uint16_t& out) noexcept;
  [[nodiscard]] bool u32be(std::uint32_t& out) noexcept;
  [[nodiscard]] bool u64be(std::uint64_t& out) noexcept;

  // Copies exactly N bytes into a fixed-size field.
  template <std::size_t N>
  [[nodiscard]] bool array(std::array<std::uint8_t, N>& out) noexcept {
    ByteSpan s;
    if (!bytes(N, s)) {
      return false;
    }
    for (std::size_t i = 0; i < N; ++i) {
      out[i] = s[i];
    }
    return true;
  }

  // Views the next n bytes (no copy; the view lives as long as the input buffer).
  [[nodiscard]] bool bytes(std::size_t n, ByteSpan& out) noexcept;
  // Copies the next n bytes.
  [[nodiscard]] bool copy(std::size_t n, Bytes& out);
  // Returns a reader bounded to the next n bytes and advances past them.
  [[nodiscard]] bool child(std::size_t n, ByteReader& out) noexcept;
  // Reads a big-endian u16 length and returns a reader bounded to that many bytes (TPM2B_*).
  [[nodiscard]] bool u16be_prefixed(ByteReader& out) noexcept;
  // Reads a little-endian u32 length and returns a reader bounded to that many bytes.
  [[nodiscard]] bool u32le_prefixed(ByteReader& out) noexcept;
  // Skips n bytes.
  [[nodiscard]] bool skip(std::size_t n) noexcept;
  // Consumes n bytes that must all be zero (reserved / must-be-zero fields). On a non-zero byte
  // returns false without advancing; nonzero_at() then tells where.
  [[nodiscard]] bool zeros(std::size_t n) noexcept;

  bool empty() const noexcept { return in_.empty(); }
  std::size_t remaining() const noexcept { return in_.size(); }
  // Absolute offset of the cursor in the outermost buffer.
  std::size_t offset() const noexcept { return offset_; }
  // The unread bytes.
  ByteSpan rest() const noexcept { return in_; }
  // Bytes requested by the last failed call (0 if none failed).
  std::size_t last_need() const noexcept { return last_need_; }
  // Absolute offset of the first non-zero byte found by the last failed zeros() call.
  std::size_t nonzero_at() const noexcept { return nonzero_at_; }

  // Builds a kMalformedEvidence error for a failed read of `field`: names the field, the offset
  // and how many bytes were needed versus available.
  Error truncated(CheckId check, std::string_view field) const;
  // Builds a kMalformedEvidence error for trailing bytes after a structure named `what`.
  Error trailing(CheckId check, std::string_view what) const;

 private:
  bool take(std::size_t n, ByteSpan& out) noexcept;
  template <typename T, bool kBigEndian>
  bool read_int(T& out) noexcept;

  ByteSpan in_;
  std::size_t offset_ = 0;
  std::size_t last_need_ = 0;
  std::size_t nonzero_at_ = 0;
};

}  // namespace vouch
