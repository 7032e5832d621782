#pragma once

// The Intel DCAP collateral flags shared by `vouch verify sgx|tdx` and `vouch verify azure-cvm`
// (--tcb-info, --qe-identity, --pck-crl, --root-ca-crl, --tcb-signing-chain, --root-ca), and the
// quote file reader they use.

#include <CLI/CLI.hpp>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "evidence/dcap/verify.h"

namespace vouch::cli {

struct DcapCollateralFlags {
  std::string tcb_info, qe_identity, pck_crl, root_ca_crl, tcb_signing_chain, root_ca;
};

// Adds the collateral options to `cmd`, storing into `flags` (which must outlive `cmd`).
void add_dcap_collateral_options(CLI::App& cmd, DcapCollateralFlags& flags);

// Reads every file the flags name into the collateral; unreadable files and --tcb-info or
// --qe-identity without --tcb-signing-chain are usage errors (kInvalidArgument).
[[nodiscard]] Result<dcap::QuoteCollateral> load_dcap_collateral(const DcapCollateralFlags& flags);

// The DCAP verifier: trusting --root-ca when given, else the built-in Intel SGX Root CA.
[[nodiscard]] Result<dcap::Verifier> make_dcap_verifier(const DcapCollateralFlags& flags);

// A quote file's bytes: binary, or hex text (whitespace and a leading "0x" allowed).
Bytes quote_bytes(Bytes data);

}  // namespace vouch::cli
