#include "jose/signature.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "base/encoding.h"
#include "jose/check_ids.h"

namespace vouch::jose {
namespace {

std::string_view as_text(ByteSpan bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};  // NOLINT: byte view
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The header's "alg", refused unless it names an algorithm in the allow-list.
Result<JwsAlg> header_alg(const nlohmann::json& header, const std::vector<JwsAlg>& allowed) {
  const auto it = header.find("alg");
  if (it == header.end() || !it->is_string()) {
    return malformed(checks::kHeaderAlg, "the JOSE header has no string \"alg\"");
  }
  const std::string name = it->get<std::string>();
  if (iequals(name, "none")) {
    return rejected(checks::kAlgNone, "unsecured JWS (\"alg\": \"" + name + "\") refused");
  }
  const auto alg = jws_alg_from_name(name);
  if (!alg || std::find(allowed.begin(), allowed.end(), *alg) == allowed.end()) {
    return rejected(checks::kAlgNotAllowed, "algorithm \"" + name + "\" is not allowed");
  }
  return *alg;
}

Status check_header_rules(const nlohmann::json& header, const VerifyOptions& options) {
  if (header.contains("crit")) {
    return rejected(checks::kHeaderCrit, "\"crit\" names extensions this verifier does not know");
  }
  if (const auto b64 = header.find("b64"); b64 != header.end() && *b64 != true) {
    return rejected(checks::kHeaderCrit, "unencoded payloads (\"b64\": false) are not supported");
  }
  if (!options.required_typ.empty()) {
    const auto typ = header.find("typ");
    if (typ == header.end() || !typ->is_string() ||
        !iequals(typ->get<std::string>(), options.required_typ)) {
      return rejected(checks::kHeaderTyp, "\"typ\" must be " + options.required_typ);
    }
  }
  return ok();
}

bool jwk_fits(const Jwk& jwk, JwsAlg alg) {
  return key_fits_jws_alg(jwk.key, alg) && (jwk.alg.empty() || jwk.alg == jws_alg_name(alg)) &&
         (jwk.use.empty() || jwk.use == "sig");
}

// The caller's keys that may verify this token; never a key from the header.
Result<std::vector<const Jwk*>> select_keys(const nlohmann::json& header, const JwkSet& keys,
                                            JwsAlg alg) {
  std::vector<const Jwk*> out;
  const auto kid = header.find("kid");
  if (kid != header.end()) {
    if (!kid->is_string()) {
      return malformed(checks::kHeaderJson, "the header \"kid\" is not a string");
    }
    const std::string wanted = kid->get<std::string>();
    bool known = false;
    for (const Jwk& k : keys.keys) {
      if (k.kid == wanted) {
        known = true;
        if (jwk_fits(k, alg)) {
          out.push_back(&k);
        }
      }
    }
    if (!known) {
      return rejected(checks::kUnknownKid, "no trusted key has kid \"" + wanted + "\"");
    }
    if (out.empty()) {
      return rejected(checks::kKeyMismatch, "the trusted key with kid \"" + wanted +
                                                "\" cannot verify " +
                                                std::string(jws_alg_name(alg)));
    }
    return out;
  }
  for (const Jwk& k : keys.keys) {
    if (jwk_fits(k, alg)) {
      out.push_back(&k);
    }
  }
  if (out.empty()) {
    return rejected(checks::kNoKey, "no trusted key can verify " + std::string(jws_alg_name(alg)));
  }
  return out;
}

// The signature in the form crypto::verify_signature takes, after checking its exact length.
Result<Bytes> signature_for_key(JwsAlg alg, const crypto::PublicKey& key, const Bytes& sig) {
  if (jws_alg_scheme(alg) == crypto::SigScheme::kEcdsa) {
    const std::size_t field = crypto::curve_field_size(key.curve().value_or(crypto::Curve::kP256));
    if (sig.size() != 2 * field) {
      return rejected(checks::kSignatureFormat,
                      std::string(jws_alg_name(alg)) + " signature must be " +
                          std::to_string(2 * field) + " bytes, got " + std::to_string(sig.size()));
    }
    const ByteSpan all(sig);
    return crypto::ecdsa_rs_to_der(all.first(field), all.subspan(field))
        .map_error(retag(checks::kSignatureFormat));
  }
  const std::size_t modulus = static_cast<std::size_t>(key.bits() + 7) / 8;
  if (sig.size() != modulus) {
    return rejected(checks::kSignatureFormat, "RSA signature must be " + std::to_string(modulus) +
                                                  " bytes, got " + std::to_string(sig.size()));
  }
  return sig;
}

}  // namespace

Result<Bytes> jws_signature(JwsAlg alg, const crypto::PrivateKey& key, ByteSpan signing_input) {
  return jws_signature(alg, key, key.public_key(), signing_input);
}

Result<Bytes> jws_signature(JwsAlg alg, const crypto::PrivateKey& key, const crypto::PublicKey& pub,
                            ByteSpan signing_input) {
  if (!key_fits_jws_alg(pub, alg)) {
    return fail(ErrorKind::kInvalidArgument, checks::kSign,
                "the key cannot sign " + std::string(jws_alg_name(alg)));
  }
  VOUCH_TRY(Bytes sig, key.sign(jws_alg_scheme(alg), jws_alg_hash(alg), signing_input)
                           .map_error(retag(checks::kSign)));
  if (jws_alg_scheme(alg) != crypto::SigScheme::kEcdsa) {
    return sig;
  }
  return crypto::ecdsa_der_to_raw(sig, crypto::curve_field_size(*pub.curve()))
      .map_error(retag(checks::kSign));
}

Result<std::string> jws_sign_compact(JwsAlg alg, nlohmann::json header, ByteSpan payload,
                                     const SignFunction& sign) {
  if (!header.is_object()) {
    return fail(ErrorKind::kInvalidArgument, checks::kSign, "the JOSE header must be an object");
  }
  header["alg"] = std::string(jws_alg_name(alg));
  VOUCH_TRY(const std::string header_json, canonical_json(header, checks::kSign));
  std::string out = base64url_encode(as_bytes(header_json));
  out += '.';
  out += base64url_encode(payload);
  VOUCH_TRY(const Bytes sig, sign(as_bytes(out)).map_error(retag(checks::kSign)));
  out += '.';
  out += base64url_encode(sig);
  return out;
}

Result<std::string> jws_sign_compact(JwsAlg alg, nlohmann::json header, ByteSpan payload,
                                     const crypto::PrivateKey& key) {
  return jws_sign_compact(alg, std::move(header), payload,
                          [&](ByteSpan input) { return jws_signature(alg, key, input); });
}

Result<std::string> jwt_sign_compact(JwsAlg alg, nlohmann::json header,
                                     const nlohmann::json& claims, const SignFunction& sign) {
  if (!claims.is_object()) {
    return fail(ErrorKind::kInvalidArgument, checks::kSign, "a JWT claim set must be an object");
  }
  VOUCH_TRY(const std::string payload, canonical_json(claims, checks::kSign));
  return jws_sign_compact(alg, std::move(header), as_bytes(payload), sign);
}

Result<VerifiedJws> jws_verify_compact(std::string_view token, const JwkSet& keys,
                                       const VerifyOptions& options) {
  VOUCH_TRY(JwsCompact jws, parse_jws_compact(token, options.limits));
  VOUCH_TRY(const JwsAlg alg, header_alg(jws.header, options.allowed_algs));
  VOUCH_RETURN_IF_ERROR(check_header_rules(jws.header, options));
  VOUCH_TRY(const std::vector<const Jwk*> candidates, select_keys(jws.header, keys, alg));
  std::optional<Error> format_error;
  std::optional<Error> last;
  for (const Jwk* k : candidates) {
    auto sig = signature_for_key(alg, k->key, jws.signature);
    if (!sig) {
      format_error = std::move(sig).error();
      continue;
    }
    auto verified = crypto::verify_signature(k->key, jws_alg_scheme(alg), jws_alg_hash(alg),
                                             as_bytes(jws.signing_input), *sig);
    if (verified) {
      return VerifiedJws{std::move(jws.header), std::move(jws.payload), alg, k->kid};
    }
    last = std::move(verified).error();
  }
  if (format_error && !last) {
    return fail(std::move(*format_error));
  }
  return rejected(checks::kSignature, "the signature does not verify with any of " +
                                          std::to_string(candidates.size()) + " candidate key(s)" +
                                          (last ? " (" + last->detail + ")" : std::string()));
}

Result<VerifiedJwt> jwt_verify_compact(std::string_view token, const JwkSet& keys,
                                       const VerifyOptions& options) {
  VOUCH_TRY(VerifiedJws jws, jws_verify_compact(token, keys, options));
  VOUCH_TRY(nlohmann::json claims,
            parse_json_strict(as_text(jws.payload), checks::kPayloadJson, "JWT claim set",
                              options.limits.max_json_depth));
  if (!claims.is_object()) {
    return malformed(checks::kPayloadJson, "the JWT claim set is not a JSON object");
  }
  return VerifiedJwt{std::move(jws.header), std::move(claims), jws.alg, std::move(jws.kid)};
}

Result<std::string> make_unsecured_jwt(nlohmann::json header, const nlohmann::json& claims) {
  if (!header.is_object() || !claims.is_object()) {
    return fail(ErrorKind::kInvalidArgument, checks::kSign,
                "an unsecured JWT needs an object header and claim set");
  }
  header["alg"] = "none";
  VOUCH_TRY(const std::string header_json, canonical_json(header, checks::kSign));
  VOUCH_TRY(const std::string payload, canonical_json(claims, checks::kSign));
  return base64url_encode(as_bytes(header_json)) + '.' + base64url_encode(as_bytes(payload)) + '.';
}

Result<nlohmann::json> decode_unsecured_jwt(std::string_view token, const CompactLimits& limits) {
  VOUCH_TRY(const JwsCompact jws, parse_jws_compact(token, limits));
  const auto alg = jws.header.find("alg");
  if (alg == jws.header.end() || *alg != "none" || !jws.signature.empty()) {
    return malformed(checks::kUnsecured,
                     "not an unsecured JWT (\"alg\" must be \"none\" and the signature empty)");
  }
  VOUCH_TRY(nlohmann::json claims, parse_json_strict(as_text(jws.payload), checks::kPayloadJson,
                                                     "JWT claim set", limits.max_json_depth));
  if (!claims.is_object()) {
    return malformed(checks::kPayloadJson, "the JWT claim set is not a JSON object");
  }
  return claims;
}

}  // namespace vouch::jose
