#include "service/keys.h"

#include <filesystem>
#include <system_error>

#include "base/encoding.h"
#include "base/file.h"
#include "service/cache_age.h"
#include "service/check_ids.h"
#include "service/config.h"

namespace vouch::service {
namespace {

constexpr std::chrono::seconds kCacheTtl{5};
constexpr std::chrono::days kCertificateValidity{2 * 365};

Result<Bytes> decode_kek(std::string_view text, std::string_view where) {
  std::string trimmed(text);
  while (!trimmed.empty() &&
         (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' ')) {
    trimmed.pop_back();
  }
  Bytes kek;
  if (trimmed.size() == 32 && text.size() == 32) {
    kek.assign(text.begin(), text.end());  // 32 raw bytes
  } else {
    auto decoded = base64_decode_any(trimmed);
    if (!decoded) {
      return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kKekInvalid,
                                  std::string(where) + ": not 32 raw bytes nor base64"});
    }
    kek = std::move(*decoded);
  }
  if (kek.size() != 32) {
    return tl::unexpected(Error{
        ErrorKind::kInvalidArgument, checks::kKekInvalid,
        std::string(where) + ": the KEK must be 32 bytes, got " + std::to_string(kek.size())});
  }
  return kek;
}

}  // namespace

Result<Bytes> load_kek(const Config& config, crypto::Random& random) {
  if (!config.kek_base64.empty()) {
    return decode_kek(config.kek_base64, "VOUCH_KEK");
  }
  if (!config.kek_file.empty()) {
    VOUCH_TRY(Bytes content, read_file(config.kek_file));
    return decode_kek(std::string_view(reinterpret_cast<const char*>(content.data()),  // NOLINT
                                       content.size()),
                      config.kek_file);
  }
  if (!config.dev) {
    return tl::unexpected(Error{ErrorKind::kFailedPrecondition, checks::kKekMissing,
                                "no key-encryption key: set [keys] kek_file or VOUCH_KEK "
                                "(or use --dev for development)"});
  }
  const std::filesystem::path path = std::filesystem::path(config.data_dir) / "kek";
  if (std::filesystem::exists(path)) {
    VOUCH_TRY(Bytes content, read_file(path.string()));
    return decode_kek(std::string_view(reinterpret_cast<const char*>(content.data()),  // NOLINT
                                       content.size()),
                      path.string());
  }
  VOUCH_TRY(Bytes kek, random.bytes(32));
  VOUCH_RETURN_IF_ERROR(write_private_file(path.string(), base64_encode(kek) + "\n"));
  return kek;
}

Result<std::shared_ptr<const token::Signer>> KeyRing::load(const store::SigningKey& stored) {
  const std::string_view sealed(reinterpret_cast<const char*>(stored.private_key.data()),  // NOLINT
                                stored.private_key.size());
  auto key = token::unseal_signing_key(sealed, kek_);
  if (!key) {
    return tl::unexpected(Error{ErrorKind::kInternal, checks::kKeySelfTest,
                                "key " + stored.kid + ": " + key.error().to_string()});
  }
  auto signer = token::LocalSigner::create(std::move(*key));
  if (!signer) {
    return tl::unexpected(Error{ErrorKind::kInternal, checks::kKeySelfTest,
                                "key " + stored.kid + ": " + signer.error().to_string()});
  }
  return std::shared_ptr<const token::Signer>(std::move(*signer));
}

Result<store::SigningKey> KeyRing::generate(std::string_view tenant, std::string_view issuer,
                                            jose::JwsAlg alg) {
  const Timestamp now = clock_.now();
  token::CertificateOptions options;
  options.common_name = std::string(issuer);
  options.not_before = now - std::chrono::hours(1);  // tolerate relying parties' clock skew
  options.not_after = now + kCertificateValidity;
  VOUCH_TRY(token::SigningKey key, token::generate_signing_key(alg, options));
  VOUCH_TRY(std::string sealed, token::seal_signing_key(key, kek_));
  store::SigningKey stored;
  stored.tenant = std::string(tenant);
  stored.kid = key.kid;
  stored.algorithm = std::string(jose::jws_alg_name(alg));
  stored.private_key = Bytes(sealed.begin(), sealed.end());
  jose::Jwk jwk{key.key.public_key(), key.kid, stored.algorithm, "sig", key.chain};
  stored.public_jwk = jose::jwk_to_json(jwk);
  if (!key.chain.empty()) {
    stored.certificate_der = key.chain.front().der();
  }
  stored.state = store::KeyState::kActive;
  stored.created_at = now;
  return stored;
}

Result<std::shared_ptr<const token::Signer>> KeyRing::active(std::string_view tenant,
                                                             std::string_view issuer,
                                                             jose::JwsAlg alg) {
  const Timestamp now = clock_.now();
  std::lock_guard lock(mu_);
  auto it = active_.find(tenant);
  if (it != active_.end() && cache_fresh(now, it->second.loaded, kCacheTtl)) {
    return it->second.signer;
  }
  auto stored = store_.active(tenant);
  if (!stored && stored.error().kind == ErrorKind::kNotFound) {
    VOUCH_TRY(store::SigningKey fresh, generate(tenant, issuer, alg));
    auto added = store_.add(fresh);
    if (added) {
      stored = std::move(fresh);
    } else {
      stored = store_.active(tenant);  // another node generated one first
    }
  }
  if (!stored) {
    return tl::unexpected(std::move(stored.error()));
  }
  if (it != active_.end() && it->second.signer->kid() == stored->kid) {
    it->second.loaded = now;
    return it->second.signer;
  }
  VOUCH_TRY(auto signer, load(*stored));
  active_[std::string(tenant)] = Cached{signer, now};
  published_.erase(std::string(tenant));  // a new active key: the published set changed
  return signer;
}

Result<jose::JwkSet> KeyRing::published(std::string_view tenant, bool refresh) {
  const Timestamp now = clock_.now();
  {
    std::lock_guard lock(mu_);
    auto it = published_.find(tenant);
    if (!refresh && it != published_.end() && cache_fresh(now, it->second.loaded, kCacheTtl)) {
      return it->second.keys;
    }
  }
  VOUCH_TRY(auto keys, store_.published(tenant, now));
  jose::JwkSet set;
  for (const auto& k : keys) {
    auto jwk = jose::parse_jwk(k.public_jwk);
    if (!jwk) {
      return tl::unexpected(Error{ErrorKind::kInternal, checks::kKeySelfTest,
                                  "stored public key " + k.kid + ": " + jwk.error().detail});
    }
    set.keys.push_back(std::move(*jwk));
  }
  std::lock_guard lock(mu_);
  published_[std::string(tenant)] = CachedSet{set, now};
  return set;
}

Result<std::shared_ptr<const token::Signer>> KeyRing::rotate(std::string_view tenant,
                                                             std::string_view issuer,
                                                             jose::JwsAlg alg,
                                                             std::chrono::seconds overlap) {
  VOUCH_TRY(store::SigningKey fresh, generate(tenant, issuer, alg));
  VOUCH_TRY(auto signer, load(fresh));  // test-sign before it becomes active
  VOUCH_RETURN_IF_ERROR(store_.rotate(fresh, clock_.now() + overlap));
  std::lock_guard lock(mu_);
  active_[std::string(tenant)] = Cached{signer, clock_.now()};
  published_.erase(std::string(tenant));
  return signer;
}

void KeyRing::invalidate(std::string_view tenant) {
  std::lock_guard lock(mu_);
  if (auto it = active_.find(tenant); it != active_.end()) {
    active_.erase(it);
  }
  if (auto it = published_.find(tenant); it != published_.end()) {
    published_.erase(it);
  }
}

Status KeyRing::self_test(std::string_view tenant) {
  VOUCH_TRY(auto keys, store_.published(tenant, clock_.now()));
  for (const auto& k : keys) {
    VOUCH_TRY(auto signer, load(k));
    (void)signer;
  }
  return {};
}

}  // namespace vouch::service
