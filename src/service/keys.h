#pragma once

// Token-signing keys: generated on first use per tenant, sealed under the key-encryption key
// (KEK) in the store, test-signed before use, rotated with overlap (a retiring key stays in the
// JWKS until the last token it signed has expired).

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "jose/keys.h"
#include "store/store.h"
#include "token/signer.h"

namespace vouch::service {

struct Config;

// Loads the KEK: config.kek_base64 (VOUCH_KEK), else config.kek_file (32 raw bytes or base64
// text), else in dev mode <data_dir>/kek, generated (mode 0600) when missing. Outside dev mode a
// missing KEK fails with service.kek.missing; a KEK that is not 32 bytes with service.kek.invalid.
[[nodiscard]] Result<Bytes> load_kek(const Config& config, crypto::Random& random);

// KeyRing hands out each tenant's active signer and publishes its JWKS.
class KeyRing {
 public:
  KeyRing(store::KeyStore& store, Bytes kek, const Clock& clock)
      : store_(store), kek_(std::move(kek)), clock_(clock) {}

  // The tenant's active signer; generates and stores a key (alg, certificate CN = issuer) when
  // the tenant has none. Cached; re-read from the store every few seconds so that a rotation on
  // another node is seen.
  [[nodiscard]] Result<std::shared_ptr<const token::Signer>> active(std::string_view tenant,
                                                                    std::string_view issuer,
                                                                    jose::JwsAlg alg);
  // The keys a relying party may see: active and retiring keys not yet past their not_after.
  // Cached like the active signer (the in-process relying party asks on every release);
  // `refresh` re-reads the store, as a relying party does once for an unknown kid.
  [[nodiscard]] Result<jose::JwkSet> published(std::string_view tenant, bool refresh = false);
  // Replaces the active key with a new one; the old key keeps being published for `overlap`
  // (the longest token lifetime), then retires.
  [[nodiscard]] Result<std::shared_ptr<const token::Signer>> rotate(std::string_view tenant,
                                                                    std::string_view issuer,
                                                                    jose::JwsAlg alg,
                                                                    std::chrono::seconds overlap);
  // Forgets the cached signer of a deleted tenant (a tenant re-created under the same name must
  // not sign with the old one's key).
  void invalidate(std::string_view tenant);
  // Unseals and test-signs every published key of the tenant (start-up): fails with
  // service.key.self_test naming the kid that cannot sign.
  [[nodiscard]] Status self_test(std::string_view tenant);

 private:
  [[nodiscard]] Result<std::shared_ptr<const token::Signer>> load(const store::SigningKey& stored);
  [[nodiscard]] Result<store::SigningKey> generate(std::string_view tenant, std::string_view issuer,
                                                   jose::JwsAlg alg);
  store::KeyStore& store_;
  Bytes kek_;
  const Clock& clock_;
  std::mutex mu_;
  struct Cached {
    std::shared_ptr<const token::Signer> signer;
    Timestamp loaded;
  };
  std::map<std::string, Cached, std::less<>> active_;
  struct CachedSet {
    jose::JwkSet keys;
    Timestamp loaded;
  };
  std::map<std::string, CachedSet, std::less<>> published_;
};

}  // namespace vouch::service
