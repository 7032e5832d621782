#include "base/encoding.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

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

TEST(Base64, RoundTripsEveryLengthAndByteInBothAlphabets) {
  // Deterministic bytes covering all 256 values across lengths 0..299 (every tail length).
  for (std::size_t len = 0; len < 300; ++len) {
    Bytes data(len);
    for (std::size_t i = 0; i < len; ++i) {
      data[i] = static_cast<std::uint8_t>((i * 167 + len * 31) & 0xff);
    }
    const std::string std_text = base64_encode(data);
    const std::string url_text = base64url_encode(data);
    ASSERT_EQ(base64_decode(std_text).value(), data) << len;
    ASSERT_EQ(base64url_decode(url_text).value(), data) << len;
    ASSERT_EQ(base64_decode_any(std_text).value(), data) << len;
    ASSERT_EQ(base64_decode_any(url_text).value(), data) << len;
  }
}

TEST(Base64, NamesThePositionOfTheFirstBadCharacter) {
  auto r = base64_decode_any("Zm9vYmFy Zm9vYg");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().detail.find("position 8"), std::string::npos) << r.error().detail;
  r = base64_decode_any("Zm9vYm*");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().detail.find("position 6"), std::string::npos) << r.error().detail;
  // Every byte that is not in either alphabet is refused, wherever it sits in a quad.
  for (int c = 0; c < 256; ++c) {
    const bool ok = std::isalnum(c) != 0 || c == '+' || c == '/' || c == '-' || c == '_';
    for (std::size_t at = 0; at < 4; ++at) {
      std::string text = "QUJD";
      text[at] = static_cast<char>(c);
      EXPECT_EQ(base64_decode_any(text).has_value(), ok) << c << " at " << at;
    }
  }
}

}  // namespace
}  // namespace vouch
