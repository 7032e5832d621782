#pragma once

// Signers shared by the token tests, made once per process (RSA key generation is slow).

#include <memory>

#include "base/time.h"
#include "token/signer.h"

namespace vouch::token::test {

inline constexpr std::int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
inline constexpr const char* kIssuer = "https://vouch.test";

inline CertificateOptions cert_options() {
  return {.common_name = kIssuer,
          .not_before = from_unix_seconds(kNow - 86400),
          .not_after = from_unix_seconds(kNow + 365 * 86400),
          .issuer = nullptr,
          .issuer_key = nullptr,
          .subject_alt_names = {}};
}

inline const LocalSigner& signer(jose::JwsAlg alg) {
  static const auto make = [](jose::JwsAlg a) {
    return LocalSigner::create(generate_signing_key(a, cert_options()).value()).value();
  };
  static const std::unique_ptr<LocalSigner> es256 = make(jose::JwsAlg::kEs256);
  static const std::unique_ptr<LocalSigner> es384 = make(jose::JwsAlg::kEs384);
  static const std::unique_ptr<LocalSigner> rs256 = make(jose::JwsAlg::kRs256);
  static const std::unique_ptr<LocalSigner> ps256 = make(jose::JwsAlg::kPs256);
  switch (alg) {
    case jose::JwsAlg::kEs256:
      return *es256;
    case jose::JwsAlg::kEs384:
      return *es384;
    case jose::JwsAlg::kRs256:
      return *rs256;
    case jose::JwsAlg::kPs256:
      return *ps256;
  }
  return *es256;
}

inline jose::JwkSet keys_of(const Signer& s) {
  jose::JwkSet set;
  set.keys.push_back(s.public_jwk());
  return set;
}

}  // namespace vouch::token::test
