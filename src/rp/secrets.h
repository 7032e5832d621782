#pragma once

// SecretManager keeps a tenant's secrets envelope-encrypted: each version gets a fresh 256-bit
// data key; the value is sealed under the data key (AES-256-GCM, associated data naming tenant,
// secret and version) and the data key under the key-encryption key (AES-256-GCM, same
// associated data), so a row moved to another secret or version does not open. Values are never
// logged and never returned by anything but open().
//
// Row layout (store::SecretVersion): wrapped_key = nonce(12) || AES-256-GCM(KEK, data key) ||
// tag(16); ciphertext = nonce(12) || AES-256-GCM(data key, value) || tag(16). The associated data
// is the length-prefixed (4-byte big-endian) fields "vouch.rp.secret.v1", purpose ("data-key" or
// "value"), tenant, name, decimal version.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "crypto/keys.h"
#include "store/store.h"

namespace vouch::rp {

inline constexpr std::size_t kMaxSecretValue = 64 * 1024;

// Release rules of one secret.
struct ReleaseRules {
  std::string release_policy;                // key-release JSON (policy/release_policy.h)
  std::vector<std::string> trusted_issuers;  // issuer URLs, 1..16, compared exactly after
                                             // dropping one trailing '/'
};

// What an owner may see of a secret: never the value.
struct SecretInfo {
  std::string tenant;
  std::string name;
  std::int64_t version = 0;  // current
  ReleaseRules rules;
  Timestamp created_at{};
  Timestamp updated_at{};
};

// Checks a secret name: 1..128 characters, '/'-separated segments of [A-Za-z0-9._-], no empty
// segment and no "." or ".." segment (KBS resources are "repo/type/tag"). rp.secret.name.
[[nodiscard]] Status check_secret_name(std::string_view name);

class SecretManager {
 public:
  // `kek` is the 32-byte key-encryption key; rows wrapped under another kek_id do not open.
  SecretManager(store::SecretStore& store, Bytes kek, std::string kek_id, crypto::Random& random,
                const Clock& clock);
  SecretManager(SecretManager&&) noexcept = default;
  ~SecretManager();  // wipes the KEK

  // Writes (put, set_rules, remove) of one SecretManager are serialized, since put() seals the
  // next version number before the store assigns it. Two nodes writing the same secret at once
  // can still race: the loser's put() fails with kUnavailable store.conflict (its row, sealed
  // for the wrong version, never opens) and should be retried.

  // Creates the secret (version 1) or, when it exists, adds a new version with `value` and
  // replaces its rules. Validates name, value (1..kMaxSecretValue bytes, rp.secret.value) and
  // rules (the policy parses, 1..16 issuers that are http(s) URLs; rp.secret.config). For an
  // existing secret the new version and the new rules are two store writes: if the second fails
  // the error is returned and the new value is live under the old rules (put again to fix).
  [[nodiscard]] Result<SecretInfo> put(std::string_view tenant, std::string_view name,
                                       ByteSpan value, const ReleaseRules& rules);
  // Replaces the rules only.
  [[nodiscard]] Result<SecretInfo> set_rules(std::string_view tenant, std::string_view name,
                                             const ReleaseRules& rules);
  [[nodiscard]] Result<SecretInfo> info(std::string_view tenant, std::string_view name);
  [[nodiscard]] Result<std::vector<SecretInfo>> list(std::string_view tenant);
  // Deletes the secret and purges every version (crypto-shredding the data keys).
  [[nodiscard]] Status remove(std::string_view tenant, std::string_view name);

  // The current value, unsealed. Only the release path calls this; the caller wipes the value.
  // kInternal rp.secret.unseal on a failure to open (wrong KEK or kek_id, tampered or moved row;
  // never a partial value): this is the operator's problem, not the caller's. A removed secret is
  // kNotFound store.secret.not_found.
  struct Opened {
    std::int64_t version = 0;
    Bytes value;
  };
  // `version`: exactly that version (the one whose rules a release checked), else the current.
  [[nodiscard]] Result<Opened> open(std::string_view tenant, std::string_view name,
                                    std::optional<std::int64_t> version = std::nullopt);

 private:
  struct Sealed {
    Bytes wrapped_key;  // nonce || data key sealed under the KEK || tag
    Bytes ciphertext;   // nonce || value sealed under the data key || tag
  };
  [[nodiscard]] Result<Sealed> seal(std::string_view tenant, std::string_view name,
                                    std::int64_t version, ByteSpan value);
  [[nodiscard]] Result<SecretInfo> set_rules_locked(std::string_view tenant, std::string_view name,
                                                    const ReleaseRules& rules, Timestamp now);

  store::SecretStore& store_;
  Bytes kek_;
  std::string kek_id_;
  crypto::Random& random_;
  const Clock& clock_;
  std::unique_ptr<std::mutex> write_mu_ = std::make_unique<std::mutex>();
};

}  // namespace vouch::rp
