#pragma once

// Confidential-VM report collection without a TPM:
//
// configfs-tsm (Linux 6.7+, Documentation/ABI/testing/configfs-tsm): an entry directory under
// <root> (default /sys/kernel/config/tsm/report) is created with mkdir; writing "inblob" (64 bytes
// of report data) and optionally "privlevel" asks the TEE for a report, read back from "outblob";
// "auxblob" holds the SEV-SNP certificate table, "provider" names the TEE ("sev_guest",
// "tdx_guest"). "generation" counts writes: reading it after our writes and again after our reads
// detects another writer that raced us on the same entry.
//
// A real configfs creates the attribute files on mkdir; a fake tree in a temp directory does not.
// Tests therefore pre-populate an entry and pass its name (TsmOptions::entry): an entry that
// already exists is used as it is and is not removed afterwards (the caller owns it). Without a
// name, the entry is "vouch-<pid>-<random>", created and removed here.
//
// /dev/sev-guest: the SNP_GET_REPORT ioctl (Linux include/uapi/linux/sev-guest.h).

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace vouch::attester {

inline constexpr std::string_view kTsmReportRoot = "/sys/kernel/config/tsm/report";

struct TsmOptions {
  std::string root = std::string(kTsmReportRoot);
  std::string entry;                       // empty: a fresh, removed-afterwards entry
  std::optional<std::uint32_t> privlevel;  // SEV-SNP VMPL (0..3); not written when absent
  // Test hook: runs after the inputs are written, before the outputs are read.
  std::function<void(const std::string& entry_dir)> after_write;
};

struct TsmReport {
  std::string provider;  // "sev_guest", "tdx_guest", ...
  Bytes outblob;         // the report (SEV-SNP) or quote (TDX)
  Bytes auxblob;         // SEV-SNP certificate table; empty when the provider gives none
  std::uint64_t generation = 0;
};

// Gets a report carrying `report_data`. Errors: attester.tsm.not_present (no configfs-tsm at
// root), attester.tsm.entry, attester.tsm.io, attester.tsm.input, attester.tsm.generation.
[[nodiscard]] Result<TsmReport> tsm_report(const std::array<std::uint8_t, 64>& report_data,
                                           const TsmOptions& options = {});

// ---- /dev/sev-guest -------------------------------------------------------------------------

// The UAPI structures (include/uapi/linux/sev-guest.h), laid out as the kernel expects.
struct SnpReportReq {
  std::uint8_t user_data[64];
  std::uint32_t vmpl;
  std::uint8_t rsvd[28];
};
struct SnpReportResp {
  std::uint8_t data[4000];
};
struct SnpGuestRequestIoctl {
  std::uint8_t msg_version;
  std::uint64_t req_data;
  std::uint64_t resp_data;
  std::uint64_t exitinfo2;  // union {exitinfo2; {fw_error; vmm_error}}
};
static_assert(sizeof(SnpReportReq) == 96);
static_assert(sizeof(SnpReportResp) == 4000);
static_assert(sizeof(SnpGuestRequestIoctl) == 32);
static_assert(offsetof(SnpGuestRequestIoctl, req_data) == 8);
static_assert(offsetof(SnpGuestRequestIoctl, exitinfo2) == 24);

inline constexpr std::string_view kSevGuestDevice = "/dev/sev-guest";
inline constexpr std::size_t kSnpReportSize = 1184;

// The SNP_GET_REPORT request number: _IOWR('S', 0x0, struct snp_guest_request_ioctl).
unsigned long snp_get_report_request() noexcept;

// Asks the AMD secure processor for an attestation report (1184 bytes) carrying `report_data`
// at VMPL `vmpl`. Errors: attester.sev_guest.not_present (no device), attester.sev_guest.ioctl
// (naming fw_error/vmm_error), attester.sev_guest.response (status or size in the response).
[[nodiscard]] Result<Bytes> sev_guest_report(
    const std::array<std::uint8_t, 64>& report_data, std::uint32_t vmpl = 0,
    const std::string& device = std::string(kSevGuestDevice));

// Parses the response message MSG_REPORT_RSP (SEV-SNP ABI, table 23): status, report_size,
// 24 reserved bytes, the report. Exposed for tests.
[[nodiscard]] Result<Bytes> parse_snp_report_response(ByteSpan data);

}  // namespace vouch::attester
