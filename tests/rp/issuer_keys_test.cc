#include "rp/issuer_keys.h"

#include <gtest/gtest.h>

#include "rp/check_ids.h"
#include "testing/matchers.h"
#include "tests/rp/fixtures.h"

namespace vouch::rp {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

const std::string kDiscovery = std::string(test::kIssuer) + "/.well-known/openid-configuration";
const std::string kCerts = std::string(test::kIssuer) + "/certs";

class Jwks : public ::testing::Test {
 protected:
  Jwks() : clock_(from_unix_seconds(test::kNow)) {
    http_.serve_issuer(test::kIssuer, {&test::verifier_signer()});
  }

  JwksCache cache(JwksCacheOptions options = {}) {
    return JwksCache(http_.getter(), clock_, options);
  }
  void advance(std::int64_t seconds) { clock_.set(clock_.now() + std::chrono::seconds(seconds)); }
  static bool has_kid(const jose::JwkSet& set, const std::string& kid) {
    return set.find(kid) != nullptr;
  }

  FixedClock clock_;
  test::FakeHttp http_;
};

TEST_F(Jwks, FetchesThroughDiscoveryAndCaches) {
  JwksCache c = cache();
  auto keys = c.keys(test::kIssuer, false);
  ASSERT_THAT(keys, Succeeds());
  EXPECT_TRUE(has_kid(*keys, test::verifier_signer().kid()));
  EXPECT_EQ(http_.calls, 2);
  EXPECT_EQ(http_.calls_to[kDiscovery], 1);
  EXPECT_EQ(http_.calls_to[kCerts], 1);
  advance(299);
  ASSERT_THAT(c.keys(test::kIssuer, false), Succeeds());
  EXPECT_EQ(http_.calls, 2);
  // One trailing '/' names the same issuer, and the discovery URL has no double slash.
  ASSERT_THAT(c.keys(std::string(test::kIssuer) + "/", false), Succeeds());
  EXPECT_EQ(http_.calls, 2);
}

TEST_F(Jwks, RefetchesAfterTtl) {
  JwksCache c = cache();
  ASSERT_THAT(c.keys(test::kIssuer, false), Succeeds());
  advance(300);
  http_.serve_issuer(test::kIssuer, {&test::other_signer()});
  auto keys = c.keys(test::kIssuer, false);
  ASSERT_THAT(keys, Succeeds());
  EXPECT_EQ(http_.calls, 4);
  EXPECT_TRUE(has_kid(*keys, test::other_signer().kid()));
  EXPECT_FALSE(has_kid(*keys, test::verifier_signer().kid()));
}

TEST_F(Jwks, RefreshIsRateBounded) {
  JwksCache c = cache();
  ASSERT_THAT(c.keys(test::kIssuer, false), Succeeds());
  ASSERT_EQ(http_.calls, 2);
  http_.serve_issuer(test::kIssuer, {&test::verifier_signer(), &test::other_signer()});
  // Within min_refresh_interval of the last fetch, refresh requests get the cached set.
  for (int i = 0; i < 10; ++i) {
    advance(2);
    auto keys = c.keys(test::kIssuer, true);
    ASSERT_THAT(keys, Succeeds());
    EXPECT_FALSE(has_kid(*keys, test::other_signer().kid()));
  }
  EXPECT_EQ(http_.calls, 2);
  advance(10);  // 30 s after the fetch
  auto keys = c.keys(test::kIssuer, true);
  ASSERT_THAT(keys, Succeeds());
  EXPECT_TRUE(has_kid(*keys, test::other_signer().kid()));
  EXPECT_EQ(http_.calls, 4);
  // And the interval starts again from this refetch.
  advance(29);
  ASSERT_THAT(c.keys(test::kIssuer, true), Succeeds());
  EXPECT_EQ(http_.calls, 4);
}

TEST_F(Jwks, StaleSetServedOnErrorOnlyWithinTtl) {
  JwksCache c = cache();
  ASSERT_THAT(c.keys(test::kIssuer, false), Succeeds());
  http_.pages.clear();
  advance(60);
  auto keys = c.keys(test::kIssuer, true);  // the refetch fails: the cached set is served
  ASSERT_THAT(keys, Succeeds());
  EXPECT_TRUE(has_kid(*keys, test::verifier_signer().kid()));
  EXPECT_EQ(http_.calls, 3);
  advance(240);  // 300 s after the fetch
  EXPECT_THAT(c.keys(test::kIssuer, false),
              FailsWith(ErrorKind::kUnavailable, checks::kJwksUnavailable));
  const int calls = http_.calls;
  // The issuer comes back: the failure is remembered for min_refresh_interval (no fetch per
  // request to an unreachable issuer), then the issuer is asked again.
  http_.serve_issuer(test::kIssuer, {&test::verifier_signer()});
  EXPECT_THAT(c.keys(test::kIssuer, false),
              FailsWith(ErrorKind::kUnavailable, checks::kJwksUnavailable));
  EXPECT_EQ(http_.calls, calls);
  advance(30);
  EXPECT_THAT(c.keys(test::kIssuer, false), Succeeds());
}

TEST_F(Jwks, PlainHttpIsRefusedOffLoopback) {
  JwksCache c = cache();
  EXPECT_THAT(c.keys("http://verifier.example", false),
              FailsWith(ErrorKind::kUnavailable, checks::kJwksUnavailable));
  EXPECT_EQ(http_.calls, 0);
}

TEST_F(Jwks, UnreachableOrMalformedIsUnavailable) {
  const auto unavailable = [&] {
    JwksCache c = cache();
    EXPECT_THAT(c.keys(test::kIssuer, false),
                FailsWith(ErrorKind::kUnavailable, checks::kJwksUnavailable));
  };
  const test::FakeHttp good = http_;
  http_.pages.erase(kDiscovery);
  unavailable();
  http_ = good;
  http_.pages.erase(kCerts);
  unavailable();
  http_ = good;
  http_.pages[kDiscovery] = "{not json";
  unavailable();
  http_.pages[kDiscovery] = R"({"issuer": "https://verifier.test"})";
  unavailable();
  http_.pages[kDiscovery] = R"({"jwks_uri": 7})";
  unavailable();
  http_.pages[kDiscovery] = R"({"jwks_uri": "https://verifier.test/certs", "jwks_uri": "x"})";
  unavailable();
  http_ = good;
  http_.pages[kCerts] = R"({"keys": []})";
  unavailable();
  http_.pages[kCerts] = R"({"keys": [{"kty": "oct", "k": "AAAA"}]})";
  unavailable();
  JwksCache c = cache();
  EXPECT_THAT(c.keys("ftp://verifier.test", false),
              FailsWith(ErrorKind::kUnavailable, checks::kJwksUnavailable));
  EXPECT_THAT(c.keys("verifier.test", false),
              FailsWith(ErrorKind::kUnavailable, checks::kJwksUnavailable));
}

TEST_F(Jwks, JwksUriMustBeOnTheIssuersOrigin) {
  const std::string jwks = http_.pages[kCerts];
  for (const std::string uri :
       {"https://evil.test/certs", "http://verifier.test/certs", "https://verifier.test:8443/certs",
        "https://verifier.test.evil.test/certs", "https://verifier.test@evil.test/certs",
        "file:///etc/passwd", "/certs"}) {
    http_.pages[kDiscovery] = nlohmann::json{{"jwks_uri", uri}}.dump();
    http_.pages[uri] = jwks;
    JwksCache c = cache();
    const int before = http_.calls;
    EXPECT_THAT(c.keys(test::kIssuer, false),
                FailsWith(ErrorKind::kUnavailable, checks::kJwksUnavailable))
        << uri;
    EXPECT_EQ(http_.calls, before + 1) << uri << ": only discovery was fetched";
  }
  // Same origin spelled differently: explicit default port, upper-case host.
  for (const std::string uri : {"https://verifier.test:443/keys", "https://VERIFIER.test/keys"}) {
    http_.pages[kDiscovery] = nlohmann::json{{"jwks_uri", uri}}.dump();
    http_.pages[uri] = jwks;
    JwksCache c = cache();
    EXPECT_THAT(c.keys(test::kIssuer, false), Succeeds()) << uri;
  }
}

TEST_F(Jwks, IssuersWithPortsAndPaths) {
  const std::string issuer = "http://127.0.0.1:8080/tenants/t1";
  http_.serve_issuer(issuer, {&test::other_signer()});
  JwksCache c = cache();
  auto keys = c.keys(issuer, false);
  ASSERT_THAT(keys, Succeeds());
  EXPECT_TRUE(has_kid(*keys, test::other_signer().kid()));
  EXPECT_EQ(http_.calls_to[issuer + "/.well-known/openid-configuration"], 1);
}

TEST_F(Jwks, LeastRecentlyUsedIssuerIsDropped) {
  const std::string a = "https://a.test";
  const std::string b = "https://b.test";
  const std::string d = "https://d.test";
  for (const std::string& i : {a, b, d}) {
    http_.serve_issuer(i, {&test::verifier_signer()});
  }
  JwksCacheOptions options;
  options.max_issuers = 2;
  JwksCache c = cache(options);
  ASSERT_THAT(c.keys(a, false), Succeeds());
  advance(1);
  ASSERT_THAT(c.keys(b, false), Succeeds());
  advance(1);
  ASSERT_THAT(c.keys(a, false), Succeeds());  // a is now the more recently used
  advance(1);
  ASSERT_THAT(c.keys(d, false), Succeeds());  // drops b
  EXPECT_EQ(http_.calls, 6);
  ASSERT_THAT(c.keys(a, false), Succeeds());
  ASSERT_THAT(c.keys(d, false), Succeeds());
  EXPECT_EQ(http_.calls, 6);
  ASSERT_THAT(c.keys(b, false), Succeeds());
  EXPECT_EQ(http_.calls, 8);
}

TEST_F(Jwks, LocalThenRemote) {
  JwksCache remote = cache();
  jose::JwkSet local_set;
  local_set.keys.push_back(test::other_signer().public_jwk());
  const std::string local_issuer = "https://node.test";
  const LocalThenRemote::Local local = [&](std::string_view issuer,
                                           bool) -> std::optional<Result<jose::JwkSet>> {
    if (issuer == local_issuer) {
      return Result<jose::JwkSet>(local_set);
    }
    if (issuer == "https://broken.test") {
      return Result<jose::JwkSet>(
          fail(ErrorKind::kInternal, vouch::checks::kInternal, "no signing keys"));
    }
    return std::nullopt;
  };
  LocalThenRemote both(local, &remote);
  auto keys = both.keys(local_issuer, false);
  ASSERT_THAT(keys, Succeeds());
  EXPECT_TRUE(has_kid(*keys, test::other_signer().kid()));
  EXPECT_EQ(http_.calls, 0);
  EXPECT_THAT(both.keys("https://broken.test", false),
              FailsWith(ErrorKind::kUnavailable, checks::kJwksUnavailable));
  keys = both.keys(test::kIssuer, false);
  ASSERT_THAT(keys, Succeeds());
  EXPECT_TRUE(has_kid(*keys, test::verifier_signer().kid()));
  EXPECT_EQ(http_.calls, 2);

  LocalThenRemote local_only(local, nullptr);
  EXPECT_THAT(local_only.keys(local_issuer, false), Succeeds());
  EXPECT_THAT(local_only.keys(test::kIssuer, false),
              FailsWith(ErrorKind::kUnavailable, checks::kJwksUnavailable));
  EXPECT_EQ(http_.calls, 2);
}

}  // namespace
}  // namespace vouch::rp
