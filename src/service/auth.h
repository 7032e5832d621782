#pragma once

// Bearer API keys: "vouch_<key id>_<secret>", with a 256-bit random secret. The store keeps the
// key id, a random salt and HMAC-SHA-256(salt, secret); a slow password hash is not needed for
// secrets with 256 bits of entropy. Comparison is constant-time.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "crypto/keys.h"
#include "service/http/message.h"
#include "store/store.h"

namespace vouch::service {

// IssuedKey is a new API key: `token` is shown once and never stored.
struct IssuedKey {
  store::ApiKey record;
  std::string token;
};

// Creates and stores a key for `tenant` with `role`.
[[nodiscard]] Result<IssuedKey> issue_api_key(store::ApiKeyStore& store, crypto::Random& random,
                                              std::string_view tenant, store::Role role,
                                              std::string_view label, Timestamp now,
                                              std::optional<Timestamp> expires_at = std::nullopt);
// Creates a key as issue_api_key does, but stores it only when `tenant` has no key yet (the
// bootstrap key); nullopt when another key (another node's bootstrap key) got there first.
[[nodiscard]] Result<std::optional<IssuedKey>> issue_first_api_key(
    store::ApiKeyStore& store, crypto::Random& random, std::string_view tenant, store::Role role,
    std::string_view label, Timestamp now);

// Principal is who made a request.
struct Principal {
  std::string tenant;
  std::string key_id;
  store::Role role = store::Role::kAuditor;
};

// Authenticates the request's "Authorization: Bearer" key against `tenant` and requires one of
// `roles`. Fails with service.auth.credentials (401) when the header is missing, malformed,
// unknown, revoked or expired, and service.auth.role (403) when the role is not allowed.
[[nodiscard]] Result<Principal> authorize(store::ApiKeyStore& store,
                                          const http::HttpRequest& request, std::string_view tenant,
                                          std::initializer_list<store::Role> roles, Timestamp now);

// Attestation routes: when the tenant requires it, an attester (or verifier-owner) key.
[[nodiscard]] Status authorize_attestation(store::ApiKeyStore& keys,
                                           const http::HttpRequest& request,
                                           std::string_view tenant, bool key_required,
                                           Timestamp now);

}  // namespace vouch::service
