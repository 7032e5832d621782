#include "service/log.h"

namespace vouch::service {
namespace {

std::string_view level_name(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void Logger::log(LogLevel level, std::string_view msg, nlohmann::json fields) {
  if (level < min_) {
    return;
  }
  nlohmann::json line = {{"ts", format_rfc3339(clock_.now())},
                         {"level", std::string(level_name(level))},
                         {"msg", std::string(msg)}};
  if (fields.is_object()) {
    for (auto& [k, v] : fields.items()) {
      line[k] = std::move(v);
    }
  }
  const std::string text =
      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mu_);
  out_ << text << std::flush;
}

LogLevel parse_log_level(std::string_view name) noexcept {
  if (name == "debug") {
    return LogLevel::kDebug;
  }
  if (name == "warn") {
    return LogLevel::kWarn;
  }
  if (name == "error") {
    return LogLevel::kError;
  }
  return LogLevel::kInfo;
}

}  // namespace vouch::service
