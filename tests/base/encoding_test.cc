#include "base/encoding.h"

#include <gtest/gtest.h>

#include "testing/matchers.h"

namespace vouch {
namespace {

using ::vouch::testing::FailsWith;

TEST(Hex, RoundTripAndErrors) {
  const Bytes b = {0x00, 0xab, 0xff};
  EXPECT_EQ(hex_encode(b), "00abff");
  EXPECT_EQ(hex_decode("00ABff").value(), b);
  EXPECT_THAT(hex_decode("abc"), FailsWith(ErrorKind::kInvalidArgument, checks::kHexDecode));
  EXPECT_THAT(hex_decode("zz"), FailsWith(ErrorKind::kInvalidArgument, checks::kHexDecode));
  EXPECT_TRUE(hex_decode("").value().empty());
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {{"", ""},
                                                       {"f", "Zg=="},
                                                       {"fo", "Zm8="},
                                                       {"foo", "Zm9v"},
                                                       {"foob", "Zm9vYg=="},
                                                       {"fooba", "Zm9vYmE="},
                                                       {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, enc] : cases) {
    EXPECT_EQ(base64_encode(as_bytes(plain)), enc);
    EXPECT_EQ(base64_decode(enc).value(), to_bytes(as_bytes(plain)));
  }
}

TEST(Base64, UrlAlphabetAndTolerantDecoding) {
  const Bytes b = {0xfb, 0xff, 0xfe};
  EXPECT_EQ(base64_encode(b), "+//+");
  EXPECT_EQ(base64url_encode(b), "-__-");
  EXPECT_EQ(base64url_decode("-__-").value(), b);
  EXPECT_EQ(base64_decode_any("+//+").value(), b);
  EXPECT_EQ(base64_decode_any("-__-").value(), b);
  EXPECT_EQ(base64_decode_any("Zg").value(), to_bytes(as_bytes("f")));
  EXPECT_EQ(base64_decode_any("Zg==").value(), to_bytes(as_bytes("f")));
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_THAT(base64_decode("Zg"), FailsWith(ErrorKind::kInvalidArgument, checks::kBase64Decode));
  EXPECT_THAT(base64url_decode("Zg=="),
              FailsWith(ErrorKind::kInvalidArgument, checks::kBase64Decode));
  EXPECT_THAT(base64_decode("+__+"), FailsWith(ErrorKind::kInvalidArgument, checks::kBase64Decode));
  EXPECT_THAT(base64_decode_any("+_"),
              FailsWith(ErrorKind::kInvalidArgument, checks::kBase64Decode));
  EXPECT_THAT(base64_decode_any("Z"),
              FailsWith(ErrorKind::kInvalidArgument, checks::kBase64Decode));
  EXPECT_THAT(base64_decode_any("Zh=="),
              FailsWith(ErrorKind::kInvalidArgument, checks::kBase64Decode));
  EXPECT_THAT(base64_decode_any("Zm 9v"),
              FailsWith(ErrorKind::kInvalidArgument, checks::kBase64Decode));
  EXPECT_THAT(base64_decode_any("Zg=a"),
              FailsWith(ErrorKind::kInvalidArgument, checks::kBase64Decode));
}

}  // namespace
}  // namespace vouch
