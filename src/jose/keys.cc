#include "jose/keys.h"

#include <array>
#include <optional>

#include "base/encoding.h"
#include "crypto/jwk.h"
#include "jose/check_ids.h"
#include "jose/compact.h"

namespace vouch::jose {
namespace {

Result<std::string> optional_string(const nlohmann::json& jwk, const char* name) {
  const auto it = jwk.find(name);
  if (it == jwk.end()) {
    return std::string();
  }
  if (!it->is_string()) {
    return fail(ErrorKind::kInvalidArgument, checks::kJwk,
                std::string("JWK member '") + name + "' is not a string");
  }
  return it->get<std::string>();
}

bool has_plain_members(const nlohmann::json& jwk) {
  return jwk.contains("n") || jwk.contains("e") || jwk.contains("x") || jwk.contains("y");
}

Result<std::vector<crypto::Certificate>> parse_x5c(const nlohmann::json& x5c) {
  if (!x5c.is_array() || x5c.empty()) {
    return fail(ErrorKind::kInvalidArgument, checks::kJwkX5c,
                "JWK member 'x5c' is not a non-empty array");
  }
  std::vector<crypto::Certificate> certs;
  for (std::size_t i = 0; i < x5c.size(); ++i) {
    const std::string where = "x5c[" + std::to_string(i) + "]";
    if (!x5c[i].is_string()) {
      return fail(ErrorKind::kInvalidArgument, checks::kJwkX5c, where + " is not a string");
    }
    auto der = base64_decode(x5c[i].get<std::string>());
    if (!der) {
      return fail(ErrorKind::kInvalidArgument, checks::kJwkX5c,
                  where + " is not standard base64: " + der.error().detail);
    }
    auto cert = crypto::Certificate::from_der(*der);
    if (!cert) {
      return fail(ErrorKind::kInvalidArgument, checks::kJwkX5c,
                  where + ": " + cert.error().to_string());
    }
    certs.push_back(std::move(*cert));
  }
  return certs;
}

}  // namespace

Result<Jwk> parse_jwk(const nlohmann::json& json) {
  if (!json.is_object()) {
    return fail(ErrorKind::kInvalidArgument, checks::kJwk, "JWK is not a JSON object");
  }
  static constexpr std::array<const char*, 8> kPrivate = {"d",  "p",  "q",   "dp",
                                                          "dq", "qi", "oth", "k"};
  for (const char* member : kPrivate) {
    if (json.contains(member)) {
      return fail(ErrorKind::kInvalidArgument, checks::kJwk,
                  std::string("JWK carries the private or symmetric member '") + member + "'");
    }
  }
  VOUCH_TRY(std::string kid, optional_string(json, "kid"));
  VOUCH_TRY(std::string alg, optional_string(json, "alg"));
  VOUCH_TRY(std::string use, optional_string(json, "use"));
  std::vector<crypto::Certificate> x5c;
  if (const auto it = json.find("x5c"); it != json.end()) {
    VOUCH_TRY(x5c, parse_x5c(*it));
  }
  std::optional<crypto::PublicKey> cert_key;
  if (!x5c.empty()) {
    VOUCH_TRY(cert_key, x5c.front().public_key().map_error(retag(checks::kJwkX5c)));
  }
  std::optional<crypto::PublicKey> key;
  if (has_plain_members(json)) {
    auto plain_key = crypto::public_key_from_jwk(json);
    if (!plain_key) {
      return fail(ErrorKind::kInvalidArgument, checks::kJwk, plain_key.error().detail);
    }
    if (cert_key && !cert_key->equals(*plain_key)) {
      return fail(ErrorKind::kInvalidArgument, checks::kJwkX5c,
                  "the x5c certificate's key differs from the JWK's key members");
    }
    key = std::move(*plain_key);
  } else if (cert_key) {
    key = std::move(cert_key);
  } else {
    return fail(ErrorKind::kInvalidArgument, checks::kJwk,
                "JWK has neither key members nor an x5c certificate");
  }
  Jwk out{std::move(*key), std::move(kid), std::move(alg), std::move(use), std::move(x5c)};
  // kty, when present, must name the key's type (x5c-only JWKs such as MAA's still carry it).
  VOUCH_TRY(const std::string kty, optional_string(json, "kty"));
  const nlohmann::json plain = crypto::public_key_to_jwk(out.key);
  if (!kty.empty() && kty != plain["kty"].get<std::string>()) {
    return fail(ErrorKind::kInvalidArgument, checks::kJwk,
                "JWK kty '" + kty + "' does not match its key");
  }
  return out;
}

nlohmann::json jwk_to_json(const Jwk& jwk) {
  nlohmann::json j = crypto::public_key_to_jwk(jwk.key);
  if (!jwk.kid.empty()) {
    j["kid"] = jwk.kid;
  }
  if (!jwk.alg.empty()) {
    j["alg"] = jwk.alg;
  }
  if (!jwk.use.empty()) {
    j["use"] = jwk.use;
  }
  if (!jwk.x5c.empty()) {
    nlohmann::json chain = nlohmann::json::array();
    for (const crypto::Certificate& cert : jwk.x5c) {
      chain.push_back(base64_encode(cert.der()));
    }
    j["x5c"] = std::move(chain);
  }
  return j;
}

const Jwk* JwkSet::find(std::string_view kid) const noexcept {
  for (const Jwk& k : keys) {
    if (k.kid == kid) {
      return &k;
    }
  }
  return nullptr;
}

Result<JwkSet> parse_jwks(std::string_view document) {
  VOUCH_TRY(const nlohmann::json json,
            parse_json_strict(document, checks::kJwks, "JWKS", 16).map_error([](Error e) {
              e.kind = ErrorKind::kInvalidArgument;
              return e;
            }));
  return parse_jwks_json(json);
}

Result<JwkSet> parse_jwks_json(const nlohmann::json& document) {
  const auto keys = document.is_object() ? document.find("keys") : document.end();
  if (!document.is_object() || keys == document.end() || !keys->is_array()) {
    return fail(ErrorKind::kInvalidArgument, checks::kJwks, "not a JWKS: no 'keys' array");
  }
  JwkSet set;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    auto key = parse_jwk((*keys)[i]);
    if (key) {
      set.keys.push_back(std::move(*key));
    } else {
      set.skipped.push_back("keys[" + std::to_string(i) + "]: " + key.error().detail);
    }
  }
  if (set.keys.empty()) {
    return fail(ErrorKind::kInvalidArgument, checks::kJwks,
                "the JWKS has no usable key (" + std::to_string(set.skipped.size()) + " skipped)");
  }
  return set;
}

nlohmann::json jwks_to_json(const JwkSet& set) {
  nlohmann::json keys = nlohmann::json::array();
  for (const Jwk& k : set.keys) {
    keys.push_back(jwk_to_json(k));
  }
  return nlohmann::json{{"keys", std::move(keys)}};
}

}  // namespace vouch::jose
