#include "policy/release_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "policy/check_ids.h"
#include "policy/json_text.h"
#include "policy/limits.h"

namespace vouch::policy {
namespace {

using Kind = ReleaseCondition::Kind;

struct OperatorName {
  ReleaseOperator op;
  std::string_view name;
};

constexpr std::array kOperators = {
    OperatorName{ReleaseOperator::kEquals, "equals"},
    OperatorName{ReleaseOperator::kNotEquals, "notEquals"},
    OperatorName{ReleaseOperator::kLess, "less"},
    OperatorName{ReleaseOperator::kLessOrEquals, "lessOrEquals"},
    OperatorName{ReleaseOperator::kGreater, "greater"},
    OperatorName{ReleaseOperator::kGreaterOrEquals, "greaterOrEquals"},
    OperatorName{ReleaseOperator::kExists, "exists"},
};

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<ReleaseOperator> find_operator(std::string_view key) noexcept {
  for (const auto& o : kOperators) {
    if (iequals(o.name, key)) {
      return o.op;
    }
  }
  return std::nullopt;
}

tl::unexpected<Error> invalid(CheckId check, const std::string& location, std::string detail) {
  return fail(ErrorKind::kInvalidArgument, check,
              (location.empty() ? std::string("/") : location) + ": " + std::move(detail));
}

std::string escape_pointer(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

class Parser {
 public:
  Result<std::vector<ReleaseAuthority>> authorities(const nlohmann::json& j,
                                                    std::string& out_version) {
    if (!j.is_object()) {
      return invalid(checks::kReleaseStructure, "", "a release policy is a JSON object");
    }
    const nlohmann::json* any_of = nullptr;
    std::string any_of_key;
    for (const auto& [key, value] : j.items()) {
      if (iequals(key, "version")) {
        if (!value.is_string() || value.get<std::string>() != "1.0.0") {
          return invalid(checks::kReleaseVersion, "/" + escape_pointer(key),
                         "version must be \"1.0.0\"");
        }
        out_version = value.get<std::string>();
      } else if (iequals(key, "anyOf")) {
        any_of = &value;
        any_of_key = key;
      } else {
        return invalid(checks::kReleaseStructure, "/" + escape_pointer(key),
                       "unexpected member (a release policy has version and anyOf)");
      }
    }
    if (any_of == nullptr) {
      return invalid(checks::kReleaseStructure, "", "missing anyOf (the list of authorities)");
    }
    const std::string where = "/" + escape_pointer(any_of_key);
    if (!any_of->is_array() || any_of->empty()) {
      return invalid(checks::kReleaseStructure, where, "anyOf must be a non-empty array");
    }
    std::vector<ReleaseAuthority> out;
    for (std::size_t i = 0; i < any_of->size(); ++i) {
      VOUCH_TRY(ReleaseAuthority a, authority((*any_of)[i], where + "/" + std::to_string(i)));
      out.push_back(std::move(a));
    }
    return out;
  }

 private:
  Result<ReleaseAuthority> authority(const nlohmann::json& j, const std::string& where) {
    if (!j.is_object()) {
      return invalid(checks::kReleaseStructure, where,
                     "an authority is an object {\"authority\", \"allOf\" | \"anyOf\"}");
    }
    ReleaseAuthority out;
    out.location = where;
    bool have_authority = false;
    bool have_conditions = false;
    for (const auto& [key, value] : j.items()) {
      const std::string at = where + "/" + escape_pointer(key);
      if (iequals(key, "authority")) {
        if (!value.is_string() || value.get<std::string>().empty()) {
          return invalid(checks::kReleaseStructure, at,
                         "authority must be a non-empty string (the token issuer)");
        }
        out.authority = value.get<std::string>();
        have_authority = true;
      } else if (iequals(key, "anyOf") || iequals(key, "allOf")) {
        if (have_conditions) {
          return invalid(checks::kReleaseStructure, at,
                         "an authority has either allOf or anyOf, not both");
        }
        VOUCH_TRY(out.condition,
                  group(value, iequals(key, "anyOf") ? Kind::kAnyOf : Kind::kAllOf, at, 1));
        have_conditions = true;
      } else {
        return invalid(checks::kReleaseStructure, at,
                       "unexpected member (an authority has authority and allOf or anyOf)");
      }
    }
    if (!have_authority) {
      return invalid(checks::kReleaseStructure, where, "missing authority");
    }
    if (!have_conditions) {
      return invalid(checks::kReleaseStructure, where, "missing allOf or anyOf");
    }
    return out;
  }

  Result<ReleaseCondition> group(const nlohmann::json& j, Kind kind, const std::string& where,
                                 std::size_t depth) {
    if (depth > limits::kMaxReleaseDepth) {
      return invalid(
          checks::kReleaseLimit, where,
          "anyOf/allOf nest deeper than " + std::to_string(limits::kMaxReleaseDepth) + " levels");
    }
    if (!j.is_array() || j.empty()) {
      return invalid(checks::kReleaseStructure, where,
                     "anyOf/allOf must be a non-empty array of conditions");
    }
    ReleaseCondition out;
    out.kind = kind;
    out.location = where;
    for (std::size_t i = 0; i < j.size(); ++i) {
      VOUCH_TRY(ReleaseCondition c, condition(j[i], where + "/" + std::to_string(i), depth));
      out.children.push_back(std::move(c));
    }
    return out;
  }

  Result<ReleaseCondition> condition(const nlohmann::json& j, const std::string& where,
                                     std::size_t depth) {
    if (++count_ > limits::kMaxReleaseConditions) {
      return invalid(checks::kReleaseLimit, where,
                     "more than " + std::to_string(limits::kMaxReleaseConditions) + " conditions");
    }
    if (!j.is_object()) {
      return invalid(checks::kReleaseStructure, where,
                     "a condition is an object: {\"claim\", <operator>} or {\"anyOf\"|\"allOf\"}");
    }
    if (j.size() == 1) {
      const auto it = j.begin();
      const std::string& key = it.key();
      if (iequals(key, "anyOf") || iequals(key, "allOf")) {
        return group(it.value(), iequals(key, "anyOf") ? Kind::kAnyOf : Kind::kAllOf,
                     where + "/" + escape_pointer(key), depth + 1);
      }
    }
    return claim_condition(j, where);
  }

  Result<ReleaseCondition> claim_condition(const nlohmann::json& j, const std::string& where) {
    ReleaseCondition out;
    out.kind = Kind::kClaim;
    out.location = where;
    bool have_claim = false;
    bool have_operator = false;
    for (const auto& [key, value] : j.items()) {
      const std::string at = where + "/" + escape_pointer(key);
      if (iequals(key, "claim")) {
        if (!value.is_string()) {
          return invalid(checks::kReleaseStructure, at, "claim must be a string");
        }
        VOUCH_RETURN_IF_ERROR(check_path(value.get<std::string>(), at));
        out.claim = value.get<std::string>();
        have_claim = true;
        continue;
      }
      const auto op = find_operator(key);
      if (!op) {
        return invalid(checks::kReleaseOperator, at,
                       "unknown operator \"" + key +
                           "\" (operators: equals, notEquals, less, lessOrEquals, greater, "
                           "greaterOrEquals, exists)");
      }
      if (have_operator) {
        return invalid(checks::kReleaseOperator, at, "a condition has exactly one operator");
      }
      if (*op == ReleaseOperator::kExists
              ? !value.is_boolean()
              : !(value.is_string() || value.is_number() || value.is_boolean())) {
        return invalid(checks::kReleaseValue, at,
                       *op == ReleaseOperator::kExists
                           ? "exists takes true or false"
                           : "the operand must be a string, a number or a Boolean");
      }
      out.op = *op;
      out.operand = value;
      have_operator = true;
    }
    if (!have_claim) {
      return invalid(checks::kReleaseStructure, where, "missing claim");
    }
    if (!have_operator) {
      return invalid(checks::kReleaseOperator, where, "missing operator");
    }
    return out;
  }

  static Status check_path(std::string_view path, const std::string& at) {
    if (path.empty()) {
      return invalid(checks::kReleaseStructure, at, "claim must not be empty");
    }
    std::size_t segments = 1;
    for (std::size_t i = 0; i < path.size(); ++i) {
      if (path[i] != '.') {
        continue;
      }
      if (i == 0 || i + 1 == path.size() || path[i + 1] == '.') {
        return invalid(checks::kReleaseStructure, at, "claim path has an empty segment");
      }
      if (++segments > limits::kMaxClaimPathSegments) {
        return invalid(checks::kReleaseLimit, at,
                       "claim path has more than " + std::to_string(limits::kMaxClaimPathSegments) +
                           " segments");
      }
    }
    return ok();
  }

  std::size_t count_ = 0;
};

// ---- evaluation ------------------------------------------------------------------------------

std::optional<std::string> scalar_text(const nlohmann::json& j) {
  if (j.is_string()) {
    return j.get<std::string>();
  }
  if (j.is_boolean()) {
    return j.get<bool>() ? "true" : "false";
  }
  if (j.is_number()) {
    return dump_json(j);
  }
  return std::nullopt;
}

struct Number {
  bool integral = true;
  std::int64_t i = 0;
  double d = 0;
};

std::optional<Number> to_number(const nlohmann::json& j) {
  if (j.is_number_integer()) {
    return Number{true, j.get<std::int64_t>(), 0};
  }
  if (j.is_number_unsigned()) {
    return Number{false, 0, static_cast<double>(j.get<std::uint64_t>())};
  }
  if (j.is_number_float()) {
    return Number{false, 0, j.get<double>()};
  }
  if (!j.is_string()) {
    return std::nullopt;
  }
  const std::string s = j.get<std::string>();
  if (s.empty() || s.size() > 64) {
    return std::nullopt;
  }
  std::int64_t i = 0;
  const auto [end_i, ec_i] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ec_i == std::errc() && end_i == s.data() + s.size()) {
    return Number{true, i, 0};
  }
  double d = 0;
  const auto [end_d, ec_d] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec_d == std::errc() && end_d == s.data() + s.size() && std::isfinite(d)) {
    return Number{false, 0, d};
  }
  return std::nullopt;
}

// -1, 0, 1.
int compare_numbers(const Number& a, const Number& b) {
  if (a.integral && b.integral) {
    return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  }
  const double x = a.integral ? static_cast<double>(a.i) : a.d;
  const double y = b.integral ? static_cast<double>(b.i) : b.d;
  return x < y ? -1 : (x > y ? 1 : 0);
}

std::string normalise_issuer(std::string_view s) {
  if (!s.empty() && s.back() == '/') {
    s.remove_suffix(1);
  }
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string shown(const nlohmann::json& j) {
  std::string text = dump_json(j);
  if (text.size() > 96) {
    text = text.substr(0, 93) + "...";
  }
  return text;
}

ReleaseConditionTrace evaluate_claim(const ReleaseCondition& c, const nlohmann::json& claims) {
  ReleaseConditionTrace t;
  t.condition = &c;
  const nlohmann::json* actual = resolve_claim_path(claims, c.claim);
  if (actual != nullptr) {
    t.actual = *actual;
  }
  if (c.op == ReleaseOperator::kExists) {
    const bool want = c.operand.get<bool>();
    t.satisfied = (actual != nullptr) == want;
    if (!t.satisfied) {
      t.reason = want ? "the claim is absent" : "the claim is present";
    }
    return t;
  }
  if (actual == nullptr) {
    t.reason = "the claim is absent";
    return t;
  }
  if (c.op == ReleaseOperator::kEquals || c.op == ReleaseOperator::kNotEquals) {
    const auto a = scalar_text(*actual);
    const auto b = scalar_text(c.operand);
    if (!a) {
      t.reason = "the claim is " + std::string(actual->type_name()) + ", not a scalar";
      return t;
    }
    t.satisfied = (*a == *b) == (c.op == ReleaseOperator::kEquals);
    if (!t.satisfied) {
      t.reason = "the claim is " + shown(*actual);
    }
    return t;
  }
  const auto a = to_number(*actual);
  const auto b = to_number(c.operand);
  if (!a || !b) {
    t.reason = !a ? "the claim is " + shown(*actual) + ", not a number"
                  : "the operand " + shown(c.operand) + " is not a number";
    return t;
  }
  const int cmp = compare_numbers(*a, *b);
  switch (c.op) {
    case ReleaseOperator::kLess:
      t.satisfied = cmp < 0;
      break;
    case ReleaseOperator::kLessOrEquals:
      t.satisfied = cmp <= 0;
      break;
    case ReleaseOperator::kGreater:
      t.satisfied = cmp > 0;
      break;
    case ReleaseOperator::kGreaterOrEquals:
      t.satisfied = cmp >= 0;
      break;
    case ReleaseOperator::kEquals:
    case ReleaseOperator::kNotEquals:
    case ReleaseOperator::kExists:
      break;
  }
  if (!t.satisfied) {
    t.reason = "the claim is " + shown(*actual);
  }
  return t;
}

ReleaseConditionTrace evaluate_condition(const ReleaseCondition& c, const nlohmann::json& claims) {
  if (c.kind == Kind::kClaim) {
    return evaluate_claim(c, claims);
  }
  ReleaseConditionTrace t;
  t.condition = &c;
  t.satisfied = c.kind == Kind::kAllOf;
  for (const auto& child : c.children) {
    ReleaseConditionTrace ct = evaluate_condition(child, claims);
    if (c.kind == Kind::kAllOf) {
      t.satisfied = t.satisfied && ct.satisfied;
    } else {
      t.satisfied = t.satisfied || ct.satisfied;
    }
    t.children.push_back(std::move(ct));
  }
  return t;
}

std::string_view kind_name(Kind k) noexcept {
  switch (k) {
    case Kind::kClaim:
      return "claim";
    case Kind::kAnyOf:
      return "anyOf";
    case Kind::kAllOf:
      return "allOf";
  }
  return "claim";
}

nlohmann::json condition_json(const ReleaseConditionTrace& t) {
  const ReleaseCondition& c = *t.condition;
  nlohmann::json out = {
      {"location", c.location}, {"kind", kind_name(c.kind)}, {"satisfied", t.satisfied}};
  if (c.kind == Kind::kClaim) {
    out["claim"] = c.claim;
    out["operator"] = release_operator_name(c.op);
    out["expected"] = c.operand;
    out["actual"] = t.actual ? *t.actual : nlohmann::json();
    if (!t.reason.empty()) {
      out["reason"] = t.reason;
    }
  } else {
    nlohmann::json children = nlohmann::json::array();
    for (const auto& ct : t.children) {
      children.push_back(condition_json(ct));
    }
    out["children"] = std::move(children);
  }
  return out;
}

std::string condition_text(const ReleaseCondition& c) {
  return c.claim + " " + std::string(release_operator_name(c.op)) + " " + shown(c.operand);
}

// The first failed claim condition under `t` (depth first), or nullptr.
const ReleaseConditionTrace* first_failure(const ReleaseConditionTrace& t) {
  if (t.satisfied) {
    return nullptr;
  }
  if (t.condition->kind == Kind::kClaim) {
    return &t;
  }
  for (const auto& ct : t.children) {
    if (const auto* f = first_failure(ct)) {
      return f;
    }
  }
  return nullptr;
}

void explain_condition(const ReleaseConditionTrace& t, int indent, std::string& out) {
  const ReleaseCondition& c = *t.condition;
  out += std::string(static_cast<std::size_t>(indent), ' ');
  if (c.kind == Kind::kClaim) {
    out += condition_text(c) + "  " + (t.satisfied ? "holds" : "FAILS: " + t.reason) + "\n";
    return;
  }
  out += std::string(kind_name(c.kind)) + " (" + c.location + ")  " +
         (t.satisfied ? "holds" : "fails") + "\n";
  for (const auto& ct : t.children) {
    explain_condition(ct, indent + 2, out);
  }
}

}  // namespace

std::string_view release_operator_name(ReleaseOperator op) noexcept {
  for (const auto& o : kOperators) {
    if (o.op == op) {
      return o.name;
    }
  }
  return "equals";
}

Result<ReleasePolicy> ReleasePolicy::parse(std::string_view json_text) {
  if (json_text.size() > limits::kMaxReleasePolicyBytes) {
    return fail(
        ErrorKind::kInvalidArgument, checks::kReleaseLimit,
        "release policy longer than " + std::to_string(limits::kMaxReleasePolicyBytes) + " bytes");
  }
  if (json_text_nests_deeper_than(json_text, 2 * limits::kMaxReleaseDepth + 4)) {
    return fail(ErrorKind::kInvalidArgument, checks::kReleaseLimit,
                "release policy nests too deeply");
  }
  VOUCH_TRY(const nlohmann::json j,
            parse_json_text(json_text, 2 * limits::kMaxReleaseDepth + 4,
                            ErrorKind::kInvalidArgument, checks::kReleaseSyntax));
  return from_json(j);
}

Result<ReleasePolicy> ReleasePolicy::from_json(const nlohmann::json& j) {
  ReleasePolicy out;
  Parser parser;
  VOUCH_TRY(out.authorities_, parser.authorities(j, out.version_));
  if (out.version_.empty()) {
    out.version_ = "1.0.0";
  }
  return out;
}

namespace {

nlohmann::json condition_to_json(const ReleaseCondition& c) {
  if (c.kind == Kind::kClaim) {
    return {{"claim", c.claim}, {std::string(release_operator_name(c.op)), c.operand}};
  }
  nlohmann::json children = nlohmann::json::array();
  for (const auto& child : c.children) {
    children.push_back(condition_to_json(child));
  }
  return {{std::string(kind_name(c.kind)), std::move(children)}};
}

}  // namespace

nlohmann::json ReleasePolicy::to_json() const {
  nlohmann::json authorities = nlohmann::json::array();
  for (const auto& a : authorities_) {
    nlohmann::json entry = condition_to_json(a.condition);
    entry["authority"] = a.authority;
    authorities.push_back(std::move(entry));
  }
  return {{"version", version_}, {"anyOf", std::move(authorities)}};
}

ReleaseEvaluation ReleasePolicy::evaluate(const nlohmann::json& token_claims,
                                          std::string_view issuer) const {
  ReleaseEvaluation out;
  out.issuer = std::string(issuer);
  const std::string wanted = normalise_issuer(issuer);
  for (const auto& a : authorities_) {
    ReleaseAuthorityTrace t;
    t.authority = &a;
    t.issuer_matches = !wanted.empty() && normalise_issuer(a.authority) == wanted;
    if (t.issuer_matches) {
      t.conditions = evaluate_condition(a.condition, token_claims);
      t.satisfied = t.conditions->satisfied;
      if (t.satisfied) {
        out.decision = Decision::kPermit;
      }
    }
    out.trace.push_back(std::move(t));
  }
  return out;
}

const nlohmann::json* resolve_claim_path(const nlohmann::json& claims, std::string_view path) {
  const nlohmann::json* node = &claims;
  while (true) {
    if (!node->is_object()) {
      return nullptr;
    }
    if (const auto it = node->find(path); it != node->end()) {
      return &*it;
    }
    // The longest dotted prefix that names an object, then the rest below it.
    bool advanced = false;
    for (std::size_t dot = path.rfind('.'); dot != std::string_view::npos && dot > 0;
         dot = path.rfind('.', dot - 1)) {
      const auto it = node->find(path.substr(0, dot));
      if (it != node->end() && it->is_object()) {
        node = &*it;
        path = path.substr(dot + 1);
        advanced = true;
        break;
      }
    }
    if (!advanced) {
      return nullptr;
    }
  }
}

nlohmann::json release_evaluation_to_json(const ReleaseEvaluation& ev) {
  nlohmann::json trace = nlohmann::json::array();
  for (const auto& t : ev.trace) {
    nlohmann::json entry = {{"authority", t.authority->authority},
                            {"location", t.authority->location},
                            {"issuer_matches", t.issuer_matches},
                            {"satisfied", t.satisfied}};
    if (t.conditions) {
      entry["condition"] = condition_json(*t.conditions);
    }
    trace.push_back(std::move(entry));
  }
  return {{"decision", decision_name(ev.decision)}, {"issued", nlohmann::json::object()},
          {"properties", nlohmann::json::object()}, {"issuer", ev.issuer},
          {"summary", release_summary(ev)},         {"trace", std::move(trace)}};
}

std::string release_summary(const ReleaseEvaluation& ev) {
  for (const auto& t : ev.trace) {
    if (t.satisfied) {
      return "released: the conditions of authority " + t.authority->authority + " hold";
    }
  }
  std::string out;
  for (const auto& t : ev.trace) {
    if (!t.conditions) {
      continue;
    }
    out += out.empty() ? "refused: " : "; ";
    out += "authority " + t.authority->authority;
    if (const auto* f = first_failure(*t.conditions)) {
      out += ": " + f->condition->location + " " + condition_text(*f->condition) +
             " failed: " + f->reason;
    }
  }
  if (out.empty()) {
    out = "refused: no authority matches the token issuer \"" + ev.issuer + "\"";
  }
  return out;
}

std::string release_explain_text(const ReleaseEvaluation& ev) {
  std::string out =
      "decision: " + std::string(decision_name(ev.decision)) + " (" + release_summary(ev) + ")\n";
  for (const auto& t : ev.trace) {
    out += "authority " + t.authority->authority + " (" + t.authority->location + "): ";
    if (!t.issuer_matches) {
      out += "does not match issuer \"" + ev.issuer + "\"\n";
      continue;
    }
    out += t.satisfied ? "holds\n" : "fails\n";
    explain_condition(*t.conditions, 2, out);
  }
  return out;
}

}  // namespace vouch::policy
