// MakeCredential: parameter checks and output shape (the real proof, ActivateCredential on a
// software TPM, is in swtpm_test.cc).

#include "evidence/tpm/credential.h"

#include <gtest/gtest.h>

#include "crypto/kdf.h"
#include "evidence/tpm/check_ids.h"
#include "evidence/tpm/constants.h"
#include "testing/matchers.h"
#include "testing/tpm_quote_builder.h"

namespace vouch::tpm {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

class CountingRandom final : public crypto::Random {
 public:
  Result<Bytes> bytes(std::size_t n) override {
    Bytes b(n);
    for (auto& x : b) {
      x = next_++;
    }
    return b;
  }

 private:
  std::uint8_t next_ = 1;
};

// An EK-like RSA public area: restricted decryption key with AES-128-CFB.
Public rsa_ek() {
  auto key = crypto::PrivateKey::generate_rsa(2048).value();
  Public p;
  p.name_alg = alg::kSha256;
  p.object_attributes = attr::kFixedTpm | attr::kFixedParent | attr::kSensitiveDataOrigin |
                        attr::kAdminWithPolicy | attr::kRestricted | attr::kDecrypt;
  RsaParms r;
  r.symmetric = {alg::kAes, 128, alg::kCfb};
  r.key_bits = 2048;
  p.parameters = r;
  p.rsa_modulus = key.public_key().rsa_modulus();
  return p;
}

TEST(MakeCredential, ProducesIdObjectAndOaepSecret) {
  CountingRandom random;
  const Public ek = rsa_ek();
  const Bytes name = object_name(testing::make_software_ak(false).pub).value();
  auto c = make_credential(ek, name, as_bytes("0123456789abcdef"), random);
  ASSERT_THAT(c, Succeeds());
  EXPECT_EQ(c->encrypted_secret.size(), 256u);
  EXPECT_EQ(c->id_object.size(), 2u + 32u + 2u + 16u);  // TPM2B(HMAC) || AES-CFB(TPM2B(secret))
  const Bytes blob = c->tpm2_tools_blob();
  EXPECT_EQ(blob[0], 0xBA);
  EXPECT_EQ(blob[3], 0xDE);
}

TEST(MakeCredential, RejectsUnusableInputs) {
  CountingRandom random;
  Public ek = rsa_ek();
  const Bytes name = object_name(testing::make_software_ak(false).pub).value();
  EXPECT_THAT(make_credential(ek, name, Bytes(33, 1), random),
              FailsWith(ErrorKind::kInvalidArgument, checks::kCredential));
  EXPECT_THAT(make_credential(ek, name, Bytes{}, random),
              FailsWith(ErrorKind::kInvalidArgument, checks::kCredential));
  EXPECT_THAT(make_credential(ek, Bytes{0x00}, Bytes(16, 1), random),
              FailsWith(ErrorKind::kInvalidArgument, checks::kCredential));
  std::get<RsaParms>(ek.parameters).symmetric = {alg::kNull, 0, 0};
  EXPECT_THAT(make_credential(ek, name, Bytes(16, 1), random),
              FailsWith(ErrorKind::kInvalidArgument, checks::kCredential));
}

TEST(Kdf, KdfAIsDeterministicAndLengthExact) {
  const Bytes key(32, 7);
  const Bytes a = crypto::kdf_a(crypto::HashAlg::kSha256, key, "STORAGE", as_bytes("ctx"), {}, 128);
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a, crypto::kdf_a(crypto::HashAlg::kSha256, key, "STORAGE", as_bytes("ctx"), {}, 128));
  const Bytes longer =
      crypto::kdf_a(crypto::HashAlg::kSha256, key, "STORAGE", as_bytes("ctx"), {}, 512);
  EXPECT_EQ(longer.size(), 64u);
  EXPECT_NE(Bytes(longer.begin(), longer.begin() + 16), a) << "the bit length is part of the input";
}

}  // namespace
}  // namespace vouch::tpm
