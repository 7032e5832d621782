#pragma once

// Azure confidential VM evidence: the HCL report's hardware report verified with REPORT_DATA =
// H(runtime claims) (exact, zero padded), the runtime claims' HCLAkPub taken as the vTPM
// attestation key, and the vTPM quote and PCRs verified with it by the TPM verifier.
//   SEV-SNP: the SNP report is verified by the SEV-SNP verifier (VCEK chain, signature, binding).
//   TDX: the TDREPORT cannot be verified outside the TD, so the TD quote for it is required: the
//   DCAP verifier checks it with its collateral, its TD report body must equal the TDREPORT's
//   (tee_tcb_svn, mr_seam, mr_signer_seam, attributes, xfam, mr_td, mr_config_id, mr_owner,
//   mr_owner_config, rtmr[0-3], report_data), and its REPORT_DATA must be H(runtime claims).

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "collateral/amd_kds.h"
#include "evidence/azure_cvm/hcl.h"
#include "evidence/check_log.h"
#include "evidence/dcap/verify.h"
#include "evidence/sevsnp/verify.h"
#include "evidence/tdx/verify.h"
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
  std::optional<ByteSpan> td_quote;   // TDX: the TD quote for the HCL report's TDREPORT
};

struct VerifyOptions {
  Timestamp at;
  Bytes expected_nonce;  // vTPM quote extraData, byte for byte (empty: must be empty)
  sevsnp::RevocationMode revocation = sevsnp::RevocationMode::kRequire;
};

// What verifies the hardware report. SEV-SNP needs `snp` and `amd_kds` (SuppliedAmdKds for the
// certificates that came with the evidence); TDX needs `dcap` and `tdx_collateral`. A missing
// verifier for the report's kind fails with azure.tdx.no_verifier / azure.hcl.hardware_report
// (kCollateralUnavailable): the node cannot judge it, the evidence is not at fault.
struct HardwareRoots {
  const sevsnp::Verifier* snp = nullptr;
  collateral::AmdKds* amd_kds = nullptr;
  const dcap::Verifier* dcap = nullptr;
  const dcap::QuoteCollateral* tdx_collateral = nullptr;
  dcap::VerifyOptions tdx_options{};  // its `at` is replaced by the verification time
};

// The vTPM quote in TPM form.
struct VtpmQuote {
  Bytes attest;     // TPMS_ATTEST or TPM2B_ATTEST
  Bytes signature;  // TPMT_SIGNATURE
  tpm::PcrValues pcrs;
  std::optional<ByteSpan> event_log;
};

// Converts the {signature, message, pcrs} form: the raw signature becomes an RSASSA/SHA-256
// TPMT_SIGNATURE and PCR i the SHA-256 value at position i.
VtpmQuote to_vtpm_quote(const TpmQuote& quote, std::optional<ByteSpan> event_log);
// The longest raw RSA signature accepted (RSA-4096 is 512 bytes): parsers refuse longer ones.
inline constexpr std::size_t kMaxRawSignature = 1024;
// The TPMT_SIGNATURE (RSASSA, SHA-256) holding a raw RSA signature value.
Bytes raw_rsassa_signature(ByteSpan signature);

// CvmParts is Azure CVM evidence after its transport form is removed: an HCL report (parsed, or
// assembled from an AzureGuest request's hardware report and RunTimeData), the TD quote for TDX
// and the vTPM quote.
struct CvmParts {
  // report_type, hash, runtime_claims; hw_report is the SNP report or the TDREPORT, or empty for
  // TDX when only the TD quote was sent (AzureGuest).
  HclReport hcl;
  std::optional<ByteSpan> td_quote;
  VtpmQuote quote;
  // AzureGuest: the SubjectPublicKeyInfo of the AikPub sent, which must be HCLAkPub.
  std::optional<Bytes> aik_spki;
  // The vTPM quote's extraData, byte for byte; nullopt: not bound by the protocol (the value is
  // still reported as tpm.quote.nonce, and azure.vtpm.nonce_checked is false).
  std::optional<Bytes> expected_nonce;
};

// VerifiedAzureCvm is Azure CVM evidence whose every check passed; only verify_parts() makes one.
class VerifiedAzureCvm {
 public:
  const HclReport& hcl() const noexcept { return hcl_; }
  bool is_tdx() const noexcept { return hcl_.report_type == HwReportType::kTdx; }
  // The verified SNP report; only when !is_tdx().
  const sevsnp::VerifiedReport& snp() const noexcept { return *snp_; }
  // The verified TD quote; only when is_tdx().
  const tdx::VerifiedQuote& td_quote() const noexcept { return *td_; }
  const tpm::VerifiedQuote& quote() const noexcept { return *quote_; }
  const nlohmann::json& runtime_claims() const noexcept { return runtime_; }
  const crypto::PublicKey& ak() const noexcept { return *ak_; }
  // Whether the vTPM quote's extraData was compared with an expected nonce.
  bool nonce_checked() const noexcept { return nonce_checked_; }

 private:
  friend Result<VerifiedAzureCvm> verify_parts(const HardwareRoots&, const CvmParts&, Timestamp,
                                               sevsnp::RevocationMode, std::string_view,
                                               evidence::CheckLog&);
  VerifiedAzureCvm() = default;
  HclReport hcl_;
  std::optional<sevsnp::VerifiedReport> snp_;
  std::optional<tdx::VerifiedQuote> td_;
  std::optional<tpm::VerifiedQuote> quote_;
  nlohmann::json runtime_;
  std::optional<crypto::PublicKey> ak_;
  bool nonce_checked_ = true;
};

// Verifies Azure CVM evidence parts (see the file comment). `source` says where the HCL report
// came from (recorded as the azure.hcl.parse step). Every step is recorded in `log` (with the SNP,
// DCAP/TDX and TPM checks' own ids). Errors: azure.* (evidence/azure_cvm/check_ids.h), snp.*,
// dcap.*, tdx.* and tpm.* ids.
[[nodiscard]] Result<VerifiedAzureCvm> verify_parts(const HardwareRoots& roots,
                                                    const CvmParts& parts, Timestamp at,
                                                    sevsnp::RevocationMode revocation,
                                                    std::string_view source,
                                                    evidence::CheckLog& log);

// Verifies Azure CVM evidence: parses the HCL report (azure.hcl.* on failure) and verifies it with
// verify_parts. A TDX HCL report without evidence.td_quote fails with azure.tdx.td_quote_missing.
[[nodiscard]] Result<VerifiedAzureCvm> verify(const HardwareRoots& roots,
                                              const AzureCvmEvidence& evidence,
                                              const VerifyOptions& options,
                                              evidence::CheckLog& log);

// The SEV-SNP form of the above: the SNP report's VCEK comes from `kds` (SuppliedAmdKds for the
// certificate that came with the evidence); a TDX HCL report fails with azure.tdx.no_verifier.
[[nodiscard]] Result<VerifiedAzureCvm> verify(const sevsnp::Verifier& snp_verifier,
                                              const AzureCvmEvidence& evidence,
                                              collateral::AmdKds& kds, const VerifyOptions& options,
                                              evidence::CheckLog& log);

// Claims shaped like Azure guest attestation: x-ms-isolation-tee {x-ms-attestation-type
// "sevsnpvm" or "tdxvm", x-ms-runtime (the HCL runtime claims), x-ms-sevsnpvm-* or the TDX
// claims (tdx_*)}, x-ms-azurevm-vmid and x-ms-azurevm-attested-pcrs; the canonical snp.* or
// tdx.*/dcap.*, tpm.* and azure.* claims. Cannot fail.
claims::ClaimSet to_claims(const VerifiedAzureCvm& verified);

// Converts JSON to a claim value: objects, arrays, strings, booleans and integers. Fails with
// azure.runtime_claims on null, fractional or out-of-range numbers (no claim type holds them).
[[nodiscard]] Result<claims::ClaimValue> json_to_claim(const nlohmann::json& j);

}  // namespace vouch::azure_cvm
