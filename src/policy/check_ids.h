#pragma once

#include "base/error.h"

// Stable ids of every check of the policy module. Tests and callers branch on these, never on the
// detail text.
namespace vouch::policy::checks {

// Compiling a claim-rule policy (ErrorKind::kInvalidArgument; also the ids of lint errors).
inline constexpr CheckId kSyntax{"policy.syntax"};  // lexical or grammar error
// A single '=' inside a condition, where the comparison '==' is meant.
inline constexpr CheckId kAssignInCondition{"policy.syntax.assign"};
// A keyword in the wrong case ("Issuancerules"); keywords are lower-case.
inline constexpr CheckId kKeywordCase{"policy.syntax.keyword_case"};
inline constexpr CheckId kVersion{"policy.version"};  // version= is not 1.0, 1.1 or 1.2
// A feature the declared version does not have (configurationrules before 1.1; '!' and functions
// before 1.2).
inline constexpr CheckId kVersionFeature{"policy.version_feature"};
inline constexpr CheckId kSection{"policy.section"};  // section missing, repeated or out of order
// An action not allowed in its section (permit() outside authorizationrules, ...).
inline constexpr CheckId kActionSection{"policy.action_section"};
// A binding that is undefined, defined twice, or put on a negated condition.
inline constexpr CheckId kBinding{"policy.binding"};
inline constexpr CheckId kFunction{"policy.function"};  // unknown function or wrong arity
// An operand whose type cannot work: an ordering operator on a String or Boolean, a non-String
// claim type or issuer, a literal of the wrong type for a function argument.
inline constexpr CheckId kOperandType{"policy.type"};
inline constexpr CheckId kJmesPath{"policy.jmespath"};  // a literal JMESPath query is invalid
inline constexpr CheckId kLimit{"policy.limit"};  // size, nesting or count limit (see limits.h)

// Evaluating a compiled policy. These end the evaluation: the decision is deny and
// Evaluation::error carries one of them (ErrorKind::kPolicyDenied).
inline constexpr CheckId kEvalType{"policy.eval.type"};  // a value of the wrong type at runtime
// Text given to JmesPath() or JsonToClaimValue() is not JSON, or is JSON the function refuses
// (an object, a fraction, a nested array).
inline constexpr CheckId kEvalJson{"policy.eval.json"};
inline constexpr CheckId kEvalJmesPath{"policy.eval.jmespath"};   // a query failed to compile/run
inline constexpr CheckId kEvalReadOnly{"policy.eval.read_only"};  // issue() of a read-only value
inline constexpr CheckId kEvalLimit{"policy.eval.limit"};  // too many claims, too long a string
// The decision itself, for callers that turn a deny into an Error.
inline constexpr CheckId kDenied{"policy.denied"};
// Incoming claims given to evaluate() or decoded from JSON are malformed (kInvalidArgument).
inline constexpr CheckId kInput{"policy.input"};

// Lint warnings (lint() only; compile() accepts these policies).
inline constexpr CheckId kLintUnknownClaim{"policy.lint.unknown_claim"};
inline constexpr CheckId kLintDeprecatedClaim{"policy.lint.deprecated_claim"};
inline constexpr CheckId kLintClaimType{"policy.lint.claim_type"};  // compared with wrong type
inline constexpr CheckId kLintClaimVersion{"policy.lint.claim_version"};  // 1.2 claim in < 1.2
inline constexpr CheckId kLintNeverFires{"policy.lint.never_fires"};
inline constexpr CheckId kLintUnknownIssuer{"policy.lint.unknown_issuer"};
inline constexpr CheckId kLintUnusedBinding{"policy.lint.unused_binding"};
inline constexpr CheckId kLintNoPermit{"policy.lint.no_permit"};
inline constexpr CheckId kLintUnknownProperty{"policy.lint.unknown_property"};
inline constexpr CheckId kLintReadOnlyIssue{"policy.lint.read_only_issue"};
// A literal JMESPath query calls a function our JMESPath lacks (Azure's equals_ignore_case
// extension): the policy compiles, and evaluating that call fails with policy.eval.jmespath.
inline constexpr CheckId kLintJmesPathExtension{"policy.lint.jmespath_extension"};

// Release policies (Azure Key Vault / Managed HSM secure key release JSON).
inline constexpr CheckId kReleaseSyntax{"release.syntax"};        // not JSON
inline constexpr CheckId kReleaseStructure{"release.structure"};  // a member missing or unexpected
inline constexpr CheckId kReleaseVersion{"release.version"};      // version is not "1.0.0"
inline constexpr CheckId kReleaseOperator{"release.operator"};  // no, several or unknown operators
inline constexpr CheckId kReleaseValue{"release.value"};        // an operand that is not a scalar
inline constexpr CheckId kReleaseLimit{"release.limit"};        // size, nesting or count limit
inline constexpr CheckId kReleaseDenied{"release.denied"};      // the decision, for callers

}  // namespace vouch::policy::checks
