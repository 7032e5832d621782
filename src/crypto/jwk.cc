#include "crypto/jwk.h"

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "crypto/check_ids.h"

namespace vouch::crypto {
namespace {

Result<Bytes> member(const nlohmann::json& jwk, const char* name) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    return fail(ErrorKind::kInvalidArgument, checks::kJwk,
                std::string("JWK member '") + name + "' is missing or not a string");
  }
  auto decoded = base64url_decode(it->get<std::string>());
  if (!decoded) {
    return fail(ErrorKind::kInvalidArgument, checks::kJwk,
                std::string("JWK member '") + name + "': " + decoded.error().detail);
  }
  return std::move(*decoded);
}

}  // namespace

Result<PublicKey> public_key_from_jwk(const nlohmann::json& jwk) {
  if (!jwk.is_object()) {
    return fail(ErrorKind::kInvalidArgument, checks::kJwk, "JWK is not a JSON object");
  }
  const auto kty = jwk.find("kty");
  if (kty == jwk.end() || !kty->is_string()) {
    return fail(ErrorKind::kInvalidArgument, checks::kJwk, "JWK member 'kty' is missing");
  }
  const std::string type = kty->get<std::string>();
  if (type == "RSA") {
    VOUCH_TRY(Bytes n, member(jwk, "n"));
    VOUCH_TRY(Bytes e, member(jwk, "e"));
    return PublicKey::from_rsa(n, e);
  }
  const auto crv = jwk.find("crv");
  if (crv == jwk.end() || !crv->is_string()) {
    return fail(ErrorKind::kInvalidArgument, checks::kJwk, "JWK member 'crv' is missing");
  }
  const std::string curve = crv->get<std::string>();
  if (type == "EC") {
    Curve c = Curve::kP256;
    if (curve == "P-256") {
      c = Curve::kP256;
    } else if (curve == "P-384") {
      c = Curve::kP384;
    } else if (curve == "P-521") {
      c = Curve::kP521;
    } else {
      return fail(ErrorKind::kInvalidArgument, checks::kJwk,
                  "unsupported EC curve '" + curve + "'");
    }
    VOUCH_TRY(Bytes x, member(jwk, "x"));
    VOUCH_TRY(Bytes y, member(jwk, "y"));
    if (x.size() != curve_field_size(c) || y.size() != curve_field_size(c)) {
      return fail(ErrorKind::kInvalidArgument, checks::kJwk,
                  "EC coordinates must be exactly the field size");
    }
    return PublicKey::from_ec_point(c, x, y);
  }
  if (type == "OKP" && curve == "Ed25519") {
    VOUCH_TRY(Bytes x, member(jwk, "x"));
    return PublicKey::from_ed25519(x);
  }
  return fail(ErrorKind::kInvalidArgument, checks::kJwk, "unsupported JWK type '" + type + "'");
}

nlohmann::json public_key_to_jwk(const PublicKey& key) {
  nlohmann::json j = nlohmann::json::object();
  switch (key.type()) {
    case KeyType::kRsa:
      j["kty"] = "RSA";
      j["n"] = base64url_encode(key.rsa_modulus());
      j["e"] = base64url_encode(key.rsa_exponent());
      break;
    case KeyType::kEc:
      j["kty"] = "EC";
      j["crv"] = std::string(curve_name(key.curve().value_or(Curve::kP256)));
      j["x"] = base64url_encode(key.ec_x());
      j["y"] = base64url_encode(key.ec_y());
      break;
    case KeyType::kEd25519:
      j["kty"] = "OKP";
      j["crv"] = "Ed25519";
      j["x"] = base64url_encode(key.ec_x());
      break;
  }
  return j;
}

std::string jwk_thumbprint(const PublicKey& key) {
  // nlohmann's default object is ordered by key, which is exactly RFC 7638's lexicographic order.
  const nlohmann::json j = public_key_to_jwk(key);
  const std::string canonical = j.dump();
  return base64url_encode(digest(HashAlg::kSha256, as_bytes(canonical)));
}

}  // namespace vouch::crypto
