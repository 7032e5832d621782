#include "crypto/digest.h"

#include <gtest/gtest.h>

#include "base/encoding.h"

namespace vouch::crypto {
namespace {

TEST(Digest, KnownAnswers) {
  EXPECT_EQ(hex_encode(digest(HashAlg::kSha256, as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_encode(digest(HashAlg::kSha1, as_bytes("abc"))),
            "a9993e364706816aba3e25717850c26c9cd0d89d");
  Hasher h(HashAlg::kSha384);
  h.update(as_bytes("a")).update(as_bytes("bc"));
  EXPECT_EQ(hex_encode(h.finish()),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baec"
            "a134c825a7");
  EXPECT_EQ(digest(HashAlg::kSm3, as_bytes("abc")).size(), 32u);
}

TEST(Digest, Names) {
  EXPECT_EQ(hash_from_name("SHA-256"), HashAlg::kSha256);
  EXPECT_EQ(hash_from_name("sha1"), HashAlg::kSha1);
  EXPECT_EQ(hash_from_name("md5"), std::nullopt);
  EXPECT_EQ(hash_name(HashAlg::kSha384), "sha384");
}

}  // namespace
}  // namespace vouch::crypto
