#include "policy/parser.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include "policy/check_ids.h"
#include "policy/json_text.h"
#include "policy/lexer.h"
#include "policy/limits.h"

namespace vouch::policy::detail {
namespace {

using ast::ActionKind;
using ast::CompareOp;
using ast::Expr;
using ast::Function;
using ast::Property;
using ast::Section;
using ast::Version;

constexpr std::size_t kMaxSemanticErrors = 100;

// The JMESPath extension function of Azure Attestation that published policies use and our
// JMESPath does not implement.
constexpr std::string_view kAzureJmesPathExtension = "equals_ignore_case";

bool equals_ignore_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The kind of value an expression certainly has, when that is known without evaluating it.
std::optional<ValueKind> static_kind(const Expr& e) noexcept {
  switch (e.kind) {
    case Expr::Kind::kLiteral:
      return e.literal.kind();
    case Expr::Kind::kBinding:
      return e.property == Property::kValue ? std::nullopt
                                            : std::optional<ValueKind>(ValueKind::kString);
    case Expr::Kind::kCall:
      switch (e.function) {
        case Function::kJmesPath:
        case Function::kAppendString:
          return ValueKind::kString;
        case Function::kIsSubsetOf:
        case Function::kNegateBool:
        case Function::kContainsOnlyValue:
          return ValueKind::kBoolean;
        case Function::kJsonToClaimValue:
          return std::nullopt;
      }
  }
  return std::nullopt;
}

std::string describe_kind(ValueKind k) {
  return std::string(value_kind_name(k));
}

bool action_allowed(ActionKind action, Section section) noexcept {
  switch (action) {
    case ActionKind::kPermit:
    case ActionKind::kDeny:
      return section == Section::kAuthorization;
    case ActionKind::kAdd:
      return section == Section::kAuthorization || section == Section::kIssuance;
    case ActionKind::kIssue:
      return section == Section::kIssuance;
    case ActionKind::kIssueProperty:
      return section == Section::kIssuance || section == Section::kConfiguration;
  }
  return false;
}

std::string_view allowed_sections(ActionKind action) noexcept {
  switch (action) {
    case ActionKind::kPermit:
    case ActionKind::kDeny:
      return "authorizationrules";
    case ActionKind::kAdd:
      return "authorizationrules and issuancerules";
    case ActionKind::kIssue:
      return "issuancerules";
    case ActionKind::kIssueProperty:
      return "configurationrules and issuancerules";
  }
  return "";
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lexer_(text) {}

  ParseOutput run() {
    ParseOutput out;
    if (text_.size() > limits::kMaxPolicyBytes) {
      out.errors.push_back(
          Diagnostic{Severity::kError, checks::kLimit, SourcePos{},
                     "policy longer than " + std::to_string(limits::kMaxPolicyBytes) + " bytes"});
      return out;
    }
    ast::Policy policy;
    const bool ok = advance() && parse_policy(policy);
    out.errors = std::move(errors_);
    out.warnings = std::move(warnings_);
    if (ok) {
      out.policy = std::move(policy);
    } else {
      out.errors.push_back(std::move(*syntax_));
    }
    return out;
  }

 private:
  // ---- tokens and errors -------------------------------------------------------------------

  bool advance() {
    Diagnostic error;
    auto tok = lexer_.next(error);
    if (!tok) {
      syntax_ = std::move(error);
      return false;
    }
    cur_ = std::move(*tok);
    return true;
  }

  bool at(TokenKind k) const noexcept { return cur_.kind == k; }

  // Stops the parse with a syntax error at `pos`.
  bool fail(SourcePos pos, CheckId check, std::string message) {
    syntax_ = Diagnostic{Severity::kError, check, pos, std::move(message)};
    return false;
  }

  bool fail_expected(std::string_view what) {
    return fail(cur_.pos, checks::kSyntax, "expected " + std::string(what) + ", found " + found());
  }

  // Records a semantic error; parsing continues.
  void error(SourcePos pos, CheckId check, std::string message) {
    if (errors_.size() < kMaxSemanticErrors) {
      errors_.push_back(Diagnostic{Severity::kError, check, pos, std::move(message)});
    }
  }

  std::string found() const {
    switch (cur_.kind) {
      case TokenKind::kIdent:
      case TokenKind::kInteger:
      case TokenKind::kDecimal:
        return "'" + std::string(cur_.raw) + "'";
      case TokenKind::kString: {
        std::string shown(cur_.raw.substr(0, 40));
        if (cur_.raw.size() > 40) {
          shown += "...";
        }
        return "the string " + shown;
      }
      default:
        return std::string(token_kind_description(cur_.kind));
    }
  }

  bool expect(TokenKind k, std::string_view what) {
    if (!at(k)) {
      return fail_expected(what);
    }
    return advance();
  }

  // True when the current token is the keyword `word`. A keyword written in another case stops
  // the parse with kKeywordCase.
  bool at_keyword(std::string_view word) {
    if (!at(TokenKind::kIdent)) {
      return false;
    }
    if (cur_.raw == word) {
      return true;
    }
    if (equals_ignore_case(cur_.raw, word)) {
      // Reported, then read as the keyword so that the rest of the policy is still checked.
      error(cur_.pos, checks::kKeywordCase,
            "keywords are case-sensitive: write '" + std::string(word) + "', not '" +
                std::string(cur_.raw) + "'");
      return true;
    }
    return false;
  }

  // ---- policy, version, sections -----------------------------------------------------------

  bool parse_policy(ast::Policy& policy) {
    if (!at_keyword("version")) {
      return fail_expected("'version' (a policy starts with version=1.0; 1.1 or 1.2)");
    }
    policy.version_pos = cur_.pos;
    if (!advance()) {
      return false;
    }
    if (at(TokenKind::kEq)) {
      return fail(cur_.pos, checks::kSyntax, "expected '=' after 'version', found '=='");
    }
    if (!expect(TokenKind::kAssign, "'=' after 'version'")) {
      return false;
    }
    if (!at(TokenKind::kDecimal) && !at(TokenKind::kInteger)) {
      return fail_expected("the policy version (1.0, 1.1 or 1.2)");
    }
    if (cur_.raw == "1.0") {
      version_ = Version::k1_0;
    } else if (cur_.raw == "1.1") {
      version_ = Version::k1_1;
    } else if (cur_.raw == "1.2") {
      version_ = Version::k1_2;
    } else {
      return fail(
          cur_.pos, checks::kVersion,
          "unsupported policy version " + std::string(cur_.raw) + " (supported: 1.0, 1.1, 1.2)");
    }
    policy.version = version_;
    if (!advance() || !expect(TokenKind::kSemicolon, "';' after the version")) {
      return false;
    }
    while (!at(TokenKind::kEnd)) {
      if (!parse_section(policy)) {
        return false;
      }
    }
    if (policy.find(Section::kAuthorization) == nullptr) {
      error(cur_.pos, checks::kSection, "the policy has no authorizationrules section");
    }
    return true;
  }

  std::optional<Section> section_keyword() {
    for (const Section s : {Section::kConfiguration, Section::kAuthorization, Section::kIssuance}) {
      if (at_keyword(ast::section_name(s))) {
        return s;
      }
    }
    return std::nullopt;
  }

  bool parse_section(ast::Policy& policy) {
    const auto section = section_keyword();
    if (!section) {
      return fail_expected("a section (configurationrules, authorizationrules or issuancerules)");
    }
    ast::SectionBlock block;
    block.section = *section;
    block.pos = cur_.pos;
    check_section_order(policy, block);
    if (!advance() || !expect(TokenKind::kLBrace, "'{' after the section name")) {
      return false;
    }
    while (!at(TokenKind::kRBrace)) {
      if (at(TokenKind::kEnd)) {
        return fail(cur_.pos, checks::kSyntax,
                    "expected '}' to close the " + std::string(ast::section_name(block.section)) +
                        " section (opened at line " + std::to_string(block.pos.line) +
                        "), found end of input");
      }
      ast::Rule rule;
      if (!parse_rule(block.section, rule)) {
        return false;
      }
      rule.index = block.rules.size() + 1;
      block.rules.push_back(std::move(rule));
    }
    if (!advance() || !expect(TokenKind::kSemicolon, "';' after '}'")) {
      return false;
    }
    policy.sections.push_back(std::move(block));
    return true;
  }

  void check_section_order(const ast::Policy& policy, const ast::SectionBlock& block) {
    const std::string name(ast::section_name(block.section));
    if (block.section == Section::kConfiguration && version_ == Version::k1_0) {
      error(block.pos, checks::kVersionFeature,
            "configurationrules needs version=1.1 or later; this policy declares 1.0");
    }
    for (const auto& earlier : policy.sections) {
      if (earlier.section == block.section) {
        error(block.pos, checks::kSection,
              "second " + name + " section (the first is at line " +
                  std::to_string(earlier.pos.line) + ")");
        return;
      }
      if (earlier.section > block.section) {
        error(block.pos, checks::kSection,
              name + " must come before " + std::string(ast::section_name(earlier.section)) +
                  " (sections go configurationrules, authorizationrules, issuancerules)");
        return;
      }
    }
  }

  // ---- rules and conditions ----------------------------------------------------------------

  bool parse_rule(Section section, ast::Rule& rule) {
    if (++rule_count_ > limits::kMaxRules) {
      return fail(cur_.pos, checks::kLimit,
                  "more than " + std::to_string(limits::kMaxRules) + " rules");
    }
    rule.pos = cur_.pos;
    rule.begin = cur_.pos.offset;
    bindings_.clear();
    if (!at(TokenKind::kArrow)) {
      while (true) {
        if (rule.conditions.size() == limits::kMaxConditionsPerRule) {
          return fail(cur_.pos, checks::kLimit,
                      "more than " + std::to_string(limits::kMaxConditionsPerRule) +
                          " conditions in one rule");
        }
        ast::Condition condition;
        if (!parse_condition(condition)) {
          return false;
        }
        bindings_.push_back(condition.binding);
        rule.conditions.push_back(std::move(condition));
        if (at(TokenKind::kAndAnd)) {
          if (!advance()) {
            return false;
          }
          continue;
        }
        if (at(TokenKind::kArrow)) {
          break;
        }
        if (at(TokenKind::kLBracket) || at(TokenKind::kNot) || at(TokenKind::kIdent)) {
          return fail_expected("'&&' between conditions, or '=>' before the action");
        }
        return fail_expected("'&&' or '=>' after a condition");
      }
    }
    if (!advance()) {  // past '=>'
      return false;
    }
    if (!parse_action(section, rule.action)) {
      return false;
    }
    if (!at(TokenKind::kSemicolon)) {
      return fail_expected("';' after the action");
    }
    rule.end = cur_.pos.offset + 1;
    return advance();
  }

  std::optional<std::size_t> find_binding(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < bindings_.size(); ++i) {
      if (!bindings_[i].empty() && bindings_[i] == name) {
        return i;
      }
    }
    return std::nullopt;
  }

  bool parse_condition(ast::Condition& condition) {
    condition.pos = cur_.pos;
    condition.begin = cur_.pos.offset;
    if (at(TokenKind::kNot)) {
      condition.negated = true;
      if (version_ < Version::k1_2) {
        error(cur_.pos, checks::kVersionFeature,
              "the absence operator '!' needs version=1.2; this policy declares " +
                  std::string(ast::version_name(version_)));
      }
      if (!advance()) {
        return false;
      }
    }
    if (at(TokenKind::kIdent)) {
      const SourcePos name_pos = cur_.pos;
      condition.binding = std::string(cur_.raw);
      if (!advance()) {
        return false;
      }
      if (!at(TokenKind::kColon)) {
        return fail_expected("':' after the binding name '" + condition.binding + "'");
      }
      if (!advance()) {
        return false;
      }
      if (condition.negated) {
        error(name_pos, checks::kBinding,
              "a negated condition matches no claim, so it cannot be bound to '" +
                  condition.binding + "'");
      } else if (find_binding(condition.binding)) {
        error(name_pos, checks::kBinding,
              "'" + condition.binding + "' is already bound by an earlier condition of this rule");
      }
    }
    if (!at(TokenKind::kLBracket)) {
      return fail_expected(condition.binding.empty() && !condition.negated
                               ? "a condition ('[', '!' or name:[) or '=>' to start a rule"
                               : "'[' to start the condition");
    }
    if (!advance()) {
      return false;
    }
    while (true) {
      if (condition.tests.size() == limits::kMaxPropertiesPerCondition) {
        return fail(cur_.pos, checks::kLimit,
                    "more than " + std::to_string(limits::kMaxPropertiesPerCondition) +
                        " property tests in one condition");
      }
      ast::PropertyTest test;
      if (!parse_test(test)) {
        return false;
      }
      check_test(test);
      condition.tests.push_back(std::move(test));
      if (at(TokenKind::kComma)) {
        if (!advance()) {
          return false;
        }
        continue;
      }
      if (!at(TokenKind::kRBracket)) {
        return fail_expected("',' or ']' in the condition");
      }
      condition.end = cur_.pos.offset + 1;
      return advance();
    }
  }

  std::optional<Property> property_keyword() {
    for (const Property p :
         {Property::kType, Property::kValue, Property::kIssuer, Property::kValueType}) {
      if (at_keyword(ast::property_name(p))) {
        return p;
      }
    }
    return std::nullopt;
  }

  bool parse_test(ast::PropertyTest& test) {
    test.pos = cur_.pos;
    const auto property = property_keyword();
    if (!property) {
      return fail_expected("a claim property (type, value, issuer, valueType)");
    }
    test.property = *property;
    if (!advance()) {
      return false;
    }
    switch (cur_.kind) {
      case TokenKind::kEq:
        test.op = CompareOp::kEq;
        break;
      case TokenKind::kNe:
        test.op = CompareOp::kNe;
        break;
      case TokenKind::kLt:
        test.op = CompareOp::kLt;
        break;
      case TokenKind::kLe:
        test.op = CompareOp::kLe;
        break;
      case TokenKind::kGt:
        test.op = CompareOp::kGt;
        break;
      case TokenKind::kGe:
        test.op = CompareOp::kGe;
        break;
      case TokenKind::kAssign:
        // Reported, then read as '==' so that the rest of the policy is still checked.
        error(cur_.pos, checks::kAssignInCondition,
              "'=' in a condition: write '==' to compare (" +
                  std::string(ast::property_name(test.property)) + "==...)");
        test.op = CompareOp::kEq;
        break;
      default:
        return fail_expected("a comparison operator (==, !=, <, <=, >, >=)");
    }
    return advance() && parse_expr(test.operand, 0);
  }

  void check_test(const ast::PropertyTest& test) {
    const auto kind = static_kind(test.operand);
    const std::string property(ast::property_name(test.property));
    if (test.property != Property::kValue) {
      if (ast::is_ordering(test.op)) {
        error(test.pos, checks::kOperandType,
              "'" + std::string(ast::op_text(test.op)) + "' does not apply to " + property +
                  ", which is a String (use == or !=)");
      } else if (kind && *kind != ValueKind::kString) {
        error(test.operand.pos, checks::kOperandType,
              property + " is a String; it is compared with " + describe_kind(*kind));
      }
      return;
    }
    if (ast::is_ordering(test.op) && kind && *kind != ValueKind::kInteger) {
      error(test.operand.pos, checks::kOperandType,
            "'" + std::string(ast::op_text(test.op)) + "' orders Integers; " +
                describe_kind(*kind) + " values support only == and !=");
    }
  }

  // ---- actions -----------------------------------------------------------------------------

  std::optional<ActionKind> action_keyword() {
    for (const ActionKind a : {ActionKind::kPermit, ActionKind::kDeny, ActionKind::kAdd,
                               ActionKind::kIssue, ActionKind::kIssueProperty}) {
      if (at_keyword(ast::action_name(a))) {
        return a;
      }
    }
    return std::nullopt;
  }

  bool parse_action(Section section, ast::Action& action) {
    action.pos = cur_.pos;
    const auto kind = action_keyword();
    if (!kind) {
      return fail_expected("an action (permit, deny, add, issue or issueproperty)");
    }
    action.kind = *kind;
    const std::string name(ast::action_name(action.kind));
    if (!action_allowed(action.kind, section)) {
      error(action.pos, checks::kActionSection,
            name + "() is not allowed in " + std::string(ast::section_name(section)) +
                " (only in " + std::string(allowed_sections(action.kind)) + ")");
    }
    if (!advance() || !expect(TokenKind::kLParen, "'(' after " + name)) {
      return false;
    }
    if (action.kind == ActionKind::kPermit || action.kind == ActionKind::kDeny) {
      if (!at(TokenKind::kRParen)) {
        return fail_expected("')': " + name + "() takes no arguments");
      }
      return advance();
    }
    if (!parse_claim_args(action, name)) {
      return false;
    }
    if (!at(TokenKind::kRParen)) {
      return fail_expected("')' to close " + name + "(");
    }
    return advance();
  }

  // `claim = name` or `type = expr, value = expr` (either order).
  bool parse_claim_args(ast::Action& action, const std::string& name) {
    const std::string what = "'type=', 'value=' or 'claim=' in " + name + "(";
    if (at_keyword("claim")) {
      if (!advance() || !expect_assign_in_action()) {
        return false;
      }
      if (!at(TokenKind::kIdent)) {
        return fail_expected("the name of a bound condition after 'claim='");
      }
      action.claim = find_binding(cur_.raw);
      if (!action.claim) {
        error(cur_.pos, checks::kBinding,
              "'" + std::string(cur_.raw) + "' is not bound by a condition of this rule");
      }
      return advance();
    }
    bool have_type = false;
    bool have_value = false;
    while (true) {
      ast::Expr* target = nullptr;
      bool* seen = nullptr;
      if (at_keyword("type")) {
        target = &action.type;
        seen = &have_type;
      } else if (at_keyword("value")) {
        target = &action.value;
        seen = &have_value;
      } else {
        return fail_expected(what);
      }
      if (*seen) {
        return fail(cur_.pos, checks::kSyntax,
                    "'" + std::string(cur_.raw) + "=' given twice in " + name + "(");
      }
      *seen = true;
      if (!advance() || !expect_assign_in_action() || !parse_expr(*target, 0)) {
        return false;
      }
      if (have_type && have_value) {
        break;
      }
      if (!at(TokenKind::kComma)) {
        return fail_expected(std::string(have_type ? "', value='" : "', type='") + " in " + name +
                             "(: it needs both type= and value=");
      }
      if (!advance()) {
        return false;
      }
    }
    const auto kind = static_kind(action.type);
    if (kind && *kind != ValueKind::kString) {
      error(action.type.pos, checks::kOperandType,
            "a claim type is a String; found " + describe_kind(*kind));
    }
    return true;
  }

  bool expect_assign_in_action() {
    if (at(TokenKind::kEq)) {
      return fail(cur_.pos, checks::kSyntax, "action arguments use '=', not '=='");
    }
    return expect(TokenKind::kAssign, "'='");
  }

  // ---- expressions -------------------------------------------------------------------------

  bool parse_expr(ast::Expr& e, std::size_t depth) {
    if (depth > limits::kMaxExpressionDepth) {
      return fail(cur_.pos, checks::kLimit,
                  "function calls nest deeper than " + std::to_string(limits::kMaxExpressionDepth) +
                      " levels");
    }
    e.pos = cur_.pos;
    switch (cur_.kind) {
      case TokenKind::kString:
        e.literal = Value::string(std::move(cur_.text));
        return advance();
      case TokenKind::kInteger:
        e.literal = Value::integer(cur_.integer);
        return advance();
      case TokenKind::kMinus:
        if (!advance()) {
          return false;
        }
        if (!at(TokenKind::kInteger)) {
          return fail_expected("an integer after '-'");
        }
        e.literal = Value::integer(-cur_.integer);
        return advance();
      case TokenKind::kDecimal:
        return fail(cur_.pos, checks::kSyntax,
                    "fractional number " + std::string(cur_.raw) +
                        ": claim values are integers, strings or booleans");
      case TokenKind::kIdent:
        return parse_name_expr(e, depth);
      default:
        return fail_expected(
            "a value (a string, an integer, true, false, name.value or a function call)");
    }
  }

  bool parse_name_expr(ast::Expr& e, std::size_t depth) {
    const std::string name(cur_.raw);
    if (name == "true" || name == "false") {
      e.literal = Value::boolean(name == "true");
      return advance();
    }
    if (!advance()) {
      return false;
    }
    if (at(TokenKind::kLParen)) {
      return parse_call(e, name, depth);
    }
    if (!at(TokenKind::kDot)) {
      return fail(e.pos, checks::kSyntax,
                  "'" + name +
                      "' is not a value: write a string in double quotes, true, false, "
                      "name.value for a bound claim, or a function call");
    }
    if (!advance()) {
      return false;
    }
    const auto property = property_keyword();
    if (!property) {
      return fail_expected("a claim property (type, value, issuer, valueType) after '" + name +
                           ".'");
    }
    e.kind = Expr::Kind::kBinding;
    e.property = *property;
    if (const auto index = find_binding(name)) {
      e.binding = *index;
    } else {
      error(e.pos, checks::kBinding,
            "'" + name + "' is not bound by an earlier condition of this rule");
    }
    return advance();
  }

  bool parse_call(ast::Expr& e, const std::string& name, std::size_t depth) {
    e.kind = Expr::Kind::kCall;
    const auto function = ast::find_function(name);
    if (function) {
      e.function = *function;
      if (version_ < Version::k1_2) {
        error(e.pos, checks::kVersionFeature,
              "function " + name + "() needs version=1.2; this policy declares " +
                  std::string(ast::version_name(version_)));
      }
    } else {
      error(e.pos, checks::kFunction, unknown_function_message(name));
    }
    if (!advance()) {  // past '('
      return false;
    }
    if (!at(TokenKind::kRParen)) {
      while (true) {
        ast::Expr arg;
        if (!parse_expr(arg, depth + 1)) {
          return false;
        }
        e.args.push_back(std::move(arg));
        if (at(TokenKind::kComma)) {
          if (!advance()) {
            return false;
          }
          continue;
        }
        if (!at(TokenKind::kRParen)) {
          return fail_expected("',' or ')' in the arguments of " + name + "(");
        }
        break;
      }
    }
    if (function) {
      check_call(e);
    }
    return advance();
  }

  static std::string unknown_function_message(const std::string& name) {
    std::string message = "unknown function " + name + "()";
    for (const Function f :
         {Function::kJmesPath, Function::kJsonToClaimValue, Function::kIsSubsetOf,
          Function::kAppendString, Function::kNegateBool, Function::kContainsOnlyValue}) {
      if (equals_ignore_case(ast::function_name(f), name)) {
        return message +
               "; function names are case-sensitive: " + std::string(ast::function_name(f));
      }
    }
    return message +
           " (known: JmesPath, JsonToClaimValue, IsSubsetOf, AppendString, NegateBool, "
           "ContainsOnlyValue)";
  }

  void check_arg_kind(const ast::Expr& arg, ValueKind expected, std::string_view function) {
    const auto kind = static_kind(arg);
    if (kind && *kind != expected) {
      error(arg.pos, checks::kOperandType,
            std::string(function) + "() expects " + describe_kind(expected) + " here, found " +
                describe_kind(*kind));
    }
  }

  void check_json_literal(const ast::Expr& arg, std::string_view function) {
    if (arg.kind != Expr::Kind::kLiteral || arg.literal.kind() != ValueKind::kString) {
      return;
    }
    auto parsed = parse_json_text(*arg.literal.if_string(), limits::kMaxJsonDepth,
                                  ErrorKind::kInvalidArgument, checks::kOperandType);
    if (!parsed) {
      error(arg.pos, checks::kOperandType,
            std::string(function) + "() expects JSON text here: " + parsed.error().detail);
    }
  }

  void check_call(ast::Expr& e) {
    const std::string name(ast::function_name(e.function));
    const std::size_t arity = ast::function_arity(e.function);
    if (e.args.size() != arity) {
      error(e.pos, checks::kFunction,
            name + "() takes " + std::to_string(arity) + " argument" + (arity == 1 ? "" : "s") +
                ", found " + std::to_string(e.args.size()));
      return;
    }
    switch (e.function) {
      case Function::kJmesPath:
        check_arg_kind(e.args[0], ValueKind::kString, name);
        check_arg_kind(e.args[1], ValueKind::kString, name);
        check_json_literal(e.args[0], name);
        compile_query(e);
        break;
      case Function::kJsonToClaimValue:
        check_arg_kind(e.args[0], ValueKind::kString, name);
        check_json_literal(e.args[0], name);
        break;
      case Function::kAppendString:
        check_arg_kind(e.args[0], ValueKind::kString, name);
        check_arg_kind(e.args[1], ValueKind::kString, name);
        break;
      case Function::kNegateBool:
        check_arg_kind(e.args[0], ValueKind::kBoolean, name);
        break;
      case Function::kIsSubsetOf:
      case Function::kContainsOnlyValue:
        break;
    }
  }

  void compile_query(ast::Expr& e) {
    const ast::Expr& query = e.args[1];
    if (query.kind != Expr::Kind::kLiteral || query.literal.kind() != ValueKind::kString) {
      return;  // computed at evaluation time
    }
    const std::string& text = *query.literal.if_string();
    if (text.empty()) {
      error(query.pos, checks::kJmesPath, "JmesPath() needs a non-empty query");
      return;
    }
    auto compiled = jmespath::Expression::compile(text);
    if (!compiled && compiled.error().check == jmespath::checks::kUnknownFunction &&
        text.find(kAzureJmesPathExtension) != std::string::npos) {
      // Azure's JMESPath has extensions (equals_ignore_case) ours lacks. The policy is still
      // valid: the query is compiled again, and fails, only if evaluation reaches it.
      warnings_.push_back(Diagnostic{Severity::kWarning, checks::kLintJmesPathExtension, query.pos,
                                     "JMESPath query uses a function Vouch does not implement (" +
                                         compiled.error().detail +
                                         "); evaluating it fails the attestation"});
      return;
    }
    if (!compiled) {
      error(query.pos, checks::kJmesPath, "invalid JMESPath query: " + compiled.error().detail);
      return;
    }
    e.query = std::make_shared<const jmespath::Expression>(std::move(*compiled));
  }

  std::string_view text_;
  Lexer lexer_;
  Token cur_;
  std::optional<Diagnostic> syntax_;
  std::vector<Diagnostic> errors_;
  std::vector<Diagnostic> warnings_;
  Version version_ = Version::k1_0;
  std::vector<std::string> bindings_;  // of the rule being parsed, by condition index
  std::size_t rule_count_ = 0;
};

}  // namespace

ParseOutput parse_policy(std::string_view text) {
  return Parser(text).run();
}

}  // namespace vouch::policy::detail
