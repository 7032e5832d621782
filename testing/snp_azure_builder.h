#pragma once

// Azure confidential VM fixtures for tests: an HCL report whose SEV-SNP report (signed by a fake
// VCEK) binds runtime claims that carry a software vTPM AK, and a vTPM quote signed by that AK.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "evidence/azure_cvm/guest_request.h"
#include "evidence/azure_cvm/verify.h"
#include "testing/fake_amd_pki.h"
#include "testing/tpm_quote_builder.h"

namespace vouch::testing {

struct AzureCvmFixture {
  FakeVek vek;
  SoftwareAk ak;
  nlohmann::json runtime;
  azure_cvm::HclReport hcl;
  Bytes hcl_bytes;
  azure_cvm::TpmQuote quote;
  Bytes nonce;
};

// Builds Azure CVM evidence on `product`'s fake PKI. `edit_runtime` changes the runtime claims
// before they are hashed into the SNP report.
AzureCvmFixture make_azure_cvm(AmdProduct product, ByteSpan nonce,
                               const std::function<void(nlohmann::json&)>& edit_runtime = {});

// The fixture's quote in the JSON file form ({signature, message, pcrs} as hex strings).
std::string tpm_quote_json(const azure_cvm::TpmQuote& quote);

// The fixture's VCEK chain as MAA's VcekCertChain carries it: PEM VCEK, ASK, ARK.
std::string vcek_chain_pem(const AzureCvmFixture& f, AmdProduct product);

// An Azure guest attestation request (IsolationInfo SevSnp) as Azure's guest library builds it
// from the fixture: SnpReport = the HCL's SNP report, RunTimeData = the runtime claims, AikPub =
// the AK as TPM2B_PUBLIC, PcrQuote = the TPMS_ATTEST, PcrSignature = the raw RSA signature, PCRs
// 0-23 (SHA-256), OS facts of an Ubuntu 22.04 guest and ClientPayload {"nonce": "MTIzNA=="}.
azure_cvm::GuestAttestationInfo make_azure_guest(const AzureCvmFixture& f,
                                                 std::string vcek_chain_pem);

}  // namespace vouch::testing
