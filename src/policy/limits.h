#pragma once

#include <cstddef>

// Hostile-input limits of the policy module. Policies come from tenants and claims from attesters;
// neither may exhaust the verifier's stack, memory or time. Exceeding a limit is a clear error
// (checks::kLimit, kEvalLimit or kReleaseLimit), never a crash. Every limit is far above what any
// published policy uses.
namespace vouch::policy::limits {

// Claim-rule policies (compile).
inline constexpr std::size_t kMaxPolicyBytes = std::size_t{1} << 20;  // policy text
inline constexpr std::size_t kMaxStringLiteralBytes = std::size_t{64} << 10;
inline constexpr std::size_t kMaxRules = 4096;  // all sections together
inline constexpr std::size_t kMaxConditionsPerRule = 64;
inline constexpr std::size_t kMaxPropertiesPerCondition = 16;
inline constexpr std::size_t kMaxExpressionDepth = 32;  // nested function calls

// Evaluation.
inline constexpr std::size_t kMaxClaims = 65536;  // incoming claims, including added ones
inline constexpr std::size_t kMaxStringBytes = std::size_t{16} << 20;  // any string value
inline constexpr std::size_t kMaxJsonDepth = 256;  // JSON given to JmesPath / JsonToClaimValue
// Bytes of claim types and String values one evaluation may add (rules that copy large claims
// over and over would otherwise exhaust memory before kMaxClaims is reached).
inline constexpr std::size_t kMaxAddedBytes = std::size_t{64} << 20;

// Release policies.
inline constexpr std::size_t kMaxReleasePolicyBytes = std::size_t{256} << 10;
inline constexpr std::size_t kMaxReleaseDepth = 32;  // nested anyOf / allOf
inline constexpr std::size_t kMaxReleaseConditions = 1024;
inline constexpr std::size_t kMaxClaimPathSegments = 32;  // dotted claim path

}  // namespace vouch::policy::limits
