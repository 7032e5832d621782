#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "service/http/message.h"

namespace vouch::service::http {

// TlsFiles names the files holding the server certificate chain and private key (PEM).
struct TlsFiles {
  std::string certificate_chain_file;
  std::string private_key_file;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port (tests)
  std::size_t threads = 0;    // 0: one per core
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{60};    // keep-alive connections
  std::chrono::seconds shutdown_grace{20};  // in-flight requests finish within this
  std::optional<TlsFiles> tls;              // plain HTTP when absent
};

// RequestHandler answers one request through `respond` (exactly once, from any thread). It is
// called on one of the server's threads (sized to the cores), where CPU-bound verification
// happens; work that waits (the database) should hand off and respond later. Must be thread-safe.
using RequestHandler =
    std::function<void(const HttpRequest& request, std::function<void(HttpResponse)> respond)>;

// HttpServer is an asynchronous HTTP/1.1 server (Boost.Beast on Asio) with keep-alive, optional
// TLS (OpenSSL), header and body limits (431 / 413), read and idle timeouts, and graceful
// shutdown: stop() stops accepting, lets in-flight requests finish (up to shutdown_grace), and
// closes idle connections.
class HttpServer {
 public:
  // Binds and starts serving on background threads. Fails with kInvalidArgument when the
  // address cannot be bound or the TLS files cannot be loaded.
  [[nodiscard]] static Result<std::unique_ptr<HttpServer>> start(const ServerOptions& options,
                                                                 RequestHandler handler);
  virtual ~HttpServer() = default;

  // The bound port (useful with port 0).
  virtual std::uint16_t port() const = 0;
  // Begins a graceful shutdown; returns at once.
  virtual void stop() = 0;
  // Blocks until the server has stopped (after stop(), or SIGTERM/SIGINT when
  // handle_signals() was called).
  virtual void wait() = 0;
  // Makes SIGTERM and SIGINT begin a graceful shutdown.
  virtual void handle_signals() = 0;
};

}  // namespace vouch::service::http
