#include "rp/secrets.h"

#include <openssl/crypto.h>

#include <utility>

#include "crypto/aead.h"
#include "policy/release_policy.h"
#include "rp/check_ids.h"
#include "store/check_ids.h"

namespace vouch::rp {
namespace {

inline constexpr std::string_view kPolicyKind = "key-release";
inline constexpr std::size_t kMaxTrustedIssuers = 16;
inline constexpr std::size_t kMaxIssuerUrl = 2048;
inline constexpr std::size_t kMaxNameLength = 128;

// Wipes a buffer that held key material or a secret value.
void wipe(Bytes& b) {
  if (!b.empty()) {
    OPENSSL_cleanse(b.data(), b.size());
  }
  b.clear();
}

// Wipes on scope exit.
class Wiper {
 public:
  explicit Wiper(Bytes& b) : b_(b) {}
  ~Wiper() { wipe(b_); }
  Wiper(const Wiper&) = delete;
  Wiper& operator=(const Wiper&) = delete;

 private:
  Bytes& b_;
};

void append_field(Bytes& out, std::string_view field) {
  const auto n = static_cast<std::uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>((n >> shift) & 0xffu));
  }
  append(out, as_bytes(field));
}

// The associated data of both seals: a purpose label, then tenant, name and version, each length
// prefixed, so no two (purpose, tenant, name, version) tuples share an encoding.
Bytes associated_data(std::string_view purpose, std::string_view tenant, std::string_view name,
                      std::int64_t version) {
  Bytes aad;
  append_field(aad, "vouch.rp.secret.v1");
  append_field(aad, purpose);
  append_field(aad, tenant);
  append_field(aad, name);
  append_field(aad, std::to_string(version));
  return aad;
}

// nonce || ciphertext || tag.
Bytes pack(const crypto::AeadSealed& sealed) {
  Bytes out;
  out.reserve(sealed.nonce.size() + sealed.ciphertext.size() + sealed.tag.size());
  append(out, sealed.nonce);
  append(out, sealed.ciphertext);
  append(out, sealed.tag);
  return out;
}

tl::unexpected<Error> unseal_error(std::string_view tenant, std::string_view name,
                                   std::int64_t version, std::string why) {
  return fail(ErrorKind::kInternal, checks::kSecretUnseal,
              "secret \"" + std::string(name) + "\" version " + std::to_string(version) +
                  " of tenant \"" + std::string(tenant) + "\" does not unseal: " + std::move(why));
}

Result<Bytes> open_packed(ByteSpan key, ByteSpan packed, ByteSpan aad) {
  if (packed.size() < crypto::kGcmNonceSize + crypto::kGcmTagSize) {
    return fail(ErrorKind::kInternal, checks::kSecretUnseal, "sealed blob is too short");
  }
  const ByteSpan nonce = packed.first(crypto::kGcmNonceSize);
  const ByteSpan tag = packed.last(crypto::kGcmTagSize);
  const ByteSpan ciphertext = packed.subspan(
      crypto::kGcmNonceSize, packed.size() - crypto::kGcmNonceSize - crypto::kGcmTagSize);
  return crypto::aes256_gcm_open(key, nonce, ciphertext, tag, aad);
}

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// An http(s) URL with a host, no whitespace or control characters.
bool is_issuer_url(std::string_view url) {
  if (url.empty() || url.size() > kMaxIssuerUrl) {
    return false;
  }
  for (const char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return false;
    }
  }
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return false;
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  return !authority.empty() && authority.find('@') == std::string_view::npos &&
         authority.front() != ':';
}

Status check_value(ByteSpan value) {
  if (value.empty()) {
    return fail(ErrorKind::kInvalidArgument, checks::kSecretValue, "the secret value is empty");
  }
  if (value.size() > kMaxSecretValue) {
    return fail(ErrorKind::kInvalidArgument, checks::kSecretValue,
                "the secret value has " + std::to_string(value.size()) + " bytes; at most " +
                    std::to_string(kMaxSecretValue) + " are allowed");
  }
  return ok();
}

Status check_rules(const ReleaseRules& rules) {
  auto policy = policy::ReleasePolicy::parse(rules.release_policy);
  if (!policy) {
    return fail(ErrorKind::kInvalidArgument, checks::kSecretConfig,
                "releasePolicy: " + policy.error().to_string());
  }
  if (rules.trusted_issuers.empty() || rules.trusted_issuers.size() > kMaxTrustedIssuers) {
    return fail(ErrorKind::kInvalidArgument, checks::kSecretConfig,
                "trustedIssuers must list 1 to " + std::to_string(kMaxTrustedIssuers) +
                    " issuers, not " + std::to_string(rules.trusted_issuers.size()));
  }
  for (std::size_t i = 0; i < rules.trusted_issuers.size(); ++i) {
    if (!is_issuer_url(rules.trusted_issuers[i])) {
      return fail(ErrorKind::kInvalidArgument, checks::kSecretConfig,
                  "trustedIssuers[" + std::to_string(i) + "] is not an http(s) URL");
    }
  }
  return ok();
}

// A deleted secret (left behind by a purge that failed) is reported as absent.
tl::unexpected<Error> not_found(std::string_view tenant, std::string_view name) {
  return fail(ErrorKind::kNotFound, store::checks::kSecretNotFound,
              "no secret \"" + std::string(name) + "\" in tenant \"" + std::string(tenant) + "\"");
}

Error deleted_as_not_found(Error e, std::string_view tenant, std::string_view name) {
  if (e.check == store::checks::kSecretDeleted) {
    return not_found(tenant, name).value();
  }
  return e;
}

SecretInfo info_of(const store::Secret& s) {
  SecretInfo info;
  info.tenant = s.tenant;
  info.name = s.name;
  info.version = s.current_version;
  info.rules.release_policy = s.release_policy;
  info.rules.trusted_issuers = s.trusted_issuers;
  info.created_at = s.created_at;
  info.updated_at = s.updated_at;
  return info;
}

}  // namespace

Status check_secret_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return fail(ErrorKind::kInvalidArgument, checks::kSecretName,
                "a secret name has 1 to " + std::to_string(kMaxNameLength) + " characters");
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = name.find('/', start);
    const std::string_view segment = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty()) {
      return fail(ErrorKind::kInvalidArgument, checks::kSecretName,
                  "a secret name has no empty '/'-separated segment");
    }
    if (segment == "." || segment == "..") {
      return fail(ErrorKind::kInvalidArgument, checks::kSecretName,
                  "a secret name has no \".\" or \"..\" segment");
    }
    for (const char c : segment) {
      if (!is_name_char(c)) {
        return fail(ErrorKind::kInvalidArgument, checks::kSecretName,
                    "a secret name has only the characters A-Z a-z 0-9 . _ - and '/'");
      }
    }
    if (slash == std::string_view::npos) {
      return ok();
    }
    start = slash + 1;
  }
}

SecretManager::SecretManager(store::SecretStore& store, Bytes kek, std::string kek_id,
                             crypto::Random& random, const Clock& clock)
    : store_(store),
      kek_(std::move(kek)),
      kek_id_(std::move(kek_id)),
      random_(random),
      clock_(clock) {}

SecretManager::~SecretManager() {
  wipe(kek_);
}

Result<SecretManager::Sealed> SecretManager::seal(std::string_view tenant, std::string_view name,
                                                  std::int64_t version, ByteSpan value) {
  if (kek_.size() != crypto::kAes256KeySize) {
    return fail(ErrorKind::kInternal, vouch::checks::kInternal,
                "the key-encryption key must be 32 bytes");
  }
  VOUCH_TRY(Bytes data_key, random_.bytes(crypto::kAes256KeySize));
  const Wiper wipe_data_key(data_key);
  VOUCH_TRY(const Bytes value_nonce, random_.bytes(crypto::kGcmNonceSize));
  VOUCH_TRY(const Bytes key_nonce, random_.bytes(crypto::kGcmNonceSize));
  if (data_key.size() != crypto::kAes256KeySize || value_nonce.size() != crypto::kGcmNonceSize ||
      key_nonce.size() != crypto::kGcmNonceSize) {
    return fail(ErrorKind::kInternal, vouch::checks::kInternal,
                "the random source returned the wrong number of bytes");
  }
  VOUCH_TRY(const crypto::AeadSealed sealed_value,
            crypto::aes256_gcm_seal(data_key, value_nonce, value,
                                    associated_data("value", tenant, name, version)));
  VOUCH_TRY(const crypto::AeadSealed sealed_key,
            crypto::aes256_gcm_seal(kek_, key_nonce, data_key,
                                    associated_data("data-key", tenant, name, version)));
  return Sealed{pack(sealed_key), pack(sealed_value)};
}

Result<SecretInfo> SecretManager::put(std::string_view tenant, std::string_view name,
                                      ByteSpan value, const ReleaseRules& rules) {
  VOUCH_RETURN_IF_ERROR(check_secret_name(name));
  VOUCH_RETURN_IF_ERROR(check_value(value));
  VOUCH_RETURN_IF_ERROR(check_rules(rules));
  // The version is sealed into the associated data before the store assigns it, so writers of
  // one manager take turns (see the header for writers on other nodes).
  const std::lock_guard<std::mutex> lock(*write_mu_);
  const Timestamp now = clock_.now();
  auto existing = store_.get(tenant, name);
  if (!existing && existing.error().check != store::checks::kSecretNotFound) {
    return fail(std::move(existing).error());
  }
  if (existing && existing->deleted) {
    // A remove whose purge failed: finish it, then create afresh.
    VOUCH_RETURN_IF_ERROR(store_.purge(tenant, name));
    existing = not_found(tenant, name);
  }
  if (!existing) {
    VOUCH_TRY(Sealed sealed, seal(tenant, name, 1, value));
    store::NewSecret s;
    s.tenant = std::string(tenant);
    s.name = std::string(name);
    s.release_policy = rules.release_policy;
    s.release_policy_kind = std::string(kPolicyKind);
    s.trusted_issuers = rules.trusted_issuers;
    s.wrapped_key = std::move(sealed.wrapped_key);
    s.ciphertext = std::move(sealed.ciphertext);
    s.kek_id = kek_id_;
    s.created_at = now;
    VOUCH_TRY(const store::Secret created, store_.create(s));
    return info_of(created);
  }
  const std::int64_t next = existing->current_version + 1;
  VOUCH_TRY(Sealed sealed, seal(tenant, name, next, value));
  store::NewSecretVersion v;
  v.tenant = std::string(tenant);
  v.name = std::string(name);
  v.wrapped_key = std::move(sealed.wrapped_key);
  v.ciphertext = std::move(sealed.ciphertext);
  v.kek_id = kek_id_;
  v.created_at = now;
  VOUCH_TRY(const store::SecretVersion added, store_.rotate(v).map_error([&](Error e) {
    return deleted_as_not_found(e, tenant, name);
  }));
  if (added.version != next) {
    // Another writer (another node) added a version in between: this one is sealed for the
    // wrong version and will never open. Report it rather than pretend success.
    return fail(ErrorKind::kUnavailable, store::checks::kConflict,
                "secret \"" + std::string(name) + "\" changed concurrently (stored version " +
                    std::to_string(added.version) + ", sealed for " + std::to_string(next) +
                    "); put it again");
  }
  return set_rules_locked(tenant, name, rules, now);
}

Result<SecretInfo> SecretManager::set_rules(std::string_view tenant, std::string_view name,
                                            const ReleaseRules& rules) {
  VOUCH_RETURN_IF_ERROR(check_secret_name(name));
  VOUCH_RETURN_IF_ERROR(check_rules(rules));
  const std::lock_guard<std::mutex> lock(*write_mu_);
  return set_rules_locked(tenant, name, rules, clock_.now());
}

Result<SecretInfo> SecretManager::set_rules_locked(std::string_view tenant, std::string_view name,
                                                   const ReleaseRules& rules, Timestamp now) {
  store::ReleaseSettings settings;
  settings.tenant = std::string(tenant);
  settings.name = std::string(name);
  settings.release_policy = rules.release_policy;
  settings.release_policy_kind = std::string(kPolicyKind);
  settings.trusted_issuers = rules.trusted_issuers;
  settings.updated_at = now;
  VOUCH_TRY(const store::Secret updated, store_.update_release(settings).map_error([&](Error e) {
    return deleted_as_not_found(std::move(e), tenant, name);
  }));
  return info_of(updated);
}

Result<SecretInfo> SecretManager::info(std::string_view tenant, std::string_view name) {
  VOUCH_RETURN_IF_ERROR(check_secret_name(name));
  VOUCH_TRY(const store::Secret s, store_.get(tenant, name));
  if (s.deleted) {
    return not_found(tenant, name);
  }
  return info_of(s);
}

Result<std::vector<SecretInfo>> SecretManager::list(std::string_view tenant) {
  VOUCH_TRY(const std::vector<store::Secret> secrets, store_.list(tenant, false));
  std::vector<SecretInfo> out;
  out.reserve(secrets.size());
  for (const store::Secret& s : secrets) {
    out.push_back(info_of(s));
  }
  return out;
}

Status SecretManager::remove(std::string_view tenant, std::string_view name) {
  VOUCH_RETURN_IF_ERROR(check_secret_name(name));
  const std::lock_guard<std::mutex> lock(*write_mu_);
  auto removed = store_.remove(tenant, name, clock_.now());
  if (!removed && removed.error().check != store::checks::kSecretDeleted) {
    return fail(std::move(removed).error());
  }
  // Already deleted but not purged (an earlier purge failed): purging finishes the job.
  return store_.purge(tenant, name);
}

Result<SecretManager::Opened> SecretManager::open(std::string_view tenant, std::string_view name,
                                                  std::optional<std::int64_t> version) {
  VOUCH_RETURN_IF_ERROR(check_secret_name(name));
  auto read = version ? store_.version(tenant, name, *version) : store_.current(tenant, name);
  VOUCH_TRY(const store::SecretVersion row, std::move(read).map_error([&](Error e) {
    return deleted_as_not_found(std::move(e), tenant, name);
  }));
  if (kek_.size() != crypto::kAes256KeySize) {
    return unseal_error(tenant, name, row.version, "the key-encryption key must be 32 bytes");
  }
  if (row.kek_id != kek_id_) {
    return unseal_error(tenant, name, row.version,
                        "it is wrapped under key-encryption key \"" + row.kek_id +
                            "\", this node holds \"" + kek_id_ + "\"");
  }
  auto data_key =
      open_packed(kek_, row.wrapped_key, associated_data("data-key", tenant, name, row.version));
  if (!data_key) {
    return unseal_error(tenant, name, row.version, "data key: " + data_key.error().to_string());
  }
  const Wiper wipe_data_key(*data_key);
  if (data_key->size() != crypto::kAes256KeySize) {
    return unseal_error(tenant, name, row.version, "the data key is not 32 bytes");
  }
  auto value =
      open_packed(*data_key, row.ciphertext, associated_data("value", tenant, name, row.version));
  if (!value) {
    return unseal_error(tenant, name, row.version, "value: " + value.error().to_string());
  }
  return Opened{row.version, std::move(*value)};
}

}  // namespace vouch::rp
