#include "policy/jmespath/json_util.h"

#include <cmath>
#include <cstdint>

namespace vouch::jmespath::detail {
namespace {

template <typename T>
int three_way(T a, T b) noexcept {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Exact comparison of a double with an int64 (casting either way could round).
int compare_double_int(double d, std::int64_t i) noexcept {
  if (d < -9223372036854775808.0) {
    return -1;
  }
  if (d >= 9223372036854775808.0) {
    return 1;
  }
  const double t = std::trunc(d);
  const auto ti = static_cast<std::int64_t>(t);
  if (ti != i) {
    return three_way(ti, i);
  }
  return three_way(d - t, 0.0);
}

int compare_double_uint(double d, std::uint64_t u) noexcept {
  if (d < 0.0) {
    return -1;
  }
  if (d >= 18446744073709551616.0) {
    return 1;
  }
  const double t = std::trunc(d);
  const auto tu = static_cast<std::uint64_t>(t);
  if (tu != u) {
    return three_way(tu, u);
  }
  return three_way(d - t, 0.0);
}

int compare_int_uint(std::int64_t i, std::uint64_t u) noexcept {
  if (i < 0) {
    return -1;
  }
  return three_way(static_cast<std::uint64_t>(i), u);
}

bool exceeds(const json& value, std::size_t remaining) noexcept {
  if (!value.is_structured()) {
    return false;
  }
  if (remaining == 0) {
    return true;
  }
  for (const auto& child : value) {
    if (exceeds(child, remaining - 1)) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool nesting_exceeds(const json& value, std::size_t limit) noexcept {
  return exceeds(value, limit);
}

bool is_truthy(const json& value) noexcept {
  switch (value.type()) {
    case json::value_t::boolean:
      return value.get<bool>();
    case json::value_t::string:
      return !value.get_ref<const json::string_t&>().empty();
    case json::value_t::array:
    case json::value_t::object:
      return !value.empty();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return true;
    case json::value_t::null:
    case json::value_t::binary:
    case json::value_t::discarded:
      return false;
  }
  return false;
}

std::string_view type_name(const json& value) noexcept {
  switch (value.type()) {
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "number";
    case json::value_t::null:
    case json::value_t::binary:
    case json::value_t::discarded:
      return "null";
  }
  return "null";
}

int compare_numbers(const json& a, const json& b) noexcept {
  using V = json::value_t;
  const V ta = a.type();
  const V tb = b.type();
  if (ta == V::number_float || tb == V::number_float) {
    if (ta == V::number_float && tb == V::number_float) {
      const double x = a.get<double>();
      const double y = b.get<double>();
      // NaN (only possible in programmatically built documents) sorts first, so ordering stays a
      // strict weak order and std::sort keeps its preconditions.
      if (std::isnan(x) || std::isnan(y)) {
        return three_way(std::isnan(x) ? 0 : 1, std::isnan(y) ? 0 : 1);
      }
      return three_way(x, y);
    }
    const bool a_is_float = ta == V::number_float;
    const double d = a_is_float ? a.get<double>() : b.get<double>();
    const json& other = a_is_float ? b : a;
    int r = 0;
    if (std::isnan(d)) {
      r = -1;
    } else if (other.type() == V::number_unsigned) {
      r = compare_double_uint(d, other.get<std::uint64_t>());
    } else {
      r = compare_double_int(d, other.get<std::int64_t>());
    }
    return a_is_float ? r : -r;
  }
  if (ta == V::number_unsigned && tb == V::number_unsigned) {
    return three_way(a.get<std::uint64_t>(), b.get<std::uint64_t>());
  }
  if (ta == V::number_integer && tb == V::number_integer) {
    return three_way(a.get<std::int64_t>(), b.get<std::int64_t>());
  }
  if (ta == V::number_integer) {
    return compare_int_uint(a.get<std::int64_t>(), b.get<std::uint64_t>());
  }
  return -compare_int_uint(b.get<std::int64_t>(), a.get<std::uint64_t>());
}

}  // namespace vouch::jmespath::detail
