// Fuzzes parse_json (base/json_parse.h) against nlohmann's parser, its reference: for every
// input both refuse, or both give the same value with the same types (1 and 1u differ here).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json_parse.h"

namespace {

bool strictly_equal(const nlohmann::json& a, const nlohmann::json& b) {
  std::vector<std::pair<const nlohmann::json*, const nlohmann::json*>> stack{{&a, &b}};
  while (!stack.empty()) {
    auto [x, y] = stack.back();
    stack.pop_back();
    if (x->type() != y->type() || x->size() != y->size()) {
      return false;
    }
    if (x->is_object()) {
      for (auto it = x->begin(), jt = y->begin(); it != x->end(); ++it, ++jt) {
        if (it.key() != jt.key()) {
          return false;
        }
        stack.emplace_back(&it.value(), &jt.value());
      }
    } else if (x->is_array()) {
      for (std::size_t i = 0; i < x->size(); ++i) {
        stack.emplace_back(&(*x)[i], &(*y)[i]);
      }
    } else if (x->is_number_float() ? x->dump() != y->dump() : *x != *y) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  const nlohmann::json fast = vouch::parse_json(text);
  const nlohmann::json reference = nlohmann::json::parse(text, nullptr, false);
  if (fast.is_discarded() != reference.is_discarded()) {
    std::abort();
  }
  if (!fast.is_discarded() && !strictly_equal(fast, reference)) {
    std::abort();
  }
  return 0;
}
