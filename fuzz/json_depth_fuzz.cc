// Fuzzes json_nesting_depth (base/json_depth.h): for every valid JSON document of moderate size,
// the one-pass depth must never be less than the depth of the value nlohmann parses from it
// (scalars 0, an array or object one more than its deepest member): under-counting is the unsafe
// direction. It may be more: with a duplicate member name the parser keeps only the last value,
// so a deeper earlier one is in the text but not in the value (seed
// duplicate-key-shallower-value). Any input must give some depth, no crash.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json_depth.h"

namespace {

// The depth of a parsed value, without recursion.
std::size_t depth_of(const nlohmann::json& root) {
  std::size_t deepest = 0;
  std::vector<std::pair<const nlohmann::json*, std::size_t>> stack{{&root, 0}};
  while (!stack.empty()) {
    auto [v, d] = stack.back();
    stack.pop_back();
    if (!v->is_structured()) {
      continue;
    }
    deepest = d + 1 > deepest ? d + 1 : deepest;
    for (const auto& member : *v) {
      stack.emplace_back(&member, d + 1);
    }
  }
  return deepest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  const std::size_t depth = vouch::json_nesting_depth(text);
  if (depth > size) {
    std::abort();
  }
  constexpr std::size_t kModerate = 64 * 1024;
  if (size > kModerate) {
    return 0;
  }
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    return 0;
  }
  // nlohmann's parser takes a NUL byte for the end of the input and accepts what precedes it:
  // the parsed value is the text before the first NUL, whose depth the full text's bounds.
  const std::size_t nul = text.find('\0');
  const std::size_t parsed = depth_of(j);
  if (parsed > vouch::json_nesting_depth(text.substr(0, nul)) || parsed > depth) {
    std::abort();
  }
  return 0;
}
