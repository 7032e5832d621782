#pragma once

// Subcommand registration; each lives in its own file and is a few lines over the library.

#include <CLI/CLI.hpp>
#include <functional>

#include "cli/cli.h"

namespace vouch::cli {

// A registered command runs after parsing and returns the exit code.
using Action = std::function<int()>;

void add_verify_tpm(CLI::App& verify, const Context& ctx, Action& action);
// `verify sevsnp` and `verify azure-cvm` (cli/verify_sevsnp.cc).
void add_verify_sevsnp(CLI::App& verify, const Context& ctx, Action& action);
void add_verify_azure_cvm(CLI::App& verify, const Context& ctx, Action& action);
// `verify sgx` and `verify tdx` (cli/verify_dcap.cc).
void add_verify_dcap(CLI::App& verify, const Context& ctx, Action& action);
void add_eventlog(CLI::App& app, const Context& ctx, Action& action);
// `policy lint|test`, `release-policy test` (cli/policy.cc) and `jmespath` (cli/jmespath.cc).
void add_policy(CLI::App& app, const Context& ctx, Action& action);
void add_release_policy(CLI::App& app, const Context& ctx, Action& action);
void add_jmespath(CLI::App& app, const Context& ctx, Action& action);
// `serve` and `audit verify` (cli/serve.cc).
void add_serve(CLI::App& app, const Context& ctx, Action& action);
void add_audit(CLI::App& app, const Context& ctx, Action& action);
// `admin ...`: the service's admin API over HTTP(S) (cli/admin.cc).
void add_admin(CLI::App& app, const Context& ctx, Action& action);
// `attest`: collect evidence and obtain a secret, passport or background check (cli/attest.cc).
void add_attest(CLI::App& app, const Context& ctx, Action& action);
// `collateral fetch|export|import`: offline collateral for air-gapped sites (cli/collateral.cc).
void add_collateral(CLI::App& app, const Context& ctx, Action& action);

}  // namespace vouch::cli
