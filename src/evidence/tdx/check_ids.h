#pragma once

#include "base/error.h"

// Stable ids of the TDX-specific checks (CCEL replay against the quote's RTMRs). The quote checks
// themselves are dcap.* (evidence/dcap/check_ids.h); CCEL parse errors keep the event log
// module's tpm.eventlog.* ids.
namespace vouch::tdx::checks {
inline constexpr CheckId kCcelReplay{"tdx.ccel.replay"};  // step: log replayed against the RTMRs
inline constexpr CheckId kCcelBank{"tdx.ccel.bank"};      // the log has no SHA-384 digests
inline constexpr CheckId kCcelRtmr{"tdx.ccel.rtmr"};      // a replayed RTMR differs from the quote
}  // namespace vouch::tdx::checks
