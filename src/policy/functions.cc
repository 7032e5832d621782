#include "policy/functions.h"

#include <cmath>
#include <limits>
#include <string>

#include "policy/check_ids.h"
#include "policy/json_text.h"
#include "policy/limits.h"

namespace vouch::policy::detail {
namespace {

using ast::Function;

std::string fn(const ast::Expr& call) {
  return std::string(ast::function_name(call.function));
}

// The single String of an argument (a Set or another kind is a type error).
Result<const std::string*> string_arg(const Evaluated& arg, const ast::Expr& call,
                                      std::string_view what) {
  const std::string* s = arg.get().if_string();
  if (s == nullptr) {
    return eval_error(checks::kEvalType, fn(call) + "() expects a String as " + std::string(what) +
                                             ", found " +
                                             std::string(value_kind_name(arg.get().kind())));
  }
  return s;
}

Result<Evaluated> jmes_path(const ast::Expr& call, std::vector<Evaluated>& args, JsonCache& cache) {
  VOUCH_TRY(const nlohmann::json* document, cache.get(args[0], "JmesPath"));
  std::shared_ptr<const jmespath::Expression> query = call.query;
  if (!query) {
    VOUCH_TRY(const std::string* text, string_arg(args[1], call, "its query"));
    if (text->empty()) {
      return eval_error(checks::kEvalJmesPath, "JmesPath() got an empty query");
    }
    auto compiled = jmespath::Expression::compile(*text);
    if (!compiled) {
      return eval_error(checks::kEvalJmesPath, "invalid JMESPath query " +
                                                   Value::string(*text).to_display() + ": " +
                                                   compiled.error().detail);
    }
    query = std::make_shared<const jmespath::Expression>(std::move(*compiled));
  }
  auto result = query->search(*document);
  if (!result) {
    return eval_error(checks::kEvalJmesPath, "JMESPath query " +
                                                 Value::string(query->text()).to_display() +
                                                 " failed: " + result.error().detail);
  }
  Value out = Value::json(std::move(*result));
  if (out.if_string()->size() > limits::kMaxStringBytes) {
    return eval_error(checks::kEvalLimit, "JmesPath() result longer than " +
                                              std::to_string(limits::kMaxStringBytes) + " bytes");
  }
  return Evaluated::own(std::move(out), args[0].read_only() || args[1].read_only());
}

Result<Evaluated> append_string(const ast::Expr& call, std::vector<Evaluated>& args) {
  VOUCH_TRY(const std::string* a, string_arg(args[0], call, "its first argument"));
  VOUCH_TRY(const std::string* b, string_arg(args[1], call, "its second argument"));
  if (a->size() + b->size() > limits::kMaxStringBytes) {
    return eval_error(checks::kEvalLimit, "AppendString() result longer than " +
                                              std::to_string(limits::kMaxStringBytes) + " bytes");
  }
  return Evaluated::own(Value::string(*a + *b), args[0].read_only() || args[1].read_only());
}

Result<Evaluated> negate_bool(const ast::Expr& call, std::vector<Evaluated>& args) {
  const bool* b = args[0].get().if_boolean();
  if (b == nullptr) {
    return eval_error(checks::kEvalType, fn(call) + "() expects a Boolean, found " +
                                             std::string(value_kind_name(args[0].get().kind())));
  }
  return Evaluated::own(Value::boolean(!*b), args[0].read_only());
}

bool contains(const std::vector<const Value*>& set, const Value& v) {
  for (const Value* e : set) {
    if (*e == v) {
      return true;
    }
  }
  return false;
}

Result<Evaluated> is_subset_of(std::vector<Evaluated>& args) {
  const auto subset = elements(args[0].get());
  const auto superset = elements(args[1].get());
  bool result = true;
  for (const Value* e : subset) {
    if (!contains(superset, *e)) {
      result = false;
      break;
    }
  }
  return Evaluated::own(Value::boolean(result), false);
}

Result<Evaluated> contains_only_value(const ast::Expr& call, std::vector<Evaluated>& args) {
  const Value& wanted = args[1].get();
  if (!wanted.is_scalar()) {
    return eval_error(checks::kEvalType,
                      fn(call) + "() expects a single value as its second argument, found " +
                          std::string(value_kind_name(wanted.kind())));
  }
  const auto set = elements(args[0].get());
  bool result = !set.empty();
  for (const Value* e : set) {
    if (!(*e == wanted)) {
      result = false;
      break;
    }
  }
  return Evaluated::own(Value::boolean(result), false);
}

Result<Evaluated> json_to_claim_value_call(std::vector<Evaluated>& args, JsonCache& cache) {
  VOUCH_TRY(const nlohmann::json* j, cache.get(args[0], "JsonToClaimValue"));
  VOUCH_TRY(Value v, json_to_claim_value(*j));
  return Evaluated::own(std::move(v), args[0].read_only());
}

Result<Value> json_scalar(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::boolean:
      return Value::boolean(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::integer(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return eval_error(checks::kEvalJson,
                          "JSON integer " + std::to_string(u) + " is outside the Integer range");
      }
      return Value::integer(static_cast<std::int64_t>(u));
    }
    case nlohmann::json::value_t::number_float: {
      const double d = j.get<double>();
      // 2^63 is exactly representable; anything at or beyond it does not fit.
      if (!std::isfinite(d) || std::trunc(d) != d || d < -9223372036854775808.0 ||
          d >= 9223372036854775808.0) {
        return eval_error(checks::kEvalJson, "JSON number " + dump_json(j) +
                                                 " is not an integer (fractions are not claim "
                                                 "values)");
      }
      return Value::integer(static_cast<std::int64_t>(d));
    }
    case nlohmann::json::value_t::string:
      return Value::string(j.get<std::string>());
    case nlohmann::json::value_t::null:
      return Value();
    case nlohmann::json::value_t::object:
    case nlohmann::json::value_t::array:
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded:
      break;
  }
  return eval_error(checks::kEvalJson, "JSON " + std::string(j.type_name()) +
                                           " cannot be a claim value (objects and nested arrays "
                                           "are not supported)");
}

}  // namespace

tl::unexpected<Error> eval_error(CheckId check, std::string detail) {
  return fail(ErrorKind::kPolicyDenied, check, std::move(detail));
}

std::vector<const Value*> elements(const Value& v) {
  std::vector<const Value*> out;
  if (const auto* set = v.if_set()) {
    out.reserve(set->size());
    for (const auto& e : *set) {
      out.push_back(&e);
    }
  } else if (v.kind() != ValueKind::kEmpty) {
    out.push_back(&v);
  }
  return out;
}

Result<const nlohmann::json*> JsonCache::get(const Evaluated& v, std::string_view function) {
  const Value& value = v.get();
  if (const nlohmann::json* kept = value.parsed_json()) {
    return kept;
  }
  const std::string* text = value.if_string();
  if (text == nullptr) {
    return eval_error(checks::kEvalType, std::string(function) +
                                             "() expects JSON text (a String), found " +
                                             std::string(value_kind_name(value.kind())));
  }
  if (v.is_borrowed()) {
    if (auto it = borrowed_.find(&value); it != borrowed_.end()) {
      return &it->second;
    }
  }
  auto parsed =
      parse_json_text(*text, limits::kMaxJsonDepth, ErrorKind::kPolicyDenied, checks::kEvalJson);
  if (!parsed) {
    return eval_error(checks::kEvalJson, std::string(function) + "() was given " +
                                             value.to_display(48) + ", which is " +
                                             parsed.error().detail);
  }
  if (v.is_borrowed()) {
    return &borrowed_.emplace(&value, std::move(*parsed)).first->second;
  }
  return &owned_.emplace_front(std::move(*parsed));
}

Result<Value> json_to_claim_value(const nlohmann::json& j) {
  if (!j.is_array()) {
    return json_scalar(j);
  }
  std::vector<Value> items;
  items.reserve(j.size());
  for (const auto& e : j) {
    if (e.is_structured()) {
      return eval_error(checks::kEvalJson,
                        "JsonToClaimValue() supports arrays of primitives only; found an " +
                            std::string(e.type_name()) + " element");
    }
    VOUCH_TRY(Value v, json_scalar(e));
    items.push_back(std::move(v));
  }
  return Value::set(std::move(items));
}

Result<Evaluated> call_function(const ast::Expr& call, std::vector<Evaluated>& args,
                                JsonCache& cache) {
  switch (call.function) {
    case Function::kJmesPath:
      return jmes_path(call, args, cache);
    case Function::kJsonToClaimValue:
      return json_to_claim_value_call(args, cache);
    case Function::kIsSubsetOf:
      return is_subset_of(args);
    case Function::kAppendString:
      return append_string(call, args);
    case Function::kNegateBool:
      return negate_bool(call, args);
    case Function::kContainsOnlyValue:
      return contains_only_value(call, args);
  }
  return eval_error(checks::kEvalType, "unknown function");
}

}  // namespace vouch::policy::detail
