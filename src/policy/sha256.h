#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.h"

namespace vouch::policy {

// sha256 is FIPS 180-4 SHA-256, for the policy hash only. The policy module may depend on base
// and claims but not on crypto (ARCHITECTURE.md), and the hash is a fixed, public computation, so
// a small portable implementation here keeps the layering; tests check it against the FIPS 180-4
// examples and against OpenSSL.
std::array<std::uint8_t, 32> sha256(ByteSpan data) noexcept;

}  // namespace vouch::policy
