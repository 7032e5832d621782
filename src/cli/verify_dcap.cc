// `vouch verify sgx` and `vouch verify tdx`: verify an Intel DCAP quote offline.

#include <optional>
#include <ostream>
#include <string>

#include "base/encoding.h"
#include "base/file.h"
#include "claims/claim_set.h"
#include "cli/commands.h"
#include "cli/dcap_flags.h"
#include "cli/report.h"
#include "crypto/x509.h"
#include "evidence/dcap/verify.h"
#include "evidence/sgx/claims.h"
#include "evidence/sgx/verify.h"
#include "evidence/tdx/claims.h"
#include "evidence/tdx/verify.h"

namespace vouch::cli {
namespace {

struct VerifyDcapFlags {
  std::string quote, at, ccel;
  DcapCollateralFlags collateral;
  bool json = false;
};

int verify_dcap(const Context& ctx, const VerifyDcapFlags& f, dcap::TeeKind tee) {
  Timestamp at = ctx.clock.now();
  if (!f.at.empty()) {
    auto t = parse_time_arg(f.at);
    if (!t) {
      return print_error(ctx, std::move(t.error()).with_context("--at"));
    }
    at = *t;
  }
  auto raw = read_file(f.quote);
  if (!raw) {
    return print_error(ctx, raw.error());
  }
  const Bytes quote = quote_bytes(std::move(*raw));
  std::optional<Bytes> ccel;
  if (!f.ccel.empty()) {
    auto l = read_file(f.ccel);
    if (!l) {
      return print_error(ctx, l.error());
    }
    ccel = std::move(*l);
  }
  auto collateral = load_dcap_collateral(f.collateral);
  if (!collateral) {
    return print_error(ctx, collateral.error());
  }
  auto verifier = make_dcap_verifier(f.collateral);
  if (!verifier) {
    return print_error(ctx, verifier.error());
  }
  // The CLI verifies whatever collateral it is given: items not supplied are reported as skipped
  // checks and listed in the dcap.collateral.unchecked claim.
  dcap::VerifyOptions options;
  options.at = at;
  options.allow_missing_collateral = true;
  evidence::CheckLog log;
  if (tee == dcap::TeeKind::kSgx) {
    // An OpenEnclave report or evidence starts with its header version (1 or 3) as a u32; a
    // quote starts with its version (3-5) and attestation key type 2.
    const bool open_enclave = quote.size() >= 4 && quote[1] == 0 && quote[2] == 0 &&
                              quote[3] == 0 && (quote[0] == 1 || quote[0] == 3);
    auto verified = open_enclave
                        ? sgx::verify_openenclave(*verifier, quote, *collateral, options, log)
                        : sgx::verify_quote(*verifier, quote, *collateral, options, log);
    if (!verified) {
      return print_report(ctx, f.json, "SGX quote", log, nullptr, &verified.error());
    }
    const claims::ClaimSet claims = sgx::to_claims(*verified);
    return print_report(ctx, f.json, "SGX quote", log, &claims, nullptr);
  }
  tdx::TdxEvidence evidence{quote, std::nullopt};
  if (ccel) {
    evidence.ccel = ByteSpan(*ccel);
  }
  auto verified = tdx::verify_quote(*verifier, evidence, *collateral, options, log);
  if (!verified) {
    return print_report(ctx, f.json, "TDX quote", log, nullptr, &verified.error());
  }
  const claims::ClaimSet claims = tdx::to_claims(*verified);
  return print_report(ctx, f.json, "TDX quote", log, &claims, nullptr);
}

void add_one(CLI::App& verify, const Context& ctx, Action& action, dcap::TeeKind tee) {
  auto flags = std::make_shared<VerifyDcapFlags>();
  const bool sgx = tee == dcap::TeeKind::kSgx;
  CLI::App* cmd = verify.add_subcommand(
      sgx ? "sgx" : "tdx",
      sgx ? "Verify an Intel SGX DCAP quote (v3, v4, v5) or an OpenEnclave report/evidence: PCK\n"
            "chain to the Intel SGX Root CA, CRLs, QE report, quote signature, QE identity and\n"
            "TCB level (with the collateral given)"
          : "Verify an Intel TDX DCAP quote (v4, v5; TDX 1.0 and 1.5): PCK chain to the Intel SGX\n"
            "Root CA, CRLs, QE report, quote signature, TD QE identity, TDX module and TCB level\n"
            "(with the collateral given), and optionally a CCEL event log against the RTMRs");
  cmd->add_option("--quote", flags->quote, "Quote file: binary, or hex text")->required();
  add_dcap_collateral_options(*cmd, flags->collateral);
  if (!sgx) {
    cmd->add_option("--ccel", flags->ccel,
                    "CCEL event log to replay against the quote's RTMRs (padding allowed)");
  }
  cmd->add_option("--at", flags->at,
                  "Verification time (RFC 3339 or Unix seconds) for certificates and collateral; "
                  "default now");
  cmd->add_flag("--json", flags->json, "Print the report as JSON");
  cmd->callback([&ctx, &action, flags, tee] {
    action = [&ctx, flags, tee] { return verify_dcap(ctx, *flags, tee); };
  });
}

}  // namespace

void add_verify_dcap(CLI::App& verify, const Context& ctx, Action& action) {
  add_one(verify, ctx, action, dcap::TeeKind::kSgx);
  add_one(verify, ctx, action, dcap::TeeKind::kTdx);
}

}  // namespace vouch::cli
