#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vouch {

// The deepest nesting of objects and arrays in JSON text, found by one pass over the bytes
// (strings and escapes skipped) without parsing. Callers refuse untrusted documents deeper than
// they need before parsing them: parsing is iterative, but copying, dumping and comparing a
// parsed value recurse, and a deep enough document overflows the stack. Malformed text gives
// some depth; the parser rejects it afterwards.
std::size_t json_nesting_depth(std::string_view text) noexcept;

// The depth request bodies and bound data may have: far more than any Vouch document needs.
inline constexpr std::size_t kMaxUntrustedJsonDepth = 64;

// Why untrusted JSON text is refused before it is parsed: nested deeper than
// kMaxUntrustedJsonDepth, or holding a NUL byte (nlohmann's parser takes NUL for the end of the
// input and accepts whatever follows it, so "{}\0anything" would parse as {}).
enum class JsonRefusal : std::uint8_t { kNone, kTooDeep, kNul };
JsonRefusal refuse_untrusted_json(std::string_view text) noexcept;
// "nests deeper than 64 levels" / "holds a NUL byte" (empty for kNone), for error details.
std::string json_refusal_text(JsonRefusal refusal);

}  // namespace vouch
