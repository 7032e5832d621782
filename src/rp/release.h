#pragma once

// Releaser runs the relying party's checks on an attestation result and, when every one passes,
// returns the secret as a compact JWE encrypted to the TEE key bound in the token. The order is
// fixed (docs/relying-party.md); each step has its own check id and every release and every
// refusal is appended to the audit log (never the value).

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/time.h"
#include "crypto/keys.h"
#include "rp/issuer_keys.h"
#include "rp/secrets.h"
#include "token/result_check.h"

namespace vouch::rp {

struct ReleaseOptions {
  std::chrono::seconds skew{30};
  token::RevocationMode revocation = token::RevocationMode::kFailClosed;
  std::optional<std::string> audience;  // when set, "aud" must contain it
};

struct ReleaseRequest {
  std::string tenant;
  std::string secret;  // name
  std::string token;   // compact JWS attestation result (MAA or EAR profile)
  // The key the caller says it holds (a JWK); when given it must equal the bound key.
  std::optional<nlohmann::json> presented_key;
  std::string flow;  // "passport", "background-check" or "kbs", for the audit record
  std::string client_address;
  std::string request_id;
};

struct Release {
  std::string jwe;  // compact JWE (ECDH-ES+A256KW or RSA-OAEP-256, A256GCM), kid = secret name
  std::string secret;
  std::int64_t version = 0;
  std::string issuer;
  std::string jti;
  std::string key_thumbprint;  // RFC 7638 thumbprint of the TEE key it was encrypted to
};

// AuditSink appends one record (kind "secret.release" or "secret.refuse") to the tenant's audit
// chain; a failure to audit refuses the release.
using AuditSink = std::function<Status(std::string_view tenant, std::string_view kind,
                                       const nlohmann::json& payload)>;

class Releaser {
 public:
  struct Deps {
    SecretManager* secrets = nullptr;
    IssuerKeys* issuer_keys = nullptr;
    token::StatusListFetcher* status_lists = nullptr;  // null: revocation unavailable
    AuditSink audit;
    const Clock* clock = nullptr;
  };
  Releaser(Deps deps, ReleaseOptions options);

  // The steps, in order:
  //  1. the secret exists (store.secret.not_found) and its release policy parses;
  //  2. the token's issuer (read unverified only to choose keys) is a trusted issuer of the
  //     secret (rp.issuer.untrusted);
  //  3. the issuer's keys (rp.jwks.unavailable), refreshed once on an unknown kid; IssuerKeys is
  //     asked for the secret's trusted issuer spelled without a trailing '/';
  //  4. token::check_result_token: format, alg (never none), signature, iss, aud, exp/nbf with
  //     skew, status list (token.result.*); fail-open revocation is recorded in the audit record;
  //  5. the release policy over the token's claims (rp.release_policy.deny, with the policy's
  //     one-line summary as detail);
  //  6. the TEE key: "cnf"."jwk", else the one key in "x-ms-runtime" ("keys" JWKS or "jwk")
  //     (rp.tee_key.missing); equal to presented_key when given (rp.tee_key.mismatch);
  //  7. unseal (rp.secret.unseal) and encrypt to the TEE key.
  // Refusals are errors carrying the failed check; each is audited before it is returned. Audit
  // payload: secret, version (when known), issuer, jti (when verified), flow, client,
  // request_id, check (refusals), detail, key_thumbprint, revocation ("valid", "no_status",
  // "unavailable_fail_open" with revocation_detail); never the value. A failing AuditSink
  // refuses the release with its own error.
  [[nodiscard]] Result<Release> release(const ReleaseRequest& request);

 private:
  Deps d_;
  ReleaseOptions options_;
};

// The TEE key bound in verified token claims (step 6), or rp.tee_key.missing.
[[nodiscard]] Result<crypto::PublicKey> bound_tee_key(const nlohmann::json& claims);

}  // namespace vouch::rp
