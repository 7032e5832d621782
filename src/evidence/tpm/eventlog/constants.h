#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "crypto/digest.h"
#include "evidence/tpm/constants.h"

// Constants of the TCG PC Client Platform Firmware Profile (PFP) event log, section 10, and of the
// UEFI variables the claims read. Header-only, so test builders can write the same values.
namespace vouch::tpm::eventlog {

// Event types (PFP 10.4.1, Table 9).
namespace ev {
inline constexpr std::uint32_t kPrebootCert = 0x00000000;
inline constexpr std::uint32_t kPostCode = 0x00000001;
inline constexpr std::uint32_t kUnused = 0x00000002;
inline constexpr std::uint32_t kNoAction = 0x00000003;  // informational, never extended
inline constexpr std::uint32_t kSeparator = 0x00000004;
inline constexpr std::uint32_t kAction = 0x00000005;
inline constexpr std::uint32_t kEventTag = 0x00000006;
inline constexpr std::uint32_t kSCrtmContents = 0x00000007;
inline constexpr std::uint32_t kSCrtmVersion = 0x00000008;
inline constexpr std::uint32_t kCpuMicrocode = 0x00000009;
inline constexpr std::uint32_t kPlatformConfigFlags = 0x0000000A;
inline constexpr std::uint32_t kTableOfDevices = 0x0000000B;
inline constexpr std::uint32_t kCompactHash = 0x0000000C;
inline constexpr std::uint32_t kIpl = 0x0000000D;
inline constexpr std::uint32_t kIplPartitionData = 0x0000000E;
inline constexpr std::uint32_t kNonhostCode = 0x0000000F;
inline constexpr std::uint32_t kNonhostConfig = 0x00000010;
inline constexpr std::uint32_t kNonhostInfo = 0x00000011;
inline constexpr std::uint32_t kOmitBootDeviceEvents = 0x00000012;
inline constexpr std::uint32_t kEfiEventBase = 0x80000000;
inline constexpr std::uint32_t kEfiVariableDriverConfig = kEfiEventBase + 0x1;
inline constexpr std::uint32_t kEfiVariableBoot = kEfiEventBase + 0x2;
inline constexpr std::uint32_t kEfiBootServicesApplication = kEfiEventBase + 0x3;
inline constexpr std::uint32_t kEfiBootServicesDriver = kEfiEventBase + 0x4;
inline constexpr std::uint32_t kEfiRuntimeServicesDriver = kEfiEventBase + 0x5;
inline constexpr std::uint32_t kEfiGptEvent = kEfiEventBase + 0x6;
inline constexpr std::uint32_t kEfiAction = kEfiEventBase + 0x7;
inline constexpr std::uint32_t kEfiPlatformFirmwareBlob = kEfiEventBase + 0x8;
inline constexpr std::uint32_t kEfiHandoffTables = kEfiEventBase + 0x9;
inline constexpr std::uint32_t kEfiPlatformFirmwareBlob2 = kEfiEventBase + 0xA;
inline constexpr std::uint32_t kEfiHandoffTables2 = kEfiEventBase + 0xB;
inline constexpr std::uint32_t kEfiVariableBoot2 = kEfiEventBase + 0xC;
inline constexpr std::uint32_t kEfiHcrtmEvent = kEfiEventBase + 0x10;
inline constexpr std::uint32_t kEfiVariableAuthority = kEfiEventBase + 0xE0;
inline constexpr std::uint32_t kEfiSpdmFirmwareBlob = kEfiEventBase + 0xE1;
inline constexpr std::uint32_t kEfiSpdmFirmwareConfig = kEfiEventBase + 0xE2;
}  // namespace ev

// TPM_ALG_ID values and the hash mapping are shared with the quote parser:
// evidence/tpm/constants.h (tpm::alg, tpm_alg_id, hash_from_tpm_alg).

// Record layout (PFP 10.2.1 TCG_PCR_EVENT and 10.2.2 TCG_PCR_EVENT2; all little-endian).
inline constexpr std::size_t kSha1DigestSize = 20;
// TCG_PCR_EVENT: pcrIndex u32, eventType u32, digest[20], eventSize u32.
inline constexpr std::size_t kLegacyHeaderSize = 4 + 4 + kSha1DigestSize + 4;
// "Spec ID Event03\0": the first event's data in a crypto-agile log (PFP 10.4.5.1).
inline constexpr std::array<std::uint8_t, 16> kSpecIdSignature03 = {
    'S', 'p', 'e', 'c', ' ', 'I', 'D', ' ', 'E', 'v', 'e', 'n', 't', '0', '3', '\0'};
// TCG_EfiSpecIDEvent fixed part: signature[16], platformClass u32, specVersionMinor u8,
// specVersionMajor u8, specErrata u8, uintnSize u8, numberOfAlgorithms u32.
inline constexpr std::size_t kSpecIdFixedSize = 16 + 4 + 1 + 1 + 1 + 1 + 4;
inline constexpr std::uint8_t kSpecVersionMajor = 2;
inline constexpr std::uint8_t kSpecVersionMinor = 0;
// "StartupLocality\0" followed by one locality byte (PFP 10.4.5.3): PCR 0 starts at 00..00<loc>.
inline constexpr std::array<std::uint8_t, 16> kStartupLocalitySignature = {
    'S', 't', 'a', 'r', 't', 'u', 'p', 'L', 'o', 'c', 'a', 'l', 'i', 't', 'y', '\0'};

// Upper bounds that keep a hostile log from costing unbounded memory or time.
inline constexpr std::size_t kMaxEventDataSize = std::size_t{1} << 20;  // 1 MiB per event
inline constexpr std::size_t kMaxEvents = std::size_t{1} << 16;         // records per log
inline constexpr std::size_t kMaxAlgorithms = 16;   // Spec ID numberOfAlgorithms
inline constexpr std::size_t kMaxDigestSize = 128;  // declared size of an unknown algorithm
inline constexpr std::uint32_t kNumPcrs = 24;       // PCR (or CC MR) indices 0..23

// The ExitBootServices EV_EFI_ACTION strings (PFP 10.4.4) that some firmware extends into PCR 5
// without logging them (go-attestation TestEBSVerifyWorkaround).
inline constexpr char kEbsInvocation[] = "Exit Boot Services Invocation";
inline constexpr char kEbsReturnedSuccess[] = "Exit Boot Services Returned with Success";

// UEFI variable GUIDs in their on-the-wire (mixed-endian EFI_GUID) byte order.
// EFI_GLOBAL_VARIABLE 8BE4DF61-93CA-11D2-AA0D-00E098032B8C: SecureBoot, PK, KEK.
inline constexpr std::array<std::uint8_t, 16> kEfiGlobalVariableGuid = {
    0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c};
// EFI_IMAGE_SECURITY_DATABASE_GUID D719B2CB-3D3A-4596-A3BC-DAD00E67656F: db, dbx.
inline constexpr std::array<std::uint8_t, 16> kEfiImageSecurityDatabaseGuid = {
    0xcb, 0xb2, 0x19, 0xd7, 0x3a, 0x3d, 0x96, 0x45, 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f};

}  // namespace vouch::tpm::eventlog
