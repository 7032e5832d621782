#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "jose/keys.h"
#include "token/result.h"
#include "token/signer.h"

// The OAuth Token Status List (draft-ietf-oauth-status-list): every issued result token carries
// "status": {"status_list": {"idx", "uri"}}; the list at uri is a JWT (typ statuslist+jwt) whose
// "status_list" claim is {"bits", "lst"}, lst being base64url(zlib(DEFLATE(bytes))). Entry i sits
// in the `bits` bits of byte i*bits/8 starting at the least significant bit. Status 0 is VALID;
// anything else (1 INVALID, 2 SUSPENDED, ...) is not valid.
namespace vouch::token {

inline constexpr std::string_view kStatusListTyp = "statuslist+jwt";

// StatusList is a list of token statuses, `bits` (1, 2, 4 or 8) bits each.
class StatusList {
 public:
  // A list of `size` entries, all VALID, with 1-bit statuses (what Vouch issues).
  explicit StatusList(std::size_t size, int bits = 1);

  std::size_t size() const noexcept { return size_; }
  int bits() const noexcept { return bits_; }
  // Sets entry idx (token.status_list.index when out of range or the value does not fit bits).
  [[nodiscard]] Status set(std::uint64_t idx, std::uint8_t status);
  // Reads entry idx (token.status_list.index when out of range).
  [[nodiscard]] Result<std::uint8_t> get(std::uint64_t idx) const;
  const Bytes& bytes() const noexcept { return bytes_; }

  // {"bits": n, "lst": "..."}: compressed at zlib's best level. Fails with token.status_list
  // only if zlib fails.
  [[nodiscard]] Result<nlohmann::json> to_json() const;
  // Reads {"bits", "lst"}: bits in {1, 2, 4, 8}, strict base64url, a complete zlib stream that
  // inflates to at most max_bytes (a bound against decompression bombs). Fails with
  // token.status_list (kMalformedEvidence).
  [[nodiscard]] static Result<StatusList> from_json(const nlohmann::json& json,
                                                    std::size_t max_bytes = 16 * 1024 * 1024);

 private:
  StatusList(Bytes bytes, int bits);
  Bytes bytes_;
  std::size_t size_ = 0;
  int bits_ = 1;
};

// The "status" claim of a referenced token.
nlohmann::json status_claim(const StatusReference& ref);
// Reads claims["status"]["status_list"] {idx: non-negative integer, uri: non-empty string}.
// nullopt when the token has no "status" claim; token.result.status_claim when it is malformed.
[[nodiscard]] Result<std::optional<StatusReference>> parse_status_claim(
    const nlohmann::json& claims);

// StatusListTokenOptions are the claims of a status list token besides the list.
struct StatusListTokenOptions {
  std::string uri;     // "sub": where the list is served; equals the tokens' status uri
  std::string issuer;  // "iss"
  Timestamp issued_at;
  std::optional<std::chrono::seconds> lifetime;  // "exp" = iat + lifetime
  std::optional<std::chrono::seconds> ttl;       // "ttl": how long relying parties may cache
};

// Signs a status list token (header typ statuslist+jwt, kid; claims sub, iss, iat, exp, ttl,
// status_list). Fails with token.sign or token.input.
[[nodiscard]] Result<std::string> issue_status_list_token(const Signer& signer,
                                                          const StatusList& list,
                                                          const StatusListTokenOptions& options);

// Verifies a status list token against the issuer's keys: signature (jose ids), typ
// statuslist+jwt, sub equal to `uri`, iss equal to `issuer` when non-empty, exp not passed and
// iat not in the future (with skew), then the list itself. Every failure carries
// token.status_list except the jose signature ids.
[[nodiscard]] Result<StatusList> verify_status_list_token(std::string_view token,
                                                          const jose::JwkSet& keys,
                                                          std::string_view uri,
                                                          std::string_view issuer, Timestamp now,
                                                          std::chrono::seconds skew);

}  // namespace vouch::token
