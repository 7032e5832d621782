#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"
#include "policy/jmespath/ast.h"
#include "policy/jmespath/value.h"

// Tree-walking evaluator of the AST. Internal to the module.
namespace vouch::jmespath::detail {

// Evaluator evaluates one search. It owns the work budget; it is not shared between threads
// (Expression::search makes one per call).
class Evaluator {
 public:
  explicit Evaluator(std::size_t work_budget) noexcept
      : initial_budget_(work_budget), budget_(work_budget) {}

  // eval evaluates `node` with `current` as the current node (@).
  [[nodiscard]] Result<Value> eval(const Node& node, Value current);

  // charge spends `units` of the work budget; fails with checks::kWorkLimit when it is exhausted.
  [[nodiscard]] Status charge(std::size_t units) {
    if (units > budget_) {
      return work_limit_exceeded();
    }
    budget_ -= units;
    return ok();
  }

  // take turns a Value into an owned JSON value: moved when owned, copied (after charging its size
  // and checking its depth) when borrowed.
  [[nodiscard]] Result<nlohmann::json> take(Value value);

  // append adds `value` (taken as by take()) to the JSON array `array`.
  [[nodiscard]] Status append(nlohmann::json& array, Value value);

  // detach returns `value` owned if `must_own`, else unchanged; see the lifetime rule in value.h.
  [[nodiscard]] Result<Value> detach(Value value, bool must_own);

  // equal is JMESPath equality: deep, numbers by value (1 == 1.0), no cross-type coercion.
  [[nodiscard]] Result<bool> equal(const nlohmann::json& a, const nlohmann::json& b);

  // serialize renders compact JSON (to_string); charges the size and checks the depth first.
  [[nodiscard]] Result<std::string> serialize(const nlohmann::json& value);

  // error builds a kInvalidArgument error for the node's column: "column N: what".
  static tl::unexpected<Error> error(const Node& node, CheckId check, std::string_view what);

 private:
  Result<Value> field(Value current, const std::string& name);
  Result<Value> index(Value current, std::int64_t index);
  Result<Value> slice(Value current, const Node& node);
  // Applies a projection's right-hand side to one element; appends the result unless null.
  Status project_one(const Node& rhs, Value element, nlohmann::json& out);
  Result<Value> projection(const Node& node, Value current);
  Result<Value> value_projection(const Node& node, Value current);
  Result<Value> filter_projection(const Node& node, Value current);
  Result<Value> flatten(const Node& node, Value current);
  Result<Value> or_and(const Node& node, Value current, bool is_or);
  Result<Value> comparator(const Node& node, Value current);
  Result<Value> multi_select_list(const Node& node, Value current);
  Result<Value> multi_select_hash(const Node& node, Value current);
  Result<Value> function(const Node& node, Value current);

  tl::unexpected<Error> work_limit_exceeded();
  static tl::unexpected<Error> depth_exceeded();
  // Charges the size of `value` (nodes plus string bytes / 8) and fails on depth > kMaxDataDepth.
  Status charge_tree(const nlohmann::json& value, std::size_t depth);
  Result<bool> equal_at(const nlohmann::json& a, const nlohmann::json& b, std::size_t depth);

  std::size_t initial_budget_;
  std::size_t budget_;
};

// member returns element `i` of the array in `container`: moved out when owned, borrowed otherwise.
inline Value member(Value& container, std::size_t i) {
  if (container.is_owned()) {
    return Value::own(std::move(container.mutable_owned()[i]));
  }
  return Value::borrow(container.get()[i]);
}

// for_each_member calls `f(Value)` for each element of an array or each value of an object in
// `container` (moved out when owned) and stops at the first error.
template <typename F>
Status for_each_member(Value& container, F&& f) {
  if (container.is_owned()) {
    for (auto& m : container.mutable_owned()) {
      VOUCH_RETURN_IF_ERROR(f(Value::own(std::move(m))));
    }
  } else {
    for (const auto& m : container.get()) {
      VOUCH_RETURN_IF_ERROR(f(Value::borrow(m)));
    }
  }
  return ok();
}

// string_cost is the work charged for producing a string of `len` bytes.
inline std::size_t string_cost(std::size_t len) noexcept {
  return 1 + len / 8;
}

}  // namespace vouch::jmespath::detail
