#pragma once

// Azure confidential VM (SEV-SNP) evidence: the HCL report's SNP report verified by the SEV-SNP
// verifier with REPORT_DATA = H(runtime claims) (exact, zero padded), the runtime claims' HCLAkPub
// taken as the vTPM attestation key, and the vTPM quote and PCRs verified with it by the TPM
// verifier. TDX-based HCL reports are rejected ("TDX not yet supported") until the TDX verifier
// exists.

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "collateral/amd_kds.h"
#include "evidence/azure_cvm/hcl.h"
#include "evidence/check_log.h"
#include "evidence/sevsnp/verify.h"
#include "evidence/tpm/verify.h"

namespace vouch::azure_cvm {

// A vTPM quote as Azure guest tooling hands it over: TPMS_ATTEST, the raw RSASSA-PKCS#1 v1.5
// SHA-256 signature by HCLAkPub, and the 24 SHA-256 PCR values (index = position).
struct TpmQuote {
  Bytes message;
  Bytes signature;
  std::vector<Bytes> pcrs;
};

// Parses the JSON form {"signature", "message", "pcrs"} (hex strings, or arrays of byte values,
// as both appear in the wild). Fails with azure.tpm_quote.format naming the member.
[[nodiscard]] Result<TpmQuote> parse_tpm_quote_json(std::string_view json);

struct AzureCvmEvidence {
  ByteSpan hcl_report;
  TpmQuote tpm_quote;
  std::optional<ByteSpan> event_log;  // TCG log to replay against the quoted PCRs
};

struct VerifyOptions {
  Timestamp at;
  Bytes expected_nonce;  // vTPM quote extraData, byte for byte (empty: must be empty)
  sevsnp::RevocationMode revocation = sevsnp::RevocationMode::kRequire;
};

// VerifiedAzureCvm is Azure CVM evidence whose every check passed; only verify() makes one.
class VerifiedAzureCvm {
 public:
  const HclReport& hcl() const noexcept { return hcl_; }
  const sevsnp::VerifiedReport& snp() const noexcept { return *snp_; }
  const tpm::VerifiedQuote& quote() const noexcept { return *quote_; }
  const nlohmann::json& runtime_claims() const noexcept { return runtime_; }
  const crypto::PublicKey& ak() const noexcept { return *ak_; }

 private:
  friend Result<VerifiedAzureCvm> verify(const sevsnp::Verifier&, const AzureCvmEvidence&,
                                         collateral::AmdKds&, const VerifyOptions&,
                                         evidence::CheckLog&);
  VerifiedAzureCvm() = default;
  HclReport hcl_;
  std::optional<sevsnp::VerifiedReport> snp_;
  std::optional<tpm::VerifiedQuote> quote_;
  nlohmann::json runtime_;
  std::optional<crypto::PublicKey> ak_;
};

// Verifies Azure CVM evidence. The SNP report's VCEK comes from `kds` (SuppliedAmdKds for the
// certificate that came with the evidence). Every step is recorded in `log` (with the SNP and TPM
// checks' own ids). Errors: azure.* (evidence/azure_cvm/check_ids.h), snp.* and tpm.* ids.
[[nodiscard]] Result<VerifiedAzureCvm> verify(const sevsnp::Verifier& snp_verifier,
                                              const AzureCvmEvidence& evidence,
                                              collateral::AmdKds& kds, const VerifyOptions& options,
                                              evidence::CheckLog& log);

// Claims shaped like Azure guest attestation: x-ms-isolation-tee {x-ms-attestation-type
// "sevsnpvm", x-ms-runtime (the HCL runtime claims), x-ms-sevsnpvm-*}, x-ms-azurevm-vmid and
// x-ms-azurevm-attested-pcrs; the canonical snp.*, tpm.* and azure.* claims. Cannot fail.
claims::ClaimSet to_claims(const VerifiedAzureCvm& verified);

// Converts JSON to a claim value: objects, arrays, strings, booleans and integers. Fails with
// azure.runtime_claims on null, fractional or out-of-range numbers (no claim type holds them).
[[nodiscard]] Result<claims::ClaimValue> json_to_claim(const nlohmann::json& j);

}  // namespace vouch::azure_cvm
