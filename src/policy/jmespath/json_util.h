#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

// JSON helpers shared by the evaluator and the built-in functions. Internal to the module.
namespace vouch::jmespath::detail {

using json = nlohmann::json;

// nesting_exceeds reports whether `value` nests arrays/objects more than `limit` levels deep. It
// recurses at most limit + 1 levels, so it is safe on hostile input.
bool nesting_exceeds(const json& value, std::size_t limit) noexcept;

// is_truthy applies JMESPath truthiness: false, null, "", [] and {} are false; everything else
// (including 0) is true.
bool is_truthy(const json& value) noexcept;

// type_name returns the JMESPath type of `value`: number, string, boolean, array, object, null.
std::string_view type_name(const json& value) noexcept;

// compare_numbers orders two JSON numbers by exact value across int64, uint64 and double;
// returns <0, 0 or >0. Both arguments must satisfy is_number().
int compare_numbers(const json& a, const json& b) noexcept;

}  // namespace vouch::jmespath::detail
