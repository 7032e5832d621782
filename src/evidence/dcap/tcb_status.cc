#include "evidence/dcap/tcb_status.h"

#include <array>
#include <utility>

namespace vouch::dcap {

std::string_view tcb_status_name(TcbStatus s) noexcept {
  switch (s) {
    case TcbStatus::kUpToDate:
      return "UpToDate";
    case TcbStatus::kSwHardeningNeeded:
      return "SWHardeningNeeded";
    case TcbStatus::kConfigurationNeeded:
      return "ConfigurationNeeded";
    case TcbStatus::kConfigurationAndSwHardeningNeeded:
      return "ConfigurationAndSWHardeningNeeded";
    case TcbStatus::kOutOfDate:
      return "OutOfDate";
    case TcbStatus::kOutOfDateConfigurationNeeded:
      return "OutOfDateConfigurationNeeded";
    case TcbStatus::kRevoked:
      return "Revoked";
    case TcbStatus::kTdRelaunchAdvised:
      return "TDRelaunchAdvised";
    case TcbStatus::kTdRelaunchAdvisedConfigurationNeeded:
      return "TDRelaunchAdvisedConfigurationNeeded";
  }
  return "Revoked";
}

std::optional<TcbStatus> parse_tcb_status(std::string_view s) noexcept {
  constexpr std::array kCollateralStatuses = {
      TcbStatus::kUpToDate,
      TcbStatus::kSwHardeningNeeded,
      TcbStatus::kConfigurationNeeded,
      TcbStatus::kConfigurationAndSwHardeningNeeded,
      TcbStatus::kOutOfDate,
      TcbStatus::kOutOfDateConfigurationNeeded,
      TcbStatus::kRevoked,
  };
  for (TcbStatus t : kCollateralStatuses) {
    if (tcb_status_name(t) == s) {
      return t;
    }
  }
  return std::nullopt;
}

}  // namespace vouch::dcap
