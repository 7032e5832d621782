#pragma once

// AMD SEV-SNP ATTESTATION_REPORT (SEV Secure Nested Paging Firmware ABI, table "ATTESTATION_REPORT
// Structure") and the extended report's certificate table (GHCB specification, SNP extended guest
// request). Parse and serialize only: no crypto, no trust decisions.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "collateral/amd_types.h"

namespace vouch::sevsnp {

using collateral::AmdKeyKind;
using collateral::AmdProduct;
using collateral::ChipId;

inline constexpr std::size_t kReportSize = 0x4A0;           // 1184
inline constexpr std::size_t kSignedSize = 0x2A0;           // the signature covers [0, 0x2A0)
inline constexpr std::size_t kSignatureComponentSize = 72;  // R and S, little-endian
inline constexpr std::uint32_t kMinReportVersion = 2;
inline constexpr std::uint32_t kMaxReportVersion = 5;
inline constexpr std::uint32_t kSigAlgoEcdsaP384Sha384 = 1;

// Guest policy (POLICY, offset 0x08): bits 0-7 ABI minor, 8-15 ABI major, 16 SMT, 17 reserved
// (must be 1), 18 MIGRATE_MA, 19 DEBUG, 20 SINGLE_SOCKET, 21 CXL_ALLOW, 22 MEM_AES_256_XTS,
// 23 RAPL_DIS, 24 CIPHERTEXT_HIDING, 25 PAGE_SWAP_DISABLE, 26-63 reserved (must be 0).
struct GuestPolicy {
  std::uint8_t abi_minor = 0;
  std::uint8_t abi_major = 0;
  bool smt = false;
  bool migrate_ma = false;
  bool debug = false;
  bool single_socket = false;
  bool cxl_allowed = false;
  bool mem_aes_256_xts = false;
  bool rapl_dis = false;
  bool ciphertext_hiding = false;
  bool page_swap_disable = false;
  friend bool operator==(const GuestPolicy&, const GuestPolicy&) = default;
};
// Decodes POLICY. Fails with snp.report.policy when bit 17 is clear or a bit 26-63 is set.
[[nodiscard]] Result<GuestPolicy> parse_guest_policy(std::uint64_t policy);
// Encodes a GuestPolicy (bit 17 set).
std::uint64_t encode_guest_policy(const GuestPolicy& p) noexcept;

// PLATFORM_INFO (0x40): facts about the host. Unknown bits are kept in `raw` and not rejected:
// new firmware adds bits, and the field describes the host rather than a guest choice.
struct PlatformInfo {
  bool smt_enabled = false;                // bit 0
  bool tsme_enabled = false;               // bit 1
  bool ecc_enabled = false;                // bit 2
  bool rapl_disabled = false;              // bit 3
  bool ciphertext_hiding_enabled = false;  // bit 4
  bool alias_check_complete = false;       // bit 5
};
PlatformInfo decode_platform_info(std::uint64_t raw) noexcept;

// SIGNING_KEY of the signer info (0x48, bits 2-4): 0 VCEK, 1 VLEK, 7 none; 2-6 reserved.
enum class SigningKey : std::uint8_t { kVcek = 0, kVlek = 1, kNone = 7 };
struct SignerInfo {
  SigningKey signing_key = SigningKey::kVcek;
  bool mask_chip_key = false;  // bit 1: CHIP_ID is zero
  bool author_key_en = false;  // bit 0: the ID block carried an author key
  friend bool operator==(const SignerInfo&, const SignerInfo&) = default;
};
// Fails with snp.report.signer_info on bits 5-31 set or a reserved SIGNING_KEY value.
[[nodiscard]] Result<SignerInfo> parse_signer_info(std::uint32_t raw);
std::uint32_t encode_signer_info(const SignerInfo& s) noexcept;

// CPUID family/model/stepping of the signing chip (0x188-0x18A, report version 3 and later).
struct Cpuid {
  std::uint8_t family = 0;
  std::uint8_t model = 0;
  std::uint8_t stepping = 0;
  friend bool operator==(const Cpuid&, const Cpuid&) = default;
};

// Firmware version bytes (CURRENT_* at 0x1E8, COMMITTED_* at 0x1EC).
struct FirmwareVersion {
  std::uint8_t build = 0;
  std::uint8_t minor = 0;
  std::uint8_t major = 0;
  friend bool operator==(const FirmwareVersion&, const FirmwareVersion&) = default;
};

// Report is a parsed ATTESTATION_REPORT. Field names follow the ABI in snake case; raw integers
// are kept as read (decode_* helpers interpret them); optional fields exist only in the versions
// that define them, so serialize(parse(x)) == x.
struct Report {
  std::uint32_t version = 0;                         // 0x000
  std::uint32_t guest_svn = 0;                       // 0x004
  std::uint64_t policy = 0;                          // 0x008
  std::array<std::uint8_t, 16> family_id{};          // 0x010
  std::array<std::uint8_t, 16> image_id{};           // 0x020
  std::uint32_t vmpl = 0;                            // 0x030
  std::uint32_t signature_algo = 0;                  // 0x034
  std::uint64_t current_tcb = 0;                     // 0x038
  std::uint64_t platform_info = 0;                   // 0x040
  std::uint32_t signer_info = 0;                     // 0x048 (0x04C-0x04F reserved)
  std::array<std::uint8_t, 64> report_data{};        // 0x050
  std::array<std::uint8_t, 48> measurement{};        // 0x090
  std::array<std::uint8_t, 32> host_data{};          // 0x0C0
  std::array<std::uint8_t, 48> id_key_digest{};      // 0x0E0
  std::array<std::uint8_t, 48> author_key_digest{};  // 0x110
  std::array<std::uint8_t, 32> report_id{};          // 0x140
  std::array<std::uint8_t, 32> report_id_ma{};       // 0x160
  std::uint64_t reported_tcb = 0;                    // 0x180
  std::optional<Cpuid> cpuid;                        // 0x188 (v3+; then 0x18B-0x19F reserved)
  ChipId chip_id{};                                  // 0x1A0
  std::uint64_t committed_tcb = 0;                   // 0x1E0
  FirmwareVersion current_version;                   // 0x1E8 (0x1EB reserved)
  FirmwareVersion committed_version;                 // 0x1EC (0x1EF reserved)
  std::uint64_t launch_tcb = 0;                      // 0x1F0
  std::optional<std::uint64_t> launch_mit_vector;    // 0x1F8 (v5+)
  std::optional<std::uint64_t> current_mit_vector;   // 0x200 (v5+; then reserved to 0x2A0)
  std::array<std::uint8_t, kSignatureComponentSize> signature_r{};  // 0x2A0, little-endian
  std::array<std::uint8_t, kSignatureComponentSize> signature_s{};  // 0x2E8 (0x330-0x49F reserved)
};

// Parses exactly kReportSize bytes. Errors (kMalformedEvidence) name the field and offset:
// snp.report.size, snp.report.version (outside 2..5), snp.report.signature_algo (not 1),
// snp.report.mbz (a reserved byte), snp.report.policy, snp.report.signer_info.
[[nodiscard]] Result<Report> parse_report(ByteSpan raw);
// Serializes a report (the exact inverse of parse_report for every parsed report).
Bytes serialize(const Report& report);

// Accessors decoding the raw fields of a parsed report (they cannot fail on parsed reports).
GuestPolicy guest_policy(const Report& r) noexcept;
SignerInfo signer_info(const Report& r) noexcept;

// GUIDs of the extended report certificate table (in their string byte order).
using Guid = std::array<std::uint8_t, 16>;
inline constexpr Guid kVcekGuid = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                   0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
inline constexpr Guid kVlekGuid = {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
                                   0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1};
inline constexpr Guid kAskGuid = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                  0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
inline constexpr Guid kArkGuid = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                                  0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};

struct CertTableEntry {
  Guid guid{};
  Bytes data;
};

// CertTable is the certificate table returned with an extended report: entries of {GUID, offset,
// length} ended by an all-zero entry, then the certificate bytes.
struct CertTable {
  std::vector<CertTableEntry> entries;
  // The entry with this GUID, or nullptr.
  const CertTableEntry* find(const Guid& guid) const noexcept;
};

// Parses a certificate table. An empty input is an empty table. Fails with snp.cert_table when
// the terminator is missing, an offset points into the header or past the end, a length runs past
// the end (checked by subtraction), a length is zero, a GUID repeats or is all zero.
[[nodiscard]] Result<CertTable> parse_cert_table(ByteSpan raw);
// Serializes entries in order: header, terminator, then each certificate (no padding).
Bytes serialize(const CertTable& table);

}  // namespace vouch::sevsnp
