#pragma once

#include <forward_list>
#include <nlohmann/json.hpp>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "policy/ast.h"
#include "policy/value.h"

// The version 1.2 functions and the value plumbing the evaluator shares with them. Internal to the
// policy module.
namespace vouch::policy::detail {

// Evaluated is the result of evaluating an expression: a value borrowed from the policy or from
// an incoming claim (no copy of large JSON strings), or one computed on the spot; plus whether it
// derives from a read-only claim.
class Evaluated {
 public:
  static Evaluated borrow(const Value& v, bool read_only) { return Evaluated(&v, {}, read_only); }
  static Evaluated own(Value v, bool read_only) {
    return Evaluated(nullptr, std::move(v), read_only);
  }

  const Value& get() const noexcept { return borrowed_ != nullptr ? *borrowed_ : owned_; }
  bool is_borrowed() const noexcept { return borrowed_ != nullptr; }
  bool read_only() const noexcept { return read_only_; }
  Value take() && { return borrowed_ != nullptr ? *borrowed_ : std::move(owned_); }

 private:
  Evaluated(const Value* b, Value o, bool ro)
      : borrowed_(b), owned_(std::move(o)), read_only_(ro) {}
  const Value* borrowed_;
  Value owned_;
  bool read_only_;
};

// JsonCache parses String values as JSON at most once per evaluation (claims such as `events` are
// queried by several rules).
class JsonCache {
 public:
  // The JSON of `v`, which must be a String holding JSON text; policy.eval.type /
  // policy.eval.json otherwise. `function` names the caller in messages.
  [[nodiscard]] Result<const nlohmann::json*> get(const Evaluated& v, std::string_view function);

 private:
  std::unordered_map<const Value*, nlohmann::json> borrowed_;
  std::forward_list<nlohmann::json> owned_;
};

// The elements of `v` seen as a set: none for Empty, itself for a scalar, the elements of a Set.
std::vector<const Value*> elements(const Value& v);

// call_function evaluates `call` (a kCall) over its evaluated arguments. Errors have kind
// kPolicyDenied and a policy.eval.* check; `call` supplies the compiled literal query and the
// position for messages.
[[nodiscard]] Result<Evaluated> call_function(const ast::Expr& call, std::vector<Evaluated>& args,
                                              JsonCache& cache);

// The claim value JsonToClaimValue() makes of `j` (exposed for the claims decoder): Integer,
// Boolean, String, Set (array of primitives; null elements skipped) or Empty (null). Objects,
// nested arrays, fractions and integers outside int64 fail with policy.eval.json.
[[nodiscard]] Result<Value> json_to_claim_value(const nlohmann::json& j);

// Builds an evaluation error (kind kPolicyDenied).
tl::unexpected<Error> eval_error(CheckId check, std::string detail);

}  // namespace vouch::policy::detail
