#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace vouch {

// Timestamp is a point in UTC with one-second resolution, the granularity of X.509 and JWT times.
using Timestamp = std::chrono::sys_seconds;

// Parses an RFC 3339 date-time ("2025-06-19T10:56:11Z", "...+02:00", fractional seconds are
// accepted and truncated). Fails with encoding.time naming what was wrong.
[[nodiscard]] Result<Timestamp> parse_rfc3339(std::string_view text);
// Parses a command-line time: RFC 3339, or an integer number of Unix seconds.
[[nodiscard]] Result<Timestamp> parse_time_arg(std::string_view text);
// Formats as RFC 3339 in UTC with a trailing Z.
std::string format_rfc3339(Timestamp t);
// Seconds since the Unix epoch.
inline std::int64_t unix_seconds(Timestamp t) noexcept {
  return t.time_since_epoch().count();
}
inline Timestamp from_unix_seconds(std::int64_t s) noexcept {
  return Timestamp{std::chrono::seconds{s}};
}

// Clock is the injected source of "now". Verification code never reads the wall clock directly.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

// SystemClock reads the real time; only composition roots (apps/, cli/) create one.
class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
};

// FixedClock always answers the same time (`vouch verify --at`, tests).
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Timestamp t) noexcept : t_(t) {}
  Timestamp now() const override { return t_; }
  void set(Timestamp t) noexcept { t_ = t; }

 private:
  Timestamp t_;
};

}  // namespace vouch
