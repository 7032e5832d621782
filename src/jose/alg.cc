#include "jose/alg.h"

namespace vouch::jose {

std::string_view jws_alg_name(JwsAlg alg) noexcept {
  switch (alg) {
    case JwsAlg::kEs256:
      return "ES256";
    case JwsAlg::kEs384:
      return "ES384";
    case JwsAlg::kRs256:
      return "RS256";
    case JwsAlg::kPs256:
      return "PS256";
  }
  return "?";
}

std::optional<JwsAlg> jws_alg_from_name(std::string_view name) noexcept {
  for (JwsAlg alg : all_jws_algs()) {
    if (jws_alg_name(alg) == name) {
      return alg;
    }
  }
  return std::nullopt;
}

const std::vector<JwsAlg>& all_jws_algs() {
  static const std::vector<JwsAlg> kAll = {JwsAlg::kEs256, JwsAlg::kEs384, JwsAlg::kRs256,
                                           JwsAlg::kPs256};
  return kAll;
}

crypto::HashAlg jws_alg_hash(JwsAlg alg) noexcept {
  return alg == JwsAlg::kEs384 ? crypto::HashAlg::kSha384 : crypto::HashAlg::kSha256;
}

crypto::SigScheme jws_alg_scheme(JwsAlg alg) noexcept {
  switch (alg) {
    case JwsAlg::kEs256:
    case JwsAlg::kEs384:
      return crypto::SigScheme::kEcdsa;
    case JwsAlg::kRs256:
      return crypto::SigScheme::kRsaPkcs1v15;
    case JwsAlg::kPs256:
      return crypto::SigScheme::kRsaPss;
  }
  return crypto::SigScheme::kEcdsa;
}

bool key_fits_jws_alg(const crypto::PublicKey& key, JwsAlg alg) noexcept {
  switch (alg) {
    case JwsAlg::kEs256:
      return key.type() == crypto::KeyType::kEc && key.curve() == crypto::Curve::kP256;
    case JwsAlg::kEs384:
      return key.type() == crypto::KeyType::kEc && key.curve() == crypto::Curve::kP384;
    case JwsAlg::kRs256:
    case JwsAlg::kPs256:
      return key.type() == crypto::KeyType::kRsa && key.bits() >= 2048;
  }
  return false;
}

std::string_view jwe_alg_name(JweAlg alg) noexcept {
  switch (alg) {
    case JweAlg::kEcdhEsA256kw:
      return "ECDH-ES+A256KW";
    case JweAlg::kRsaOaep256:
      return "RSA-OAEP-256";
  }
  return "?";
}

std::optional<JweAlg> jwe_alg_from_name(std::string_view name) noexcept {
  for (JweAlg alg : {JweAlg::kEcdhEsA256kw, JweAlg::kRsaOaep256}) {
    if (jwe_alg_name(alg) == name) {
      return alg;
    }
  }
  return std::nullopt;
}

std::optional<JweAlg> jwe_alg_for_key(const crypto::PublicKey& key) noexcept {
  switch (key.type()) {
    case crypto::KeyType::kEc:
      return JweAlg::kEcdhEsA256kw;
    case crypto::KeyType::kRsa:
      return key.bits() >= 2048 ? std::optional<JweAlg>(JweAlg::kRsaOaep256) : std::nullopt;
    case crypto::KeyType::kEd25519:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace vouch::jose
