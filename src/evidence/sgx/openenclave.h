#pragma once

// OpenEnclave SDK envelopes around an SGX ECDSA quote, as Azure Attestation's /attest/OpenEnclave
// accepts them (pure parsing; verification reuses the SGX quote verifier):
//   report   (oe_get_report):   oe_report_header_t {u32 version = 1, u32 report_type = 2
//                                (SGX remote), u64 report_size} || SGX quote (report_size bytes)
//   evidence (oe_get_evidence): oe_attestation_header_t {u32 version = 3, 16-byte format id =
//                                OE_FORMAT_UUID_SGX_ECDSA, u64 data_size} || SGX quote ||
//                                custom claims buffer; the quote's report data starts with
//                                SHA-256(custom claims buffer) when that buffer is not empty.
// Custom claims buffer: {u64 version = 1, u64 num_claims} then per claim {u64 name_size,
// u64 value_size, name, value}. All integers little-endian.

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace vouch::sgx {

inline constexpr std::uint32_t kOeReportHeaderVersion = 1;
inline constexpr std::uint32_t kOeReportTypeSgxRemote = 2;
inline constexpr std::uint32_t kOeAttestationHeaderVersion = 3;
inline constexpr std::array<std::uint8_t, 16> kOeFormatSgxEcdsa = {
    0xa3, 0xa2, 0x1e, 0x87, 0x1b, 0x4d, 0x40, 0x14, 0xb7, 0x0a, 0xa1, 0x25, 0xd2, 0xfb, 0xcd, 0x8c};

enum class OeFormat : std::uint8_t { kReport, kEvidence };

struct OeCustomClaim {
  std::string name;
  Bytes value;
  friend bool operator==(const OeCustomClaim&, const OeCustomClaim&) = default;
};

// A parsed OpenEnclave envelope. `quote` views the input buffer.
struct OeEnvelope {
  OeFormat format = OeFormat::kReport;
  ByteSpan quote;
  Bytes custom_claims_buffer;  // evidence only; empty when there are none
  std::vector<OeCustomClaim> custom_claims;
};

// Parses an OE report or OE evidence (told apart by the first u32: 1 or 3). Sizes must match
// exactly; the quote inside is delimited by its own signature-data length. Fails with
// sgx.oe.parse, sgx.oe.format or sgx.oe.custom_claims (kMalformedEvidence), or with the quote
// parser's dcap.quote.* ids.
[[nodiscard]] Result<OeEnvelope> parse_openenclave(ByteSpan data);

// Builds the envelopes (tests, fuzz round trips, attesters).
Bytes serialize_oe_report(ByteSpan quote);
Bytes serialize_oe_custom_claims(const std::vector<OeCustomClaim>& claims);
Bytes serialize_oe_evidence(ByteSpan quote, const std::vector<OeCustomClaim>& claims);

}  // namespace vouch::sgx
