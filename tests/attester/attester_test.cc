// Binding, PCR selections, TCTI strings and retry timing.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "attester/binding.h"
#include "attester/check_ids.h"
#include "attester/esys.h"
#include "attester/tpm.h"
#include "attester/transport.h"
#include "base/encoding.h"
#include "crypto/digest.h"
#include "testing/matchers.h"

namespace vouch::attester {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::FailsWithCheck;

TEST(BindingTest, RuntimeDataIsCompactJsonOfThePublicJwk) {
  auto b = Binding::generate();
  ASSERT_TRUE(b.has_value());
  const std::string& rd = b->runtime_data();
  EXPECT_EQ(rd.find(' '), std::string::npos);
  EXPECT_EQ(rd.find('\n'), std::string::npos);
  const auto j = nlohmann::json::parse(rd);
  ASSERT_TRUE(j.contains("jwk"));
  EXPECT_EQ(j.size(), 1U);
  EXPECT_EQ(j["jwk"]["kty"], "EC");
  EXPECT_EQ(j["jwk"]["crv"], "P-256");
  EXPECT_FALSE(j["jwk"].contains("d"));  // never the private key
  EXPECT_EQ(j.dump(), rd);               // exactly the compact serialization
  EXPECT_EQ(base64url_decode(b->runtime_data_b64url()).value(), Bytes(rd.begin(), rd.end()));
}

TEST(BindingTest, DigestIsSha256OfNonceThenRuntimeData) {
  auto b = Binding::generate();
  ASSERT_TRUE(b.has_value());
  const Bytes nonce = {1, 2, 3, 4, 5, 6, 7, 8};
  Bytes input = nonce;
  input.insert(input.end(), b->runtime_data().begin(), b->runtime_data().end());
  EXPECT_EQ(b->digest(nonce).value(), crypto::digest(crypto::HashAlg::kSha256, input));
  auto rd = b->report_data(nonce).value();
  EXPECT_EQ(Bytes(rd.begin(), rd.begin() + 32), b->digest(nonce).value());
  EXPECT_EQ(Bytes(rd.begin() + 32, rd.end()), Bytes(32, 0));
  EXPECT_THAT(b->digest({}), FailsWithCheck(checks::kBindingNonce));
}

TEST(BindingTest, TwoBindingsHaveDifferentKeys) {
  auto a = Binding::generate();
  auto b = Binding::generate();
  EXPECT_NE(a->runtime_data(), b->runtime_data());
}

TEST(PcrSelectionTest, ParsesBanksListsAndRanges) {
  auto s = parse_pcr_selection("sha256:0-3,7+sha1:16");
  ASSERT_TRUE(s.has_value()) << s.error().to_string();
  ASSERT_EQ(s->size(), 2U);
  EXPECT_EQ((*s)[0].bank, crypto::HashAlg::kSha256);
  EXPECT_EQ((*s)[0].pcrs, (std::vector<std::uint32_t>{0, 1, 2, 3, 7}));
  EXPECT_EQ((*s)[1].bank, crypto::HashAlg::kSha1);
  EXPECT_EQ((*s)[1].pcrs, (std::vector<std::uint32_t>{16}));
  EXPECT_EQ(parse_pcr_selection("sha256:0-7").value(), default_pcr_selection());
  EXPECT_EQ(parse_pcr_selection("sha256:2,1,1").value()[0].pcrs,
            (std::vector<std::uint32_t>{1, 2}));
}

TEST(PcrSelectionTest, RejectsBadText) {
  for (const char* bad : {"", "sha256", "sha256:", "md5:0", "sha256:24", "sha256:3-1", "sha256:a",
                          "sha256:0+sha256:1", "sha256:0,,1", "sha256:-1"}) {
    EXPECT_THAT(parse_pcr_selection(bad),
                FailsWith(ErrorKind::kInvalidArgument, checks::kTpmPcrSelection))
        << bad;
  }
}

TEST(TctiTest, DeviceDefaultsToTheResourceManager) {
  EXPECT_EQ(tcti_config("device").value(), "device:/dev/tpmrm0");
  EXPECT_EQ(tcti_config("device:/dev/tpm0").value(), "device:/dev/tpm0");
  EXPECT_EQ(tcti_config("swtpm:host=127.0.0.1,port=2321").value(),
            "swtpm:host=127.0.0.1,port=2321");
  EXPECT_THAT(tcti_config("libtpms"), FailsWith(ErrorKind::kInvalidArgument, checks::kTpmTcti));
  EXPECT_THAT(tcti_config(""), FailsWithCheck(checks::kTpmTcti));
}

TEST(TctiTest, OpeningAMissingDeviceNamesTheResponseCode) {
  auto tpm = EsysTpm::open("device:/nonexistent/tpmrm9");
  ASSERT_FALSE(tpm.has_value());
  EXPECT_EQ(tpm.error().check, checks::kTpmOpen);
  EXPECT_NE(tpm.error().detail.find("0x"), std::string::npos) << tpm.error().detail;
}

TEST(RcTest, DescribesTheResponseCode) {
  const std::string d = describe_rc(0x0000098e);
  EXPECT_NE(d.find("0x0000098e"), std::string::npos);
  EXPECT_GT(d.size(), std::string("0x0000098e ()").size());
}

class ScriptedTransport : public Transport {
 public:
  std::vector<HttpResponse> responses;
  int sent = 0;
  Result<HttpResponse> send(const HttpRequest&) override {
    return responses.at(static_cast<std::size_t>(sent++));
  }
};

HttpResponse status(int s, std::string retry_after = "") {
  HttpResponse r;
  r.status = s;
  if (!retry_after.empty()) {
    r.headers["retry-after"] = retry_after;
  }
  return r;
}

TEST(RetryTest, BackoffDoublesWithJitterAndHonoursRetryAfter) {
  RetryPolicy p;
  p.base_delay = std::chrono::milliseconds(100);
  p.max_delay = std::chrono::milliseconds(1000);
  p.random = [] { return 0.5; };  // factor 0.75
  EXPECT_EQ(retry_delay(p, 1, status(503)).count(), 75);
  EXPECT_EQ(retry_delay(p, 2, status(503)).count(), 150);
  EXPECT_EQ(retry_delay(p, 3, status(503)).count(), 300);
  EXPECT_EQ(retry_delay(p, 9, status(503)).count(), 750);  // capped at max_delay, then jitter
  EXPECT_EQ(retry_delay(p, 1, status(429, "0")).count(), 0);
  EXPECT_EQ(retry_delay(p, 1, status(429, "1")).count(), 1000);
  EXPECT_EQ(retry_delay(p, 1, status(429, "120")).count(), 1000);  // capped
  // An HTTP-date falls back to the computed backoff.
  EXPECT_EQ(retry_delay(p, 2, status(429, "Wed, 21 Oct 2015 07:28:00 GMT")).count(), 150);
  p.random = [] { return 0.0; };
  EXPECT_EQ(retry_delay(p, 1, status(503)).count(), 50);
}

TEST(RetryTest, RetriesOnlyOn429And503UpToTheBound) {
  std::vector<std::chrono::milliseconds> slept;
  RetryPolicy p;
  p.max_attempts = 3;
  p.base_delay = std::chrono::milliseconds(10);
  p.sleep = [&](std::chrono::milliseconds d) { slept.push_back(d); };
  p.random = [] { return 0.0; };
  ScriptedTransport t;
  t.responses = {status(503), status(429, "2"), status(200)};
  int attempts = 0;
  auto r = send_with_retry(t, p, HttpRequest{}, &attempts);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(slept, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(5),
                                                           std::chrono::milliseconds(2000)}));
  // Bounded: the last 503 is returned as it is.
  ScriptedTransport t2;
  t2.responses = {status(503), status(503), status(503), status(200)};
  slept.clear();
  r = send_with_retry(t2, p, HttpRequest{}, &attempts);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(t2.sent, 3);
  EXPECT_EQ(slept.size(), 2U);
  // Other statuses are final.
  ScriptedTransport t3;
  t3.responses = {status(500), status(200)};
  r = send_with_retry(t3, p, HttpRequest{}, &attempts);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(t3.sent, 1);
}

}  // namespace
}  // namespace vouch::attester
