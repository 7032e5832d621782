#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/policy.h"

// Secure key release policies of Azure Key Vault and Managed HSM (maa.md section 2.5), for the
// relying party: which attestation tokens may have a secret released to them.
//
//   {"version": "1.0.0",
//    "anyOf": [{"authority": "<token issuer>",
//               "allOf" | "anyOf": [ {"claim": "a.b.c", "<operator>": scalar} | {"anyOf": [...]}
//                                    | {"allOf": [...]}, ... ]}, ...]}
//
// Operators: equals, notEquals, less, lessOrEquals, greater, greaterOrEquals, exists. Member names
// match case-insensitively (the grammar writes anyof/allof, the examples anyOf/allOf). Decisions
// in docs/adr/0006-policy-language.md:
// - A claim path is dotted: at each level the longest key (dots included) that names an object is
//   followed, so flat claim names containing dots also resolve. Arrays are not indexed.
// - A missing claim fails every operator except exists:false.
// - equals / notEquals compare the text of scalars: "false" equals false and "2" equals 2 (as Key
//   Vault compares them); objects, arrays and null never equal anything.
// - less ... greaterOrEquals compare numbers; a string claim or operand holding a decimal number
//   counts as that number; anything else fails.
// - An authority matches the token issuer ignoring ASCII case and one trailing '/'.
// The policy grants when some authority matches the issuer and its conditions hold.
namespace vouch::policy {

enum class ReleaseOperator : std::uint8_t {
  kEquals,
  kNotEquals,
  kLess,
  kLessOrEquals,
  kGreater,
  kGreaterOrEquals,
  kExists,
};
std::string_view release_operator_name(ReleaseOperator op) noexcept;  // "equals", ...

struct ReleaseCondition {
  enum class Kind : std::uint8_t { kClaim, kAnyOf, kAllOf };
  Kind kind = Kind::kClaim;
  std::string location;  // JSON pointer of the condition in the policy ("/anyOf/0/allOf/1")
  std::string claim;     // kClaim: the dotted claim path
  ReleaseOperator op = ReleaseOperator::kEquals;
  nlohmann::json operand;                  // kClaim: a string, number or Boolean
  std::vector<ReleaseCondition> children;  // kAnyOf / kAllOf
};

struct ReleaseAuthority {
  std::string authority;
  std::string location;
  ReleaseCondition condition;  // kAnyOf or kAllOf
};

struct ReleaseConditionTrace {
  const ReleaseCondition* condition = nullptr;  // points into the evaluated ReleasePolicy
  bool satisfied = false;
  std::optional<nlohmann::json> actual;  // kClaim: the claim's value, when present
  std::string reason;                    // kClaim: why it failed
  std::vector<ReleaseConditionTrace> children;
};

struct ReleaseAuthorityTrace {
  const ReleaseAuthority* authority = nullptr;
  bool issuer_matches = false;
  bool satisfied = false;
  std::optional<ReleaseConditionTrace> conditions;  // absent when the issuer did not match
};

struct ReleaseEvaluation {
  Decision decision = Decision::kDeny;
  std::string issuer;
  std::vector<ReleaseAuthorityTrace> trace;  // one entry per authority, in policy order
};

class ReleasePolicy {
 public:
  // parse reads a release policy. Errors (kInvalidArgument): release.syntax (not JSON; detail names
  // line and column), release.structure, release.version, release.operator, release.value,
  // release.limit; details name the JSON pointer of the offending member.
  [[nodiscard]] static Result<ReleasePolicy> parse(std::string_view json_text);
  [[nodiscard]] static Result<ReleasePolicy> from_json(const nlohmann::json& j);

  // evaluate decides over `token_claims` (the JSON body of a verified attestation token) issued by
  // `issuer`. The result keeps pointers into this policy: it must outlive the evaluation's trace.
  ReleaseEvaluation evaluate(const nlohmann::json& token_claims, std::string_view issuer) const;

  // The policy in canonical form (camelCase member names, version present); from_json() of it
  // gives back an equal policy.
  nlohmann::json to_json() const;

  const std::string& version() const noexcept { return version_; }
  const std::vector<ReleaseAuthority>& authorities() const noexcept { return authorities_; }

 private:
  std::string version_;
  std::vector<ReleaseAuthority> authorities_;
};

// Resolves the dotted claim `path` in `claims` (see above); nullptr when absent.
const nlohmann::json* resolve_claim_path(const nlohmann::json& claims, std::string_view path);

// {"decision", "issued": {}, "properties": {}, "summary", "trace": [{"authority", "issuer_matches",
// "satisfied", "condition": {"location", "kind", "claim", "operator", "expected", "actual",
// "satisfied", "reason", "children"}}]} (the same shape as evaluation_to_json).
nlohmann::json release_evaluation_to_json(const ReleaseEvaluation& evaluation);
std::string release_explain_text(const ReleaseEvaluation& evaluation);
// One line: "released: authority X holds" or why not.
std::string release_summary(const ReleaseEvaluation& evaluation);

}  // namespace vouch::policy
