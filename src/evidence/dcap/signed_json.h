#pragma once

// Intel PCS signed JSON: TCB Info ({"tcbInfo": {...}, "signature": "<hex>"}) and enclave identity
// ({"enclaveIdentity": {...}, "signature": "<hex>"}) responses. The signature (ECDSA P-256 with
// SHA-256, raw r || s) covers the exact bytes of the body member as received, so the body is cut
// out of the envelope as a byte range, never re-serialized.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"

namespace vouch::dcap {

// SignedJson is a signed body and its 64-byte raw signature.
struct SignedJson {
  std::string body;                          // exact text of the body member
  std::array<std::uint8_t, 64> signature{};  // r || s, big-endian
};

// Splits an envelope {"<body_key>": {...}, "signature": "<128 hex digits>"} into the exact body
// text and the signature. Whitespace between tokens is allowed; other members, duplicates and
// trailing content are not. Fails with kMalformedEvidence / `check`.
[[nodiscard]] Result<SignedJson> split_signed_json(std::string_view envelope,
                                                   std::string_view body_key, CheckId check);

// Rebuilds an envelope around a body (the inverse of split_signed_json for compact input).
std::string join_signed_json(std::string_view body_key, const SignedJson& signed_json);

}  // namespace vouch::dcap
