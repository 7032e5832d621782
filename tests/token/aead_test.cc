#include "crypto/aead.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "testing/matchers.h"

namespace vouch::crypto {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

const Bytes kKey(32, 0x11);
const Bytes kNonce(12, 0x22);

TEST(Aead, MatchesAKnownAnswer) {
  // The GCM specification's (McGrew and Viega) test case 14: an all-zero 256-bit key and 96-bit IV
  // with a 16-byte zero plaintext.
  auto sealed = aes256_gcm_seal(Bytes(32, 0), Bytes(12, 0), Bytes(16, 0), {});
  ASSERT_THAT(sealed, Succeeds());
  EXPECT_EQ(hex_encode(sealed->ciphertext), "cea7403d4d606b6e074ec5d3baf39d18");
  EXPECT_EQ(hex_encode(sealed->tag), "d0d1c8a799996bf0265b98b5d48ab919");
}

TEST(Aead, RoundTripsAndAuthenticatesEverything) {
  const Bytes plain = {1, 2, 3, 4, 5};
  const Bytes aad = {9, 9};
  auto sealed = aes256_gcm_seal(kKey, plain, aad);
  ASSERT_THAT(sealed, Succeeds());
  EXPECT_EQ(sealed->nonce.size(), kGcmNonceSize);
  auto opened = aes256_gcm_open(kKey, sealed->nonce, sealed->ciphertext, sealed->tag, aad);
  ASSERT_THAT(opened, Succeeds());
  EXPECT_EQ(*opened, plain);

  Bytes ct = sealed->ciphertext;
  ct[0] ^= 1;
  EXPECT_THAT(aes256_gcm_open(kKey, sealed->nonce, ct, sealed->tag, aad),
              FailsWith(ErrorKind::kInvalidArgument, checks::kAeadOpen));
  Bytes tag = sealed->tag;
  tag[15] ^= 1;
  EXPECT_THAT(aes256_gcm_open(kKey, sealed->nonce, sealed->ciphertext, tag, aad),
              FailsWith(ErrorKind::kInvalidArgument, checks::kAeadOpen));
  EXPECT_THAT(aes256_gcm_open(kKey, sealed->nonce, sealed->ciphertext, sealed->tag, Bytes{9}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kAeadOpen));
  EXPECT_THAT(aes256_gcm_open(Bytes(32, 0x12), sealed->nonce, sealed->ciphertext, sealed->tag, aad),
              FailsWith(ErrorKind::kInvalidArgument, checks::kAeadOpen));
}

TEST(Aead, RefusesWrongParameterLengths) {
  EXPECT_THAT(aes256_gcm_seal(Bytes(16, 0), kNonce, Bytes{1}, {}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kAeadParams));
  EXPECT_THAT(aes256_gcm_seal(kKey, Bytes(16, 0), Bytes{1}, {}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kAeadParams));
  EXPECT_THAT(aes256_gcm_open(kKey, kNonce, Bytes{1}, Bytes(15, 0), {}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kAeadParams));
}

TEST(Aead, EmptyPlaintextStillAuthenticates) {
  auto sealed = aes256_gcm_seal(kKey, kNonce, {}, Bytes{7});
  ASSERT_THAT(sealed, Succeeds());
  EXPECT_THAT(aes256_gcm_open(kKey, kNonce, {}, sealed->tag, Bytes{7}), Succeeds());
  EXPECT_THAT(aes256_gcm_open(kKey, kNonce, {}, sealed->tag, Bytes{8}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kAeadOpen));
}

}  // namespace
}  // namespace vouch::crypto
