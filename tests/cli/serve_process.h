#pragma once

// The real `vouch` binary (VOUCH_BINARY, set by tests/cli/CMakeLists.txt) as a subprocess:
// `vouch serve` on a free loopback port with a fresh data directory, stopped with SIGTERM, and
// one-shot runs of other commands with their output captured.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "testing/temp_dir.h"

namespace vouch::testing {

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();

struct ServeOptions {
  bool dev = true;  // --dev: plain HTTP; otherwise TLS mode "auto" with a KEK from VOUCH_KEK
  std::map<std::string, std::string> env;  // added to the inherited environment
};

// ServeProcess runs `vouch serve --listen 127.0.0.1:<port> --data-dir <temp>` until stop() or
// destruction. Check started() (ASSERT) before use.
class ServeProcess {
 public:
  explicit ServeProcess(ServeOptions options = {});
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  bool started() const noexcept { return pid_ > 0 && error_.empty(); }
  const std::string& error() const noexcept { return error_; }
  std::uint16_t port() const noexcept { return port_; }
  // http://127.0.0.1:<port> or https://... in TLS mode.
  std::string url() const;
  const std::string& data_dir() const noexcept { return data_dir_; }
  // The bootstrap verifier-owner key read from <data-dir>/bootstrap-admin-key.
  const std::string& admin_key() const noexcept { return admin_key_; }
  // Sends SIGTERM and waits (SIGKILL after 30 s); returns the exit status, or -1 when it had to
  // be killed or was not running. Idempotent: later calls return the first result.
  int stop();
  // What the server wrote to stdout and stderr so far.
  std::string log() const;

 private:
  TempDir dir_;
  std::string data_dir_;
  std::string log_file_;
  std::uint16_t port_ = 0;
  bool tls_ = false;
  pid_t pid_ = -1;
  int exit_status_ = -1;
  bool stopped_ = false;
  std::string admin_key_;
  std::string error_;
};

struct ProcessRun {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs the vouch binary with `args` and the inherited environment changed by `env` (an empty
// value unsets the variable); waits up to 60 s.
ProcessRun run_vouch(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {});

}  // namespace vouch::testing
