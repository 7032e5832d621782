#pragma once

#include "base/error.h"

// Stable ids of the checks the crypto module performs.
namespace vouch::crypto::checks {
inline constexpr CheckId kKeyParse{"crypto.key.parse"};
inline constexpr CheckId kKeyUnsupported{"crypto.key.unsupported"};
inline constexpr CheckId kSignatureFormat{"crypto.signature.format"};
inline constexpr CheckId kSignature{"crypto.signature"};
inline constexpr CheckId kDigestUnsupported{"crypto.digest.unsupported"};
inline constexpr CheckId kCertParse{"crypto.x509.parse"};
inline constexpr CheckId kCertTrailing{"crypto.x509.trailing"};
inline constexpr CheckId kCrlParse{"crypto.crl.parse"};
inline constexpr CheckId kChain{"crypto.x509.chain"};
inline constexpr CheckId kJwk{"crypto.jwk"};
inline constexpr CheckId kRandom{"crypto.random"};
inline constexpr CheckId kInternal{"crypto.internal"};
}  // namespace vouch::crypto::checks
