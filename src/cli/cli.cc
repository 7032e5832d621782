#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <ostream>

#include "cli/commands.h"

namespace vouch::cli {

int exit_code_for(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::kMalformedEvidence:
    case ErrorKind::kEvidenceRejected:
      return kExitRejected;
    case ErrorKind::kCollateralUnavailable:
      return kExitCollateral;
    case ErrorKind::kRevocationUnavailable:
      return kExitRevocation;
    case ErrorKind::kPolicyDenied:
      return kExitPolicy;
    case ErrorKind::kInvalidArgument:
    case ErrorKind::kNotFound:
    case ErrorKind::kAlreadyExists:
    case ErrorKind::kFailedPrecondition:
    case ErrorKind::kUnavailable:
    case ErrorKind::kInternal:
      return kExitUsage;
  }
  return kExitUsage;
}

int run(const Context& ctx, const std::vector<std::string>& args) {
  CLI::App app{
      "vouch: self-hosted remote attestation.\n\n"
      "Exit codes: 0 verified/success, 1 usage error (bad flags, unreadable file), 2 evidence\n"
      "rejected (malformed or a failed check), 3 collateral unavailable, 4 revocation status\n"
      "unavailable, 5 denied by policy.",
      "vouch"};
  app.set_version_flag("--version", "vouch 0.1.0");
  app.require_subcommand(1);
  Action action;

  CLI::App* verify = app.add_subcommand("verify", "Verify evidence offline (no service needed)");
  verify->require_subcommand(1);
  add_verify_tpm(*verify, ctx, action);
  add_verify_sevsnp(*verify, ctx, action);
  add_verify_azure_cvm(*verify, ctx, action);
  add_verify_dcap(*verify, ctx, action);
  add_eventlog(app, ctx, action);
  add_policy(app, ctx, action);
  add_release_policy(app, ctx, action);
  add_jmespath(app, ctx, action);
  add_serve(app, ctx, action);
  add_audit(app, ctx, action);
  add_admin(app, ctx, action);
  add_attest(app, ctx, action);
  add_collateral(app, ctx, action);

  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 consumes from the back
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    ctx.out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    ctx.out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    ctx.out << "vouch 0.1.0\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    ctx.err << "vouch: " << e.what() << "\n";
    if (!app.get_subcommands().empty()) {
      ctx.err << "Run with --help for usage.\n";
    }
    return kExitUsage;
  }
  if (!action) {
    ctx.err << app.help();
    return kExitUsage;
  }
  return action();
}

}  // namespace vouch::cli
