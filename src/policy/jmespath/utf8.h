#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// UTF-8 helpers. JMESPath strings are sequences of Unicode code points: length() counts code
// points and reverse() reverses them. Byte order of valid UTF-8 equals code-point order, so
// sorting and comparing need no decoding.
namespace vouch::jmespath::detail {

// valid_utf8_prefix returns the length of the longest prefix of `s` that is well-formed UTF-8
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF); s.size() if all of it is.
std::size_t valid_utf8_prefix(std::string_view s) noexcept;

// code_point_count counts code points of valid UTF-8 (every byte that is not a continuation byte);
// malformed input is counted byte by byte rather than rejected.
std::size_t code_point_count(std::string_view s) noexcept;

// reverse_code_points returns `s` with its code points in reverse order (each multi-byte sequence
// kept intact).
std::string reverse_code_points(std::string_view s);

}  // namespace vouch::jmespath::detail
