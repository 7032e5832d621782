#include "token/status_list.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "base/encoding.h"
#include "jose/check_ids.h"
#include "testing/matchers.h"
#include "tests/token/fixtures.h"
#include "token/check_ids.h"
#include "token/profiles.h"

namespace vouch::token {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

const std::string kUri = "https://vouch.test/status-lists/1";

TEST(StatusList, MatchesTheDraftsOneBitExample) {
  // draft-ietf-oauth-status-list, "Status List" example: 16 entries, statuses
  // 1 0 0 1 1 1 0 1 | 1 1 0 0 0 1 0 1 -> bytes B9 A3 -> lst "eNrbuRgAAhcBXQ".
  StatusList list(16);
  const int statuses[16] = {1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1};
  for (std::uint64_t i = 0; i < 16; ++i) {
    ASSERT_THAT(list.set(i, static_cast<std::uint8_t>(statuses[i])), Succeeds());
  }
  EXPECT_EQ(list.bytes(), Bytes({0xb9, 0xa3}));
  auto json = list.to_json();
  ASSERT_THAT(json, Succeeds());
  EXPECT_EQ(*json, (nlohmann::json{{"bits", 1}, {"lst", "eNrbuRgAAhcBXQ"}}));
  auto back = StatusList::from_json(*json);
  ASSERT_THAT(back, Succeeds());
  for (std::uint64_t i = 0; i < 16; ++i) {
    EXPECT_EQ(back->get(i).value(), statuses[i]) << i;
  }
}

TEST(StatusList, ReadsWiderStatuses) {
  StatusList list(8, 2);
  ASSERT_THAT(list.set(1, 2), Succeeds());  // SUSPENDED
  ASSERT_THAT(list.set(4, 1), Succeeds());
  EXPECT_EQ(list.bytes(), Bytes({0x08, 0x01}));
  auto back = StatusList::from_json(list.to_json().value());
  ASSERT_THAT(back, Succeeds());
  EXPECT_EQ(back->bits(), 2);
  EXPECT_EQ(back->get(1).value(), 2);
  EXPECT_EQ(back->get(4).value(), 1);
  EXPECT_THAT(list.set(0, 4), FailsWith(ErrorKind::kInvalidArgument, checks::kStatusIndex));
}

TEST(StatusList, IndexOutOfRange) {
  StatusList list(10);
  EXPECT_THAT(list.set(10, 1), FailsWith(ErrorKind::kInvalidArgument, checks::kStatusIndex));
  auto back = StatusList::from_json(list.to_json().value()).value();
  EXPECT_EQ(back.size(), 16u);  // whole bytes
  EXPECT_THAT(back.get(16), FailsWith(ErrorKind::kMalformedEvidence, checks::kStatusIndex));
}

std::string zlib_of(const Bytes& raw) {
  uLongf len = compressBound(static_cast<uLong>(raw.size()));
  Bytes out(len);
  EXPECT_EQ(compress2(out.data(), &len, raw.data(), static_cast<uLong>(raw.size()), 9), Z_OK);
  out.resize(len);
  return base64url_encode(out);
}

TEST(StatusList, RefusesMalformedLists) {
  const std::string good = zlib_of(Bytes(4, 0));
  const Bytes raw = base64url_decode(good).value();
  const std::string truncated = base64url_encode(ByteSpan(raw).first(raw.size() - 3));
  Bytes trailing = raw;
  trailing.push_back(0);
  for (const nlohmann::json& bad :
       {nlohmann::json::array(), nlohmann::json{{"bits", 3}, {"lst", good}},
        nlohmann::json{{"bits", 1}}, nlohmann::json{{"bits", 1}, {"lst", good + "="}},
        nlohmann::json{{"bits", 1}, {"lst", base64url_encode(as_bytes("not zlib"))}},
        nlohmann::json{{"bits", 1}, {"lst", truncated}},
        nlohmann::json{{"bits", 1}, {"lst", base64url_encode(trailing)}}}) {
    EXPECT_THAT(StatusList::from_json(bad),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kStatusList))
        << bad.dump();
  }
}

TEST(StatusList, BoundsDecompression) {
  // 4 MiB of zeros compresses to a few KB: refused above the caller's bound.
  const nlohmann::json bomb = {{"bits", 1}, {"lst", zlib_of(Bytes(4 * 1024 * 1024, 0))}};
  EXPECT_THAT(StatusList::from_json(bomb, 1024 * 1024),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kStatusList));
  EXPECT_THAT(StatusList::from_json(bomb), Succeeds());
}

TEST(StatusListToken, IssuesAndVerifies) {
  const LocalSigner& s = test::signer(jose::JwsAlg::kEs256);
  StatusList list(1024);
  ASSERT_THAT(list.set(42, 1), Succeeds());
  StatusListTokenOptions options{kUri, test::kIssuer, from_unix_seconds(test::kNow),
                                 std::chrono::seconds(3600), std::chrono::seconds(300)};
  auto token = issue_status_list_token(s, list, options);
  ASSERT_THAT(token, Succeeds());
  const Timestamp now = from_unix_seconds(test::kNow + 60);
  auto back = verify_status_list_token(*token, test::keys_of(s), kUri, test::kIssuer, now,
                                       std::chrono::seconds(30));
  ASSERT_THAT(back, Succeeds());
  EXPECT_EQ(back->get(42).value(), 1);
  EXPECT_EQ(back->get(41).value(), 0);

  EXPECT_THAT(verify_status_list_token(*token, test::keys_of(s), kUri + "x", test::kIssuer, now,
                                       std::chrono::seconds(30)),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kStatusList));
  EXPECT_THAT(verify_status_list_token(*token, test::keys_of(s), kUri, "https://other.test", now,
                                       std::chrono::seconds(30)),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kStatusList));
  EXPECT_THAT(
      verify_status_list_token(*token, test::keys_of(s), kUri, test::kIssuer,
                               from_unix_seconds(test::kNow + 7200), std::chrono::seconds(30)),
      FailsWith(ErrorKind::kMalformedEvidence, checks::kStatusList));
  EXPECT_THAT(verify_status_list_token(*token, test::keys_of(test::signer(jose::JwsAlg::kEs384)),
                                       kUri, test::kIssuer, now, std::chrono::seconds(30)),
              FailsWith(ErrorKind::kEvidenceRejected, jose::checks::kUnknownKid));
  // A result token is not a status list token (typ).
  auto plain = issue_jwt(s, {{"typ", "JWT"}}, {{"sub", kUri}, {"iat", test::kNow}});
  EXPECT_THAT(verify_status_list_token(plain.value(), test::keys_of(s), kUri, test::kIssuer, now,
                                       std::chrono::seconds(30)),
              FailsWith(ErrorKind::kEvidenceRejected, jose::checks::kHeaderTyp));
}

TEST(StatusClaim, RoundTripsAndRejectsMalformed) {
  const StatusReference ref{5, kUri};
  auto parsed = parse_status_claim({{"status", status_claim(ref)}});
  ASSERT_THAT(parsed, Succeeds());
  ASSERT_TRUE(parsed->has_value());
  EXPECT_EQ((*parsed)->idx, 5u);
  EXPECT_EQ((*parsed)->uri, kUri);
  EXPECT_FALSE(parse_status_claim(nlohmann::json::object()).value().has_value());
  for (const nlohmann::json& bad :
       {nlohmann::json{{"status", 1}}, nlohmann::json{{"status", {{"other", 1}}}},
        nlohmann::json{{"status", {{"status_list", {{"idx", -1}, {"uri", kUri}}}}}},
        nlohmann::json{{"status", {{"status_list", {{"idx", 1}}}}}},
        nlohmann::json{{"status", {{"status_list", {{"idx", 1}, {"uri", ""}}}}}}}) {
    EXPECT_THAT(parse_status_claim(bad),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kResultStatusClaim))
        << bad.dump();
  }
}

}  // namespace
}  // namespace vouch::token
