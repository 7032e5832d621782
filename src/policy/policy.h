#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/ast.h"
#include "policy/check_ids.h"
#include "policy/diagnostic.h"
#include "policy/value.h"

// The Azure Attestation claim-rule policy language, versions 1.0, 1.1 and 1.2 (maa.md section 2;
// decisions in docs/adr/0006-policy-language.md). Compile once, evaluate many times: a Policy is
// immutable, cheap to copy and safe to evaluate from many threads. Evaluation is pure: no I/O, no
// clock, no randomness.
namespace vouch::policy {

enum class Decision : std::uint8_t { kPermit, kDeny };
std::string_view decision_name(Decision d) noexcept;  // "permit" / "deny"

// RuleRef names one rule: its section, 1-based index in the section and position.
struct RuleRef {
  ast::Section section = ast::Section::kAuthorization;
  std::size_t index = 0;
  SourcePos pos;
};

// What became of one rule in an evaluation.
enum class RuleOutcome : std::uint8_t {
  kFired,         // every condition held and the action ran
  kNotMatched,    // a condition did not hold
  kNotEvaluated,  // never reached: after deny(), an error, or issuance rules of a denied request
  kError,         // evaluating it failed (Evaluation::error says how)
};
std::string_view rule_outcome_name(RuleOutcome o) noexcept;  // "fired", "not_matched", ...

// ConditionTrace explains one condition of a rule.
struct ConditionTrace {
  bool evaluated = false;  // false once an earlier condition of the rule failed
  bool satisfied = false;
  // Incoming claims that passed every test, as indices into Evaluation::incoming. For a negated
  // condition these are the claims whose presence made it fail.
  std::vector<std::size_t> matched;
  std::string reason;  // why it did not hold (empty when it held)
};

// Effect is a claim a fired rule added, issued or set as a property.
struct Effect {
  ast::ActionKind action = ast::ActionKind::kAdd;
  Claim claim;
};

// RuleTrace explains one rule.
struct RuleTrace {
  RuleRef rule;
  ast::ActionKind action = ast::ActionKind::kPermit;
  std::string text;  // the rule's source text, whitespace collapsed
  RuleOutcome outcome = RuleOutcome::kNotEvaluated;
  std::vector<std::string> condition_texts;
  std::vector<ConditionTrace> conditions;
  std::vector<Effect> effects;
};

enum class DenyReason : std::uint8_t {
  kNone,      // permitted
  kNoPermit,  // no permit() fired in authorizationrules
  kDenyRule,  // a deny() fired
  kError,     // evaluation failed (fail closed)
};

// Evaluation is the outcome of evaluating a policy over incoming claims. It always exists: an
// evaluation error is a deny that says why.
struct Evaluation {
  Decision decision = Decision::kDeny;
  DenyReason deny_reason = DenyReason::kNoPermit;
  // The deny() rule that fired, or the rule whose evaluation failed.
  std::optional<RuleRef> decisive_rule;
  // Set when evaluation failed: kind kPolicyDenied, a policy.eval.* check.
  std::optional<Error> error;
  std::vector<Claim> issued;      // issue(): the outgoing claims, in issue order
  std::vector<Claim> properties;  // issueproperty(): engine configuration and token properties

  // With EvaluateOptions::explain only:
  std::vector<Claim> incoming;   // every incoming claim at the end, given ones first
  std::vector<RuleTrace> trace;  // every rule, in evaluation order
};

struct EvaluateOptions {
  // Record the trace (rule by rule, matched claims, reasons). Costs time; off in the hot path.
  bool explain = false;
};

// Policy is a compiled claim-rule policy.
class Policy {
 public:
  // compile parses and checks `text`. On failure the error has kind kInvalidArgument, one of the
  // compile checks of check_ids.h and detail "line L, column C: message" (the first error; lint()
  // lists them all).
  [[nodiscard]] static Result<Policy> compile(std::string_view text);

  // evaluate runs the policy over `claims` (the incoming claim set; types may repeat; values must
  // be scalars): configurationrules, then authorizationrules, then, when permitted,
  // issuancerules, rule by rule in order. The decision is permit when a permit() fired and no
  // deny() did; anything else, including an evaluation error, is deny.
  Evaluation evaluate(std::span<const Claim> claims, const EvaluateOptions& options = {}) const;

  const std::string& text() const noexcept;
  // The x-ms-policy-hash of this policy (see policy_hash()).
  const std::string& hash() const noexcept;
  ast::Version version() const noexcept;
  const ast::Policy& tree() const noexcept;

  struct Impl;

 private:
  explicit Policy(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// policy_hash computes x-ms-policy-hash exactly as Azure Attestation does:
// BASE64URL(SHA256(BASE64URL(UTF8(text)))) without padding, where the inner base64url string is the
// one the policy JWS carries in AttestationPolicy.
std::string policy_hash(std::string_view text);

}  // namespace vouch::policy
