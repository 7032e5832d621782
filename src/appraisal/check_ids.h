#pragma once

#include "base/error.h"

// Stable ids of the appraisal pipeline's own checks (evidence checks keep their modules' ids).
namespace vouch::appraisal::checks {
inline constexpr CheckId kUnsupportedType{"appraisal.type.unsupported"};
inline constexpr CheckId kRuntimeData{"appraisal.runtime_data"};
inline constexpr CheckId kBinding{"appraisal.binding"};  // report data / config id mismatch
inline constexpr CheckId kNoCollateralSource{"appraisal.collateral.source"};  // none configured
inline constexpr CheckId kTpmAkUntrusted{"appraisal.tpm.ak_untrusted"};
inline constexpr CheckId kTpmBundle{"appraisal.tpm.bundle"};
inline constexpr CheckId kPolicyDenied{"appraisal.policy.denied"};
inline constexpr CheckId kPolicyMissing{"appraisal.policy.missing"};
inline constexpr CheckId kDenyList{"appraisal.deny_list"};
}  // namespace vouch::appraisal::checks
