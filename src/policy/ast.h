#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/jmespath/jmespath.h"
#include "policy/value.h"

// The syntax tree of a claim-rule policy (maa.md section 2.2), as the parser builds it and the
// evaluator and linter read it. Bindings are resolved to condition indices by the parser.
namespace vouch::policy::ast {

enum class Version : std::uint8_t { k1_0, k1_1, k1_2 };
std::string_view version_name(Version v) noexcept;  // "1.0", "1.1", "1.2"

// The sections in the only order the language allows them.
enum class Section : std::uint8_t { kConfiguration, kAuthorization, kIssuance };
std::string_view section_name(Section s) noexcept;  // "configurationrules", ...

enum class Property : std::uint8_t { kType, kValue, kIssuer, kValueType };
std::string_view property_name(Property p) noexcept;  // "type", "value", "issuer", "valueType"

enum class CompareOp : std::uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
std::string_view op_text(CompareOp op) noexcept;  // "==", "!=", ...
bool is_ordering(CompareOp op) noexcept;          // <, <=, >, >=

// The version 1.2 functions (claim-rule-functions.md).
enum class Function : std::uint8_t {
  kJmesPath,
  kJsonToClaimValue,
  kIsSubsetOf,
  kAppendString,
  kNegateBool,
  kContainsOnlyValue,
};
std::string_view function_name(Function f) noexcept;
std::size_t function_arity(Function f) noexcept;
// The function with exactly this (case-sensitive) name, or nullopt.
std::optional<Function> find_function(std::string_view name) noexcept;

// Expr is a value expression: a literal, a reference to a bound condition's claim property
// (`c.value`), or a function call.
struct Expr {
  enum class Kind : std::uint8_t { kLiteral, kBinding, kCall };
  Kind kind = Kind::kLiteral;
  SourcePos pos;
  Value literal;                            // kLiteral
  std::size_t binding = 0;                  // kBinding: index of the bound condition in the rule
  Property property = Property::kValue;     // kBinding
  Function function = Function::kJmesPath;  // kCall
  std::vector<Expr> args;                   // kCall
  // kCall of JmesPath() whose query is a string literal: compiled once, with the policy.
  std::shared_ptr<const jmespath::Expression> query;
};

// PropertyTest is one `property op operand` inside a condition's brackets.
struct PropertyTest {
  Property property = Property::kType;
  CompareOp op = CompareOp::kEq;
  Expr operand;
  SourcePos pos;
};

inline constexpr std::uint32_t kNoTypeKey = 0xFFFFFFFF;

// Condition is `[!] [name:] [test, test, ...]`: true when at least one incoming claim passes every
// test (negated: when none does).
struct Condition {
  SourcePos pos;
  std::size_t begin = 0;  // byte range of the condition in the policy text
  std::size_t end = 0;
  bool negated = false;
  std::string binding;  // empty when the condition is not bound
  std::vector<PropertyTest> tests;
  // Set by Policy::compile for the evaluator: the key of the claim type a `type == "literal"` test
  // requires, so that only claims of that type are tested; kNoTypeKey when there is none.
  std::uint32_t type_key = kNoTypeKey;
};

enum class ActionKind : std::uint8_t { kPermit, kDeny, kAdd, kIssue, kIssueProperty };
std::string_view action_name(ActionKind k) noexcept;  // "permit", ..., "issueproperty"

// Action is what a rule does when its conditions hold. add/issue/issueproperty take either
// `claim = name` (copy the claims a condition matched) or `type = expr, value = expr`.
struct Action {
  ActionKind kind = ActionKind::kPermit;
  SourcePos pos;
  std::optional<std::size_t> claim;  // claim = name: index of the bound condition
  Expr type;
  Expr value;
  // Set by Policy::compile: the type key of a literal `type`, see Condition::type_key.
  std::uint32_t type_key = kNoTypeKey;
};

struct Rule {
  SourcePos pos;
  std::size_t begin = 0;  // byte range of the rule in the policy text, up to its ';'
  std::size_t end = 0;
  std::size_t index = 0;  // 1-based position within its section
  std::vector<Condition> conditions;
  Action action;
};

struct SectionBlock {
  Section section = Section::kAuthorization;
  SourcePos pos;
  std::vector<Rule> rules;
};

struct Policy {
  Version version = Version::k1_0;
  SourcePos version_pos;
  std::vector<SectionBlock> sections;  // in source order, which is evaluation order

  // The section, or nullptr when the policy does not have it.
  const SectionBlock* find(Section s) const noexcept;
};

}  // namespace vouch::policy::ast
