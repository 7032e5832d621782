#pragma once

// Shared pieces of the relying-party tests: an SQLite store in a temp dir with one tenant, a fake
// HTTP client over a map that counts its calls, and a verifier's signing keys made once per
// process. Everything is local; nothing touches the network.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "base/result.h"
#include "base/time.h"
#include "crypto/keys.h"
#include "rp/issuer_keys.h"
#include "store/store.h"
#include "testing/temp_dir.h"
#include "token/discovery.h"
#include "token/signer.h"

namespace vouch::rp::test {

inline constexpr std::int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
inline constexpr const char* kIssuer = "https://verifier.test";
inline constexpr const char* kTenant = "t1";

// A store in a fresh directory with tenant kTenant.
class TestStore {
 public:
  TestStore() {
    auto s = store::open_store("sqlite:" + dir_.file("vouch.db") + "?synchronous=normal");
    EXPECT_TRUE(s.has_value()) << s.error().to_string();
    store_ = std::move(s).value();
    store::Tenant t;
    t.name = kTenant;
    t.issuer = kIssuer;
    t.created_at = from_unix_seconds(kNow);
    auto created = store_->tenants().create(t);
    EXPECT_TRUE(created.has_value()) << created.error().to_string();
  }
  store::Store& get() { return *store_; }
  store::SecretStore& secrets() { return store_->secrets(); }

 private:
  testing::TempDir dir_;
  store::StorePtr store_;
};

// A GET over a map; a missing url is a transport failure. Counts every call.
struct FakeHttp {
  std::map<std::string, std::string> pages;
  std::map<std::string, int> calls_to;
  int calls = 0;

  HttpGet getter() {
    return [this](const std::string& url) -> Result<std::string> {
      ++calls;
      ++calls_to[url];
      const auto it = pages.find(url);
      if (it == pages.end()) {
        return fail(ErrorKind::kUnavailable, vouch::checks::kInternal,
                    "connection refused: " + url);
      }
      return it->second;
    };
  }

  // Publishes an issuer's discovery document (jwks_uri = issuer + "/certs") and JWKS.
  void serve_issuer(const std::string& issuer, const std::vector<const token::Signer*>& signers) {
    pages[issuer + "/.well-known/openid-configuration"] =
        token::openid_configuration(issuer, {jose::JwsAlg::kEs256}, {"iss"}).dump();
    pages[issuer + "/certs"] = token::jwks_document(signers).dump();
  }
};

inline token::CertificateOptions cert_options() {
  return {.common_name = kIssuer,
          .not_before = from_unix_seconds(kNow - 86400),
          .not_after = from_unix_seconds(kNow + 365 * 86400),
          .issuer = nullptr,
          .issuer_key = nullptr,
          .subject_alt_names = {}};
}

// The verifier's token-signing keys: the current one and another (a rotated-in or an
// attacker's key, depending on the test).
inline const token::LocalSigner& verifier_signer() {
  static const std::unique_ptr<token::LocalSigner> s =
      token::LocalSigner::create(
          token::generate_signing_key(jose::JwsAlg::kEs256, cert_options()).value())
          .value();
  return *s;
}
inline const token::LocalSigner& other_signer() {
  static const std::unique_ptr<token::LocalSigner> s =
      token::LocalSigner::create(
          token::generate_signing_key(jose::JwsAlg::kEs256, cert_options()).value())
          .value();
  return *s;
}

// The TEE's ephemeral keys.
inline const crypto::PrivateKey& tee_ec_key() {
  static const crypto::PrivateKey k = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  return k;
}
inline const crypto::PrivateKey& tee_rsa_key() {
  static const crypto::PrivateKey k = crypto::PrivateKey::generate_rsa(2048).value();
  return k;
}

}  // namespace vouch::rp::test
