#include "policy/lint.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

#include "policy/check_ids.h"
#include "policy/parser.h"

namespace vouch::policy {
namespace {

using ast::ActionKind;
using ast::CompareOp;
using ast::Expr;
using ast::Property;
using ast::Section;

const std::string* literal_string(const Expr& e) noexcept {
  return e.kind == Expr::Kind::kLiteral ? e.literal.if_string() : nullptr;
}

// The literal of the first `property == "literal"` test of a condition, or nullptr.
const std::string* literal_test(const ast::Condition& c, Property p) noexcept {
  for (const auto& t : c.tests) {
    if (t.property == p && t.op == CompareOp::kEq) {
      if (const std::string* s = literal_string(t.operand)) {
        return s;
      }
    }
  }
  return nullptr;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "an Integer", "a String", ...
std::string with_article(std::string_view name) {
  const bool vowel =
      !name.empty() && std::string_view("AEIOU").find(name[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(name);
}

void visit_bindings(const Expr& e, std::vector<bool>& used) {
  if (e.kind == Expr::Kind::kBinding && e.binding < used.size()) {
    used[e.binding] = true;
  }
  for (const auto& a : e.args) {
    visit_bindings(a, used);
  }
}

struct Producer {
  std::size_t order;
  SourcePos pos;
};

class Linter {
 public:
  Linter(const ast::Policy& policy, const LintOptions& options, std::vector<Diagnostic>& out)
      : policy_(policy), type_(options.attestation_type), out_(out) {}

  void run() {
    collect_producers();
    std::size_t order = 0;
    bool has_permit = false;
    for (const auto& block : policy_.sections) {
      std::optional<SourcePos> unconditional_deny;
      for (const auto& rule : block.rules) {
        if (unconditional_deny) {
          warn(rule.pos, checks::kLintNeverFires,
               "this rule is never evaluated: the unconditional deny() at line " +
                   std::to_string(unconditional_deny->line) + " ends authorization");
        }
        check_rule(block.section, rule, order++);
        has_permit = has_permit || (block.section == Section::kAuthorization &&
                                    rule.action.kind == ActionKind::kPermit);
        if (block.section == Section::kAuthorization && rule.conditions.empty() &&
            rule.action.kind == ActionKind::kDeny && !unconditional_deny) {
          unconditional_deny = rule.pos;
        }
      }
    }
    if (!has_permit) {
      const ast::SectionBlock* auth = policy_.find(Section::kAuthorization);
      warn(auth != nullptr ? auth->pos : policy_.version_pos, checks::kLintNoPermit,
           "no permit() rule in authorizationrules: every attestation is denied");
    }
  }

 private:
  void warn(SourcePos pos, CheckId check, std::string message) {
    out_.push_back(Diagnostic{Severity::kWarning, check, pos, std::move(message)});
  }

  std::string type_label() const {
    return type_ ? std::string(attestation_type_name(*type_)) + " " : "";
  }

  // Every claim type a rule adds, issues or sets as a property, by evaluation order.
  void collect_producers() {
    std::size_t order = 0;
    for (const auto& block : policy_.sections) {
      for (const auto& rule : block.rules) {
        const auto& action = rule.action;
        if (action.kind == ActionKind::kAdd || action.kind == ActionKind::kIssue ||
            action.kind == ActionKind::kIssueProperty) {
          const std::string* type = nullptr;
          if (action.claim) {
            type = literal_test(rule.conditions[*action.claim], Property::kType);
          } else {
            type = literal_string(action.type);
          }
          if (type != nullptr) {
            producers_[*type].push_back(Producer{order, rule.pos});
          } else if (!first_dynamic_) {
            first_dynamic_ = order;
          }
        }
        ++order;
      }
    }
  }

  bool produced_before(const std::string& type, std::size_t order) const {
    if (first_dynamic_ && *first_dynamic_ < order) {
      return true;
    }
    const auto it = producers_.find(type);
    return it != producers_.end() && it->second.front().order < order;
  }

  std::optional<SourcePos> produced_later(const std::string& type, std::size_t order) const {
    const auto it = producers_.find(type);
    if (it == producers_.end()) {
      return std::nullopt;
    }
    for (const auto& p : it->second) {
      if (p.order >= order) {
        return p.pos;
      }
    }
    return std::nullopt;
  }

  std::string suggestion(const std::string& type) const {
    std::string best;
    std::size_t best_distance = 3;
    for (const auto& spec : incoming_claim_catalogue()) {
      if (type_ && !spec.applies_to(*type_)) {
        continue;
      }
      const std::size_t d = edit_distance(type, spec.type);
      if (d < best_distance) {
        best_distance = d;
        best = spec.type;
      }
    }
    return best.empty() ? "" : " (did you mean \"" + best + "\"?)";
  }

  void check_rule(Section section, const ast::Rule& rule, std::size_t order) {
    std::vector<bool> used(rule.conditions.size(), false);
    for (const auto& c : rule.conditions) {
      for (const auto& t : c.tests) {
        visit_bindings(t.operand, used);
      }
    }
    visit_bindings(rule.action.type, used);
    visit_bindings(rule.action.value, used);
    if (rule.action.claim && *rule.action.claim < used.size()) {
      used[*rule.action.claim] = true;
    }
    for (std::size_t i = 0; i < rule.conditions.size(); ++i) {
      const auto& c = rule.conditions[i];
      check_condition(c, order);
      if (!c.binding.empty() && !used[i]) {
        warn(c.pos, checks::kLintUnusedBinding,
             "'" + c.binding + "' is bound but never used (drop the '" + c.binding + ":')");
      }
    }
    check_action(section, rule);
  }

  void check_condition(const ast::Condition& c, std::size_t order) {
    const std::string* type = nullptr;
    const std::string* issuer = nullptr;
    for (const auto& t : c.tests) {
      const std::string* lit = literal_string(t.operand);
      if (t.op != CompareOp::kEq || lit == nullptr) {
        continue;
      }
      if (t.property == Property::kType) {
        if (type != nullptr && *type != *lit && !c.negated) {
          warn(t.pos, checks::kLintNeverFires,
               "this condition can never hold: a claim cannot have type \"" + *type +
                   "\" and type \"" + *lit + "\"");
        }
        type = type != nullptr ? type : lit;
      } else if (t.property == Property::kIssuer) {
        if (!parse_issuer(*lit)) {
          warn(t.operand.pos, checks::kLintUnknownIssuer,
               "unknown issuer \"" + *lit +
                   "\" never matches (issuers are AttestationService, AttestationPolicy and "
                   "CustomClaim)");
        } else if (issuer != nullptr && *issuer != *lit && !c.negated) {
          warn(t.pos, checks::kLintNeverFires,
               "this condition can never hold: a claim has one issuer");
        }
        issuer = issuer != nullptr ? issuer : lit;
      } else if (t.property == Property::kValueType && *lit != "Boolean" && *lit != "Integer" &&
                 *lit != "String") {
        warn(t.operand.pos, checks::kLintClaimType,
             "valueType \"" + *lit +
                 "\" never matches (claim values are Boolean, Integer or "
                 "String)");
      }
    }
    if (type == nullptr) {
      return;
    }
    if (issuer != nullptr && *issuer == issuer_name(Issuer::kAttestationPolicy)) {
      if (!c.negated && !produced_before(*type, order)) {
        std::string message =
            "this rule can never fire: no earlier rule adds a claim of type \"" + *type + "\"";
        if (const auto later = produced_later(*type, order)) {
          message += " (it is only added later, at line " + std::to_string(later->line) + ")";
        }
        warn(c.pos, checks::kLintNeverFires, std::move(message));
      }
      return;
    }
    if (issuer != nullptr && *issuer == issuer_name(Issuer::kCustomClaim)) {
      return;  // attester-defined claims are not catalogued
    }
    const IncomingClaimSpec* spec = find_incoming_claim(*type, type_);
    if (spec == nullptr) {
      if (issuer == nullptr && produced_before(*type, order)) {
        return;  // a claim an earlier rule made
      }
      std::string message = "\"" + *type + "\" is not a claim Azure Attestation gives " +
                            type_label() + "policies" + suggestion(*type);
      if (const auto later = produced_later(*type, order); later && !c.negated) {
        message += "; the policy adds it only later, at line " + std::to_string(later->line);
      }
      warn(c.pos, checks::kLintUnknownClaim, std::move(message));
      return;
    }
    check_catalogued(c, *spec);
  }

  void check_catalogued(const ast::Condition& c, const IncomingClaimSpec& spec) {
    if (!spec.replacement.empty()) {
      warn(c.pos, checks::kLintDeprecatedClaim,
           "\"" + std::string(spec.type) + "\" is deprecated; use \"" +
               std::string(spec.replacement) + "\"");
    }
    if (spec.since_1_2 && policy_.version < ast::Version::k1_2) {
      warn(c.pos, checks::kLintClaimVersion,
           "\"" + std::string(spec.type) + "\" is only given to version 1.2 policies");
    }
    const ValueKind kind = catalogue_value_kind(spec.value_type);
    for (const auto& t : c.tests) {
      if (t.property != Property::kValue) {
        continue;
      }
      if (ast::is_ordering(t.op) && kind != ValueKind::kInteger) {
        warn(t.pos, checks::kLintClaimType,
             "\"" + std::string(spec.type) + "\" is " +
                 with_article(catalogue_type_name(spec.value_type)) + "; '" +
                 std::string(ast::op_text(t.op)) + "' only orders Integers and never matches");
        continue;
      }
      if (t.operand.kind == Expr::Kind::kLiteral && t.operand.literal.kind() != kind) {
        warn(t.operand.pos, checks::kLintClaimType,
             "\"" + std::string(spec.type) + "\" is " +
                 with_article(catalogue_type_name(spec.value_type)) + "; comparing it with " +
                 std::string(value_kind_name(t.operand.literal.kind())) + " " +
                 t.operand.literal.to_display(32) + " never matches");
      }
    }
  }

  bool derives_from_read_only(const Expr& e, const ast::Rule& rule) const {
    if (e.kind == Expr::Kind::kBinding && e.binding < rule.conditions.size()) {
      return condition_is_read_only(rule.conditions[e.binding]);
    }
    return std::any_of(e.args.begin(), e.args.end(),
                       [&](const Expr& a) { return derives_from_read_only(a, rule); });
  }

  bool condition_is_read_only(const ast::Condition& c) const {
    const std::string* type = literal_test(c, Property::kType);
    const std::string* issuer = literal_test(c, Property::kIssuer);
    if (type == nullptr || (issuer != nullptr && *issuer != "AttestationService")) {
      return false;
    }
    const IncomingClaimSpec* spec = find_incoming_claim(*type, type_);
    return spec != nullptr && spec->read_only;
  }

  void check_action(Section section, const ast::Rule& rule) {
    const ast::Action& action = rule.action;
    if (action.kind == ActionKind::kIssue || action.kind == ActionKind::kIssueProperty) {
      const bool read_only = action.claim ? condition_is_read_only(rule.conditions[*action.claim])
                                          : derives_from_read_only(action.value, rule);
      if (read_only) {
        warn(action.pos, checks::kLintReadOnlyIssue,
             std::string(ast::action_name(action.kind)) +
                 "() of a value derived from a read-only claim fails at evaluation; compare it "
                 "or add() it instead");
      }
    }
    if (action.kind != ActionKind::kIssueProperty || action.claim) {
      return;
    }
    const std::string* name = literal_string(action.type);
    if (name == nullptr) {
      return;
    }
    const PropertySpec* spec = find_property(*name, section, type_);
    if (spec == nullptr) {
      if (section == Section::kConfiguration) {
        warn(action.type.pos, checks::kLintUnknownProperty,
             "\"" + *name + "\" is not a configuration property of " + type_label() +
                 "policies; the engine ignores it");
      }
      return;
    }
    const ValueKind kind = catalogue_value_kind(spec->value_type);
    if (action.value.kind == Expr::Kind::kLiteral && action.value.literal.kind() != kind) {
      warn(action.value.pos, checks::kLintClaimType,
           "\"" + *name + "\" takes " + with_article(catalogue_type_name(spec->value_type)) +
               ", not " + with_article(value_kind_name(action.value.literal.kind())));
    }
  }

  const ast::Policy& policy_;
  std::optional<AttestationType> type_;
  std::vector<Diagnostic>& out_;
  std::map<std::string, std::vector<Producer>, std::less<>> producers_;
  std::optional<std::size_t> first_dynamic_;
};

}  // namespace

std::vector<Diagnostic> lint(std::string_view text, const LintOptions& options) {
  detail::ParseOutput parsed = detail::parse_policy(text);
  std::vector<Diagnostic> out = std::move(parsed.errors);
  out.insert(out.end(), parsed.warnings.begin(), parsed.warnings.end());
  if (parsed.policy) {
    Linter(*parsed.policy, options, out).run();
  }
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.pos.offset < b.pos.offset;
  });
  return out;
}

std::size_t count_errors(std::span<const Diagnostic> diagnostics) noexcept {
  return static_cast<std::size_t>(
      std::count_if(diagnostics.begin(), diagnostics.end(),
                    [](const Diagnostic& d) { return d.severity == Severity::kError; }));
}

std::size_t count_warnings(std::span<const Diagnostic> diagnostics) noexcept {
  return diagnostics.size() - count_errors(diagnostics);
}

}  // namespace vouch::policy
