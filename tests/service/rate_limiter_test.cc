#include "service/rate_limiter.h"

#include <gtest/gtest.h>

#include <chrono>

namespace vouch::service {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiter, DisabledAllowsEverything) {
  RateLimiter off(0, 0);
  const auto t = RateLimiter::Clock::time_point{};
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(off.allow("a", t));
  }
}

TEST(RateLimiter, BurstThenRefillAtTheRate) {
  RateLimiter l(2, 3);  // 2/s, bucket of 3
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(l.allow("a", t0));
  EXPECT_TRUE(l.allow("a", t0));
  EXPECT_TRUE(l.allow("a", t0));
  EXPECT_FALSE(l.allow("a", t0));
  EXPECT_FALSE(l.allow("a", t0 + milliseconds(400)));  // 0.8 of a token
  EXPECT_TRUE(l.allow("a", t0 + milliseconds(600)));   // 1.2 - 0.8 spent above? refilled to 1.2
  EXPECT_FALSE(l.allow("a", t0 + milliseconds(700)));
  EXPECT_EQ(l.retry_after_seconds(), 1);
}

TEST(RateLimiter, ClientsHaveTheirOwnBuckets) {
  RateLimiter l(1, 1);
  const auto t = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(l.allow("a", t));
  EXPECT_FALSE(l.allow("a", t));
  EXPECT_TRUE(l.allow("b", t));
}

TEST(RateLimiter, TheClientTableIsBounded) {
  RateLimiter l(1, 1, 4);
  const auto t = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(l.allow("client-" + std::to_string(i), t));
  }
  // The limiter kept working (and its table stayed at 4 entries: a new client still gets a
  // full bucket).
  EXPECT_TRUE(l.allow("late", t));
}

}  // namespace
}  // namespace vouch::service
