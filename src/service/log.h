#pragma once

// Structured logs: one JSON object per line ({"ts", "level", "msg", ...fields}), written whole
// under a lock so lines from many threads never interleave. Secrets and evidence never go here.

#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string_view>

#include "base/time.h"

namespace vouch::service {

enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarn, kError };

class Logger {
 public:
  Logger(std::ostream& out, const Clock& clock, LogLevel min = LogLevel::kInfo)
      : out_(out), clock_(clock), min_(min) {}
  void log(LogLevel level, std::string_view msg, nlohmann::json fields = nlohmann::json::object());
  // Whether a line at `level` is written (so a caller can skip building the fields).
  bool enabled(LogLevel level) const noexcept { return level >= min_; }
  void info(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) {
    log(LogLevel::kInfo, msg, std::move(fields));
  }
  void warn(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) {
    log(LogLevel::kWarn, msg, std::move(fields));
  }
  void error(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) {
    log(LogLevel::kError, msg, std::move(fields));
  }

 private:
  std::ostream& out_;
  const Clock& clock_;
  LogLevel min_;
  std::mutex mu_;
};

// Parses "debug", "info", "warn", "error" (anything else: info).
LogLevel parse_log_level(std::string_view name) noexcept;

}  // namespace vouch::service
