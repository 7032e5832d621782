#pragma once

#include "base/error.h"

// Check ids of the JMESPath module. Every failure of Expression::compile or Expression::search
// carries ErrorKind::kInvalidArgument and exactly one of these ids (or ::vouch::checks::kInternal
// for a bug). The first five are the error kinds of the JMESPath specification and its compliance
// suite; the last two are Vouch's resource limits.
namespace vouch::jmespath::checks {

// The expression text is not valid JMESPath (compliance suite "syntax"). Detail names the column.
inline constexpr CheckId kSyntax{"jmespath.syntax"};
// A function argument or expression-reference key has the wrong type ("invalid-type").
inline constexpr CheckId kInvalidType{"jmespath.invalid_type"};
// A value is out of its domain, e.g. a slice step of 0 ("invalid-value").
inline constexpr CheckId kInvalidValue{"jmespath.invalid_value"};
// A function was called with the wrong number of arguments ("invalid-arity").
inline constexpr CheckId kInvalidArity{"jmespath.invalid_arity"};
// A function name that is not one of the built-in functions ("unknown-function").
inline constexpr CheckId kUnknownFunction{"jmespath.unknown_function"};
// The expression, a JSON literal in it, or the searched document nests deeper than the limits in
// jmespath.h (kMaxExpressionDepth, kMaxDataDepth).
inline constexpr CheckId kDepthLimit{"jmespath.depth_limit"};
// Evaluation would do more work or allocate more than kMaxWorkUnits (e.g. an expression that
// doubles its input at every step).
inline constexpr CheckId kWorkLimit{"jmespath.work_limit"};

}  // namespace vouch::jmespath::checks
