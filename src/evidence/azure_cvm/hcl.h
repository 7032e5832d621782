#pragma once

// The Azure vTPM HCL report (NV index 0x01400001, 2600 bytes; ../shared/vectors/MANIFEST.md
// azure-cvm and maa.md section 1.5.6):
//   0x000  header: "HCLA", version (1 or 2), report_size, request_type (2), status (0), 12 reserved
//   0x020  hardware report area, 1184 bytes: an SNP report, or a 1024-byte TDX TDREPORT + zeros
//   0x4C0  IGVM request data: data_size, version (1), report_type (2 SNP, 4 TDX), hash_type
//          (1 SHA-256, 2 SHA-384, 3 SHA-512), variable_data_size
//   0x4D4  variable data: the runtime-claims JSON
//   then zero padding up to the NV index size.
// report_size = 0x4C0 + data_size and data_size = 20 + variable_data_size.

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/digest.h"

namespace vouch::azure_cvm {

inline constexpr std::size_t kHclHeaderSize = 0x20;
inline constexpr std::size_t kHwReportArea = 1184;
inline constexpr std::size_t kIgvmOffset = kHclHeaderSize + kHwReportArea;  // 0x4C0
inline constexpr std::size_t kIgvmHeaderSize = 20;
inline constexpr std::size_t kTdReportSize = 1024;
inline constexpr std::uint32_t kHclSignature = 0x414c4348;  // "HCLA" little-endian

enum class HwReportType : std::uint32_t { kSnp = 2, kTdx = 4 };

struct HclReport {
  std::uint32_t version = 2;
  std::uint32_t request_type = 2;
  HwReportType report_type = HwReportType::kSnp;
  Bytes hw_report;  // 1184 bytes (SNP) or 1024 (TDX; the rest of the area is zero)
  std::uint32_t igvm_version = 1;
  crypto::HashAlg hash = crypto::HashAlg::kSha256;
  Bytes runtime_claims;     // the variable data (JSON text, not yet parsed)
  std::size_t padding = 0;  // zero bytes after report_size
};

// Parses an HCL report. Errors (kMalformedEvidence) name the field and offset: azure.hcl.size,
// azure.hcl.header, azure.hcl.mbz, azure.hcl.report_type.
[[nodiscard]] Result<HclReport> parse_hcl_report(ByteSpan raw);
// The exact inverse of parse_hcl_report.
Bytes serialize(const HclReport& report);

// The REPORT_DATA the hardware report must carry: H(runtime claims), zero-padded to 64 bytes.
Bytes expected_report_data(const HclReport& report);

}  // namespace vouch::azure_cvm
