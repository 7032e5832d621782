#pragma once

#include <string_view>

#include "base/result.h"
#include "policy/jmespath/ast.h"

// Pratt (top-down operator precedence) parser for JMESPath. Internal to the module.
namespace vouch::jmespath::detail {

// parse turns `text` into an AST whose height is at most kMaxExpressionDepth. Function names and
// arities and literal slice steps are checked here; see Expression::compile for the errors.
[[nodiscard]] Result<NodePtr> parse(std::string_view text);

}  // namespace vouch::jmespath::detail
