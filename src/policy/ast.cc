#include "policy/ast.h"

#include <array>

namespace vouch::policy::ast {
namespace {

struct FunctionInfo {
  Function function;
  std::string_view name;
  std::size_t arity;
};

constexpr std::array kFunctions = {
    FunctionInfo{Function::kJmesPath, "JmesPath", 2},
    FunctionInfo{Function::kJsonToClaimValue, "JsonToClaimValue", 1},
    FunctionInfo{Function::kIsSubsetOf, "IsSubsetOf", 2},
    FunctionInfo{Function::kAppendString, "AppendString", 2},
    FunctionInfo{Function::kNegateBool, "NegateBool", 1},
    FunctionInfo{Function::kContainsOnlyValue, "ContainsOnlyValue", 2},
};

const FunctionInfo& info(Function f) noexcept {
  for (const auto& i : kFunctions) {
    if (i.function == f) {
      return i;
    }
  }
  return kFunctions[0];
}

}  // namespace

std::string_view version_name(Version v) noexcept {
  switch (v) {
    case Version::k1_0:
      return "1.0";
    case Version::k1_1:
      return "1.1";
    case Version::k1_2:
      return "1.2";
  }
  return "1.0";
}

std::string_view section_name(Section s) noexcept {
  switch (s) {
    case Section::kConfiguration:
      return "configurationrules";
    case Section::kAuthorization:
      return "authorizationrules";
    case Section::kIssuance:
      return "issuancerules";
  }
  return "authorizationrules";
}

std::string_view property_name(Property p) noexcept {
  switch (p) {
    case Property::kType:
      return "type";
    case Property::kValue:
      return "value";
    case Property::kIssuer:
      return "issuer";
    case Property::kValueType:
      return "valueType";
  }
  return "type";
}

std::string_view op_text(CompareOp op) noexcept {
  switch (op) {
    case CompareOp::kEq:
      return "==";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "==";
}

bool is_ordering(CompareOp op) noexcept {
  return op != CompareOp::kEq && op != CompareOp::kNe;
}

std::string_view function_name(Function f) noexcept {
  return info(f).name;
}

std::size_t function_arity(Function f) noexcept {
  return info(f).arity;
}

std::optional<Function> find_function(std::string_view name) noexcept {
  for (const auto& i : kFunctions) {
    if (i.name == name) {
      return i.function;
    }
  }
  return std::nullopt;
}

std::string_view action_name(ActionKind k) noexcept {
  switch (k) {
    case ActionKind::kPermit:
      return "permit";
    case ActionKind::kDeny:
      return "deny";
    case ActionKind::kAdd:
      return "add";
    case ActionKind::kIssue:
      return "issue";
    case ActionKind::kIssueProperty:
      return "issueproperty";
  }
  return "permit";
}

const SectionBlock* Policy::find(Section s) const noexcept {
  for (const auto& block : sections) {
    if (block.section == s) {
      return &block;
    }
  }
  return nullptr;
}

}  // namespace vouch::policy::ast
