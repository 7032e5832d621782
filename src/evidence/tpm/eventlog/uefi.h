#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

// Internal to the event log module: UEFI structures measured into PCR 7.
namespace vouch::tpm::eventlog::internal {

// UEFI_VARIABLE_DATA (PFP 10.4.6), viewing the event data it was parsed from.
struct UefiVariableData {
  std::array<std::uint8_t, 16> variable_name{};  // the vendor GUID, wire byte order
  ByteSpan unicode_name;                         // UTF-16LE, UnicodeNameLength characters
  ByteSpan variable_data;
};

// Parses UEFI_VARIABLE_DATA: VariableName GUID (16 bytes), UnicodeNameLength u64 (characters),
// VariableDataLength u64, UnicodeName, VariableData; nothing may follow. `base_offset` is the
// data's offset in the log, for error details. Fails with tpm.eventlog.event_data.
[[nodiscard]] Result<UefiVariableData> parse_uefi_variable_data(ByteSpan data,
                                                                std::size_t base_offset);

// The name of a secure boot configuration variable ("SecureBoot", "PK", "KEK" under
// EFI_GLOBAL_VARIABLE; "db", "dbx" under EFI_IMAGE_SECURITY_DATABASE_GUID), or nullopt for any
// other variable.
std::optional<std::string_view> secure_boot_variable_name(const UefiVariableData& v);

}  // namespace vouch::tpm::eventlog::internal
