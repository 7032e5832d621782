// `vouch verify sgx` and `vouch verify tdx`: verify an Intel DCAP quote offline.

#include <optional>
#include <ostream>
#include <string>

#include "base/encoding.h"
#include "base/file.h"
#include "claims/claim_set.h"
#include "cli/commands.h"
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
  std::string quote, tcb_info, qe_identity, pck_crl, root_ca_crl, tcb_signing_chain, root_ca, at,
      ccel;
  bool json = false;
};

Error usage(std::string detail) {
  return Error{ErrorKind::kInvalidArgument, checks::kInvalidArgument, std::move(detail)};
}

// A quote file is binary, or hex text (whitespace and a leading "0x" allowed).
Bytes quote_bytes(Bytes data) {
  std::string hex;
  for (std::uint8_t c : data) {
    if (std::isspace(c) != 0) {
      continue;
    }
    if (std::isxdigit(c) == 0 && !(c == 'x' && hex == "0")) {
      return data;
    }
    hex += static_cast<char>(c);
  }
  if (hex.rfind("0x", 0) == 0) {
    hex = hex.substr(2);
  }
  auto decoded = hex_decode(hex);
  return decoded && !decoded->empty() ? std::move(*decoded) : data;
}

std::string text(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

// Reads every file the flags name into the collateral; unreadable files are usage errors.
Result<dcap::QuoteCollateral> load_collateral(const VerifyDcapFlags& f) {
  dcap::QuoteCollateral c;
  std::string chain;
  if (!f.tcb_signing_chain.empty()) {
    VOUCH_TRY(Bytes b, read_file(f.tcb_signing_chain));
    chain = text(b);
  } else if (!f.tcb_info.empty() || !f.qe_identity.empty()) {
    return tl::unexpected(
        usage("--tcb-info and --qe-identity need --tcb-signing-chain (the TCB Signing "
              "certificate chain that signed them)"));
  }
  if (!f.tcb_info.empty()) {
    VOUCH_TRY(std::string json, read_text_file(f.tcb_info));
    c.tcb_info = collateral::IntelSignedJson{std::move(json), chain};
  }
  if (!f.qe_identity.empty()) {
    VOUCH_TRY(std::string json, read_text_file(f.qe_identity));
    c.qe_identity = collateral::IntelSignedJson{std::move(json), chain};
  }
  if (!f.pck_crl.empty()) {
    VOUCH_TRY(Bytes crl, read_file(f.pck_crl));
    c.pck_crl = collateral::IntelCrl{std::move(crl), {}};
  }
  if (!f.root_ca_crl.empty()) {
    VOUCH_TRY(Bytes crl, read_file(f.root_ca_crl));
    c.root_ca_crl = collateral::IntelCrl{std::move(crl), {}};
  }
  return c;
}

Result<dcap::Verifier> make_verifier(const VerifyDcapFlags& f) {
  if (f.root_ca.empty()) {
    return dcap::Verifier::intel();
  }
  VOUCH_TRY(Bytes data, read_file(f.root_ca));
  VOUCH_TRY(auto roots, crypto::Certificate::parse_bundle(data).map_error([&](Error e) {
    e.kind = ErrorKind::kInvalidArgument;
    return std::move(e).with_context("--root-ca");
  }));
  return dcap::Verifier::with_roots(std::move(roots));
}

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
  auto collateral = load_collateral(f);
  if (!collateral) {
    return print_error(ctx, collateral.error());
  }
  auto verifier = make_verifier(f);
  if (!verifier) {
    return print_error(ctx, verifier.error());
  }
  // The CLI verifies whatever collateral it is given: items not supplied are reported as skipped
  // checks and listed in the dcap.collateral.unchecked claim.
  const dcap::VerifyOptions options{at, true};
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
  cmd->add_option("--tcb-info", flags->tcb_info,
                  "TCB Info as Intel PCS serves it: {\"tcbInfo\": ..., \"signature\": ...}");
  cmd->add_option(
      "--qe-identity", flags->qe_identity,
      "QE identity as Intel PCS serves it: {\"enclaveIdentity\": ..., \"signature\": ...}");
  cmd->add_option("--pck-crl", flags->pck_crl,
                  "CRL of the PCK's CA (processor or platform), DER or PEM");
  cmd->add_option("--root-ca-crl", flags->root_ca_crl, "Intel SGX Root CA CRL, DER or PEM");
  cmd->add_option("--tcb-signing-chain", flags->tcb_signing_chain,
                  "TCB Signing certificate chain (PEM, or the DER certificate) that signed the TCB "
                  "Info and QE identity");
  cmd->add_option("--root-ca", flags->root_ca,
                  "Trust this root (PEM or DER) instead of the built-in Intel SGX Root CA");
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
