#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace vouch {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

// Views the characters of `s` as bytes (no copy).
inline ByteSpan as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};  // NOLINT: char -> byte view
}

// Copies `s` into a new byte vector.
inline Bytes to_bytes(ByteSpan s) {
  return Bytes(s.begin(), s.end());
}

// Compares two byte strings; lengths first, then content in constant time (for secrets and MACs).
bool constant_time_equal(ByteSpan a, ByteSpan b) noexcept;

// Compares two byte strings exactly (length and content).
inline bool equal_bytes(ByteSpan a, ByteSpan b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) {
      return false;
    }
  }
  return true;
}

// Appends `src` to `dst`.
inline void append(Bytes& dst, ByteSpan src) {
  dst.insert(dst.end(), src.begin(), src.end());
}

}  // namespace vouch
