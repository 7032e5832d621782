#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "claims/claim_set.h"
#include "cli/cli.h"
#include "evidence/check_log.h"

namespace vouch::cli {

// Prints a verification report and returns the exit code. JSON form:
//   {"status": "verified"|"rejected", "checks": [{"id", "result", "detail"}], "claims": {...},
//    "error": {"check", "kind", "detail"}}   ("error" only when rejected)
// Text form: the verdict, one line per check, then the claims.
int print_report(const Context& ctx, bool json, std::string_view what,
                 const evidence::CheckLog& log, const claims::ClaimSet* claims, const Error* error);

// Prints a usage-level error ("vouch: <detail>") and returns its exit code.
int print_error(const Context& ctx, const Error& error);
// A command line the command cannot run with (exit code 3 through print_error).
inline Error usage_error(std::string detail) {
  return Error{ErrorKind::kInvalidArgument, checks::kInvalidArgument, std::move(detail)};
}

}  // namespace vouch::cli
