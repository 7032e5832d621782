#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace vouch::jose {

// CompactLimits bound what a compact serialization may cost before any cryptography runs.
struct CompactLimits {
  std::size_t max_jws_size = 256 * 1024;    // a whole JWS; real MAA tokens are ~5 KB
  std::size_t max_jwe_size = 1024 * 1024;   // a whole JWE (a released secret)
  std::size_t max_header_size = 16 * 1024;  // one decoded JOSE header (x5c chains fit)
  std::size_t max_json_depth = 32;          // nesting of the header and of a JWT claim set
};

// Parses text as exactly one JSON value under strict rules: no duplicate member names at any
// depth (a JSON parser differential is a classic JOSE bypass), valid UTF-8, nesting at most
// max_depth, nothing after the value. Fails with `check` (kMalformedEvidence) naming `what`.
[[nodiscard]] Result<nlohmann::json> parse_json_strict(std::string_view text, CheckId check,
                                                       std::string_view what,
                                                       std::size_t max_depth);

// JwsCompact is a compact JWS split and decoded; nothing in it has been verified.
struct JwsCompact {
  nlohmann::json header;      // a JSON object
  std::string header_b64;     // the first segment as received
  Bytes payload;              // decoded second segment (may be empty)
  Bytes signature;            // decoded third segment (empty for an unsecured JWS)
  std::string signing_input;  // ASCII(header_b64 '.' payload_b64), what the signature covers
};

// Splits a compact JWS into exactly three segments (two '.'), each strict base64url (no padding,
// no whitespace, no non-zero trailing bits), with a non-empty header that decodes to one JSON
// object within the limits. Fails with jose.compact.size, jose.compact.segments,
// jose.compact.base64 or jose.header.json.
[[nodiscard]] Result<JwsCompact> parse_jws_compact(std::string_view token,
                                                   const CompactLimits& limits = {});

// JweCompact is a compact JWE split and decoded; nothing in it has been authenticated.
struct JweCompact {
  nlohmann::json header;   // the protected header, a JSON object
  std::string header_b64;  // the first segment as received: the AAD of the content encryption
  Bytes encrypted_key;
  Bytes iv;
  Bytes ciphertext;
  Bytes tag;
};

// Splits a compact JWE into exactly five segments (four '.'), each strict base64url, with a
// non-empty protected header, encrypted key, IV and tag. Fails with the same ids as
// parse_jws_compact.
[[nodiscard]] Result<JweCompact> parse_jwe_compact(std::string_view jwe,
                                                   const CompactLimits& limits = {});

// Serializes a header or claim set the one way Vouch does: compact JSON, members sorted by name,
// UTF-8 as is. Fails with `check` (kInvalidArgument) when a string is not valid UTF-8.
[[nodiscard]] Result<std::string> canonical_json(const nlohmann::json& value, CheckId check);

}  // namespace vouch::jose
