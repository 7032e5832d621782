#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace vouch {

// checked_add stores a + b in out and returns true, or returns false on overflow.
template <typename T>
requires std::is_unsigned_v<T>
[[nodiscard]] constexpr bool checked_add(T a, T b, T& out) noexcept {
  if (a > std::numeric_limits<T>::max() - b) {
    return false;
  }
  out = static_cast<T>(a + b);
  return true;
}

// checked_mul stores a * b in out and returns true, or returns false on overflow.
template <typename T>
requires std::is_unsigned_v<T>
[[nodiscard]] constexpr bool checked_mul(T a, T b, T& out) noexcept {
  if (a != 0 && b > std::numeric_limits<T>::max() / a) {
    return false;
  }
  out = static_cast<T>(a * b);
  return true;
}

// fits_in<T>(v) tells whether the unsigned value v is representable in T.
template <typename T, typename U>
requires std::is_integral_v<T> && std::is_unsigned_v<U>
constexpr bool fits_in(U v) noexcept {
  return v <= static_cast<std::make_unsigned_t<T>>(std::numeric_limits<T>::max());
}

}  // namespace vouch
