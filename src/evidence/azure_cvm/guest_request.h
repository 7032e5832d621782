#pragma once

// Azure guest attestation requests: the AttestationInfo JSON that Azure's CVM guest attestation
// library (cvm-guest-attestation AttestationParameters / TpmInfo / IsolationInfo) sends to
// /attest/AzureGuest inside {"AttestationInfo": base64url(JSON)} (maa.md section 1.5.6):
//
//   AttestationProtocolVersion  string ("2.0")
//   OSType, OSDistro, OSBuild   base64 of text ("Linux", "Ubuntu", "NotApplication")
//   OSVersionMajor, Minor       integers
//   TcgLogs                     base64 TCG event log (may be empty)
//   ClientPayload               object of strings (echoed as x-ms-runtime.client-payload)
//   TpmInfo                     AikCert (DER), AikPub (TPM2B_PUBLIC / TPMT_PUBLIC), PcrQuote
//                               (TPMS_ATTEST / TPM2B_ATTEST), PcrSignature (the raw RSA signature,
//                               or a TPMT_SIGNATURE), EncKeyPub, EncKeyCertifyInfo,
//                               EncKeyCertifyInfoSignature: base64; PcrSet [index];
//                               PCRs [{Index, Digest (base64 SHA-256)}]
//   IsolationInfo               Type "TrustedLaunch" | "SevSnp" | "Tdx"; Evidence {Proof,
//                               RunTimeData}: Proof is base64 of {"SnpReport": base64url,
//                               "VcekCertChain": PEM} for SevSnp, or base64 of the TD quote for
//                               Tdx; RunTimeData is base64 of the HCL runtime-claims JSON.
//
// Member names match case-insensitively (as Azure's JSON binding does); a name given twice is
// rejected. The parser is pure: no crypto, no trust decisions.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace vouch::azure_cvm {

enum class IsolationType : std::uint8_t { kTrustedLaunch, kSevSnp, kTdx };

// "TrustedLaunch", "SevSnp", "Tdx".
std::string_view isolation_type_name(IsolationType t) noexcept;

struct GuestPcr {
  std::uint32_t index = 0;
  Bytes digest;
  friend bool operator==(const GuestPcr&, const GuestPcr&) = default;
};

struct GuestTpmInfo {
  Bytes aik_cert;
  Bytes aik_pub;
  Bytes pcr_quote;
  Bytes pcr_signature;
  Bytes enc_key_pub;
  Bytes enc_key_certify_info;
  Bytes enc_key_certify_info_signature;
  std::vector<std::uint32_t> pcr_set;
  std::vector<GuestPcr> pcrs;
  friend bool operator==(const GuestTpmInfo&, const GuestTpmInfo&) = default;
};

struct GuestIsolation {
  IsolationType type = IsolationType::kTrustedLaunch;
  Bytes snp_report;             // SevSnp: Proof.SnpReport
  std::string vcek_cert_chain;  // SevSnp: Proof.VcekCertChain (PEM text)
  Bytes td_quote;               // Tdx: Proof
  Bytes runtime_data;           // SevSnp and Tdx: RunTimeData, the runtime-claims JSON bytes
  friend bool operator==(const GuestIsolation&, const GuestIsolation&) = default;
};

struct GuestAttestationInfo {
  std::string protocol_version;
  std::optional<std::string> os_type;
  std::optional<std::string> os_distro;
  std::optional<std::string> os_build;
  std::optional<std::int64_t> os_version_major;
  std::optional<std::int64_t> os_version_minor;
  Bytes tcg_logs;  // empty: no log sent
  std::map<std::string, std::string> client_payload;
  GuestTpmInfo tpm;
  GuestIsolation isolation;
  friend bool operator==(const GuestAttestationInfo&, const GuestAttestationInfo&) = default;
};

// Parses the AttestationInfo JSON (already base64url-decoded). Errors are kMalformedEvidence:
// azure.guest.request naming the member ("TpmInfo.PCRs[3].Digest: not base64") for a missing
// required member, a wrong JSON type, bad base64, a PCR index above 23 or repeated, or JSON nested
// too deep; azure.guest.isolation_type for an IsolationInfo.Type other than the three above.
// TrustedLaunch parses (it has no Evidence); verification rejects it.
[[nodiscard]] Result<GuestAttestationInfo> parse_guest_attestation_info(ByteSpan json);

// Serializes to the JSON form Azure's client sends (binary members base64, SnpReport base64url).
// parse_guest_attestation_info(to_json_text(x)) == x for every parsed x.
std::string to_json_text(const GuestAttestationInfo& info);

}  // namespace vouch::azure_cvm
