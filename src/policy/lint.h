#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "policy/catalogue.h"
#include "policy/diagnostic.h"

// The policy linter: every compile error, plus warnings about policies that compile but cannot do
// what their author meant.
//
// Errors (compile() refuses the policy): syntax, '=' where '==' is meant, keyword case, version,
// features above the declared version, sections, actions not allowed in their section, bindings,
// functions, operand types (an ordering operator on a String or Boolean), invalid literal JMESPath
// queries, limits.
// Warnings: unknown claim names for the attestation type (from the catalogue), deprecated claim
// names, comparisons with a value of the wrong type, version 1.2 claims in older policies, rules
// that can never fire (a claim only the policy adds, but no earlier rule adds it; contradictory
// tests; rules after an unconditional deny()), unknown issuers and valueTypes, unused bindings, no
// permit() rule at all, unknown configuration properties, issue() of read-only claims.
namespace vouch::policy {

struct LintOptions {
  // Check claim names against this attestation type's catalogue; without it, against the union of
  // all types.
  std::optional<AttestationType> attestation_type;
};

// lint returns every finding in `text`, sorted by position.
std::vector<Diagnostic> lint(std::string_view text, const LintOptions& options = {});

std::size_t count_errors(std::span<const Diagnostic> diagnostics) noexcept;
std::size_t count_warnings(std::span<const Diagnostic> diagnostics) noexcept;

}  // namespace vouch::policy
