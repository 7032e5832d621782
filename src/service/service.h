#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>

#include "base/result.h"
#include "base/time.h"
#include "service/config.h"

namespace vouch::service {

// Dependencies are the concrete parts a composition root (apps/) picks and hands in.
struct Dependencies {
  const Clock* clock = nullptr;  // required
  std::ostream* log = nullptr;   // structured JSON log lines; required
};

// Service is `vouch serve`: the HTTP server with every route this node serves.
class Service {
 public:
  // Validates the configuration, prepares the data directory and TLS material, and starts
  // listening. Fails (nothing left running) with the check id of what was wrong.
  [[nodiscard]] static Result<std::unique_ptr<Service>> start(const Config& config,
                                                              Dependencies deps);
  virtual ~Service() = default;
  virtual std::uint16_t port() const = 0;
  virtual std::string url() const = 0;  // base URL clients use
  virtual void stop() = 0;              // graceful
  virtual void wait() = 0;
  virtual void handle_signals() = 0;  // SIGTERM/SIGINT stop gracefully
};

}  // namespace vouch::service
