// `vouch verify tpm`: verifies a TPM 2.0 quote offline.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "base/file.h"
#include "claims/claim_set.h"
#include "cli/commands.h"
#include "cli/report.h"
#include "crypto/x509.h"
#include "evidence/tpm/ak.h"
#include "evidence/tpm/claims.h"
#include "evidence/tpm/pcr_values.h"
#include "evidence/tpm/verify.h"

namespace vouch::cli {
namespace {

struct VerifyTpmFlags {
  std::string quote, signature, ak, ak_cert, pcrs, event_log, nonce, at;
  std::vector<std::string> trust_anchors, intermediates;
  std::string pcr_bank = "sha256";
  bool json = false;
};

Result<std::vector<crypto::Certificate>> load_certs(const std::vector<std::string>& paths) {
  std::vector<crypto::Certificate> out;
  for (const std::string& p : paths) {
    VOUCH_TRY(Bytes data, read_file(p));
    VOUCH_TRY(auto certs, crypto::Certificate::parse_bundle(data).map_error(
                              [&](Error e) { return std::move(e).with_context(p); }));
    out.insert(out.end(), certs.begin(), certs.end());
  }
  return out;
}

int verify_tpm(const Context& ctx, const VerifyTpmFlags& f) {
  // Usage checks first: they are about the command line, not the evidence.
  if (!f.ak_cert.empty() && f.trust_anchors.empty()) {
    return print_error(ctx, Error{ErrorKind::kInvalidArgument, checks::kInvalidArgument,
                                  "--ak-cert needs at least one --trust-anchor"});
  }
  if (f.ak_cert.empty() && (!f.trust_anchors.empty() || !f.intermediates.empty())) {
    return print_error(ctx, Error{ErrorKind::kInvalidArgument, checks::kInvalidArgument,
                                  "--trust-anchor and --intermediate only apply with --ak-cert"});
  }
  if (!f.event_log.empty() && f.pcrs.empty()) {
    return print_error(ctx, Error{ErrorKind::kInvalidArgument, checks::kInvalidArgument,
                                  "--event-log needs --pcrs (the log is replayed against them)"});
  }
  const auto bank = crypto::hash_from_name(f.pcr_bank);
  Timestamp at = ctx.clock.now();
  if (!f.at.empty()) {
    auto t = parse_time_arg(f.at);
    if (!t) {
      return print_error(ctx, std::move(t.error()).with_context("--at"));
    }
    at = *t;
  }
  Bytes nonce;
  if (!f.nonce.empty()) {
    auto n = hex_decode(f.nonce);
    if (!n) {
      return print_error(ctx, std::move(n.error()).with_context("--nonce"));
    }
    nonce = std::move(*n);
  }

  // Read every file (unreadable → usage error), then parse (malformed → rejected).
  auto quote = read_file(f.quote);
  auto signature = read_file(f.signature);
  auto ak_bytes = read_file(f.ak);
  for (const auto* r : {&quote, &signature, &ak_bytes}) {
    if (!r->has_value()) {
      return print_error(ctx, r->error());
    }
  }
  std::optional<Bytes> log_bytes;
  if (!f.event_log.empty()) {
    auto l = read_file(f.event_log);
    if (!l) {
      return print_error(ctx, l.error());
    }
    log_bytes = std::move(*l);
  }
  std::optional<std::string> pcrs_text;
  if (!f.pcrs.empty()) {
    auto p = read_text_file(f.pcrs);
    if (!p) {
      return print_error(ctx, p.error());
    }
    pcrs_text = std::move(*p);
  }
  std::optional<Bytes> cert_bytes;
  if (!f.ak_cert.empty()) {
    auto c = read_file(f.ak_cert);
    if (!c) {
      return print_error(ctx, c.error());
    }
    cert_bytes = std::move(*c);
  }
  auto anchors = load_certs(f.trust_anchors);
  if (!anchors) {
    return print_error(ctx, anchors.error());
  }
  auto intermediates = load_certs(f.intermediates);
  if (!intermediates) {
    return print_error(ctx, intermediates.error());
  }

  evidence::CheckLog log;
  auto reject = [&](Error e) {
    log.fail(e);
    return print_report(ctx, f.json, "TPM quote", log, nullptr, &e);
  };
  auto ak = tpm::load_ak(*ak_bytes);
  if (!ak) {
    return reject(std::move(ak.error()).with_context("--ak"));
  }
  tpm::QuoteEvidence evidence{*quote, *signature, std::nullopt, std::nullopt};
  if (pcrs_text) {
    auto pcrs = tpm::parse_pcr_values_json(*pcrs_text, *bank);
    if (!pcrs) {
      return reject(std::move(pcrs.error()).with_context("--pcrs"));
    }
    evidence.pcrs = std::move(*pcrs);
  }
  if (log_bytes) {
    evidence.event_log = ByteSpan(*log_bytes);
  }
  tpm::QuoteVerifyOptions options{at, nonce, std::nullopt};
  std::optional<crypto::TrustStore> store;
  if (cert_bytes) {
    auto cert = crypto::Certificate::parse_bundle(*cert_bytes);
    if (!cert) {
      return reject(std::move(cert.error()).with_context("--ak-cert"));
    }
    auto s = crypto::TrustStore::create(*anchors);
    if (!s) {
      return print_error(ctx, s.error());
    }
    store = std::move(*s);
    // A bundle may carry the AK certificate followed by its intermediates.
    std::vector<crypto::Certificate> chain_rest(cert->begin() + 1, cert->end());
    chain_rest.insert(chain_rest.end(), intermediates->begin(), intermediates->end());
    options.ak_certificate = tpm::AkCertificate{cert->front(), &*store, std::move(chain_rest)};
  }

  auto verified = tpm::verify_quote(*ak, evidence, options, log);
  if (!verified) {
    return print_report(ctx, f.json, "TPM quote", log, nullptr, &verified.error());
  }
  const claims::ClaimSet claims = tpm::to_claims(*verified);
  return print_report(ctx, f.json, "TPM quote", log, &claims, nullptr);
}

}  // namespace

void add_verify_tpm(CLI::App& verify, const Context& ctx, Action& action) {
  auto flags = std::make_shared<VerifyTpmFlags>();
  CLI::App* cmd = verify.add_subcommand(
      "tpm",
      "Verify a TPM 2.0 quote: AK signature, nonce, PCR digest, AK certificate chain, and the TCG\n"
      "event log replayed against the quoted PCRs");
  cmd->add_option("--quote", flags->quote, "TPMS_ATTEST (or TPM2B_ATTEST) file")->required();
  cmd->add_option("--signature", flags->signature, "TPMT_SIGNATURE file")->required();
  cmd->add_option("--ak", flags->ak, "AK public key: TPMT_PUBLIC, TPM2B_PUBLIC, PEM or DER")
      ->required();
  cmd->add_option("--ak-cert", flags->ak_cert,
                  "AK certificate (PEM/DER; a PEM bundle may add intermediates). Without it the "
                  "AK is pinned: the caller vouches for the exact key");
  cmd->add_option("--trust-anchor", flags->trust_anchors,
                  "Trust anchor certificate(s) for --ak-cert");
  cmd->add_option("--intermediate", flags->intermediates, "Intermediate CA certificate(s)");
  cmd->add_option("--pcrs", flags->pcrs,
                  "PCR values as JSON {\"<index>\": \"<hex>\"} (bank from --pcr-bank), or "
                  "{\"<bank>\": {...}} for several banks");
  cmd->add_option("--pcr-bank", flags->pcr_bank, "Bank of a flat --pcrs object")
      ->check(CLI::IsMember({"sha1", "sha256", "sha384", "sha512"}));
  cmd->add_option("--event-log", flags->event_log,
                  "TCG PC Client event log (binary_bios_measurements) to replay; needs --pcrs");
  cmd->add_option("--nonce", flags->nonce,
                  "Expected nonce in hex; extraData must equal it byte for byte. Absent: "
                  "extraData must be empty");
  cmd->add_option("--at", flags->at,
                  "Verification time (RFC 3339 or Unix seconds) for certificate validity; "
                  "default now");
  cmd->add_flag("--json", flags->json, "Print the report as JSON");
  cmd->callback(
      [&ctx, &action, flags] { action = [&ctx, flags] { return verify_tpm(ctx, *flags); }; });
}

}  // namespace vouch::cli
