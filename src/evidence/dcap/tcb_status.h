#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vouch::dcap {

// TcbStatus is Intel's TCB status of a platform, a TDX module or a QE. The first seven are the
// values TCB Info carries (module and QE levels use UpToDate, OutOfDate and Revoked); the two
// TDRelaunchAdvised values are computed for TDX 1.5 quotes (Intel QVL "TD relaunch" check).
enum class TcbStatus : std::uint8_t {
  kUpToDate,
  kSwHardeningNeeded,
  kConfigurationNeeded,
  kConfigurationAndSwHardeningNeeded,
  kOutOfDate,
  kOutOfDateConfigurationNeeded,
  kRevoked,
  kTdRelaunchAdvised,
  kTdRelaunchAdvisedConfigurationNeeded,
};

// Intel's spelling ("UpToDate", "SWHardeningNeeded", ...).
std::string_view tcb_status_name(TcbStatus s) noexcept;
// Parses one of the seven TCB Info statuses (TDRelaunchAdvised* are never in collateral).
std::optional<TcbStatus> parse_tcb_status(std::string_view s) noexcept;

}  // namespace vouch::dcap
