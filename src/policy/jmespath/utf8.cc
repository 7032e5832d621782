#include "policy/jmespath/utf8.h"

#include <cstdint>

namespace vouch::jmespath::detail {
namespace {

bool is_continuation(unsigned char c) noexcept {
  return (c & 0xC0U) == 0x80U;
}

// Length of the sequence introduced by lead byte `c` (1 for ASCII and for invalid leads).
std::size_t sequence_length(unsigned char c) noexcept {
  if (c >= 0xF0U && c <= 0xF4U) {
    return 4;
  }
  if (c >= 0xE0U) {
    return c <= 0xEFU ? 3 : 1;
  }
  if (c >= 0xC2U) {
    return 2;
  }
  return 1;
}

}  // namespace

std::size_t valid_utf8_prefix(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80U) {
      ++i;
      continue;
    }
    const std::size_t n = sequence_length(c);
    if (n == 1 || n > s.size() - i) {
      return i;
    }
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    // The second byte carries the range restrictions (Unicode table 3-7).
    unsigned char lo = 0x80U;
    unsigned char hi = 0xBFU;
    if (c == 0xE0U) {
      lo = 0xA0U;  // overlong
    } else if (c == 0xEDU) {
      hi = 0x9FU;  // surrogates
    } else if (c == 0xF0U) {
      lo = 0x90U;  // overlong
    } else if (c == 0xF4U) {
      hi = 0x8FU;  // above U+10FFFF
    }
    if (c1 < lo || c1 > hi) {
      return i;
    }
    for (std::size_t k = 2; k < n; ++k) {
      if (!is_continuation(static_cast<unsigned char>(s[i + k]))) {
        return i;
      }
    }
    i += n;
  }
  return i;
}

std::size_t code_point_count(std::string_view s) noexcept {
  std::size_t n = 0;
  for (const char ch : s) {
    if (!is_continuation(static_cast<unsigned char>(ch))) {
      ++n;
    }
  }
  return n;
}

std::string reverse_code_points(std::string_view s) {
  std::string out(s.size(), '\0');
  std::size_t write = s.size();
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t n = 1;
    while (i + n < s.size() && is_continuation(static_cast<unsigned char>(s[i + n]))) {
      ++n;
    }
    write -= n;
    out.replace(write, n, s.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace vouch::jmespath::detail
