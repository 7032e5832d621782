#include "testing/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace vouch::testing {
namespace {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
}  // namespace

struct HttpClient::Impl {
  std::string host;
  std::uint16_t port;
  bool tls;
  net::io_context ioc;
  ssl::context ctx{ssl::context::tls_client};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  bool connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    const auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec) {
      return false;
    }
    if (tls) {
      ctx.set_verify_mode(ssl::verify_none);
      secure.emplace(ioc, ctx);
      beast::get_lowest_layer(*secure).connect(results, ec);
      if (!ec) {
        secure->handshake(ssl::stream_base::client, ec);
      }
    } else {
      plain.emplace(ioc);
      plain->connect(results, ec);
    }
    return !ec;
  }

  template <class Stream>
  ClientResponse exchange(Stream& s, bhttp::request<bhttp::string_body>& req) {
    ClientResponse out;
    beast::error_code ec;
    bhttp::write(s, req, ec);
    if (ec) {
      return out;
    }
    // Interim 1xx responses (100 Continue) are skipped, as HTTP clients do.
    std::optional<bhttp::response_parser<bhttp::string_body>> parser;
    do {
      parser.emplace();
      parser->body_limit(64 * 1024 * 1024);
      bhttp::read(s, buffer, *parser, ec);
      if (ec) {
        return out;
      }
    } while (parser->get().result_int() / 100 == 1);
    auto res = parser->release();
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      out.headers[name] = std::string(f.value());
    }
    out.body = res.body();
    out.keep_alive = res.keep_alive();
    return out;
  }
};

HttpClient::HttpClient(std::string host, std::uint16_t port, bool tls)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->tls = tls;
}

HttpClient::~HttpClient() = default;

bool HttpClient::connected() const {
  return impl_->tls ? impl_->secure.has_value() : impl_->plain.has_value();
}

ClientResponse HttpClient::request(const std::string& method, const std::string& target,
                                   const std::string& body,
                                   const std::map<std::string, std::string>& headers) {
  if (!connected() && !impl_->connect()) {
    return {};
  }
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, impl_->host);
  for (const auto& [k, v] : headers) {
    req.set(k, v);
  }
  req.body() = body;
  req.prepare_payload();
  ClientResponse r =
      impl_->tls ? impl_->exchange(*impl_->secure, req) : impl_->exchange(*impl_->plain, req);
  if (r.status == 0 || !r.keep_alive) {
    impl_->plain.reset();
    impl_->secure.reset();
  }
  return r;
}

ClientResponse HttpClient::raw(const std::string& bytes) {
  if (!connected() && !impl_->connect()) {
    return {};
  }
  beast::error_code ec;
  ClientResponse out;
  if (impl_->tls) {
    net::write(*impl_->secure, net::buffer(bytes), ec);
  } else {
    net::write(*impl_->plain, net::buffer(bytes), ec);
  }
  if (ec) {
    return out;
  }
  bhttp::response_parser<bhttp::string_body> parser;
  if (impl_->tls) {
    bhttp::read(*impl_->secure, impl_->buffer, parser, ec);
  } else {
    bhttp::read(*impl_->plain, impl_->buffer, parser, ec);
  }
  if (ec) {
    return out;
  }
  auto res = parser.release();
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  out.keep_alive = res.keep_alive();
  impl_->plain.reset();
  impl_->secure.reset();
  return out;
}

ClientResponse http(const std::string& method, const std::string& host, std::uint16_t port,
                    const std::string& target, const std::string& body,
                    const std::map<std::string, std::string>& headers) {
  HttpClient c(host, port);
  return c.request(method, target, body, headers);
}

}  // namespace vouch::testing
