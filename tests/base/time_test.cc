#include "base/time.h"

#include <gtest/gtest.h>

#include "testing/matchers.h"

namespace vouch {
namespace {

using ::vouch::testing::FailsWith;

TEST(Time, ParsesRfc3339Forms) {
  EXPECT_EQ(unix_seconds(parse_rfc3339("1970-01-01T00:00:00Z").value()), 0);
  EXPECT_EQ(unix_seconds(parse_rfc3339("2025-06-19T10:56:11Z").value()), 1750330571);
  EXPECT_EQ(unix_seconds(parse_rfc3339("2025-06-19T12:56:11.123+02:00").value()), 1750330571);
  EXPECT_EQ(unix_seconds(parse_rfc3339("2025-06-19T08:56:11-02:00").value()), 1750330571);
}

TEST(Time, ParsesUnixSecondsArgument) {
  EXPECT_EQ(unix_seconds(parse_time_arg("1757462400").value()), 1757462400);
  EXPECT_EQ(unix_seconds(parse_time_arg("2025-09-10T00:00:00Z").value()), 1757462400);
}

TEST(Time, RejectsMalformedTimes) {
  for (const char* bad :
       {"", "2025-06-19", "2025-06-19T10:56:11", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z",
        "2025-06-19T10:56:11Zjunk", "2025-06-19T25:00:00Z", "2025-06-19T10:56:11+0200", "yesterday",
        "2025-06-19T10:56:11."}) {
    EXPECT_THAT(parse_time_arg(bad), FailsWith(ErrorKind::kInvalidArgument, checks::kTimeParse))
        << bad;
  }
}

TEST(Time, FormatsRfc3339) {
  EXPECT_EQ(format_rfc3339(from_unix_seconds(1750330571)), "2025-06-19T10:56:11Z");
  EXPECT_EQ(format_rfc3339(from_unix_seconds(0)), "1970-01-01T00:00:00Z");
}

TEST(Time, FixedClockIsInjectable) {
  FixedClock clock(from_unix_seconds(42));
  const Clock& c = clock;
  EXPECT_EQ(unix_seconds(c.now()), 42);
  clock.set(from_unix_seconds(43));
  EXPECT_EQ(unix_seconds(c.now()), 43);
}

}  // namespace
}  // namespace vouch
