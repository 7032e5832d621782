#pragma once

// The Azure Attestation request shape for SEV-SNP VMs (POST /attest/SevSnpVm, maa.md section
// 1.5.4), parsed as a pure function so the HTTP service can hand the body over unchanged:
//   {"report": b64url(JSON {"SnpReport": b64url(1184-byte report),
//                           "VcekCertChain": b64(PEM VCEK + ASK + ARK)}),
//    "runtimeData": {"data": b64url, "dataType": "Binary"|"JSON"},   optional, binds REPORT_DATA
//    "initTimeData": {...},                                             optional, binds HOST_DATA
//    "draftPolicyForAttestation": "...", "nonce": "..."}               optional
// Property names match case-insensitively (the C++ SDK sends "inittimeData"); base64 in either
// alphabet, padding optional (as MAA accepts).

#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace vouch::sevsnp {

// RuntimeData / InitTimeData.
struct MaaData {
  enum class Type : std::uint8_t { kBinary, kJson };
  Bytes data;
  Type type = Type::kBinary;
};

// The decoded "report" wrapper.
struct MaaSnpReport {
  Bytes report;           // the ATTESTATION_REPORT bytes (not yet parsed)
  Bytes vcek_cert_chain;  // PEM text; empty when absent
};

struct MaaSevSnpRequest {
  MaaSnpReport report;
  std::optional<MaaData> runtime_data;
  std::optional<MaaData> init_time_data;
  std::optional<std::string> draft_policy;
  std::optional<std::string> nonce;
};

// Decodes the "report" string. Fails with snp.maa.request (kMalformedEvidence) naming the member.
[[nodiscard]] Result<MaaSnpReport> parse_maa_snp_report(std::string_view report_field);
// Decodes a whole request body. Fails with snp.maa.request naming the member; unknown members
// are ignored, a member given twice (in any letter case) is an error, JSON-typed data must be JSON.
[[nodiscard]] Result<MaaSevSnpRequest> parse_maa_sevsnp_request(std::string_view body);

}  // namespace vouch::sevsnp
