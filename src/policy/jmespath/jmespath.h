#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "base/result.h"
#include "policy/jmespath/check_ids.h"

// JMESPath (https://jmespath.org/specification.html), the query language behind the `JmesPath()`
// function of the Azure Attestation policy language. The whole specification is implemented,
// including all 26 built-in functions, and passes the official compliance suite.
//
// Deliberate choices where the specification leaves room:
// - Function names and arities are resolved by compile(), so an unknown function or a wrong
//   argument count is reported when the policy is loaded, not only when the call is reached. A
//   slice step of literal 0 is likewise reported by compile() (jmespath.invalid_value).
// - The JEP-12 deprecated form of literals whose text is not JSON (`foo` meaning "foo") is
//   rejected as a syntax error; write 'foo' or `"foo"`.
// - An expression reference (&expr) is a value only as a function argument; anywhere else it is
//   jmespath.invalid_type.
// - Objects are nlohmann::json objects, which keep their keys sorted: `keys()`, `values()` and
//   the object wildcard `*` list members in key order (the specification leaves it undefined).
// - to_string() writes compact JSON with non-ASCII characters as UTF-8 (jmespath.py escapes them
//   as \uXXXX; the specification does not say).
// - Integers stay integers (`length`, `sum` of integers, `floor`, `abs`); `avg` and any arithmetic
//   involving a float yield a float. Numbers compare by value across integer and float.
namespace vouch::jmespath {

namespace detail {
struct Node;
}  // namespace detail

// Hostile-input limits. Expressions come from policy authors and documents from attesters; neither
// may exhaust the stack or memory of the verifier.
//
// kMaxExpressionDepth bounds the nesting of the parsed expression (parentheses, projections,
// functions, comparator chains); evaluation recursion is bounded by the same number. At this limit
// compile and search need under 512 KB of stack in an optimised build (under 2 MB with ASan).
inline constexpr std::size_t kMaxExpressionDepth = 256;
// kMaxDataDepth bounds the nesting of any JSON value that search() copies, compares or serialises,
// and of JSON literals in the expression.
inline constexpr std::size_t kMaxDataDepth = 512;
// kMaxWorkUnits bounds one search(): a unit is one evaluated expression node, one JSON value or
// object key copied, created, compared or passed to a function, or eight bytes of string. About 4
// million units is far beyond any realistic policy query over evidence, and caps what a hostile
// expression can make one search cost at about a second and a few hundred MB.
inline constexpr std::size_t kMaxWorkUnits = std::size_t{1} << 22;

// SearchLimits overrides the per-search work budget (e.g. a fuzzer, or a caller with a time
// budget).
struct SearchLimits {
  std::size_t max_work_units = kMaxWorkUnits;
};

// Expression is a compiled JMESPath expression: parse once, evaluate many times. It is immutable;
// copies share the compiled tree, and search() may be called concurrently from any number of
// threads.
class Expression {
 public:
  // compile parses `text`. On failure the error has kind kInvalidArgument and check
  // checks::kSyntax (detail: "column N: expected ..., found ..."; columns count code points from
  // 1), checks::kUnknownFunction, checks::kInvalidArity, checks::kInvalidValue or
  // checks::kDepthLimit.
  [[nodiscard]] static Result<Expression> compile(std::string_view text);

  // search evaluates the expression against `data` and returns the result (JSON null when nothing
  // matches). Runtime errors have kind kInvalidArgument and check checks::kInvalidType,
  // checks::kDepthLimit or checks::kWorkLimit (kInternal / ::vouch::checks::kInternal would be a
  // bug). `data` is only read and may be modified once search returns.
  [[nodiscard]] Result<nlohmann::json> search(const nlohmann::json& data) const;
  // search with a different work budget; checks::kWorkLimit when it is exceeded.
  [[nodiscard]] Result<nlohmann::json> search(const nlohmann::json& data,
                                              const SearchLimits& limits) const;

  // text returns the source text the expression was compiled from.
  const std::string& text() const noexcept { return text_; }

 private:
  Expression(std::string text, std::shared_ptr<const detail::Node> root);

  std::string text_;
  std::shared_ptr<const detail::Node> root_;
};

// search compiles `expression` and evaluates it against `data`; errors as for Expression::compile
// and Expression::search. Prefer Expression when the same expression is used more than once.
[[nodiscard]] Result<nlohmann::json> search(std::string_view expression,
                                            const nlohmann::json& data);

}  // namespace vouch::jmespath
