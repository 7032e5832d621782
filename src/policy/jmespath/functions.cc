#include "policy/jmespath/functions.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/jmespath/check_ids.h"
#include "policy/jmespath/evaluator.h"
#include "policy/jmespath/json_util.h"
#include "policy/jmespath/utf8.h"

namespace vouch::jmespath::detail {
namespace {

using json = nlohmann::json;
namespace at = arg_type;

constexpr double kTwoPow63 = 9223372036854775808.0;

const std::string& str(const json& value) {
  return value.get_ref<const json::string_t&>();
}

std::string call_name(const Node& call) {
  return std::string(call.function->name) + "()";
}

// Orders two numbers or two strings (strings by code point, which is UTF-8 byte order).
int compare_sortable(const json& a, const json& b) {
  if (a.is_number()) {
    return compare_numbers(a, b);
  }
  const int c = str(a).compare(str(b));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Evaluates `&expr` on every element of `array` and checks that the keys are all numbers or all
// strings (the *_by functions). Keys borrow from `array`, which must outlive them.
Result<std::vector<Value>> sort_keys(Evaluator& ev, const Node& call, const Node& expr,
                                     const json& array) {
  std::vector<Value> keys;
  keys.reserve(array.size());
  for (const auto& element : array) {
    VOUCH_TRY(Value key, ev.eval(expr, Value::borrow(element)));
    const json& k = key.get();
    if (!k.is_number() && !k.is_string()) {
      return Evaluator::error(call, checks::kInvalidType,
                              call_name(call) + ": the expression returned " +
                                  std::string(type_name(k)) + "; expected number or string");
    }
    if (!keys.empty() && k.is_number() != keys.front().get().is_number()) {
      return Evaluator::error(call, checks::kInvalidType,
                              call_name(call) + ": the expression returned " +
                                  std::string(type_name(k)) + " after " +
                                  std::string(type_name(keys.front().get())) +
                                  "; keys must all be numbers or all be strings");
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

// Builds an array of the elements of `array` in the order of `order`.
Result<Value> reorder(Evaluator& ev, Value& array, const std::vector<std::size_t>& order) {
  json out = json::array();
  for (const std::size_t i : order) {
    VOUCH_RETURN_IF_ERROR(ev.append(out, member(array, i)));
  }
  return Value::own(std::move(out));
}

// Substring search in O(n + m) (Knuth-Morris-Pratt). std::string::find is O(n * m) in the worst
// case, and both strings may come from the attester.
bool contains_substring(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) {
    return true;
  }
  if (needle.size() > haystack.size()) {
    return false;
  }
  // failure[i]: length of the longest proper border of needle[0..i].
  std::vector<std::size_t> failure(needle.size(), 0);
  for (std::size_t i = 1, k = 0; i < needle.size(); ++i) {
    while (k > 0 && needle[i] != needle[k]) {
      k = failure[k - 1];
    }
    if (needle[i] == needle[k]) {
      ++k;
    }
    failure[i] = k;
  }
  for (std::size_t i = 0, k = 0; i < haystack.size(); ++i) {
    while (k > 0 && haystack[i] != needle[k]) {
      k = failure[k - 1];
    }
    if (haystack[i] == needle[k]) {
      ++k;
    }
    if (k == needle.size()) {
      return true;
    }
  }
  return false;
}

// Parses a string that matches the JSON number grammar; nullopt otherwise. Integers stay integers
// when they fit in int64 or uint64.
std::optional<json> parse_json_number(const std::string& s) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++i;
    }
    return i - from;
  };
  if (i < s.size() && s[i] == '-') {
    ++i;
  }
  const std::size_t int_start = i;
  const std::size_t int_digits = digits();
  if (int_digits == 0 || (int_digits > 1 && s[int_start] == '0')) {
    return std::nullopt;
  }
  bool integral = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    integral = false;
    if (digits() == 0) {
      return std::nullopt;
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    integral = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      ++i;
    }
    if (digits() == 0) {
      return std::nullopt;
    }
  }
  if (i != s.size()) {
    return std::nullopt;
  }
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (integral) {
    std::int64_t v = 0;
    if (const auto r = std::from_chars(first, last, v); r.ec == std::errc() && r.ptr == last) {
      return json(v);
    }
    std::uint64_t u = 0;
    if (const auto r = std::from_chars(first, last, u); r.ec == std::errc() && r.ptr == last) {
      return json(u);
    }
  }
  double d = 0;
  if (const auto r = std::from_chars(first, last, d);
      r.ec != std::errc() || r.ptr != last || !std::isfinite(d)) {
    return std::nullopt;  // e.g. 1e999: not representable as a JSON number
  }
  return json(d);
}

// --- The built-in functions, in specification order. ---

Result<Value> fn_abs(Evaluator& /*ev*/, const Node& /*call*/, std::vector<Arg>& args) {
  const json& n = args[0].value.get();
  if (n.is_number_unsigned()) {
    return std::move(args[0].value);
  }
  if (n.is_number_integer()) {
    const auto v = n.get<std::int64_t>();
    if (v == std::numeric_limits<std::int64_t>::min()) {
      return Value::own(json(std::uint64_t{1} << 63));  // |INT64_MIN| does not fit in int64
    }
    return Value::own(json(v < 0 ? -v : v));
  }
  return Value::own(json(std::fabs(n.get<double>())));
}

Result<Value> fn_avg(Evaluator& /*ev*/, const Node& /*call*/, std::vector<Arg>& args) {
  const json& a = args[0].value.get();
  if (a.empty()) {
    return Value();
  }
  double sum = 0;
  for (const auto& n : a) {
    sum += n.get<double>();
  }
  return Value::own(json(sum / static_cast<double>(a.size())));
}

// ceil and floor return integers (as the compliance suite expects) when the result fits in int64.
Result<Value> round_with(Value value, double (*round)(double)) {
  const json& n = value.get();
  if (!n.is_number_float()) {
    return value;
  }
  const double r = round(n.get<double>());
  if (r >= -kTwoPow63 && r < kTwoPow63) {
    return Value::own(json(static_cast<std::int64_t>(r)));
  }
  return Value::own(json(r));
}

Result<Value> fn_ceil(Evaluator& /*ev*/, const Node& /*call*/, std::vector<Arg>& args) {
  return round_with(std::move(args[0].value), [](double d) { return std::ceil(d); });
}

Result<Value> fn_contains(Evaluator& ev, const Node& /*call*/, std::vector<Arg>& args) {
  const json& subject = args[0].value.get();
  const json& search = args[1].value.get();
  if (subject.is_string()) {
    return Value::boolean(search.is_string() && contains_substring(str(subject), str(search)));
  }
  for (const auto& element : subject) {
    VOUCH_TRY(const bool same, ev.equal(element, search));
    if (same) {
      return Value::boolean(true);
    }
  }
  return Value::boolean(false);
}

Result<Value> fn_ends_with(Evaluator& /*ev*/, const Node& /*call*/, std::vector<Arg>& args) {
  const std::string& s = str(args[0].value.get());
  const std::string& suffix = str(args[1].value.get());
  return Value::boolean(s.size() >= suffix.size() &&
                        s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0);
}

Result<Value> fn_floor(Evaluator& /*ev*/, const Node& /*call*/, std::vector<Arg>& args) {
  return round_with(std::move(args[0].value), [](double d) { return std::floor(d); });
}

Result<Value> fn_join(Evaluator& ev, const Node& /*call*/, std::vector<Arg>& args) {
  const std::string& glue = str(args[0].value.get());
  const json& parts = args[1].value.get();
  // Charge before building; saturate so that a huge glue times a long array cannot wrap around.
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  std::size_t total = 0;
  for (const auto& part : parts) {
    total = std::min(kMax - str(part).size(), total) + str(part).size();
  }
  if (!parts.empty() && !glue.empty()) {
    const std::size_t joins = parts.size() - 1;
    total = joins > (kMax - total) / glue.size() ? kMax : total + joins * glue.size();
  }
  VOUCH_RETURN_IF_ERROR(ev.charge(string_cost(total)));
  std::string out;
  out.reserve(total);
  bool first = true;
  for (const auto& part : parts) {
    if (!first) {
      out += glue;
    }
    first = false;
    out += str(part);
  }
  return Value::own(json(std::move(out)));
}

Result<Value> fn_keys(Evaluator& ev, const Node& /*call*/, std::vector<Arg>& args) {
  json out = json::array();
  for (const auto& item : args[0].value.get().items()) {
    VOUCH_RETURN_IF_ERROR(ev.charge(string_cost(item.key().size())));
    out.push_back(item.key());
  }
  return Value::own(std::move(out));
}

Result<Value> fn_length(Evaluator& /*ev*/, const Node& /*call*/, std::vector<Arg>& args) {
  const json& v = args[0].value.get();
  const std::size_t n = v.is_string() ? code_point_count(str(v)) : v.size();
  return Value::own(json(static_cast<std::int64_t>(n)));
}

Result<Value> fn_map(Evaluator& ev, const Node& /*call*/, std::vector<Arg>& args) {
  const Node& expr = *args[0].expref;
  json out = json::array();
  const Status walked = for_each_member(args[1].value, [&](Value element) -> Status {
    VOUCH_TRY(Value mapped, ev.eval(expr, std::move(element)));
    return ev.append(out, std::move(mapped));
  });
  if (!walked) {
    return fail(walked.error());
  }
  return Value::own(std::move(out));
}

// max and min return the first extreme element.
Result<Value> extreme(std::vector<Arg>& args, bool want_max) {
  Value& array = args[0].value;
  const json& a = array.get();
  if (a.empty()) {
    return Value();
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < a.size(); ++i) {
    const int c = compare_sortable(a[i], a[best]);
    if (want_max ? c > 0 : c < 0) {
      best = i;
    }
  }
  return member(array, best);
}

Result<Value> fn_max(Evaluator& /*ev*/, const Node& /*call*/, std::vector<Arg>& args) {
  return extreme(args, true);
}

Result<Value> extreme_by(Evaluator& ev, const Node& call, std::vector<Arg>& args, bool want_max) {
  Value& array = args[0].value;
  const json& a = array.get();
  if (a.empty()) {
    return Value();
  }
  VOUCH_TRY(const std::vector<Value> keys, sort_keys(ev, call, *args[1].expref, a));
  std::size_t best = 0;
  for (std::size_t i = 1; i < keys.size(); ++i) {
    const int c = compare_sortable(keys[i].get(), keys[best].get());
    if (want_max ? c > 0 : c < 0) {
      best = i;
    }
  }
  return member(array, best);
}

Result<Value> fn_max_by(Evaluator& ev, const Node& call, std::vector<Arg>& args) {
  return extreme_by(ev, call, args, true);
}

Result<Value> fn_merge(Evaluator& ev, const Node& /*call*/, std::vector<Arg>& args) {
  json out = json::object();
  for (auto& arg : args) {
    // Later objects win on duplicate keys.
    if (arg.value.is_owned()) {
      json& object = arg.value.mutable_owned();
      for (auto it = object.begin(); it != object.end(); ++it) {
        VOUCH_RETURN_IF_ERROR(ev.charge(string_cost(it.key().size())));
        out[it.key()] = std::move(it.value());
      }
    } else {
      const json& object = arg.value.get();
      for (auto it = object.begin(); it != object.end(); ++it) {
        VOUCH_RETURN_IF_ERROR(ev.charge(string_cost(it.key().size())));
        VOUCH_TRY(json kept, ev.take(Value::borrow(it.value())));
        out[it.key()] = std::move(kept);
      }
    }
  }
  return Value::own(std::move(out));
}

Result<Value> fn_min(Evaluator& /*ev*/, const Node& /*call*/, std::vector<Arg>& args) {
  return extreme(args, false);
}

Result<Value> fn_min_by(Evaluator& ev, const Node& call, std::vector<Arg>& args) {
  return extreme_by(ev, call, args, false);
}

Result<Value> fn_not_null(Evaluator& /*ev*/, const Node& /*call*/, std::vector<Arg>& args) {
  for (auto& arg : args) {
    if (!arg.value.get().is_null()) {
      return std::move(arg.value);
    }
  }
  return Value();
}

Result<Value> fn_reverse(Evaluator& ev, const Node& /*call*/, std::vector<Arg>& args) {
  Value& subject = args[0].value;
  if (subject.get().is_string()) {
    const std::string& s = str(subject.get());
    VOUCH_RETURN_IF_ERROR(ev.charge(string_cost(s.size())));
    return Value::own(json(reverse_code_points(s)));
  }
  std::vector<std::size_t> order(subject.get().size());
  std::iota(order.rbegin(), order.rend(), std::size_t{0});
  return reorder(ev, subject, order);
}

Result<Value> fn_sort(Evaluator& ev, const Node& /*call*/, std::vector<Arg>& args) {
  Value& array = args[0].value;
  const json& a = array.get();
  std::vector<std::size_t> order(a.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return compare_sortable(a[x], a[y]) < 0; });
  return reorder(ev, array, order);
}

Result<Value> fn_sort_by(Evaluator& ev, const Node& call, std::vector<Arg>& args) {
  Value& array = args[0].value;
  VOUCH_TRY(const std::vector<Value> keys, sort_keys(ev, call, *args[1].expref, array.get()));
  std::vector<std::size_t> order(keys.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Stable, so elements with equal keys keep their order (compliance: "stable sort order").
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return compare_sortable(keys[x].get(), keys[y].get()) < 0;
  });
  return reorder(ev, array, order);
}

Result<Value> fn_starts_with(Evaluator& /*ev*/, const Node& /*call*/, std::vector<Arg>& args) {
  const std::string& s = str(args[0].value.get());
  const std::string& prefix = str(args[1].value.get());
  return Value::boolean(s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0);
}

Result<Value> fn_sum(Evaluator& /*ev*/, const Node& /*call*/, std::vector<Arg>& args) {
  const json& a = args[0].value.get();
  // Stay in int64 while every term is an integer and nothing overflows; otherwise sum as double,
  // left to right like the reference implementation.
  std::int64_t total = 0;
  bool integral = true;
  for (const auto& n : a) {
    if (n.is_number_float() ||
        (n.is_number_unsigned() &&
         n.get<std::uint64_t>() >
             static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))) {
      integral = false;
      break;
    }
    if (__builtin_add_overflow(total, n.get<std::int64_t>(), &total)) {
      integral = false;
      break;
    }
  }
  if (integral) {
    return Value::own(json(total));
  }
  double sum = 0;
  for (const auto& n : a) {
    sum += n.get<double>();
  }
  return Value::own(json(sum));
}

Result<Value> fn_to_array(Evaluator& ev, const Node& /*call*/, std::vector<Arg>& args) {
  if (args[0].value.get().is_array()) {
    return std::move(args[0].value);
  }
  json out = json::array();
  VOUCH_RETURN_IF_ERROR(ev.append(out, std::move(args[0].value)));
  return Value::own(std::move(out));
}

Result<Value> fn_to_number(Evaluator& /*ev*/, const Node& /*call*/, std::vector<Arg>& args) {
  const json& v = args[0].value.get();
  if (v.is_number()) {
    return std::move(args[0].value);
  }
  if (v.is_string()) {
    if (auto n = parse_json_number(str(v))) {
      return Value::own(std::move(*n));
    }
  }
  return Value();
}

Result<Value> fn_to_string(Evaluator& ev, const Node& /*call*/, std::vector<Arg>& args) {
  if (args[0].value.get().is_string()) {
    return std::move(args[0].value);
  }
  VOUCH_TRY(std::string text, ev.serialize(args[0].value.get()));
  return Value::own(json(std::move(text)));
}

Result<Value> fn_type(Evaluator& /*ev*/, const Node& /*call*/, std::vector<Arg>& args) {
  return Value::own(json(std::string(type_name(args[0].value.get()))));
}

Result<Value> fn_values(Evaluator& ev, const Node& /*call*/, std::vector<Arg>& args) {
  json out = json::array();
  const Status walked = for_each_member(
      args[0].value, [&](Value value) -> Status { return ev.append(out, std::move(value)); });
  if (!walked) {
    return fail(walked.error());
  }
  return Value::own(std::move(out));
}

// Signatures from the specification's function table.
constexpr FunctionSpec kFunctions[] = {
    {"abs", {at::kNumber}, 1, false, fn_abs},
    {"avg", {at::kArrayNumber}, 1, false, fn_avg},
    {"ceil", {at::kNumber}, 1, false, fn_ceil},
    {"contains", {at::kArray | at::kString, at::kAny}, 2, false, fn_contains},
    {"ends_with", {at::kString, at::kString}, 2, false, fn_ends_with},
    {"floor", {at::kNumber}, 1, false, fn_floor},
    {"join", {at::kString, at::kArrayString}, 2, false, fn_join},
    {"keys", {at::kObject}, 1, false, fn_keys},
    {"length", {at::kString | at::kArray | at::kObject}, 1, false, fn_length},
    {"map", {at::kExpref, at::kArray}, 2, false, fn_map},
    {"max", {at::kArrayNumber | at::kArrayString}, 1, false, fn_max},
    {"max_by", {at::kArray, at::kExpref}, 2, false, fn_max_by},
    {"merge", {at::kObject}, 1, true, fn_merge},
    {"min", {at::kArrayNumber | at::kArrayString}, 1, false, fn_min},
    {"min_by", {at::kArray, at::kExpref}, 2, false, fn_min_by},
    {"not_null", {at::kAny}, 1, true, fn_not_null},
    {"reverse", {at::kString | at::kArray}, 1, false, fn_reverse},
    {"sort", {at::kArrayNumber | at::kArrayString}, 1, false, fn_sort},
    {"sort_by", {at::kArray, at::kExpref}, 2, false, fn_sort_by},
    {"starts_with", {at::kString, at::kString}, 2, false, fn_starts_with},
    {"sum", {at::kArrayNumber}, 1, false, fn_sum},
    {"to_array", {at::kAny}, 1, false, fn_to_array},
    {"to_number", {at::kAny}, 1, false, fn_to_number},
    {"to_string", {at::kAny}, 1, false, fn_to_string},
    {"type", {at::kAny}, 1, false, fn_type},
    {"values", {at::kObject}, 1, false, fn_values},
};

std::string describe_allowed(std::uint16_t allowed) {
  if ((allowed & at::kAny) == at::kAny) {
    return "any JSON value";
  }
  static constexpr std::pair<std::uint16_t, std::string_view> kNames[] = {
      {at::kNumber, "number"},
      {at::kString, "string"},
      {at::kBoolean, "boolean"},
      {at::kNull, "null"},
      {at::kArray, "array"},
      {at::kObject, "object"},
      {at::kExpref, "expression reference (&...)"},
      {at::kArrayNumber, "array of numbers"},
      {at::kArrayString, "array of strings"},
  };
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if ((allowed & bit) != 0) {
      out += out.empty() ? "" : " or ";
      out += name;
    }
  }
  return out;
}

// Returns nullopt when `arg` matches `allowed`, else a description of what it is.
std::optional<std::string> mismatch(std::uint16_t allowed, const Arg& arg) {
  if (arg.expref != nullptr) {
    if ((allowed & at::kExpref) != 0) {
      return std::nullopt;
    }
    return "an expression reference";
  }
  const json& v = arg.value.get();
  std::uint16_t bit = at::kNull;
  switch (v.type()) {
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      bit = at::kNumber;
      break;
    case json::value_t::string:
      bit = at::kString;
      break;
    case json::value_t::boolean:
      bit = at::kBoolean;
      break;
    case json::value_t::object:
      bit = at::kObject;
      break;
    case json::value_t::array:
      bit = at::kArray;
      break;
    case json::value_t::null:
    case json::value_t::binary:
    case json::value_t::discarded:
      bit = at::kNull;
      break;
  }
  if ((allowed & bit) != 0) {
    return std::nullopt;
  }
  const bool want_numbers = (allowed & at::kArrayNumber) != 0;
  const bool want_strings = (allowed & at::kArrayString) != 0;
  if (bit != at::kArray || (!want_numbers && !want_strings)) {
    return std::string(type_name(v));
  }
  if (v.empty()) {
    return std::nullopt;
  }
  // The first element decides which homogeneous array type is meant; the rest must agree.
  const bool numbers = v.front().is_number();
  const bool strings = v.front().is_string();
  if ((numbers && want_numbers) || (strings && want_strings)) {
    for (const auto& element : v) {
      if (numbers ? !element.is_number() : !element.is_string()) {
        return "an array of " + std::string(numbers ? "numbers" : "strings") + " with a " +
               std::string(type_name(element)) + " element";
      }
    }
    return std::nullopt;
  }
  return "an array containing " + std::string(type_name(v.front()));
}

}  // namespace

const FunctionSpec* find_function(std::string_view name) noexcept {
  for (const auto& spec : kFunctions) {
    if (spec.name == name) {
      return &spec;
    }
  }
  return nullptr;
}

Status check_arguments(const Node& call, const std::vector<Arg>& args) {
  const FunctionSpec& spec = *call.function;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::uint16_t allowed = spec.types[std::min(i, spec.num_args - 1)];
    if (auto got = mismatch(allowed, args[i])) {
      return Evaluator::error(call, checks::kInvalidType,
                              call_name(call) + " argument " + std::to_string(i + 1) +
                                  ": expected " + describe_allowed(allowed) + ", got " + *got);
    }
  }
  return ok();
}

}  // namespace vouch::jmespath::detail
