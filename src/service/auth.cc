#include "service/auth.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "base/encoding.h"
#include "base/text.h"
#include "crypto/kdf.h"
#include "service/check_ids.h"

namespace vouch::service {
namespace {

constexpr std::string_view kPrefix = "vouch_";

Bytes secret_hash(ByteSpan salt, std::string_view secret) {
  return crypto::hmac(crypto::HashAlg::kSha256, salt, as_bytes(secret));
}

Error unauthenticated(std::string detail) {
  return Error{ErrorKind::kInvalidArgument, checks::kCredentials, std::move(detail)};
}

}  // namespace

namespace {

Result<IssuedKey> make_api_key(crypto::Random& random, std::string_view tenant, store::Role role,
                               std::string_view label, Timestamp now,
                               std::optional<Timestamp> expires_at) {
  VOUCH_TRY(Bytes id_bytes, random.bytes(9));
  VOUCH_TRY(Bytes secret_bytes, random.bytes(32));
  VOUCH_TRY(Bytes salt, random.bytes(16));
  // The key id is hex so the token splits unambiguously on '_'.
  const std::string key_id = hex_encode(id_bytes);
  const std::string secret = base64url_encode(secret_bytes);
  IssuedKey out;
  out.record.tenant = std::string(tenant);
  out.record.key_id = key_id;
  out.record.salt = salt;
  out.record.secret_hash = secret_hash(salt, secret);
  out.record.role = role;
  out.record.label = std::string(label);
  out.record.created_at = now;
  out.record.expires_at = expires_at;
  out.token = std::string(kPrefix) + key_id + "_" + secret;
  return out;
}

}  // namespace

Result<IssuedKey> issue_api_key(store::ApiKeyStore& store, crypto::Random& random,
                                std::string_view tenant, store::Role role, std::string_view label,
                                Timestamp now, std::optional<Timestamp> expires_at) {
  VOUCH_TRY(IssuedKey key, make_api_key(random, tenant, role, label, now, expires_at));
  VOUCH_RETURN_IF_ERROR(store.add(key.record));
  return key;
}

Result<std::optional<IssuedKey>> issue_first_api_key(store::ApiKeyStore& store,
                                                     crypto::Random& random,
                                                     std::string_view tenant, store::Role role,
                                                     std::string_view label, Timestamp now) {
  VOUCH_TRY(IssuedKey key, make_api_key(random, tenant, role, label, now, std::nullopt));
  VOUCH_TRY(const bool added, store.add_first(key.record));
  if (!added) {
    return std::nullopt;
  }
  return key;
}

Result<Principal> authorize(store::ApiKeyStore& store, const http::HttpRequest& request,
                            std::string_view tenant, std::initializer_list<store::Role> roles,
                            Timestamp now) {
  const std::string header = request.header("authorization");
  if (header.empty()) {
    return tl::unexpected(unauthenticated("an Authorization: Bearer API key is required"));
  }
  constexpr std::string_view kBearer = "bearer ";
  if (!ascii_iequals(std::string_view(header).substr(0, kBearer.size()), kBearer)) {
    return tl::unexpected(unauthenticated("the Authorization header must be 'Bearer <key>'"));
  }
  const std::string_view token = std::string_view(header).substr(kBearer.size());
  if (token.substr(0, kPrefix.size()) != kPrefix) {
    return tl::unexpected(unauthenticated("not a Vouch API key"));
  }
  const std::string_view rest = token.substr(kPrefix.size());
  const std::size_t sep = rest.find('_');
  if (sep == std::string_view::npos || sep == 0 || sep + 1 >= rest.size()) {
    return tl::unexpected(unauthenticated("malformed API key"));
  }
  const std::string_view key_id = rest.substr(0, sep);
  const std::string_view secret = rest.substr(sep + 1);
  auto key = store.get(tenant, key_id);
  if (!key) {
    if (key.error().kind == ErrorKind::kNotFound ||
        key.error().kind == ErrorKind::kInvalidArgument) {
      return tl::unexpected(unauthenticated("unknown API key for this tenant"));
    }
    return tl::unexpected(std::move(key.error()));
  }
  const Bytes computed = secret_hash(key->salt, secret);
  if (computed.size() != key->secret_hash.size() ||
      CRYPTO_memcmp(computed.data(), key->secret_hash.data(), computed.size()) != 0) {
    return tl::unexpected(unauthenticated("invalid API key"));
  }
  if (!key->usable_at(now)) {
    return tl::unexpected(unauthenticated("the API key is revoked or expired"));
  }
  if (std::find(roles.begin(), roles.end(), key->role) == roles.end()) {
    std::string allowed;
    for (store::Role r : roles) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(store::role_name(r));
    }
    return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kRole,
                                "this needs the role " + allowed + "; the key has " +
                                    std::string(store::role_name(key->role))});
  }
  return Principal{std::string(tenant), std::string(key_id), key->role};
}

Status authorize_attestation(store::ApiKeyStore& keys, const http::HttpRequest& request,
                             std::string_view tenant, bool key_required, Timestamp now) {
  if (!key_required) {
    return {};
  }
  VOUCH_TRY(Principal who, authorize(keys, request, tenant,
                                     {store::Role::kAttester, store::Role::kVerifierOwner}, now));
  (void)who;
  return {};
}

}  // namespace vouch::service
