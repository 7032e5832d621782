#include "jose/compact.h"

#include <gtest/gtest.h>

#include <string>

#include "base/encoding.h"
#include "jose/check_ids.h"
#include "testing/matchers.h"

namespace vouch::jose {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

std::string b64(std::string_view s) {
  return base64url_encode(as_bytes(s));
}

const std::string kHeader = b64(R"({"alg":"ES256"})");
const std::string kPayload = b64(R"({"a":1})");

TEST(Compact, SplitsAJws) {
  auto jws = parse_jws_compact(kHeader + "." + kPayload + ".AAAA");
  ASSERT_THAT(jws, Succeeds());
  EXPECT_EQ(jws->header["alg"], "ES256");
  EXPECT_EQ(jws->signing_input, kHeader + "." + kPayload);
  EXPECT_EQ(jws->signature, Bytes({0, 0, 0}));
  EXPECT_EQ(std::string(jws->payload.begin(), jws->payload.end()), R"({"a":1})");
}

TEST(Compact, RejectsWrongSegmentCounts) {
  for (const std::string& bad :
       {kHeader, kHeader + "." + kPayload, kHeader + "." + kPayload + ".AAAA.AAAA", kHeader + "...",
        std::string("..")}) {
    EXPECT_THAT(parse_jws_compact(bad), FailsWith(ErrorKind::kMalformedEvidence, checks::kSegments))
        << bad;
  }
  EXPECT_THAT(parse_jwe_compact(kHeader + ".AAAA.AAAA.AAAA"),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kSegments));
  EXPECT_THAT(parse_jwe_compact(kHeader + "..AAAA.AAAA.AAAA"),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kSegments));
}

TEST(Compact, RejectsNonStrictBase64url) {
  for (const char* sig : {"AA==", "AA+A", "AA/A", "AA A", "A", "AB"}) {
    EXPECT_THAT(parse_jws_compact(kHeader + "." + kPayload + "." + sig),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kBase64))
        << sig;
  }
  EXPECT_THAT(parse_jws_compact(kHeader + "=." + kPayload + ".AAAA"),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kBase64));
}

TEST(Compact, RejectsBadHeaders) {
  for (const char* header : {R"([1])", R"("alg")", R"({"alg":"ES256")", R"({"alg":"ES256"} x)",
                             R"({"alg":"ES256","alg":"none"})", R"({"a":{"b":1,"b":2}})"}) {
    EXPECT_THAT(parse_jws_compact(b64(header) + "." + kPayload + ".AAAA"),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kHeaderJson))
        << header;
  }
  std::string deep;
  for (int i = 0; i < 40; ++i) {
    deep += R"({"a":)";
  }
  deep += "1" + std::string(40, '}');
  EXPECT_THAT(parse_jws_compact(b64(deep) + "." + kPayload + ".AAAA"),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kHeaderJson));
  const std::string invalid_utf8 = "{\"a\":\"\xff\"}";
  EXPECT_THAT(parse_jws_compact(b64(invalid_utf8) + "." + kPayload + ".AAAA"),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kHeaderJson));
}

TEST(Compact, EnforcesSizeLimits) {
  CompactLimits limits;
  limits.max_jws_size = 20;
  EXPECT_THAT(parse_jws_compact(kHeader + "." + kPayload + ".AAAA", limits),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kSize));
  limits = CompactLimits{};
  limits.max_header_size = 8;
  EXPECT_THAT(parse_jws_compact(kHeader + "." + kPayload + ".AAAA", limits),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kSize));
  limits = CompactLimits{};
  limits.max_jwe_size = 10;
  EXPECT_THAT(parse_jwe_compact(kHeader + ".AAAA.AAAA.AAAA.AAAA", limits),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kSize));
}

TEST(Compact, SplitsAJweAndAllowsOnlyAnEmptyCiphertext) {
  auto jwe = parse_jwe_compact(kHeader + ".AAAA.AQID..BAUG");
  ASSERT_THAT(jwe, Succeeds());
  EXPECT_TRUE(jwe->ciphertext.empty());
  EXPECT_EQ(jwe->iv, Bytes({1, 2, 3}));
  EXPECT_EQ(jwe->tag, Bytes({4, 5, 6}));
  EXPECT_EQ(jwe->header_b64, kHeader);
  EXPECT_THAT(parse_jwe_compact(kHeader + ".AAAA.AQID.AAAA."),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kSegments));
}

TEST(Compact, CanonicalJsonSortsMembersAndRefusesBadUtf8) {
  auto text = canonical_json(nlohmann::json{{"b", 1}, {"a", "x"}}, checks::kSign);
  ASSERT_THAT(text, Succeeds());
  EXPECT_EQ(*text, R"({"a":"x","b":1})");
  EXPECT_THAT(canonical_json(nlohmann::json{{"a", std::string("\xff")}}, checks::kSign),
              FailsWith(ErrorKind::kInvalidArgument, checks::kSign));
}

}  // namespace
}  // namespace vouch::jose
