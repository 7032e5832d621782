#include "evidence/tpm/bundle.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "testing/matchers.h"

namespace vouch::tpm {
namespace {

using ::vouch::testing::Succeeds;

TEST(TpmBundle, RoundTripsEveryMember) {
  TpmBundle b;
  b.quote = {0xff, 0x54, 0x43, 0x47};
  b.signature = {0x00, 0x14};
  b.ak_public = Bytes{1, 2, 3};
  b.ak_certificate_chain = {Bytes{0x30, 0x01}, Bytes{0x30, 0x02}};
  b.pcrs = PcrValues{{crypto::HashAlg::kSha256, {{0, Bytes(32, 1)}, {7, Bytes(32, 7)}}},
                     {crypto::HashAlg::kSha1, {{0, Bytes(20, 2)}}}};
  b.event_log = Bytes(100, 0xee);
  auto parsed = parse_bundle(serialize_bundle(b));
  ASSERT_THAT(parsed, Succeeds());
  EXPECT_EQ(parsed->quote, b.quote);
  EXPECT_EQ(parsed->signature, b.signature);
  EXPECT_EQ(parsed->ak_public, b.ak_public);
  EXPECT_EQ(parsed->ak_certificate_chain, b.ak_certificate_chain);
  EXPECT_EQ(parsed->pcrs, b.pcrs);
  EXPECT_EQ(parsed->event_log, b.event_log);
}

TEST(TpmBundle, AcceptsUrlSafeUnpaddedBase64) {
  auto parsed = parse_bundle(R"({"quote": "_1RDRw", "signature": "ABQ", "ak_public": "AQID"})");
  ASSERT_THAT(parsed, Succeeds());
  EXPECT_EQ(hex_encode(parsed->quote), "ff544347");
}

TEST(TpmBundle, RejectsMalformedBundles) {
  for (
      const char* bad : {
          "not json",
          "[]",
          R"({"signature": "AA==", "ak_public": "AA=="})",
          R"({"quote": "AA==", "ak_public": "AA=="})",
          R"({"quote": "AA==", "signature": "AA=="})",
          R"({"quote": 5, "signature": "AA==", "ak_public": "AA=="})",
          R"({"quote": "A!", "signature": "AA==", "ak_public": "AA=="})",
          R"({"quote": "AA==", "signature": "AA==", "ak_public": "AA==", "extra": 1})",
          R"({"quote": "AA==", "signature": "AA==", "ak_certificate_chain": []})",
          R"({"quote": "AA==", "signature": "AA==", "ak_certificate_chain": [1]})",
          R"({"quote": "AA==", "signature": "AA==", "ak_public": "AA==", "pcrs": {"sha256": {"0": "zz"}}})",
          R"({"quote": "AA==", "signature": "AA==", "ak_public": "AA==", "pcrs": []})",
      }) {
    auto r = parse_bundle(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::kMalformedEvidence) << bad;
    EXPECT_EQ(r.error().check.str(), "tpm.bundle") << bad;
  }
  const std::string huge = R"({"quote": ")" + std::string(200000, 'A') +
                           R"(", "signature": "AA==", "ak_public": "AA=="})";
  EXPECT_FALSE(parse_bundle(huge).has_value());
}

}  // namespace
}  // namespace vouch::tpm
