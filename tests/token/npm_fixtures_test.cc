// Writes tokens, keys and JWEs for tests/token/jose_npm_check, which checks them with the `jose`
// npm package (an independent implementation). Skipped unless VOUCH_JOSE_NPM_OUT names a
// directory; the script sets it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "crypto/jwk.h"
#include "jose/encryption.h"
#include "jose/signature.h"
#include "tests/token/fixtures.h"
#include "token/discovery.h"
#include "token/profiles.h"
#include "token/status_list.h"

namespace vouch::token {
namespace {

void write(const std::string& dir, const std::string& name, const std::string& text) {
  std::ofstream out(dir + "/" + name);
  out << text;
  ASSERT_TRUE(out.good()) << name;
}

TEST(JoseNpm, WritesFixtures) {
  const char* out = std::getenv("VOUCH_JOSE_NPM_OUT");
  if (out == nullptr) {
    GTEST_SKIP() << "VOUCH_JOSE_NPM_OUT not set; tests/token/jose_npm_check sets it";
  }
  const std::string dir = out;
  const std::string list_uri = std::string(test::kIssuer) + "/status-lists/1";
  std::vector<const Signer*> signers;
  for (jose::JwsAlg alg : jose::all_jws_algs()) {
    signers.push_back(&test::signer(alg));
  }
  write(dir, "jwks.json", jwks_document(signers).dump());
  const auto claims = [&](std::uint64_t idx) {
    return nlohmann::json{{"iss", test::kIssuer},        {"iat", test::kNow},
                          {"nbf", test::kNow},           {"exp", test::kNow + 600},
                          {"jti", std::string(64, 'a')}, {"status", status_claim({idx, list_uri})}};
  };
  for (const Signer* s : signers) {
    write(dir, "good_" + std::string(jose::jws_alg_name(s->alg())) + ".jwt",
          issue_jwt(*s, maa_header(test::kIssuer, *s), claims(1)).value());
  }
  const Signer& es = test::signer(jose::JwsAlg::kEs256);
  nlohmann::json c = claims(1);
  c["exp"] = test::kNow - 3600;
  write(dir, "expired.jwt", issue_jwt(es, maa_header(test::kIssuer, es), c).value());
  c = claims(1);
  c["iss"] = "https://evil.test";
  write(dir, "wrong_iss.jwt", issue_jwt(es, maa_header(test::kIssuer, es), c).value());
  write(dir, "none.jwt", jose::make_unsecured_jwt({{"typ", "JWT"}}, claims(1)).value());
  const auto attacker = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  write(dir, "unknown_kid.jwt",
        jose::jwt_sign_compact(
            jose::JwsAlg::kEs256,
            {{"kid", "attacker"}, {"jwk", crypto::public_key_to_jwk(attacker.public_key())}},
            claims(1),
            [&](ByteSpan in) { return jose::jws_signature(jose::JwsAlg::kEs256, attacker, in); })
            .value());
  write(dir, "revoked.jwt", issue_jwt(es, maa_header(test::kIssuer, es), claims(3)).value());
  StatusList list(64);
  ASSERT_TRUE(list.set(3, 1).has_value());
  write(dir, "statuslist.jwt",
        issue_status_list_token(es, list,
                                {list_uri, test::kIssuer, from_unix_seconds(test::kNow),
                                 std::chrono::seconds(3600), std::nullopt})
            .value());
  const auto tee_ec = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  const auto tee_rsa = crypto::PrivateKey::generate_rsa(2048).value();
  write(dir, "tee_ec.pem", tee_ec.pem());
  write(dir, "tee_rsa.pem", tee_rsa.pem());
  write(dir, "secret_ec.jwe",
        jose::jwe_encrypt_compact(tee_ec.public_key(), as_bytes("secret for the EC TEE key"))
            .value());
  write(dir, "secret_rsa.jwe",
        jose::jwe_encrypt_compact(tee_rsa.public_key(), as_bytes("secret for the RSA TEE key"))
            .value());
  write(dir, "meta.json",
        nlohmann::json{{"issuer", test::kIssuer}, {"now", test::kNow}, {"list_uri", list_uri}}
            .dump());
}

}  // namespace
}  // namespace vouch::token
