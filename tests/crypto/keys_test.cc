#include "crypto/keys.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "crypto/check_ids.h"
#include "crypto/kdf.h"
#include "testing/matchers.h"

namespace vouch::crypto {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

const Bytes kMsg = to_bytes(as_bytes("attestation evidence"));

struct SchemeCase {
  const char* name;
  SigScheme scheme;
  HashAlg hash;
  bool rsa;
  Curve curve;
};

class SignVerify : public ::testing::TestWithParam<SchemeCase> {};

TEST_P(SignVerify, RoundTripAndTamper) {
  const SchemeCase c = GetParam();
  auto key = c.rsa ? PrivateKey::generate_rsa(2048) : PrivateKey::generate_ec(c.curve);
  ASSERT_THAT(key, Succeeds());
  auto sig = key->sign(c.scheme, c.hash, kMsg);
  ASSERT_THAT(sig, Succeeds());
  const PublicKey pub = key->public_key();
  EXPECT_THAT(verify_signature(pub, c.scheme, c.hash, kMsg, *sig), Succeeds());
  Bytes other = kMsg;
  other[0] ^= 1;
  EXPECT_THAT(verify_signature(pub, c.scheme, c.hash, other, *sig),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kSignature));
  Bytes bad_sig = *sig;
  bad_sig[bad_sig.size() / 2] ^= 0x10;
  EXPECT_FALSE(verify_signature(pub, c.scheme, c.hash, kMsg, bad_sig).has_value());
  EXPECT_FALSE(verify_signature(pub, c.scheme, c.hash, kMsg, Bytes{}).has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Schemes, SignVerify,
    ::testing::Values(
        SchemeCase{"Pkcs1Sha256", SigScheme::kRsaPkcs1v15, HashAlg::kSha256, true, Curve::kP256},
        SchemeCase{"PssSha384", SigScheme::kRsaPss, HashAlg::kSha384, true, Curve::kP256},
        SchemeCase{"EcdsaP256", SigScheme::kEcdsa, HashAlg::kSha256, false, Curve::kP256},
        SchemeCase{"EcdsaP384", SigScheme::kEcdsa, HashAlg::kSha384, false, Curve::kP384}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(Keys, SchemeMustMatchKeyType) {
  auto ec = PrivateKey::generate_ec(Curve::kP256).value();
  auto sig = ec.sign(SigScheme::kEcdsa, HashAlg::kSha256, kMsg).value();
  EXPECT_THAT(
      verify_signature(ec.public_key(), SigScheme::kRsaPkcs1v15, HashAlg::kSha256, kMsg, sig),
      FailsWith(ErrorKind::kEvidenceRejected, checks::kSignatureFormat));
}

TEST(Keys, EcdsaEncodingsConvert) {
  auto ec = PrivateKey::generate_ec(Curve::kP384).value();
  auto der = ec.sign(SigScheme::kEcdsa, HashAlg::kSha384, kMsg).value();
  auto raw = ecdsa_der_to_raw(der, 48);
  ASSERT_THAT(raw, Succeeds());
  ASSERT_EQ(raw->size(), 96u);
  const ByteSpan r(raw->data(), 48);
  const ByteSpan s(raw->data() + 48, 48);
  auto again = ecdsa_rs_to_der(r, s);
  ASSERT_THAT(again, Succeeds());
  EXPECT_THAT(verify_signature(ec.public_key(), SigScheme::kEcdsa, HashAlg::kSha384, kMsg, *again),
              Succeeds());
  // Little-endian r||s as AMD SEV-SNP lays it out.
  const Bytes r_le(r.rbegin(), r.rend());
  const Bytes s_le(s.rbegin(), s.rend());
  auto from_le = ecdsa_raw_le_to_der(r_le, s_le);
  ASSERT_THAT(from_le, Succeeds());
  EXPECT_THAT(
      verify_signature(ec.public_key(), SigScheme::kEcdsa, HashAlg::kSha384, kMsg, *from_le),
      Succeeds());
  EXPECT_FALSE(ecdsa_rs_to_der(Bytes{}, s).has_value());
  EXPECT_FALSE(ecdsa_der_to_raw(Bytes{0x30, 0x00, 0x00}, 48).has_value());
}

TEST(Keys, ImportFormats) {
  auto ec = PrivateKey::generate_ec(Curve::kP256).value();
  const PublicKey pub = ec.public_key();
  EXPECT_TRUE(PublicKey::from_pem(pub.pem()).value().equals(pub));
  EXPECT_TRUE(PublicKey::from_der(pub.spki_der()).value().equals(pub));
  EXPECT_TRUE(PublicKey::from_pem_or_der(as_bytes(pub.pem())).value().equals(pub));
  EXPECT_TRUE(PublicKey::from_ec_point(Curve::kP256, pub.ec_x(), pub.ec_y()).value().equals(pub));
  EXPECT_EQ(pub.curve(), Curve::kP256);
  EXPECT_EQ(pub.bits(), 256);

  Bytes trailing = pub.spki_der();
  trailing.push_back(0);
  EXPECT_THAT(PublicKey::from_der(trailing),
              FailsWith(ErrorKind::kInvalidArgument, checks::kKeyParse));
  EXPECT_THAT(PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
              FailsWith(ErrorKind::kInvalidArgument, checks::kKeyParse));
  Bytes off_curve_y = pub.ec_y();
  off_curve_y.back() ^= 1;
  EXPECT_THAT(PublicKey::from_ec_point(Curve::kP256, pub.ec_x(), off_curve_y),
              FailsWith(ErrorKind::kInvalidArgument, checks::kKeyParse));
  EXPECT_THAT(PublicKey::from_ec_point(Curve::kP256, Bytes(33, 1), pub.ec_y()),
              FailsWith(ErrorKind::kInvalidArgument, checks::kKeyParse));

  auto rsa = PrivateKey::generate_rsa(2048).value().public_key();
  auto rebuilt = PublicKey::from_rsa(rsa.rsa_modulus(), rsa.rsa_exponent());
  ASSERT_THAT(rebuilt, Succeeds());
  EXPECT_TRUE(rebuilt->equals(rsa));
  EXPECT_FALSE(rebuilt->equals(pub));
  EXPECT_THAT(PublicKey::from_rsa(Bytes{}, Bytes{1}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kKeyParse));
}

TEST(Keys, PrivateKeyPemRoundTrip) {
  auto ec = PrivateKey::generate_ec(Curve::kP256).value();
  auto again = PrivateKey::from_pem(ec.pem());
  ASSERT_THAT(again, Succeeds());
  EXPECT_TRUE(again->public_key().equals(ec.public_key()));
  EXPECT_THAT(PrivateKey::from_pem("nope"),
              FailsWith(ErrorKind::kInvalidArgument, checks::kKeyParse));
}

TEST(Kdf, HmacKnownAnswer) {
  // RFC 4231 test case 2.
  EXPECT_EQ(hex_encode(
                hmac(HashAlg::kSha256, as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Kdf, AesCfbMatchesKnownAnswer) {
  // NIST SP 800-38A F.3.13 (CFB128-AES128.Encrypt), first block, with a zero IV variant checked by
  // decrypting ourselves is not possible here; use the published vector's key with IV 0 length
  // check.
  auto ct = aes_cfb_encrypt(Bytes(16, 0), Bytes(20, 0));
  ASSERT_THAT(ct, Succeeds());
  EXPECT_EQ(ct->size(), 20u);
  // AES-128(0^128) under key 0^128 is 66e94bd4ef8a2c3b884cfa59ca342b2e; CFB's first block is that.
  EXPECT_EQ(hex_encode(ByteSpan(*ct).first(16)), "66e94bd4ef8a2c3b884cfa59ca342b2e");
  EXPECT_FALSE(aes_cfb_encrypt(Bytes(15, 0), Bytes(1, 0)).has_value());
}

TEST(Random, SystemRandomGivesFreshBytes) {
  SystemRandom r;
  auto a = r.bytes(32);
  auto b = r.bytes(32);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace vouch::crypto
