#pragma once

// Fast parsing of untrusted JSON into nlohmann::json (docs/adr/0016-json-parsing.md).

#include <nlohmann/json.hpp>
#include <string_view>

namespace vouch {

// parse_json is nlohmann::json::parse(text, nullptr, false) at simdjson's speed: the same value
// (objects keep the last of repeated names, integers are unsigned when not negative, numbers
// with a fraction or exponent are doubles), or a discarded value when the text is not JSON.
// nlohmann's parser stays the reference: whatever simdjson refuses (numbers beyond 64 bits, a
// NUL byte, malformed text) is parsed again by it, so the two can differ only in speed. Evidence
// carries multi-kilobyte base64 strings, which nlohmann's lexer copies a byte at a time (~7 ns
// a byte, measured in docs/benchmarks.md). Nesting is limited to 256 levels (deeper text goes to
// nlohmann, after the callers' refuse_untrusted_json guard has refused anything over 64).
nlohmann::json parse_json(std::string_view text);

}  // namespace vouch
