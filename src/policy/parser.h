#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "policy/ast.h"
#include "policy/diagnostic.h"

// The claim-rule parser. Internal to the policy module; callers use Policy::compile() or lint().
namespace vouch::policy::detail {

// ParseOutput is what parse_policy() found: the tree (absent after a syntax error, which stops the
// parse) and every error, in source order. A syntax error is always the last one; semantic errors
// (version gating, sections, bindings, actions, functions, operand types) do not stop the parse,
// so the linter can report them all.
struct ParseOutput {
  std::optional<ast::Policy> policy;
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;  // found while parsing (lint() reports them)
};

// Parses and checks `text` (grammar in docs/adr/0006-policy-language.md). Literal JMESPath queries
// are compiled here.
ParseOutput parse_policy(std::string_view text);

}  // namespace vouch::policy::detail
