#pragma once

// Keys shared by the JOSE tests: generated once per process (key generation, RSA especially, is
// the slow part of these tests).

#include <gtest/gtest.h>

#include <cstdlib>

#include "crypto/keys.h"
#include "jose/alg.h"
#include "jose/keys.h"

namespace vouch::jose::test {

inline const crypto::PrivateKey& key_for(JwsAlg alg) {
  static const auto make = [](bool rsa, crypto::Curve curve) {
    auto k = rsa ? crypto::PrivateKey::generate_rsa(2048) : crypto::PrivateKey::generate_ec(curve);
    if (!k) {
      std::abort();
    }
    return *k;
  };
  static const crypto::PrivateKey p256 = make(false, crypto::Curve::kP256);
  static const crypto::PrivateKey p384 = make(false, crypto::Curve::kP384);
  static const crypto::PrivateKey rsa = make(true, crypto::Curve::kP256);
  switch (alg) {
    case JwsAlg::kEs256:
      return p256;
    case JwsAlg::kEs384:
      return p384;
    case JwsAlg::kRs256:
    case JwsAlg::kPs256:
      return rsa;
  }
  return p256;
}

// A second, unrelated P-256 key (the attacker's).
inline const crypto::PrivateKey& other_p256() {
  static const crypto::PrivateKey k = *crypto::PrivateKey::generate_ec(crypto::Curve::kP256);
  return k;
}

inline JwkSet set_of(const crypto::PrivateKey& key, std::string kid) {
  JwkSet set;
  set.keys.push_back(Jwk{key.public_key(), std::move(kid), "", "", {}});
  return set;
}

}  // namespace vouch::jose::test
