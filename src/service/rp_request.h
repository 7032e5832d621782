#pragma once

// The relying party's and KBS mode's request bodies (docs/relying-party.md), parsed as pure
// functions of their text: no store, no session, no HTTP. routes_rp.cc and routes_kbs.cc call
// them; fuzz/rp_request_fuzz.cc feeds them arbitrary bytes. Every failure is kInvalidArgument with
// service.request.json (not a JSON object, or nested deeper than kMaxUntrustedJsonDepth) or
// service.request.field (a member missing, of the wrong type, not base64 or over its bound),
// except where a function says otherwise.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace vouch::service {

// Any route's JSON object body: refused (service.request.json) when it is not a JSON object,
// nests deeper than kMaxUntrustedJsonDepth or holds a NUL byte (base/json_depth.h). Routes parse
// bodies with this whatever their Content-Type says.
[[nodiscard]] Result<nlohmann::json> parse_json_object_body(std::string_view body);

// Bounds on members, beyond the HTTP body limit. Looser than the checks behind them (the relying
// party's own limits on secret values and issuers keep their check ids for moderate excess).
inline constexpr std::size_t kMaxRpToken = 256 * 1024;       // a result token (JWT) in text
inline constexpr std::size_t kMaxRpNonceText = 1024;         // a challenge nonce, base64
inline constexpr std::size_t kMaxRpMediaType = 256;          // evidence.type
inline constexpr std::size_t kMaxRpEvidenceText = 8 << 20;   // evidence, base64 or JSON text
inline constexpr std::size_t kMaxRpRuntimeText = 1 << 20;    // runtimeData, base64
inline constexpr std::size_t kMaxRpInitDataText = 1 << 20;   // KBS init-data.body
inline constexpr std::size_t kMaxRpSecretText = 1 << 20;     // a secret value, base64
inline constexpr std::size_t kMaxRpPolicyText = 256 * 1024;  // releasePolicy
inline constexpr std::size_t kMaxRpIssuers = 64;             // trustedIssuers entries
inline constexpr std::size_t kMaxRpIssuerText = 8 * 1024;    // one trustedIssuers entry
inline constexpr std::size_t kMaxKbsSessionId = 256;         // the kbs-session-id cookie value
inline constexpr std::size_t kMaxKbsReportText = 16 * 1024;  // tee-evidence.report, base64

// POST /rp/v1/secrets/{name}:attest (background check):
// {"nonce": b64, "evidence": {"type": media type, "value": b64}, "runtimeData": b64}.
struct RpAttestBody {
  Bytes nonce;
  std::string media_type;
  Bytes evidence;
  Bytes runtime_data;
  // The member "jwk" of the runtime data when that is a JSON object carrying one (of any type:
  // the release refuses a non-JWK with rp.tee_key.mismatch): the key the secret goes to.
  std::optional<nlohmann::json> runtime_key;
};
[[nodiscard]] Result<RpAttestBody> parse_rp_attest(std::string_view body);

// POST /rp/v1/secrets/{name}:release (passport): {"token": JWT, "key"?: JWK object}.
struct RpReleaseBody {
  std::string token;
  std::optional<nlohmann::json> key;
};
[[nodiscard]] Result<RpReleaseBody> parse_rp_release(std::string_view body);

// The release rules of PUT /rp/v1/secrets/{name} and PUT ...:rules: "releasePolicy" (an object,
// kept as its compact text, or that text as a string) and "trustedIssuers" (strings). Their
// contents are the relying party's to check (rp.secret.config).
struct RpRulesBody {
  std::string release_policy;
  std::vector<std::string> trusted_issuers;
};
[[nodiscard]] Result<RpRulesBody> parse_rp_rules(std::string_view body);

// PUT /rp/v1/secrets/{name}: {"value": b64, "releasePolicy", "trustedIssuers"}. The value is
// checked before the rules.
struct RpSecretBody {
  Bytes value;
  RpRulesBody rules;
};
[[nodiscard]] Result<RpSecretBody> parse_rp_secret(std::string_view body);

// ---- KBS (Confidential Containers key broker protocol) --------------------------------------

// The evidence media type a KBS tee name stands for ("tpm", "snp"); empty for any other.
[[nodiscard]] std::string kbs_media_type(std::string_view tee);

// POST /kbs/v0/auth: {"version", "tee", "extra-params"}; only "tee" is read. A body that is not
// an object or has no string "tee" fails with service.request.field; a tee other than "tpm" and
// "snp" with service.type.unsupported.
struct KbsAuthBody {
  std::string tee;
  std::string media_type;  // kbs_media_type(tee), never empty
};
[[nodiscard]] Result<KbsAuthBody> parse_kbs_auth(std::string_view body);

// POST /kbs/v0/attest: {"init-data": {"format": "toml"|"json", "body": text} (optional),
// "runtime-data": {"nonce": b64, "tee-pubkey": JWK, ...}, "tee-evidence"}.
// A body that is not an object or lacks either required member, or an init-data that is not
// {format, body} with a string body, fails with service.request.field (one nested too deep with
// service.request.json); a nonce that is not base64 with service.kbs.nonce (kEvidenceRejected),
// as one that differs from the session's challenge does.
struct KbsAttestBody {
  Bytes nonce;
  // The runtime data as compact JSON with sorted keys: what the evidence binds (SHA-256).
  std::string runtime_data;
  nlohmann::json tee_evidence;  // as given; kbs_evidence() reads it for the session's tee
  // init-data.body, byte for byte: the evidence binds its digest (SNP HOST_DATA = SHA-256).
  std::optional<std::string> init_data;
};
[[nodiscard]] Result<KbsAttestBody> parse_kbs_attest(std::string_view body);

// The evidence bytes of tee-evidence for `tee`: for "tpm" the Vouch TPM bundle (a JSON object or
// its text, optionally under "primary_evidence"), dumped; for "snp" the base64 member "report"
// (of the object or its text, optionally under "primary_evidence"), decoded. Fails with
// service.request.field; a tee other than "tpm" and "snp" with service.type.unsupported.
[[nodiscard]] Result<Bytes> kbs_evidence(std::string_view tee, const nlohmann::json& tee_evidence);

// The kbs-session-id of a Cookie header ("a=1; kbs-session-id=abc"): the first such cookie's
// value, or "" when there is none or it is longer than kMaxKbsSessionId.
[[nodiscard]] std::string kbs_session_cookie(std::string_view cookie_header);

}  // namespace vouch::service
