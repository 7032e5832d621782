#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/time.h"

namespace vouch::cli {

// Exit codes shared by every `vouch` command (README "Exit codes").
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,       // bad flags, unreadable file, internal error
  kExitRejected = 2,    // evidence malformed or a check failed
  kExitCollateral = 3,  // collateral unavailable
  kExitRevocation = 4,  // revocation status unavailable
  kExitPolicy = 5,      // denied by policy
};

// Maps an error kind to the documented exit code.
int exit_code_for(ErrorKind kind) noexcept;

// Context carries what the composition root injects into commands: the clock and the streams.
struct Context {
  const Clock& clock;
  std::ostream& out;
  std::ostream& err;
};

// Runs the `vouch` command line (args excludes argv[0]) and returns the process exit code.
int run(const Context& ctx, const std::vector<std::string>& args);

}  // namespace vouch::cli
