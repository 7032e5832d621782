#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/result.h"

// JSON text helpers shared by the claim-rule functions, the release-policy parser and the claims
// decoder: every parse is depth-checked first and never throws, every dump is exception-free.
namespace vouch::policy {

// Compact serialisation; invalid UTF-8 in strings is replaced (U+FFFD) instead of throwing.
std::string dump_json(const nlohmann::json& j);

// True when `text` nests arrays/objects deeper than `max_depth` (strings are skipped; the text
// need not be valid JSON). Linear, no recursion.
bool json_text_nests_deeper_than(std::string_view text, std::size_t max_depth) noexcept;

// Parses `text` as one JSON value. Fails with kind `kind` and check `check` when it is not JSON
// (detail names line and column) or nests deeper than `max_depth`.
[[nodiscard]] Result<nlohmann::json> parse_json_text(std::string_view text, std::size_t max_depth,
                                                     ErrorKind kind, CheckId check);

}  // namespace vouch::policy
