// Boost.Beast lives only in this file: everything else sees HttpRequest/HttpResponse.

#include "service/http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <vector>

namespace vouch::service::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

constexpr CheckId kServerStart{"service.server.start"};
// Read-buffer sizing (Session::on_header): the header part of a request read together with its
// body, at most 64 KiB reserved per connection (larger bodies are read in 64 KiB steps).
constexpr std::size_t kReadSlack = 1024;
constexpr std::size_t kMaxReadReserve = 64 * 1024;
constexpr std::size_t kKeptReadReserve = 16 * 1024;

// SessionBase lets the server close sessions during shutdown without knowing their stream type.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void close_if_idle() = 0;
  virtual void force_close() = 0;
};

class ServerImpl;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

class ServerImpl final : public HttpServer {
 public:
  ServerImpl(const ServerOptions& options, RequestHandler handler)
      : options_(options),
        handler_(std::move(handler)),
        ioc_(static_cast<int>(thread_count())),
        acceptor_(ioc_),
        signals_(ioc_),
        grace_timer_(ioc_),
        tls_ctx_(ssl::context::tls_server) {}

  ~ServerImpl() override {
    stop();
    wait();
    finished_ = true;  // handlers the io_context destroys from here on must not call back
  }

  Status open() {
    if (options_.tls) {
      boost::system::error_code ec;
      tls_ctx_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
      tls_ctx_.use_certificate_chain_file(options_.tls->certificate_chain_file, ec);
      if (!ec) {
        tls_ctx_.use_private_key_file(options_.tls->private_key_file, ssl::context::pem, ec);
      }
      if (ec) {
        return fail(ErrorKind::kInvalidArgument, kServerStart,
                    "cannot load the TLS certificate or key: " + ec.message());
      }
    }
    boost::system::error_code ec;
    const auto address = net::ip::make_address(options_.host, ec);
    if (ec) {
      return fail(ErrorKind::kInvalidArgument, kServerStart,
                  "'" + options_.host + "' is not an IP address: " + ec.message());
    }
    const tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) {
      acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
      acceptor_.bind(endpoint, ec);
    }
    if (!ec) {
      acceptor_.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
      return fail(ErrorKind::kInvalidArgument, kServerStart,
                  "cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                      ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    do_accept();
    for (std::size_t i = 0; i < thread_count(); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
    return ok();
  }

  std::uint16_t port() const override { return port_; }

  void stop() override {
    if (stopping_.exchange(true)) {
      return;
    }
    net::post(ioc_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      signals_.cancel(ignored);
      for_each_session([](SessionBase& s) { s.close_if_idle(); });
      // Whatever is still running after the grace period is cut off.
      grace_timer_.expires_after(options_.shutdown_grace);
      grace_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) {
          for_each_session([](SessionBase& s) { s.force_close(); });
        }
      });
      maybe_finish();
    });
  }

  void wait() override {
    for (std::thread& t : threads_) {
      if (t.joinable()) {
        t.join();
      }
    }
  }

  void handle_signals() override {
    signals_.add(SIGTERM);
    signals_.add(SIGINT);
    signals_.async_wait([this](boost::system::error_code ec, int) {
      if (!ec) {
        stop();
      }
    });
  }

  // Called by sessions.
  const ServerOptions& options() const noexcept { return options_; }
  bool stopping() const noexcept { return stopping_; }
  // Runs the handler; `done` receives the answer (with x-request-id) on whatever thread the
  // handler responds from.
  void handle(std::shared_ptr<HttpRequest> request, std::function<void(HttpResponse)> done) {
    if (request->request_id.empty()) {
      request->request_id = next_request_id();
    }
    auto respond = [request, done = std::move(done)](HttpResponse response) {
      response.set_header("x-request-id", request->request_id);
      done(std::move(response));
    };
    try {
      handler_(*request, respond);
    } catch (const std::exception&) {
      // Handlers return errors as values; an escaped exception is a bug, answered without detail.
      respond(HttpResponse::json(500,
                                 {{"type", "about:blank"},
                                  {"title", "Internal Server Error"},
                                  {"status", 500},
                                  {"detail", "internal error"}},
                                 "application/problem+json"));
    }
  }
  void add_session(const std::shared_ptr<SessionBase>& s) {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    sessions_.remove_if([](const std::weak_ptr<SessionBase>& w) { return w.expired(); });
    sessions_.push_back(s);
  }
  void session_closed() {
    if (stopping_ && !finished_) {
      net::post(ioc_, [this] { maybe_finish(); });
    }
  }
  ssl::context& tls_context() noexcept { return tls_ctx_; }

 private:
  std::size_t thread_count() const {
    if (options_.threads > 0) {
      return options_.threads;
    }
    return std::max(1u, std::thread::hardware_concurrency());
  }

  std::string next_request_id() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(16, '0');
    std::uint64_t v = rng();
    for (char& c : id) {
      c = kHex[v & 15];
      v >>= 4;
    }
    return id;
  }

  void for_each_session(const std::function<void(SessionBase&)>& fn) {
    std::vector<std::shared_ptr<SessionBase>> live;
    {
      std::lock_guard<std::mutex> lock(sessions_mu_);
      for (const auto& w : sessions_) {
        if (auto s = w.lock()) {
          live.push_back(std::move(s));
        }
      }
    }
    for (auto& s : live) {
      fn(*s);
    }
  }

  // Once no session is left, cancel the grace timer so the io_context runs out of work.
  void maybe_finish() {
    bool any = false;
    {
      std::lock_guard<std::mutex> lock(sessions_mu_);
      sessions_.remove_if([](const std::weak_ptr<SessionBase>& w) { return w.expired(); });
      any = !sessions_.empty();
    }
    if (!any) {
      grace_timer_.cancel();
    }
  }

  void do_accept();

  ServerOptions options_;
  RequestHandler handler_;
  std::atomic<bool> finished_{false};  // declared before ioc_ so it outlives the io_context
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  net::steady_timer grace_timer_;
  ssl::context tls_ctx_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::uint16_t port_ = 0;
  std::mutex sessions_mu_;
  std::list<std::weak_ptr<SessionBase>> sessions_;
};

// Session serves one connection: reads requests (header first, so "Expect: 100-continue" and
// limits are handled before the body), answers through the server's handler, keeps the
// connection alive when both sides want it and the server is not stopping.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <class... Args>
  Session(ServerImpl& server, std::string client, Args&&... args)
      : server_(server), client_(std::move(client)), stream_(std::forward<Args>(args)...) {}

  ~Session() override { server_.session_closed(); }

  void start() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(server_.options().read_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  return self->close();
                                }
                                self->read_header();
                              });
    } else {
      read_header();
    }
  }

  void close_if_idle() override {
    net::post(beast::get_lowest_layer(stream_).get_executor(), [self = this->shared_from_this()] {
      if (self->idle_) {
        self->close();
      }
    });
  }

  void force_close() override {
    net::post(beast::get_lowest_layer(stream_).get_executor(),
              [self = this->shared_from_this()] { self->close(); });
  }

 private:
  void read_header() {
    if (server_.stopping()) {
      return close();
    }
    if (buffer_.size() == 0 && buffer_.capacity() > kKeptReadReserve) {
      buffer_.shrink_to_fit();  // an idle connection keeps at most 16 KiB after a large body
    }
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options().max_header_bytes));
    parser_->body_limit(server_.options().max_body_bytes);
    idle_ = true;
    beast::get_lowest_layer(stream_).expires_after(first_ ? server_.options().read_timeout
                                                          : server_.options().idle_timeout);
    first_ = false;
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               self->on_header(ec);
                             });
  }

  void on_header(beast::error_code ec) {
    idle_ = false;
    if (ec == bhttp::error::header_limit) {
      return reply_and_close(431, "request header fields too large");
    }
    if (ec == bhttp::error::body_limit) {  // a Content-Length over the limit fails here already
      return reply_and_close(413, "request body larger than " +
                                      std::to_string(server_.options().max_body_bytes) + " bytes");
    }
    if (ec) {
      return close();  // end of stream, timeout, reset: nothing to answer
    }
    beast::get_lowest_layer(stream_).expires_after(server_.options().read_timeout);
    const auto& req = parser_->get();
    if (const auto len = parser_->content_length();
        len && *len > server_.options().max_body_bytes) {
      return reply_and_close(413, "request body larger than " +
                                      std::to_string(server_.options().max_body_bytes) + " bytes");
    }
    // Beast reads at most the buffer's free capacity (512 bytes when it is empty), and a
    // string body drains the buffer as it goes: without room for the body, an 8 KB attestation
    // took 17 reads, each re-arming the stream's timer. Room for the announced body (bounded)
    // makes it one or two.
    if (const auto len = parser_->content_length(); len && *len > buffer_.capacity()) {
      buffer_.reserve(std::min<std::size_t>(*len + kReadSlack, kMaxReadReserve));
    }
    if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       req.version());
      bhttp::async_write(
          stream_, *cont,
          [self = this->shared_from_this(), cont](beast::error_code wec, std::size_t) {
            if (wec) {
              return self->close();
            }
            self->read_body();
          });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->on_body(ec);
                      });
  }

  void on_body(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return reply_and_close(413, "request body larger than " +
                                      std::to_string(server_.options().max_body_bytes) + " bytes");
    }
    if (ec) {
      return close();
    }
    auto req = parser_->release();
    auto request = std::make_shared<HttpRequest>();
    request->method = std::string(req.method_string());
    const std::string_view target(req.target().data(), req.target().size());
    const std::size_t q = target.find('?');
    request->path = percent_decode(target.substr(0, q));
    if (q != std::string_view::npos) {
      request->query = parse_query(target.substr(q + 1));
    }
    for (const auto& field : req) {
      request->headers[lower(std::string_view(
          field.name_string().data(), field.name_string().size()))] = std::string(field.value());
    }
    const std::string incoming_id = request->header("x-request-id");
    if (acceptable_request_id(incoming_id)) {
      request->request_id = incoming_id;
    }
    request->body = std::move(req.body());
    request->client_address = client_;
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    // The answer may come from another thread: hop back onto this connection's strand to write.
    server_.handle(request, [self = this->shared_from_this(), version, keep_alive](HttpResponse r) {
      net::post(beast::get_lowest_layer(self->stream_).get_executor(),
                [self, r = std::move(r), version, keep_alive]() {
                  self->write(r, version, keep_alive && !self->server_.stopping());
                });
    });
  }

  void write(const HttpResponse& response, unsigned version, bool keep_alive) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(response.status), version);
    res->set(bhttp::field::server, "vouch");
    for (const auto& [name, value] : response.headers) {
      res->set(name, value);
    }
    res->body() = response.body;
    res->keep_alive(keep_alive);
    res->prepare_payload();
    bhttp::async_write(stream_, *res,
                       [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
                         if (ec || !res->keep_alive()) {
                           return self->close();
                         }
                         self->read_header();
                       });
  }

  // Answers and closes without reading the rest of the request. The unread bytes would make a
  // plain close() send a TCP reset that can destroy the answer in flight, so the close lingers:
  // shut down our side, then drain until the peer closes or a short timeout passes.
  void reply_and_close(int status, const std::string& detail) {
    linger_ = true;
    HttpResponse r = HttpResponse::json(
        status,
        {{"type", "about:blank"},
         {"title", status == 413 ? "Payload Too Large" : "Request Header Fields Too Large"},
         {"status", status},
         {"detail", detail}},
        "application/problem+json");
    write(r, 11, false);
  }

  void close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    beast::error_code ec;
    if (linger_) {
      stream_lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      drain();
      return;
    }
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        beast::get_lowest_layer(self->stream_).socket().close(ignored);
      });
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      stream_.socket().close(ec);
    }
  }

  beast::tcp_stream& stream_lowest() { return beast::get_lowest_layer(stream_); }

  void drain() {
    stream_lowest().expires_after(std::chrono::seconds(2));
    stream_lowest().async_read_some(
        net::buffer(drain_buf_),
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec) {
            beast::error_code ignored;
            self->stream_lowest().socket().close(ignored);
            return;
          }
          self->drain();
        });
  }

  ServerImpl& server_;
  std::string client_;
  Stream stream_;
  std::array<char, 4096> drain_buf_{};
  bool linger_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool first_ = true;
  bool idle_ = false;
  bool closed_ = false;
};

void ServerImpl::do_accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!stopping_ && acceptor_.is_open()) {
        do_accept();  // transient (e.g. too many open files): keep accepting
      }
      return;
    }
    boost::system::error_code rec;
    const auto remote = socket.remote_endpoint(rec);
    const std::string client = rec ? std::string() : remote.address().to_string();
    if (options_.tls) {
      auto s = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          *this, client, std::move(socket), tls_ctx_);
      add_session(s);
      s->start();
    } else {
      auto s = std::make_shared<Session<beast::tcp_stream>>(*this, client, std::move(socket));
      add_session(s);
      s->start();
    }
    if (!stopping_) {
      do_accept();
    }
  });
}

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::start(const ServerOptions& options,
                                                      RequestHandler handler) {
  auto server = std::make_unique<ServerImpl>(options, std::move(handler));
  VOUCH_RETURN_IF_ERROR(server->open());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace vouch::service::http
