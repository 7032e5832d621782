#include "policy/jmespath/evaluator.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "policy/jmespath/check_ids.h"
#include "policy/jmespath/functions.h"
#include "policy/jmespath/jmespath.h"
#include "policy/jmespath/json_util.h"

namespace vouch::jmespath::detail {
namespace {

using json = nlohmann::json;

// Resolves a slice bound against an array of `len` elements (specification "Slices": negative
// bounds count from the end, then clamp to the valid range for the direction of `step`). The result
// lies in [-1, len], so later arithmetic cannot overflow.
std::int64_t clamp_bound(std::int64_t bound, std::int64_t len, std::int64_t step) {
  if (bound < 0) {
    bound = bound < -len ? -1 : bound + len;
    if (bound < 0) {
      return step < 0 ? -1 : 0;
    }
    return bound;
  }
  if (bound >= len) {
    return step < 0 ? len - 1 : len;
  }
  return bound;
}

}  // namespace

tl::unexpected<Error> Evaluator::error(const Node& node, CheckId check, std::string_view what) {
  std::string detail = "column " + std::to_string(node.column) + ": ";
  detail.append(what);
  return fail(ErrorKind::kInvalidArgument, check, std::move(detail));
}

tl::unexpected<Error> Evaluator::work_limit_exceeded() {
  budget_ = 0;
  return fail(ErrorKind::kInvalidArgument, checks::kWorkLimit,
              "evaluation exceeded the work limit of " + std::to_string(initial_budget_) +
                  " units (the expression copies, compares or builds too much data)");
}

tl::unexpected<Error> Evaluator::depth_exceeded() {
  return fail(ErrorKind::kInvalidArgument, checks::kDepthLimit,
              "a JSON value copied, compared or serialised by the search nests deeper than " +
                  std::to_string(kMaxDataDepth) + " levels");
}

Status Evaluator::charge_tree(const json& value, std::size_t depth) {
  // `depth` counts the arrays and objects enclosing `value`.
  if (value.is_structured() && depth >= kMaxDataDepth) {
    return depth_exceeded();
  }
  if (value.is_string()) {
    return charge(string_cost(value.get_ref<const json::string_t&>().size()));
  }
  if (value.is_object()) {
    VOUCH_RETURN_IF_ERROR(charge(1));
    for (const auto& [key, member] : value.items()) {
      VOUCH_RETURN_IF_ERROR(charge(string_cost(key.size())));
      VOUCH_RETURN_IF_ERROR(charge_tree(member, depth + 1));
    }
    return ok();
  }
  if (value.is_array()) {
    VOUCH_RETURN_IF_ERROR(charge(1));
    for (const auto& member : value) {
      VOUCH_RETURN_IF_ERROR(charge_tree(member, depth + 1));
    }
    return ok();
  }
  return charge(1);
}

Result<json> Evaluator::take(Value value) {
  if (value.is_owned()) {
    return std::move(value.mutable_owned());
  }
  VOUCH_RETURN_IF_ERROR(charge_tree(value.get(), 0));
  return value.get();
}

Status Evaluator::append(json& array, Value value) {
  VOUCH_RETURN_IF_ERROR(charge(1));
  VOUCH_TRY(json element, take(std::move(value)));
  array.push_back(std::move(element));
  return ok();
}

Status Evaluator::project_one(const Node& rhs, Value element, json& out) {
  VOUCH_TRY(Value projected, eval(rhs, std::move(element)));
  if (projected.get().is_null()) {
    return ok();  // projections drop null results
  }
  return append(out, std::move(projected));
}

Result<Value> Evaluator::detach(Value value, bool must_own) {
  if (!must_own || value.is_owned()) {
    return value;
  }
  VOUCH_TRY(json owned, take(std::move(value)));
  return Value::own(std::move(owned));
}

Result<bool> Evaluator::equal(const json& a, const json& b) {
  return equal_at(a, b, 0);
}

Result<bool> Evaluator::equal_at(const json& a, const json& b, std::size_t depth) {
  if (a.is_structured() && b.is_structured() && depth >= kMaxDataDepth) {
    return depth_exceeded();
  }
  VOUCH_RETURN_IF_ERROR(charge(1));
  if (a.is_number() && b.is_number()) {
    return compare_numbers(a, b) == 0;
  }
  if (type_name(a) != type_name(b)) {
    return false;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) {
      return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
      VOUCH_TRY(const bool same, equal_at(a[i], b[i], depth + 1));
      if (!same) {
        return false;
      }
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) {
      return false;
    }
    // Both maps iterate in the same key order, so walk them in step.
    auto ia = a.begin();
    auto ib = b.begin();
    for (; ia != a.end(); ++ia, ++ib) {
      if (ia.key() != ib.key()) {
        return false;
      }
      VOUCH_TRY(const bool same, equal_at(ia.value(), ib.value(), depth + 1));
      if (!same) {
        return false;
      }
    }
    return true;
  }
  if (a.is_string()) {
    const auto& x = a.get_ref<const json::string_t&>();
    const auto& y = b.get_ref<const json::string_t&>();
    VOUCH_RETURN_IF_ERROR(charge(string_cost(std::min(x.size(), y.size()))));
    return x == y;
  }
  if (a.is_boolean()) {
    return a.get<bool>() == b.get<bool>();
  }
  return true;  // both null
}

Result<std::string> Evaluator::serialize(const json& value) {
  VOUCH_RETURN_IF_ERROR(charge_tree(value, 0));
  // Strings from parsed JSON and from validated expressions are valid UTF-8; `replace` only keeps
  // a programmatically built document with bad UTF-8 from throwing.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Value> Evaluator::eval(const Node& node, Value current) {
  VOUCH_RETURN_IF_ERROR(charge(1));
  switch (node.kind) {
    case NodeKind::kCurrent:
      return current;
    case NodeKind::kField:
      return field(std::move(current), node.name);
    case NodeKind::kIndex:
      return index(std::move(current), node.index);
    case NodeKind::kSlice:
      return slice(std::move(current), node);
    case NodeKind::kLiteral:
      return Value::borrow(node.literal);
    case NodeKind::kSubexpression:
    case NodeKind::kPipe:
      for (const auto& child : node.children) {
        VOUCH_TRY(current, eval(*child, std::move(current)));
      }
      return current;
    case NodeKind::kProjection:
      return projection(node, std::move(current));
    case NodeKind::kValueProjection:
      return value_projection(node, std::move(current));
    case NodeKind::kFilterProjection:
      return filter_projection(node, std::move(current));
    case NodeKind::kFlatten:
      return flatten(node, std::move(current));
    case NodeKind::kOr:
      return or_and(node, std::move(current), true);
    case NodeKind::kAnd:
      return or_and(node, std::move(current), false);
    case NodeKind::kNot: {
      VOUCH_TRY(const Value operand, eval(*node.children[0], std::move(current)));
      return Value::boolean(!is_truthy(operand.get()));
    }
    case NodeKind::kComparator:
      return comparator(node, std::move(current));
    case NodeKind::kMultiSelectList:
      return multi_select_list(node, std::move(current));
    case NodeKind::kMultiSelectHash:
      return multi_select_hash(node, std::move(current));
    case NodeKind::kFunction:
      return function(node, std::move(current));
    case NodeKind::kExpref:
      return error(node, checks::kInvalidType,
                   "an expression reference (&...) can only be a function argument");
  }
  return fail(ErrorKind::kInternal, ::vouch::checks::kInternal, "unhandled JMESPath node kind");
}

Result<Value> Evaluator::field(Value current, const std::string& name) {
  if (!current.get().is_object()) {
    return Value();
  }
  if (current.is_owned()) {
    json& object = current.mutable_owned();
    const auto it = object.find(name);
    return it == object.end() ? Value() : Value::own(std::move(*it));
  }
  const json& object = current.get();
  const auto it = object.find(name);
  return it == object.end() ? Value() : Value::borrow(*it);
}

Result<Value> Evaluator::index(Value current, std::int64_t index) {
  if (!current.get().is_array()) {
    return Value();
  }
  const auto len = static_cast<std::int64_t>(current.get().size());
  if (index < 0) {
    if (index < -len) {
      return Value();
    }
    index += len;
  }
  if (index >= len) {
    return Value();
  }
  return member(current, static_cast<std::size_t>(index));
}

Result<Value> Evaluator::slice(Value current, const Node& node) {
  if (!current.get().is_array()) {
    return Value();
  }
  const std::int64_t step = node.step;  // never 0: the parser rejects it
  const auto len = static_cast<std::int64_t>(current.get().size());
  const std::int64_t start =
      node.start ? clamp_bound(*node.start, len, step) : (step < 0 ? len - 1 : 0);
  const std::int64_t stop = node.stop ? clamp_bound(*node.stop, len, step) : (step < 0 ? -1 : len);
  json out = json::array();
  // start and stop lie in [-1, len]; advancing by `step` is done only while the distance left
  // exceeds it, so a huge step cannot overflow.
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop;) {
    VOUCH_RETURN_IF_ERROR(append(out, member(current, static_cast<std::size_t>(i))));
    if (step > 0 ? stop - i <= step : i - stop - 1 <= -(step + 1)) {
      break;
    }
    i += step;
  }
  return Value::own(std::move(out));
}

Result<Value> Evaluator::projection(const Node& node, Value current) {
  VOUCH_TRY(Value left, eval(*node.children[0], std::move(current)));
  if (!left.get().is_array()) {
    return Value();
  }
  json out = json::array();
  const Status walked = for_each_member(left, [&](Value element) -> Status {
    return project_one(*node.children[1], std::move(element), out);
  });
  if (!walked) {
    return fail(walked.error());
  }
  return Value::own(std::move(out));
}

Result<Value> Evaluator::value_projection(const Node& node, Value current) {
  VOUCH_TRY(Value left, eval(*node.children[0], std::move(current)));
  if (!left.get().is_object()) {
    return Value();
  }
  json out = json::array();
  const Status walked = for_each_member(left, [&](Value element) -> Status {
    return project_one(*node.children[1], std::move(element), out);
  });
  if (!walked) {
    return fail(walked.error());
  }
  return Value::own(std::move(out));
}

Result<Value> Evaluator::filter_projection(const Node& node, Value current) {
  VOUCH_TRY(Value left, eval(*node.children[0], std::move(current)));
  if (!left.get().is_array()) {
    return Value();
  }
  json out = json::array();
  const Status walked = for_each_member(left, [&](Value element) -> Status {
    {
      VOUCH_TRY(const Value condition, eval(*node.children[2], element.view()));
      if (!is_truthy(condition.get())) {
        return ok();
      }
    }
    return project_one(*node.children[1], std::move(element), out);
  });
  if (!walked) {
    return fail(walked.error());
  }
  return Value::own(std::move(out));
}

Result<Value> Evaluator::flatten(const Node& node, Value current) {
  VOUCH_TRY(Value left, eval(*node.children[0], std::move(current)));
  if (!left.get().is_array()) {
    return Value();
  }
  json out = json::array();
  const Status walked = for_each_member(left, [&](Value element) -> Status {
    if (element.get().is_array()) {
      return for_each_member(element,
                             [&](Value inner) -> Status { return append(out, std::move(inner)); });
    }
    return append(out, std::move(element));
  });
  if (!walked) {
    return fail(walked.error());
  }
  return Value::own(std::move(out));
}

Result<Value> Evaluator::or_and(const Node& node, Value current, bool is_or) {
  const std::size_t last = node.children.size() - 1;
  for (std::size_t i = 0;; ++i) {
    VOUCH_TRY(Value operand, eval(*node.children[i], current.view()));
    // `||` stops at the first truthy operand, `&&` at the first falsy one.
    if (i == last || is_truthy(operand.get()) == is_or) {
      return detach(std::move(operand), current.is_owned());
    }
  }
}

Result<Value> Evaluator::comparator(const Node& node, Value current) {
  VOUCH_TRY(const Value left, eval(*node.children[0], current.view()));
  VOUCH_TRY(const Value right, eval(*node.children[1], current.view()));
  const json& a = left.get();
  const json& b = right.get();
  bool result = false;
  switch (node.op) {
    case Comparator::kEq:
    case Comparator::kNe: {
      VOUCH_TRY(const bool same, equal(a, b));
      result = node.op == Comparator::kEq ? same : !same;
      break;
    }
    case Comparator::kLt:
    case Comparator::kLte:
    case Comparator::kGt:
    case Comparator::kGte: {
      // Ordering is defined for numbers only; anything else compares to null.
      if (!a.is_number() || !b.is_number()) {
        return Value();
      }
      const int c = compare_numbers(a, b);
      result = node.op == Comparator::kLt    ? c < 0
               : node.op == Comparator::kLte ? c <= 0
               : node.op == Comparator::kGt  ? c > 0
                                             : c >= 0;
      break;
    }
  }
  return Value::boolean(result);
}

Result<Value> Evaluator::multi_select_list(const Node& node, Value current) {
  if (current.get().is_null()) {
    return Value();
  }
  json out = json::array();
  for (const auto& child : node.children) {
    VOUCH_TRY(Value selected, eval(*child, current.view()));
    VOUCH_RETURN_IF_ERROR(append(out, std::move(selected)));
  }
  return Value::own(std::move(out));
}

Result<Value> Evaluator::multi_select_hash(const Node& node, Value current) {
  if (current.get().is_null()) {
    return Value();
  }
  json out = json::object();
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    VOUCH_TRY(Value selected, eval(*node.children[i], current.view()));
    VOUCH_RETURN_IF_ERROR(charge(string_cost(node.keys[i].size())));
    VOUCH_TRY(json kept, take(std::move(selected)));
    out[node.keys[i]] = std::move(kept);
  }
  return Value::own(std::move(out));
}

Result<Value> Evaluator::function(const Node& node, Value current) {
  std::vector<Arg> args;
  args.reserve(node.children.size());
  bool any_owned = current.is_owned();
  for (const auto& child : node.children) {
    if (child->kind == NodeKind::kExpref) {
      args.push_back(Arg{Value(), child->children[0].get()});
      continue;
    }
    VOUCH_TRY(Value value, eval(*child, current.view()));
    any_owned = any_owned || value.is_owned();
    args.push_back(Arg{std::move(value), nullptr});
  }
  VOUCH_RETURN_IF_ERROR(check_arguments(node, args));
  // A call may scan its arguments (max, sort, contains, length of a string, ...): charge their
  // size up front, so that repeating an O(n) call over large data is bounded too.
  for (const auto& arg : args) {
    const json& v = arg.value.get();
    if (v.is_string()) {
      VOUCH_RETURN_IF_ERROR(charge(string_cost(v.get_ref<const json::string_t&>().size())));
    } else if (v.is_structured()) {
      VOUCH_RETURN_IF_ERROR(charge(v.size()));
    }
  }
  VOUCH_TRY(Value result, node.function->impl(*this, node, args));
  // The result may borrow from an argument or from `current`, both of which die here.
  return detach(std::move(result), any_owned);
}

}  // namespace vouch::jmespath::detail
