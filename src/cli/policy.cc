// `vouch policy lint|test` and `vouch release-policy test`: the appraisal policy engine and the
// relying party's key release policies, offline.

#include "policy/policy.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "base/file.h"
#include "cli/commands.h"
#include "cli/report.h"
#include "policy/catalogue.h"
#include "policy/claim_input.h"
#include "policy/explain.h"
#include "policy/json_text.h"
#include "policy/limits.h"
#include "policy/lint.h"
#include "policy/release_policy.h"

namespace vouch::cli {
namespace {

// A policy that does not compile, or an evaluation that failed, is exit code 2 ("policy error").
constexpr int kExitPolicyError = kExitRejected;

constexpr std::size_t kMaxClaimsFileBytes = std::size_t{64} << 20;

struct PolicyFlags {
  std::string file;
  std::string claims;
  std::string type;
  std::string issuer;
  bool json = false;
  bool explain = false;
};

nlohmann::json diagnostics_json(const std::vector<policy::Diagnostic>& diagnostics) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : diagnostics) {
    out.push_back({{"line", d.pos.line},
                   {"column", d.pos.column},
                   {"severity", policy::severity_name(d.severity)},
                   {"check", d.check.str()},
                   {"message", d.message}});
  }
  return out;
}

Result<nlohmann::json> read_json_file(const std::string& path) {
  VOUCH_TRY(const std::string text, read_text_file(path, kMaxClaimsFileBytes));
  return policy::parse_json_text(text, policy::limits::kMaxJsonDepth, ErrorKind::kInvalidArgument,
                                 checks::kJsonParse)
      .map_error([&](Error e) { return std::move(e).with_context(path); });
}

int lint(const Context& ctx, const PolicyFlags& f) {
  auto text = read_text_file(f.file);
  if (!text) {
    return print_error(ctx, text.error());
  }
  policy::LintOptions options;
  if (!f.type.empty()) {
    options.attestation_type = policy::parse_attestation_type(f.type);
  }
  const auto diagnostics = policy::lint(*text, options);
  const std::size_t errors = policy::count_errors(diagnostics);
  const std::size_t warnings = policy::count_warnings(diagnostics);
  if (f.json) {
    nlohmann::json out = {{"file", f.file},
                          {"errors", errors},
                          {"warnings", warnings},
                          {"hash", policy::policy_hash(*text)},
                          {"diagnostics", diagnostics_json(diagnostics)}};
    ctx.out << out.dump(2) << "\n";
  } else {
    for (const auto& d : diagnostics) {
      ctx.out << d.to_string(f.file) << "\n";
    }
    if (!diagnostics.empty()) {
      ctx.err << f.file << ": " << errors << (errors == 1 ? " error, " : " errors, ") << warnings
              << (warnings == 1 ? " warning\n" : " warnings\n");
    }
  }
  return errors > 0 ? kExitPolicyError : kExitOk;
}

// Compiles FILE; on failure prints every error as FILE:LINE:COL and returns nullopt.
std::optional<policy::Policy> compile_or_report(const Context& ctx, const PolicyFlags& f,
                                                const std::string& text) {
  auto compiled = policy::Policy::compile(text);
  if (compiled) {
    return std::move(*compiled);
  }
  std::vector<policy::Diagnostic> errors;
  for (auto& d : policy::lint(text)) {
    if (d.severity == policy::Severity::kError) {
      errors.push_back(std::move(d));
    }
  }
  if (f.json) {
    ctx.out << nlohmann::json({{"error",
                                {{"kind", error_kind_name(compiled.error().kind)},
                                 {"check", compiled.error().check.str()},
                                 {"detail", compiled.error().detail}}},
                               {"diagnostics", diagnostics_json(errors)}})
                   .dump(2)
            << "\n";
  }
  for (const auto& d : errors) {
    ctx.err << d.to_string(f.file) << "\n";
  }
  return std::nullopt;
}

int test(const Context& ctx, const PolicyFlags& f) {
  auto text = read_text_file(f.file);
  if (!text) {
    return print_error(ctx, text.error());
  }
  auto document = read_json_file(f.claims);
  if (!document) {
    return print_error(ctx, document.error());
  }
  auto claims = policy::claims_from_json(*document, policy::Issuer::kAttestationService);
  if (!claims) {
    return print_error(ctx, std::move(claims.error()).with_context(f.claims));
  }
  const auto compiled = compile_or_report(ctx, f, *text);
  if (!compiled) {
    return kExitPolicyError;
  }
  const policy::Evaluation ev =
      compiled->evaluate(*claims, policy::EvaluateOptions{.explain = true});
  if (f.json) {
    ctx.out << policy::evaluation_to_json(ev).dump(2) << "\n";
  } else if (f.explain) {
    ctx.out << policy::explain_text(ev);
  } else {
    ctx.out << "decision: " << policy::decision_name(ev.decision) << " ("
            << policy::short_explanation(ev) << ")\n";
    if (!ev.issued.empty()) {
      ctx.out << "issued: " << policy::claims_to_json(ev.issued).dump() << "\n";
    }
    if (!ev.properties.empty()) {
      ctx.out << "properties: " << policy::claims_to_json(ev.properties).dump() << "\n";
    }
  }
  if (ev.error) {
    ctx.err << "vouch: " << f.file << ": evaluation failed: " << ev.error->to_string() << "\n";
    return kExitPolicyError;
  }
  return ev.decision == policy::Decision::kPermit ? kExitOk : kExitPolicy;
}

int release_test(const Context& ctx, const PolicyFlags& f) {
  auto text = read_text_file(f.file);
  if (!text) {
    return print_error(ctx, text.error());
  }
  auto token = read_json_file(f.claims);
  if (!token) {
    return print_error(ctx, token.error());
  }
  if (!token->is_object()) {
    return print_error(ctx, Error{ErrorKind::kInvalidArgument, checks::kInvalidArgument,
                                  f.claims + ": token claims must be a JSON object"});
  }
  std::string issuer = f.issuer;
  if (issuer.empty()) {
    const auto iss = token->find("iss");
    if (iss == token->end() || !iss->is_string()) {
      return print_error(ctx, Error{ErrorKind::kInvalidArgument, checks::kInvalidArgument,
                                    "no --issuer given and the token claims have no \"iss\""});
    }
    issuer = iss->get<std::string>();
  }
  auto release = policy::ReleasePolicy::parse(*text);
  if (!release) {
    ctx.err << "vouch: " << f.file << ": " << release.error().detail << " ["
            << release.error().check.str() << "]\n";
    return kExitPolicyError;
  }
  const policy::ReleaseEvaluation ev = release->evaluate(*token, issuer);
  if (f.json) {
    ctx.out << policy::release_evaluation_to_json(ev).dump(2) << "\n";
  } else {
    ctx.out << policy::release_explain_text(ev);
  }
  return ev.decision == policy::Decision::kPermit ? kExitOk : kExitPolicy;
}

}  // namespace

void add_policy(CLI::App& app, const Context& ctx, Action& action) {
  auto flags = std::make_shared<PolicyFlags>();
  CLI::App* group = app.add_subcommand(
      "policy", "Lint and test Azure Attestation claim-rule policies (versions 1.0-1.2)");
  group->require_subcommand(1);

  CLI::App* lint_cmd = group->add_subcommand(
      "lint",
      "Check a policy; prints FILE:LINE:COL: error|warning: text (exit 0 clean or "
      "warnings only, 2 errors)");
  lint_cmd->add_option("FILE", flags->file, "Policy text")->required();
  lint_cmd
      ->add_option("--type", flags->type,
                   "Check claim names against this attestation type's incoming claims")
      ->check(CLI::IsMember({"sgx", "tdx", "sevsnp", "tpm", "azurevm"}));
  lint_cmd->add_flag("--json", flags->json,
                     "Print {\"file\", \"errors\", \"warnings\", \"hash\", \"diagnostics\": "
                     "[{\"line\", \"column\", \"severity\", \"check\", \"message\"}]}");
  lint_cmd->callback(
      [&ctx, &action, flags] { action = [&ctx, flags] { return lint(ctx, *flags); }; });

  CLI::App* test_cmd = group->add_subcommand(
      "test", "Evaluate a policy over claims (exit 0 permit, 5 deny, 2 policy error)");
  test_cmd->add_option("FILE", flags->file, "Policy text")->required();
  test_cmd
      ->add_option("--claims", flags->claims,
                   "JSON: an array of {\"type\", \"value\", \"issuer\"?} or an object of "
                   "type: value (issuer defaults to AttestationService)")
      ->required();
  test_cmd->add_flag("--explain", flags->explain,
                     "Explain every rule: fired or not, matched claims, why a condition failed");
  test_cmd->add_flag("--json", flags->json,
                     "Print {\"decision\", \"issued\", \"properties\", \"summary\", \"trace\"}");
  test_cmd->callback(
      [&ctx, &action, flags] { action = [&ctx, flags] { return test(ctx, *flags); }; });
}

void add_release_policy(CLI::App& app, const Context& ctx, Action& action) {
  auto flags = std::make_shared<PolicyFlags>();
  CLI::App* group = app.add_subcommand("release-policy",
                                       "Test Key Vault / Managed HSM secure key release policies");
  group->require_subcommand(1);
  CLI::App* test_cmd = group->add_subcommand(
      "test",
      "Decide a release over attestation token claims (exit 0 release, 5 refuse, 2 "
      "policy error)");
  test_cmd->add_option("FILE", flags->file, "Release policy JSON")->required();
  test_cmd
      ->add_option("--claims", flags->claims,
                   "The token's claims as a JSON object (its decoded body)")
      ->required();
  test_cmd->add_option("--issuer", flags->issuer,
                       "The token issuer to match authorities against (default: the iss claim)");
  test_cmd->add_flag("--json", flags->json,
                     "Print {\"decision\", \"issued\", \"properties\", \"summary\", \"trace\"}");
  test_cmd->callback(
      [&ctx, &action, flags] { action = [&ctx, flags] { return release_test(ctx, *flags); }; });
}

}  // namespace vouch::cli
