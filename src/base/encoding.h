#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace vouch {

// Lowercase hex, the one canonical byte encoding in claims.
std::string hex_encode(ByteSpan in);
// Decodes hex (either case). Fails with encoding.hex on odd length or a non-hex character,
// naming its position.
[[nodiscard]] Result<Bytes> hex_decode(std::string_view in);

// Standard base64 with padding (RFC 4648 section 4).
std::string base64_encode(ByteSpan in);
// base64url without padding (RFC 4648 section 5), as JOSE uses it.
std::string base64url_encode(ByteSpan in);
// Strict standard base64: padding required, no whitespace.
[[nodiscard]] Result<Bytes> base64_decode(std::string_view in);
// Strict base64url: no padding, no whitespace.
[[nodiscard]] Result<Bytes> base64url_decode(std::string_view in);
// Tolerant decoding as Azure Attestation accepts it: either alphabet (not mixed), padding optional.
// Still rejects whitespace, misplaced padding and non-zero trailing bits.
[[nodiscard]] Result<Bytes> base64_decode_any(std::string_view in);

}  // namespace vouch
