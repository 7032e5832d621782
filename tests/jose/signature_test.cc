#include "jose/signature.h"

#include <gtest/gtest.h>
// The JOSE library's headers have no extern "C" guards of their own.
extern "C" {
#include <jose/jws.h>
#include <jose/openssl.h>
}

#include <memory>

#include "base/encoding.h"
#include "crypto/jwk.h"
#include "crypto/kdf.h"
#include "jose/check_ids.h"
#include "testing/matchers.h"
#include "tests/jose/test_keys.h"

namespace vouch::jose {
namespace {

using test::key_for;
using test::set_of;
using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

struct JsonDecref {
  void operator()(json_t* j) const noexcept { json_decref(j); }
};
using JanssonPtr = std::unique_ptr<json_t, JsonDecref>;

const nlohmann::json kClaims = {{"iss", "https://vouch.test"}, {"x", 1}};

std::string b64(std::string_view s) {
  return base64url_encode(as_bytes(s));
}

std::string sign(JwsAlg alg, nlohmann::json header = nlohmann::json::object()) {
  const crypto::PrivateKey& key = key_for(alg);
  auto token = jwt_sign_compact(alg, std::move(header), kClaims,
                                [&](ByteSpan in) { return jws_signature(alg, key, in); });
  EXPECT_THAT(token, Succeeds());
  return token.value_or("");
}

// Verifies with the JOSE library, independently of our verifier.
bool library_verifies(const std::string& token, const crypto::PublicKey& key) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  JanssonPtr jws(json_pack("{s:s#,s:s#,s:s}", "protected", token.data(), first, "payload",
                           token.data() + first + 1, second - first - 1, "signature",
                           token.c_str() + second + 1));
  JanssonPtr jwk(jose_openssl_jwk_from_EVP_PKEY(nullptr, key.get()));
  return jws && jwk && jose_jws_ver(nullptr, jws.get(), nullptr, jwk.get(), false);
}

class EveryAlg : public ::testing::TestWithParam<JwsAlg> {};

TEST_P(EveryAlg, RoundTripsAndTheLibraryAgrees) {
  const JwsAlg alg = GetParam();
  const std::string token = sign(alg, {{"kid", "k1"}, {"typ", "JWT"}});
  auto verified = jwt_verify_compact(token, set_of(key_for(alg), "k1"));
  ASSERT_THAT(verified, Succeeds());
  EXPECT_EQ(verified->alg, alg);
  EXPECT_EQ(verified->kid, "k1");
  EXPECT_EQ(verified->claims, kClaims);
  EXPECT_EQ(verified->header["alg"], jws_alg_name(alg));
  EXPECT_TRUE(library_verifies(token, key_for(alg).public_key()));
}

TEST_P(EveryAlg, VerifiesWhatTheLibrarySigned) {
  const JwsAlg alg = GetParam();
  JanssonPtr jwk(jose_openssl_jwk_from_EVP_PKEY(nullptr, key_for(alg).get()));
  const std::string payload = b64(R"({"from":"libjose"})");
  JanssonPtr jws(json_pack("{s:s}", "payload", payload.c_str()));
  JanssonPtr sig(
      json_pack("{s:{s:s}}", "protected", "alg", std::string(jws_alg_name(alg)).c_str()));
  ASSERT_TRUE(jose_jws_sig(nullptr, jws.get(), sig.get(), jwk.get()));
  const std::string token =
      std::string(json_string_value(json_object_get(jws.get(), "protected"))) + "." + payload +
      "." + json_string_value(json_object_get(jws.get(), "signature"));
  auto verified = jwt_verify_compact(token, set_of(key_for(alg), ""));
  ASSERT_THAT(verified, Succeeds());
  EXPECT_EQ(verified->claims["from"], "libjose");
}

TEST_P(EveryAlg, RejectsTamperedPayloadAndSignature) {
  const JwsAlg alg = GetParam();
  const std::string token = sign(alg);
  const auto dot = token.find('.');
  std::string payload_tampered = token;
  payload_tampered.replace(dot + 1, token.find('.', dot + 1) - dot - 1,
                           b64(R"({"iss":"https://vouch.test","x":2})"));
  EXPECT_THAT(jwt_verify_compact(payload_tampered, set_of(key_for(alg), "")),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kSignature));
  std::string sig_tampered = token;
  const std::size_t pos = token.rfind('.') + 3;
  sig_tampered[pos] = sig_tampered[pos] == 'A' ? 'B' : 'A';
  EXPECT_THAT(jwt_verify_compact(sig_tampered, set_of(key_for(alg), "")),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kSignature));
  // A truncated signature is refused before any cryptography.
  Bytes short_sig = base64url_decode(token.substr(token.rfind('.') + 1)).value();
  short_sig.pop_back();
  const std::string truncated = token.substr(0, token.rfind('.') + 1) + base64url_encode(short_sig);
  EXPECT_THAT(jwt_verify_compact(truncated, set_of(key_for(alg), "")),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kSignatureFormat));
}

INSTANTIATE_TEST_SUITE_P(Jose, EveryAlg,
                         ::testing::Values(JwsAlg::kEs256, JwsAlg::kEs384, JwsAlg::kRs256,
                                           JwsAlg::kPs256),
                         [](const auto& param_info) {
                           return std::string(jws_alg_name(param_info.param));
                         });

TEST(Jws, AlgNamesAreExact) {
  EXPECT_EQ(jws_alg_from_name("ES256"), JwsAlg::kEs256);
  EXPECT_EQ(jws_alg_from_name("es256"), std::nullopt);
  EXPECT_EQ(jws_alg_from_name("none"), std::nullopt);
  EXPECT_EQ(jws_alg_from_name("HS256"), std::nullopt);
}

TEST(Jws, RefusesAlgNoneInAnyCase) {
  for (const char* none : {"none", "None", "NONE"}) {
    const std::string token =
        b64(std::string(R"({"alg":")") + none + R"("})") + "." + b64(kClaims.dump()) + ".";
    EXPECT_THAT(jwt_verify_compact(token, set_of(key_for(JwsAlg::kEs256), "")),
                FailsWith(ErrorKind::kEvidenceRejected, checks::kAlgNone))
        << none;
  }
}

TEST(Jws, RefusesHmacWithThePublicKeyAsSecret) {
  // Algorithm confusion: HS256 keyed with the verifier's public key (PEM and DER).
  const crypto::PublicKey pub = key_for(JwsAlg::kRs256).public_key();
  for (const Bytes& secret : {to_bytes(as_bytes(pub.pem())), pub.spki_der()}) {
    const std::string input = b64(R"({"alg":"HS256"})") + "." + b64(kClaims.dump());
    const std::string token =
        input + "." +
        base64url_encode(crypto::hmac(crypto::HashAlg::kSha256, secret, as_bytes(input)));
    EXPECT_THAT(jwt_verify_compact(token, set_of(key_for(JwsAlg::kRs256), "")),
                FailsWith(ErrorKind::kEvidenceRejected, checks::kAlgNotAllowed));
  }
}

TEST(Jws, RefusesAlgorithmsOutsideTheAllowList) {
  const std::string token = sign(JwsAlg::kRs256);
  VerifyOptions only_es;
  only_es.allowed_algs = {JwsAlg::kEs256};
  EXPECT_THAT(jwt_verify_compact(token, set_of(key_for(JwsAlg::kRs256), ""), only_es),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kAlgNotAllowed));
  VerifyOptions none_allowed;
  none_allowed.allowed_algs = {};
  EXPECT_THAT(jwt_verify_compact(token, set_of(key_for(JwsAlg::kRs256), ""), none_allowed),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kAlgNotAllowed));
  const std::string no_alg = b64(R"({"typ":"JWT"})") + "." + b64(kClaims.dump()) + ".AAAA";
  EXPECT_THAT(jwt_verify_compact(no_alg, set_of(key_for(JwsAlg::kEs256), "")),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kHeaderAlg));
}

TEST(Jws, NeverTakesTheKeyFromTheHeader) {
  const crypto::PrivateKey& attacker = test::other_p256();
  const nlohmann::json attacker_jwk = crypto::public_key_to_jwk(attacker.public_key());
  const auto forge = [&](nlohmann::json header) {
    return jwt_sign_compact(
               JwsAlg::kEs256, std::move(header), kClaims,
               [&](ByteSpan in) { return jws_signature(JwsAlg::kEs256, attacker, in); })
        .value();
  };
  const JwkSet trusted = set_of(key_for(JwsAlg::kEs256), "trusted");
  // An unknown kid with the key in the header.
  EXPECT_THAT(jwt_verify_compact(forge({{"kid", "attacker"}, {"jwk", attacker_jwk}}), trusted),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kUnknownKid));
  // No kid: jwk and jku in the header are ignored; the trusted key does not verify.
  EXPECT_THAT(
      jwt_verify_compact(forge({{"jwk", attacker_jwk}, {"jku", "https://evil.test"}}), trusted),
      FailsWith(ErrorKind::kEvidenceRejected, checks::kSignature));
  // The trusted kid with the attacker's key in the header.
  EXPECT_THAT(jwt_verify_compact(forge({{"kid", "trusted"}, {"jwk", attacker_jwk}}), trusted),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kSignature));
}

TEST(Jws, KeySelectionRules) {
  const std::string es256 = sign(JwsAlg::kEs256, {{"kid", "k"}});
  // The kid names an RSA key: it cannot verify ES256.
  EXPECT_THAT(jwt_verify_compact(es256, set_of(key_for(JwsAlg::kRs256), "k")),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kKeyMismatch));
  // A JWK "alg" or "use" that does not fit.
  JwkSet restricted = set_of(key_for(JwsAlg::kEs256), "k");
  restricted.keys[0].alg = "ES384";
  EXPECT_THAT(jwt_verify_compact(es256, restricted),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kKeyMismatch));
  restricted.keys[0].alg = "";
  restricted.keys[0].use = "enc";
  EXPECT_THAT(jwt_verify_compact(es256, restricted),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kKeyMismatch));
  // Without a kid, only keys that fit the algorithm are tried; several may be.
  const std::string no_kid = sign(JwsAlg::kEs256);
  EXPECT_THAT(jwt_verify_compact(no_kid, set_of(key_for(JwsAlg::kRs256), "")),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kNoKey));
  JwkSet two = set_of(test::other_p256(), "a");
  two.keys.push_back(set_of(key_for(JwsAlg::kEs256), "b").keys[0]);
  auto verified = jwt_verify_compact(no_kid, two);
  ASSERT_THAT(verified, Succeeds());
  EXPECT_EQ(verified->kid, "b");
  EXPECT_THAT(jwt_verify_compact(sign(JwsAlg::kEs256, {{"kid", 7}}), two),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kHeaderJson));
}

TEST(Jws, RefusesCritAndUnencodedPayloadsAndChecksTyp) {
  const JwkSet keys = set_of(key_for(JwsAlg::kEs256), "");
  EXPECT_THAT(jwt_verify_compact(sign(JwsAlg::kEs256, {{"crit", {"exp"}}, {"exp", 1}}), keys),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kHeaderCrit));
  EXPECT_THAT(jwt_verify_compact(sign(JwsAlg::kEs256, {{"b64", false}}), keys),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kHeaderCrit));
  VerifyOptions typ;
  typ.required_typ = "statuslist+jwt";
  EXPECT_THAT(jwt_verify_compact(sign(JwsAlg::kEs256, {{"typ", "JWT"}}), keys, typ),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kHeaderTyp));
  EXPECT_THAT(jwt_verify_compact(sign(JwsAlg::kEs256, {{"typ", "StatusList+JWT"}}), keys, typ),
              Succeeds());
}

TEST(Jws, JwtPayloadMustBeOneObject) {
  const crypto::PrivateKey& key = key_for(JwsAlg::kEs256);
  for (const char* payload : {"[1]", "not json", R"({"a":1,"a":2})"}) {
    auto token = jws_sign_compact(JwsAlg::kEs256, nlohmann::json::object(), as_bytes(payload), key);
    ASSERT_THAT(token, Succeeds());
    EXPECT_THAT(jwt_verify_compact(*token, set_of(key, "")),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kPayloadJson))
        << payload;
  }
}

TEST(Jws, SigningRefusesAKeyThatDoesNotFit) {
  EXPECT_THAT(jws_signature(JwsAlg::kEs384, key_for(JwsAlg::kEs256), as_bytes("x")),
              FailsWith(ErrorKind::kInvalidArgument, checks::kSign));
  EXPECT_THAT(jws_signature(JwsAlg::kRs256, key_for(JwsAlg::kEs256), as_bytes("x")),
              FailsWith(ErrorKind::kInvalidArgument, checks::kSign));
  EXPECT_THAT(jws_sign_compact(JwsAlg::kEs256, nlohmann::json::array(), as_bytes("x"),
                               key_for(JwsAlg::kEs256)),
              FailsWith(ErrorKind::kInvalidArgument, checks::kSign));
}

TEST(Unsecured, IsMadeByItsOwnFunctionAndRefusedByVerification) {
  auto token = make_unsecured_jwt({{"typ", "JWT"}}, kClaims);
  ASSERT_THAT(token, Succeeds());
  EXPECT_EQ(token->back(), '.');
  auto claims = decode_unsecured_jwt(*token);
  ASSERT_THAT(claims, Succeeds());
  EXPECT_EQ(*claims, kClaims);
  EXPECT_THAT(jwt_verify_compact(*token, set_of(key_for(JwsAlg::kEs256), "")),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kAlgNone));
  // decode_unsecured_jwt reads nothing that claims to be signed.
  EXPECT_THAT(decode_unsecured_jwt(sign(JwsAlg::kEs256)),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kUnsecured));
  EXPECT_THAT(decode_unsecured_jwt(*token + "AAAA"),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kUnsecured));
}

}  // namespace
}  // namespace vouch::jose
