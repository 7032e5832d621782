// Composition root of the `vouch` binary: picks the concrete clock and streams, then hands over to
// the CLI.

#include <iostream>
#include <string>
#include <vector>

#include "base/time.h"
#include "cli/cli.h"

int main(int argc, char** argv) {
  const vouch::SystemClock clock;
  const vouch::cli::Context ctx{clock, std::cout, std::cerr};
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    args.emplace_back(argv[i]);
  }
  return vouch::cli::run(ctx, args);
}
