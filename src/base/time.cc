#include "base/time.h"

#include <charconv>
#include <cstdint>

namespace vouch {
namespace {

auto bad_time(std::string_view text, std::string why) {
  return fail(ErrorKind::kInvalidArgument, checks::kTimeParse,
              "'" + std::string(text.substr(0, 64)) + "': " + std::move(why));
}

// Reads exactly n decimal digits at pos.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos > s.size() || n > s.size() - pos) {
    return false;
  }
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

Result<Timestamp> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, sec)) {
    return bad_time(s, "expected YYYY-MM-DDTHH:MM:SS followed by Z or an offset");
  }
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ++pos;
    }
    if (pos == start) {
      return bad_time(s, "empty fractional seconds");
    }
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh = 0, om = 0;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return bad_time(s, "bad UTC offset");
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad_time(s, "missing time zone (Z or +HH:MM)");
  }
  if (pos != s.size()) {
    return bad_time(s, "trailing characters");
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) {
    return bad_time(s, "date or time out of range");
  }
  if (sec == 60) {
    sec = 59;  // leap second: clamp, X.509 and JWT cannot express it anyway
  }
  const sys_seconds t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec};
  return t - minutes{offset_minutes};
}

Result<Timestamp> parse_time_arg(std::string_view text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || ptr != text.data() + text.size()) {
      return bad_time(text, "Unix seconds out of range");
    }
    return from_unix_seconds(v);
  }
  return parse_rfc3339(text);
}

std::string format_rfc3339(Timestamp t) {
  using namespace std::chrono;
  const sys_days day_point = floor<days>(t);
  const year_month_day ymd{day_point};
  const hh_mm_ss<seconds> hms{t - day_point};
  char buf[32];
  auto two = [](char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  const int yr = static_cast<int>(ymd.year());
  const unsigned uy = static_cast<unsigned>(yr < 0 ? 0 : yr);
  buf[0] = static_cast<char>('0' + uy / 1000 % 10);
  buf[1] = static_cast<char>('0' + uy / 100 % 10);
  buf[2] = static_cast<char>('0' + uy / 10 % 10);
  buf[3] = static_cast<char>('0' + uy % 10);
  buf[4] = '-';
  two(buf + 5, static_cast<unsigned>(ymd.month()));
  buf[7] = '-';
  two(buf + 8, static_cast<unsigned>(ymd.day()));
  buf[10] = 'T';
  two(buf + 11, static_cast<unsigned>(hms.hours().count()));
  buf[13] = ':';
  two(buf + 14, static_cast<unsigned>(hms.minutes().count()));
  buf[16] = ':';
  two(buf + 17, static_cast<unsigned>(hms.seconds().count()));
  buf[19] = 'Z';
  return std::string(buf, 20);
}

Timestamp SystemClock::now() const {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace vouch
