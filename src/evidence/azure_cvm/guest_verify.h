#pragma once

// Azure guest attestation (/attest/AzureGuest): an AttestationInfo request verified as Azure CVM
// evidence. The hardware report (SevSnp: Proof.SnpReport with its VcekCertChain; Tdx: the TD
// quote in Proof) must bind SHA-256(RunTimeData) in REPORT_DATA (zero padded, exact); the
// runtime claims' HCLAkPub must be TpmInfo.AikPub; PcrQuote must be signed by it (PcrSignature),
// its PCR digest must match PCRs, and TcgLogs, when sent, is replayed against the quoted PCRs.
// TrustedLaunch requests carry no hardware isolation evidence and are rejected
// (azure.guest.trusted_launch). The protocol carries no nonce: freshness comes from Azure's
// sealed response, which Vouch does not produce (docs/service.md), so the quote's extraData is
// reported, not compared, unless the caller supplies a nonce.

#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "claims/claim_set.h"
#include "evidence/azure_cvm/guest_request.h"
#include "evidence/azure_cvm/verify.h"

namespace vouch::azure_cvm {

struct GuestVerifyOptions {
  Timestamp at;
  std::optional<Bytes> expected_nonce;  // vTPM quote extraData; nullopt: not bound
  sevsnp::RevocationMode revocation = sevsnp::RevocationMode::kRequire;
};

// An AzureGuest request whose every check passed; only verify_guest() makes one.
class VerifiedAzureGuest {
 public:
  const GuestAttestationInfo& info() const noexcept { return info_; }
  const VerifiedAzureCvm& cvm() const noexcept { return *cvm_; }

 private:
  friend Result<VerifiedAzureGuest> verify_guest(const HardwareRoots&, const GuestAttestationInfo&,
                                                 const GuestVerifyOptions&, evidence::CheckLog&);
  VerifiedAzureGuest() = default;
  GuestAttestationInfo info_;
  std::optional<VerifiedAzureCvm> cvm_;
};

// Verifies a parsed AttestationInfo. `roots` must hold the SEV-SNP verifier and a VCEK source
// built from info.isolation.vcek_cert_chain (SevSnp), or the DCAP verifier and the TD quote's
// collateral (Tdx). Errors: azure.guest.trusted_launch, azure.guest.aik_pub, tpm.public.* /
// tpm.ak.parse for an unreadable AikPub, and everything verify_parts fails with.
[[nodiscard]] Result<VerifiedAzureGuest> verify_guest(const HardwareRoots& roots,
                                                      const GuestAttestationInfo& info,
                                                      const GuestVerifyOptions& options,
                                                      evidence::CheckLog& log);

// Claims shaped like Azure guest attestation (maa.md section 3.7): everything to_claims gives
// for the CVM evidence, plus x-ms-azurevm-attestation-protocol-ver, -ostype, -osdistro,
// -osversion-major/-minor, -osbuild (as the guest reported them), and secureboot when the TCG
// log proved it from the verified PCR 7. Cannot fail.
claims::ClaimSet to_claims(const VerifiedAzureGuest& verified);

}  // namespace vouch::azure_cvm
