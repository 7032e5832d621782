// `vouch verify sevsnp` and `vouch verify azure-cvm`: SEV-SNP reports and Azure confidential VM
// evidence, offline. A few lines over evidence/sevsnp and evidence/azure_cvm.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "base/file.h"
#include "claims/claim_set.h"
#include "cli/commands.h"
#include "cli/dcap_flags.h"
#include "cli/report.h"
#include "collateral/amd_kds.h"
#include "crypto/x509.h"
#include "evidence/azure_cvm/verify.h"
#include "evidence/sevsnp/abi.h"
#include "evidence/sevsnp/check_ids.h"
#include "evidence/sevsnp/claims.h"
#include "evidence/sevsnp/verify.h"

namespace vouch::cli {
namespace {

struct VerifySevSnpFlags {
  std::string report, vcek, cert_chain, report_data, at;
  bool json = false;
};

struct VerifyAzureCvmFlags {
  std::string hcl_report, vcek, tpm_quote, nonce, at, td_quote;
  DcapCollateralFlags collateral;
  bool json = false;
};

Result<Timestamp> when(const Context& ctx, const std::string& at) {
  if (at.empty()) {
    return ctx.clock.now();
  }
  return parse_time_arg(at).map_error([](Error e) { return std::move(e).with_context("--at"); });
}

// A report file is the 1184 raw bytes or their hex text (whitespace ignored).
Result<Bytes> report_from_file(const Bytes& data) {
  if (data.size() == sevsnp::kReportSize) {
    return data;
  }
  std::string text;
  for (std::uint8_t c : data) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      text.push_back(static_cast<char>(c));
    }
  }
  auto decoded = hex_decode(text);
  if (!decoded) {
    return malformed(sevsnp::checks::kReportSize, "--report is neither a " +
                                                      std::to_string(sevsnp::kReportSize) +
                                                      "-byte report nor its hex text");
  }
  return std::move(*decoded);
}

// The certificates of a PEM or DER file, as DER, without trusting them.
Result<std::vector<Bytes>> cert_ders(const Bytes& data, const std::string& flag) {
  auto certs = crypto::Certificate::parse_bundle(data);
  if (!certs) {
    return fail(std::move(certs.error()).with_context(flag));
  }
  std::vector<Bytes> out;
  for (const auto& c : *certs) {
    out.push_back(c.der());
  }
  return out;
}

// The anchors: AMD's built-in roots, or the ARK of --cert-chain (with its ASK/ASVK).
Result<sevsnp::TrustAnchors> anchors_from(const std::optional<Bytes>& chain_file) {
  if (!chain_file) {
    return sevsnp::TrustAnchors::amd();
  }
  VOUCH_TRY(auto certs, crypto::Certificate::parse_bundle(*chain_file).map_error([](Error e) {
    return std::move(e).with_context("--cert-chain");
  }));
  std::optional<sevsnp::ProductRoots> roots;
  std::vector<crypto::Certificate> intermediates;
  for (const auto& c : certs) {
    const std::string cn = sevsnp::common_name(c.subject());
    const auto product =
        cn.starts_with("ARK-") ? collateral::amd_product_from_name(cn.substr(4)) : std::nullopt;
    if (product) {
      roots = sevsnp::ProductRoots{*product, c, {}};
    } else {
      intermediates.push_back(c);
    }
  }
  if (!roots) {
    return fail(usage_error("--cert-chain holds no ARK-Milan, ARK-Genoa or ARK-Turin certificate"));
  }
  roots->intermediates = std::move(intermediates);
  return sevsnp::TrustAnchors::create({*roots});
}

int verify_sevsnp(const Context& ctx, const VerifySevSnpFlags& f) {
  auto at = when(ctx, f.at);
  if (!at) {
    return print_error(ctx, at.error());
  }
  sevsnp::ReportDataBinding binding = sevsnp::ReportDataBinding::not_required();
  if (!f.report_data.empty()) {
    auto rd = hex_decode(f.report_data);
    if (!rd) {
      return print_error(ctx, std::move(rd.error()).with_context("--report-data"));
    }
    if (rd->size() != 64) {
      return print_error(ctx,
                         usage_error("--report-data must be exactly 64 bytes (128 hex digits); "
                                     "REPORT_DATA is compared byte for byte"));
    }
    binding = sevsnp::ReportDataBinding::exact(*rd);
  }
  auto report_file = read_file(f.report);
  if (!report_file) {
    return print_error(ctx, report_file.error());
  }
  std::optional<Bytes> vcek_file;
  std::optional<Bytes> chain_file;
  for (const auto& [path, slot] : {std::pair{&f.vcek, &vcek_file}, {&f.cert_chain, &chain_file}}) {
    if (!path->empty()) {
      auto data = read_file(*path);
      if (!data) {
        return print_error(ctx, data.error());
      }
      *slot = std::move(*data);
    }
  }
  auto anchors = anchors_from(chain_file);
  if (!anchors) {
    return print_error(ctx, anchors.error());
  }

  evidence::CheckLog log;
  auto reject = [&](Error e) {
    log.fail(e);
    return print_report(ctx, f.json, "SEV-SNP report", log, nullptr, &e);
  };
  auto report = report_from_file(*report_file);
  if (!report) {
    return reject(report.error());
  }
  collateral::SuppliedAmdKds::Certificates supplied;
  if (vcek_file) {
    auto ders = cert_ders(*vcek_file, "--vcek");
    if (!ders) {
      return reject(ders.error());
    }
    supplied.vcek_der = ders->front();
    supplied.vlek_der = ders->front();
    if (ders->size() > 1) {
      supplied.intermediate_der = (*ders)[1];
    }
  }
  // No KDS client or CRL source is wired into the CLI yet: the VCEK must be supplied, and the
  // CRL is consulted best-effort (claim snp.revocation.checked says whether it was).
  collateral::SuppliedAmdKds kds(std::move(supplied), nullptr);
  const sevsnp::Verifier verifier(std::move(*anchors));
  const sevsnp::VerifyOptions options{*at, std::move(binding), std::nullopt,
                                      sevsnp::RevocationMode::kBestEffort, std::nullopt};
  auto verified = verifier.verify(*report, kds, options, log);
  if (!verified) {
    return print_report(ctx, f.json, "SEV-SNP report", log, nullptr, &verified.error());
  }
  const claims::ClaimSet claims = sevsnp::to_claims(*verified);
  return print_report(ctx, f.json, "SEV-SNP report", log, &claims, nullptr);
}

int verify_azure_cvm(const Context& ctx, const VerifyAzureCvmFlags& f) {
  auto at = when(ctx, f.at);
  if (!at) {
    return print_error(ctx, at.error());
  }
  Bytes nonce;
  if (!f.nonce.empty()) {
    auto n = hex_decode(f.nonce);
    if (!n) {
      return print_error(ctx, std::move(n.error()).with_context("--nonce"));
    }
    nonce = std::move(*n);
  }
  auto hcl = read_file(f.hcl_report);
  auto quote_file = read_text_file(f.tpm_quote);
  for (const Status& s : {hcl ? ok() : Status(tl::unexpected(hcl.error())),
                          quote_file ? ok() : Status(tl::unexpected(quote_file.error()))}) {
    if (!s) {
      return print_error(ctx, s.error());
    }
  }
  // SEV-SNP: the VCEK (and optionally ASK) that came with the evidence.
  std::optional<collateral::SuppliedAmdKds> kds;
  if (!f.vcek.empty()) {
    auto vcek_file = read_file(f.vcek);
    if (!vcek_file) {
      return print_error(ctx, vcek_file.error());
    }
    auto ders = cert_ders(*vcek_file, "--vcek");
    if (!ders) {
      return print_error(ctx, ders.error());
    }
    collateral::SuppliedAmdKds::Certificates supplied;
    supplied.vcek_der = ders->front();
    supplied.vlek_der = ders->front();
    if (ders->size() > 1) {
      supplied.intermediate_der = (*ders)[1];
    }
    // No KDS client or CRL source is wired into the CLI yet: the CRL is consulted best-effort.
    kds.emplace(std::move(supplied), nullptr);
  }
  // TDX: the TD quote and whatever DCAP collateral is given (items not supplied are reported as
  // skipped checks and listed in dcap.collateral.unchecked, as `vouch verify tdx` does).
  std::optional<Bytes> td_quote;
  if (!f.td_quote.empty()) {
    auto raw = read_file(f.td_quote);
    if (!raw) {
      return print_error(ctx, raw.error());
    }
    td_quote = quote_bytes(std::move(*raw));
  }
  auto tdx_collateral = load_dcap_collateral(f.collateral);
  if (!tdx_collateral) {
    return print_error(ctx, tdx_collateral.error());
  }
  auto dcap_verifier = make_dcap_verifier(f.collateral);
  if (!dcap_verifier) {
    return print_error(ctx, dcap_verifier.error());
  }
  auto anchors = sevsnp::TrustAnchors::amd();
  if (!anchors) {
    return print_error(ctx, anchors.error());
  }
  evidence::CheckLog log;
  auto quote = azure_cvm::parse_tpm_quote_json(*quote_file);
  if (!quote) {
    Error e = std::move(quote.error()).with_context("--tpm-quote");
    log.fail(e);
    return print_report(ctx, f.json, "Azure confidential VM", log, nullptr, &e);
  }
  const sevsnp::Verifier snp_verifier(std::move(*anchors));
  azure_cvm::HardwareRoots roots;
  if (kds) {
    roots.snp = &snp_verifier;
    roots.amd_kds = &*kds;
  }
  roots.dcap = &*dcap_verifier;
  roots.tdx_collateral = &*tdx_collateral;
  roots.tdx_options.allow_missing_collateral = true;
  azure_cvm::AzureCvmEvidence evidence{*hcl, std::move(*quote), std::nullopt, std::nullopt};
  if (td_quote) {
    evidence.td_quote = ByteSpan(*td_quote);
  }
  auto verified = azure_cvm::verify(
      roots, evidence, azure_cvm::VerifyOptions{*at, nonce, sevsnp::RevocationMode::kBestEffort},
      log);
  if (!verified) {
    return print_report(ctx, f.json, "Azure confidential VM", log, nullptr, &verified.error());
  }
  const claims::ClaimSet claims = azure_cvm::to_claims(*verified);
  return print_report(ctx, f.json, "Azure confidential VM", log, &claims, nullptr);
}

}  // namespace

void add_verify_sevsnp(CLI::App& verify, const Context& ctx, Action& action) {
  auto flags = std::make_shared<VerifySevSnpFlags>();
  CLI::App* cmd = verify.add_subcommand(
      "sevsnp",
      "Verify an AMD SEV-SNP attestation report: ARK -> ASK/ASVK -> VCEK/VLEK chain, the\n"
      "certificate's TCB, chip id and product against the report, the report signature and the\n"
      "report data");
  cmd->add_option("--report", flags->report, "ATTESTATION_REPORT: 1184 bytes, or their hex text")
      ->required();
  cmd->add_option("--vcek", flags->vcek,
                  "VCEK or VLEK certificate (PEM or DER; a PEM bundle may add the ASK). Without "
                  "it the certificate would have to come from AMD KDS, which the CLI does not "
                  "reach (exit 3)");
  cmd->add_option("--cert-chain", flags->cert_chain,
                  "PEM with the ASK/ASVK and ARK to trust instead of the built-in AMD roots");
  cmd->add_option("--report-data", flags->report_data,
                  "Expected REPORT_DATA: exactly 64 bytes in hex, compared byte for byte. Absent: "
                  "not checked (claim snp.report_data.binding = not_required)");
  cmd->add_option("--at", flags->at,
                  "Verification time (RFC 3339 or Unix seconds) for certificate validity; "
                  "default now");
  cmd->add_flag("--json", flags->json, "Print the report as JSON");
  cmd->callback(
      [&ctx, &action, flags] { action = [&ctx, flags] { return verify_sevsnp(ctx, *flags); }; });
}

void add_verify_azure_cvm(CLI::App& verify, const Context& ctx, Action& action) {
  auto flags = std::make_shared<VerifyAzureCvmFlags>();
  CLI::App* cmd = verify.add_subcommand(
      "azure-cvm",
      "Verify Azure confidential VM evidence: the HCL report's hardware report (an SEV-SNP\n"
      "report, checked with --vcek; or a TDX TDREPORT, checked through the TD quote given with\n"
      "--td-quote and the DCAP collateral flags), the runtime claims bound in its report data,\n"
      "and the vTPM quote signed by the HCL attestation key (HCLAkPub)");
  cmd->add_option("--hcl-report", flags->hcl_report, "HCL report (vTPM NV index 0x01400001)")
      ->required();
  cmd->add_option("--vcek", flags->vcek,
                  "SEV-SNP: VCEK certificate (PEM or DER; a bundle may add the ASK). Required for "
                  "an SNP HCL report (exit 3 without it)");
  cmd->add_option("--tpm-quote", flags->tpm_quote,
                  "vTPM quote as JSON {signature, message, pcrs} (hex or byte arrays)")
      ->required();
  cmd->add_option("--nonce", flags->nonce,
                  "Expected vTPM quote nonce in hex, byte for byte. Absent: extraData must be "
                  "empty");
  cmd->add_option("--td-quote", flags->td_quote,
                  "TDX: the TD quote for the HCL report's TDREPORT (binary or hex). Its TD report "
                  "body must equal the TDREPORT and its REPORT_DATA bind the runtime claims");
  add_dcap_collateral_options(*cmd, flags->collateral);
  cmd->add_option("--at", flags->at,
                  "Verification time (RFC 3339 or Unix seconds) for certificates and collateral; "
                  "default now");
  cmd->add_flag("--json", flags->json, "Print the report as JSON");
  cmd->callback(
      [&ctx, &action, flags] { action = [&ctx, flags] { return verify_azure_cvm(ctx, *flags); }; });
}

}  // namespace vouch::cli
