#pragma once

#include "base/error.h"

// Stable ids of the SGX-specific checks (OpenEnclave envelopes). The quote checks themselves are
// dcap.* (evidence/dcap/check_ids.h).
namespace vouch::sgx::checks {
inline constexpr CheckId kOpenEnclaveParse{"sgx.oe.parse"};  // header, type, sizes (malformed)
inline constexpr CheckId kOpenEnclaveFormat{
    "sgx.oe.format"};  // not an SGX ECDSA format (malformed)
inline constexpr CheckId kOpenEnclaveClaims{"sgx.oe.custom_claims"};  // claims buffer malformed
inline constexpr CheckId kOpenEnclaveBinding{"sgx.oe.custom_claims.binding"};  // report data is
                                                                               // not their hash
}  // namespace vouch::sgx::checks
