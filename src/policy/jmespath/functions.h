#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/jmespath/ast.h"
#include "policy/jmespath/value.h"

// The JMESPath built-in functions (specification, "Built-in Functions"). Internal to the module.
namespace vouch::jmespath::detail {

class Evaluator;

// Argument type bits of a function signature.
namespace arg_type {
inline constexpr std::uint16_t kNumber = 1U << 0;
inline constexpr std::uint16_t kString = 1U << 1;
inline constexpr std::uint16_t kBoolean = 1U << 2;
inline constexpr std::uint16_t kNull = 1U << 3;
inline constexpr std::uint16_t kArray = 1U << 4;  // any array
inline constexpr std::uint16_t kObject = 1U << 5;
inline constexpr std::uint16_t kExpref = 1U << 6;
inline constexpr std::uint16_t kArrayNumber = 1U << 7;  // array whose elements are all numbers
inline constexpr std::uint16_t kArrayString = 1U << 8;  // array whose elements are all strings
// Every JSON value; an expression reference is not a JSON value.
inline constexpr std::uint16_t kAny = kNumber | kString | kBoolean | kNull | kArray | kObject;
}  // namespace arg_type

// Arg is one evaluated function argument: a JSON value, or (for &expr) the referenced node.
struct Arg {
  Value value;
  const Node* expref = nullptr;
};

// A function body. Arguments have already been checked against the signature.
using FunctionImpl = Result<Value> (*)(Evaluator& ev, const Node& call, std::vector<Arg>& args);

// FunctionSpec is one built-in function: its signature and body. With `variadic`, the last
// argument type repeats and at least `num_args` arguments are required; otherwise exactly
// `num_args`.
struct FunctionSpec {
  std::string_view name;
  std::array<std::uint16_t, 3> types;
  std::size_t num_args;
  bool variadic;
  FunctionImpl impl;
};

// find_function returns the built-in function called `name`, or nullptr.
const FunctionSpec* find_function(std::string_view name) noexcept;

// check_arguments verifies `args` against the signature of `call.function`; the arity has already
// been checked by the parser. Fails with checks::kInvalidType.
[[nodiscard]] Status check_arguments(const Node& call, const std::vector<Arg>& args);

}  // namespace vouch::jmespath::detail
