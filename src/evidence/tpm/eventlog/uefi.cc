#include "evidence/tpm/eventlog/uefi.h"

#include <string>

#include "base/byte_reader.h"
#include "base/checked.h"
#include "evidence/tpm/eventlog/check_ids.h"
#include "evidence/tpm/eventlog/constants.h"

namespace vouch::tpm::eventlog::internal {
namespace {

// Compares a UTF-16LE name with an ASCII one, code unit by code unit.
bool utf16_name_is(ByteSpan utf16, std::string_view ascii) {
  if (utf16.size() != 2 * ascii.size()) {
    return false;
  }
  for (std::size_t i = 0; i < ascii.size(); ++i) {
    if (utf16[2 * i] != static_cast<std::uint8_t>(ascii[i]) || utf16[2 * i + 1] != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<UefiVariableData> parse_uefi_variable_data(ByteSpan data, std::size_t base_offset) {
  ByteReader r(data, base_offset);
  UefiVariableData v;
  std::uint64_t name_len = 0;
  std::uint64_t data_len = 0;
  if (!r.array(v.variable_name)) {
    return fail(r.truncated(checks::kEventData, "UEFI_VARIABLE_DATA.VariableName"));
  }
  if (!r.u64le(name_len)) {
    return fail(r.truncated(checks::kEventData, "UEFI_VARIABLE_DATA.UnicodeNameLength"));
  }
  if (!r.u64le(data_len)) {
    return fail(r.truncated(checks::kEventData, "UEFI_VARIABLE_DATA.VariableDataLength"));
  }
  // Lengths come from the log: compare against what remains, never add them up first.
  std::uint64_t name_bytes = 0;
  if (!checked_mul<std::uint64_t>(name_len, 2, name_bytes) || name_bytes > r.remaining()) {
    return malformed(checks::kEventData, "UEFI_VARIABLE_DATA.UnicodeNameLength " +
                                             std::to_string(name_len) + " at offset " +
                                             std::to_string(base_offset + 16) +
                                             " does not fit in the " +
                                             std::to_string(r.remaining()) + " bytes that remain");
  }
  if (!r.bytes(static_cast<std::size_t>(name_bytes), v.unicode_name)) {
    return fail(r.truncated(checks::kEventData, "UEFI_VARIABLE_DATA.UnicodeName"));
  }
  if (data_len > r.remaining()) {
    return malformed(checks::kEventData, "UEFI_VARIABLE_DATA.VariableDataLength " +
                                             std::to_string(data_len) + " at offset " +
                                             std::to_string(base_offset + 24) +
                                             " does not fit in the " +
                                             std::to_string(r.remaining()) + " bytes that remain");
  }
  if (!r.bytes(static_cast<std::size_t>(data_len), v.variable_data)) {
    return fail(r.truncated(checks::kEventData, "UEFI_VARIABLE_DATA.VariableData"));
  }
  if (!r.empty()) {
    return fail(r.trailing(checks::kEventData, "UEFI_VARIABLE_DATA"));
  }
  return v;
}

std::optional<std::string_view> secure_boot_variable_name(const UefiVariableData& v) {
  static constexpr std::string_view kGlobal[] = {"SecureBoot", "PK", "KEK"};
  static constexpr std::string_view kSecurityDb[] = {"db", "dbx"};
  if (v.variable_name == kEfiGlobalVariableGuid) {
    for (std::string_view n : kGlobal) {
      if (utf16_name_is(v.unicode_name, n)) {
        return n;
      }
    }
  } else if (v.variable_name == kEfiImageSecurityDatabaseGuid) {
    for (std::string_view n : kSecurityDb) {
      if (utf16_name_is(v.unicode_name, n)) {
        return n;
      }
    }
  }
  return std::nullopt;
}

}  // namespace vouch::tpm::eventlog::internal
