#include "cli/dcap_flags.h"

#include <cctype>

#include "base/encoding.h"
#include "base/file.h"
#include "cli/commands.h"
#include "cli/report.h"
#include "crypto/x509.h"

namespace vouch::cli {

void add_dcap_collateral_options(CLI::App& cmd, DcapCollateralFlags& flags) {
  cmd.add_option("--tcb-info", flags.tcb_info,
                 "TCB Info as Intel PCS serves it: {\"tcbInfo\": ..., \"signature\": ...}");
  cmd.add_option(
      "--qe-identity", flags.qe_identity,
      "QE identity as Intel PCS serves it: {\"enclaveIdentity\": ..., \"signature\": ...}");
  cmd.add_option("--pck-crl", flags.pck_crl,
                 "CRL of the PCK's CA (processor or platform), DER or PEM");
  cmd.add_option("--root-ca-crl", flags.root_ca_crl, "Intel SGX Root CA CRL, DER or PEM");
  cmd.add_option("--tcb-signing-chain", flags.tcb_signing_chain,
                 "TCB Signing certificate chain (PEM, or the DER certificate) that signed the TCB "
                 "Info and QE identity");
  cmd.add_option("--root-ca", flags.root_ca,
                 "Trust this root (PEM or DER) instead of the built-in Intel SGX Root CA");
}

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

Result<dcap::QuoteCollateral> load_dcap_collateral(const DcapCollateralFlags& f) {
  dcap::QuoteCollateral c;
  std::string chain;
  if (!f.tcb_signing_chain.empty()) {
    VOUCH_TRY(chain, read_text_file(f.tcb_signing_chain));
  } else if (!f.tcb_info.empty() || !f.qe_identity.empty()) {
    return tl::unexpected(
        usage_error("--tcb-info and --qe-identity need --tcb-signing-chain (the TCB Signing "
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

Result<dcap::Verifier> make_dcap_verifier(const DcapCollateralFlags& f) {
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

}  // namespace vouch::cli
