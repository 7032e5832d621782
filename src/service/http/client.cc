// The HTTP client's Beast and Asio code; callers see only client.h's plain types.

#include "service/http/client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <exception>
#include <memory>
#include <optional>

namespace vouch::service::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
namespace cc = client_checks;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

tl::unexpected<Error> url_error(std::string_view url, const std::string& why) {
  // The URL is echoed only up to a bound: it comes from configuration or the command line.
  return fail(ErrorKind::kInvalidArgument, cc::kUrl,
              "'" + std::string(url.substr(0, 200)) + "': " + why);
}

std::optional<net::ip::address> ip_literal(const std::string& host) {
  boost::system::error_code ec;
  auto addr = net::ip::make_address(host, ec);
  if (ec) {
    return std::nullopt;
  }
  return addr;
}

bool valid_reg_name(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
  });
}

// Frees memory OpenSSL allocated for us (ASN1_STRING_to_UTF8).
struct OpensslFree {
  void operator()(unsigned char* p) const noexcept { OPENSSL_free(p); }
};

// Header names and values go on the wire as given: CR, LF or NUL would split the header.
bool header_text_ok(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Whether the (chain-verified) leaf certificate names `url.host`. Subject alternative names
// decide when the certificate has any; only a certificate without that extension is matched on
// its subject CN (as OpenSSL does for DNS names; for IP addresses OpenSSL never looks at the CN,
// which would refuse the service's own "auto" certificate: CN = the listen address, no SAN).
bool certificate_names_host(X509* cert, const Url& url) {
  const bool has_san = X509_get_ext_by_NID(cert, NID_subject_alt_name, -1) >= 0;
  if (const auto ip = ip_literal(url.host)) {
    if (X509_check_ip_asc(cert, url.host.c_str(), 0) == 1) {
      return true;
    }
    if (has_san) {
      return false;
    }
    const X509_NAME* subject = X509_get_subject_name(cert);
    for (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) {
      const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
      unsigned char* raw = nullptr;
      const int len = ASN1_STRING_to_UTF8(&raw, data);
      const std::unique_ptr<unsigned char, OpensslFree> utf8(raw);
      if (len < 0) {
        continue;
      }
      const std::string cn(reinterpret_cast<const char*>(utf8.get()),  // NOLINT: OpenSSL's bytes
                           static_cast<std::size_t>(len));
      const auto cn_ip = ip_literal(cn);
      if (cn_ip && *cn_ip == *ip) {
        return true;
      }
    }
    return false;
  }
  const unsigned int flags =
      X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | (has_san ? X509_CHECK_FLAG_NEVER_CHECK_SUBJECT : 0U);
  return X509_check_host(cert, url.host.data(), url.host.size(), flags, nullptr) == 1;
}

// One request over one connection. Each phase runs the io_context until its operation completes;
// Beast's stream expiry bounds the connect and handshake (connect_timeout) and the exchange
// (read_timeout), a timer bounds name resolution.
class Exchange {
 public:
  Exchange(const ClientOptions& options, Url url) : options_(options), url_(std::move(url)) {
    where_ = url_.authority();
  }

  Result<ClientResponse> run(const ClientRequest& request) {
    VOUCH_TRY(auto endpoints, resolve());
    bhttp::request<bhttp::string_body> req;
    const bhttp::verb verb = bhttp::string_to_verb(request.method);
    if (verb == bhttp::verb::unknown) {
      req.method_string(request.method);
    } else {
      req.method(verb);
    }
    req.target(url_.target);
    req.version(11);
    req.set(bhttp::field::host, url_.authority());
    req.set(bhttp::field::user_agent, options_.user_agent);
    req.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : request.headers) {
      req.set(name, value);
    }
    req.body() = request.body;
    req.prepare_payload();
    const bool head = verb == bhttp::verb::head;

    if (!url_.tls) {
      beast::tcp_stream stream(ioc_);
      VOUCH_RETURN_IF_ERROR(connect(stream, endpoints));
      return exchange(stream, stream, req, head);
    }
    ssl::context ctx(ssl::context::tls_client);
    VOUCH_RETURN_IF_ERROR(configure_tls(ctx));
    beast::ssl_stream<beast::tcp_stream> stream(ioc_, ctx);
    VOUCH_RETURN_IF_ERROR(connect(beast::get_lowest_layer(stream), endpoints));
    VOUCH_RETURN_IF_ERROR(handshake(stream));
    return exchange(stream, beast::get_lowest_layer(stream), req, head);
  }

 private:
  void run_io() {
    ioc_.restart();
    ioc_.run();
  }

  Result<tcp::resolver::results_type> resolve() {
    tcp::resolver resolver(ioc_);
    net::steady_timer timer(ioc_);
    beast::error_code ec = net::error::would_block;
    bool timed_out = false;
    tcp::resolver::results_type results;
    const auto flags = ip_literal(url_.host)
                           ? tcp::resolver::numeric_host | tcp::resolver::numeric_service
                           : tcp::resolver::numeric_service;
    resolver.async_resolve(url_.host, std::to_string(url_.port), flags,
                           [&](beast::error_code e, tcp::resolver::results_type r) {
                             ec = e;
                             results = std::move(r);
                             timer.cancel();
                           });
    timer.expires_after(options_.connect_timeout);
    timer.async_wait([&](beast::error_code e) {
      if (!e) {
        timed_out = true;
        resolver.cancel();
      }
    });
    run_io();
    if (timed_out) {
      return fail(ErrorKind::kUnavailable, cc::kTimeout, "resolving " + url_.host + " timed out");
    }
    if (ec || results.empty()) {
      return fail(ErrorKind::kUnavailable, cc::kResolve,
                  "cannot resolve " + url_.host + ": " + (ec ? ec.message() : "no address"));
    }
    return results;
  }

  Status connect(beast::tcp_stream& stream, const tcp::resolver::results_type& endpoints) {
    beast::error_code ec = net::error::would_block;
    stream.expires_after(options_.connect_timeout);
    stream.async_connect(endpoints, [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
    run_io();
    if (ec == beast::error::timeout) {
      return fail(ErrorKind::kUnavailable, cc::kTimeout, "connecting to " + where_ + " timed out");
    }
    if (ec) {
      return fail(ErrorKind::kUnavailable, cc::kConnect,
                  "cannot connect to " + where_ + ": " + ec.message());
    }
    return ok();
  }

  Status configure_tls(ssl::context& ctx) {
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    if (options_.insecure) {
      ctx.set_verify_mode(ssl::verify_none);
      return ok();
    }
    ctx.set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    if (!options_.ca_file.empty()) {
      ctx.load_verify_file(options_.ca_file, ec);
      if (ec) {
        return fail(ErrorKind::kInvalidArgument, cc::kCaFile,
                    "cannot load CA certificates from '" + options_.ca_file + "': " + ec.message());
      }
      // A certificate from the CA file ends the chain even when it is not a self-signed root
      // (an intermediate, or a pinned server certificate), as curl does.
      X509_STORE_set_flags(SSL_CTX_get_cert_store(ctx.native_handle()), X509_V_FLAG_PARTIAL_CHAIN);
    } else {
      ctx.set_default_verify_paths(ec);
      if (ec) {
        return fail(ErrorKind::kInvalidArgument, cc::kCaFile,
                    "cannot load the system CA certificates: " + ec.message());
      }
    }
    return ok();
  }

  Status handshake(beast::ssl_stream<beast::tcp_stream>& stream) {
    SSL* ssl_handle = stream.native_handle();
    if (!ip_literal(url_.host)) {
      SSL_set_tlsext_host_name(ssl_handle, url_.host.c_str());  // SNI: DNS names only (RFC 6066)
    }
    if (!options_.insecure) {
      // Captures only `this`: the Exchange outlives the stream, and a renegotiation during the
      // exchange would run the callback again.
      stream.set_verify_callback([this](bool preverified, ssl::verify_context& v) {
        X509_STORE_CTX* sctx = v.native_handle();
        if (!preverified || X509_STORE_CTX_get_error_depth(sctx) != 0) {
          return preverified;  // OpenSSL's chain verdict stands
        }
        if (!certificate_names_host(X509_STORE_CTX_get_current_cert(sctx), url_)) {
          host_mismatch_ = true;
          X509_STORE_CTX_set_error(sctx, ip_literal(url_.host) ? X509_V_ERR_IP_ADDRESS_MISMATCH
                                                               : X509_V_ERR_HOSTNAME_MISMATCH);
          return false;
        }
        return true;
      });
    }
    beast::error_code ec = net::error::would_block;
    beast::get_lowest_layer(stream).expires_after(options_.connect_timeout);
    stream.async_handshake(ssl::stream_base::client, [&ec](beast::error_code e) { ec = e; });
    run_io();
    if (ec == beast::error::timeout) {
      return fail(ErrorKind::kUnavailable, cc::kTimeout,
                  "TLS handshake with " + where_ + " timed out");
    }
    if (ec) {
      const long verify = SSL_get_verify_result(ssl_handle);
      std::string why = ec.message();
      if (host_mismatch_) {
        why = "the certificate does not name " + url_.host;
      } else if (verify != X509_V_OK) {
        why = std::string("certificate verification failed: ") +
              X509_verify_cert_error_string(verify);
      }
      return fail(ErrorKind::kUnavailable, cc::kTls, "TLS with " + where_ + ": " + why);
    }
    return ok();
  }

  template <class Stream>
  Result<ClientResponse> exchange(Stream& stream, beast::tcp_stream& lowest,
                                  bhttp::request<bhttp::string_body>& req, bool head) {
    beast::error_code ec = net::error::would_block;
    lowest.expires_after(options_.read_timeout);  // covers the write and every read below
    bhttp::async_write(stream, req, [&ec](beast::error_code e, std::size_t) { ec = e; });
    run_io();
    if (ec) {
      return transfer_error(ec, "sending the request to ");
    }
    beast::flat_buffer buffer;
    std::optional<bhttp::response_parser<bhttp::string_body>> parser;
    for (;;) {
      parser.emplace();
      parser->header_limit(
          static_cast<std::uint32_t>(std::min<std::size_t>(options_.max_header_bytes, UINT32_MAX)));
      parser->body_limit(options_.max_body_bytes);
      parser->skip(head);
      // The header first, then the body: Beast 1.74's eager parser drops the body_limit error of
      // a Content-Length over the limit when body bytes arrived with the header, so the length
      // is checked here (as server.cc does). Chunked and read-to-EOF bodies are counted by the
      // parser itself.
      ec = net::error::would_block;
      bhttp::async_read_header(stream, buffer, *parser,
                               [&ec](beast::error_code e, std::size_t) { ec = e; });
      run_io();
      if (!ec) {
        if (const auto length = parser->content_length();
            length && *length > options_.max_body_bytes && !head) {
          ec = bhttp::error::body_limit;
        }
      }
      if (!ec && !parser->is_done()) {
        ec = net::error::would_block;
        bhttp::async_read(stream, buffer, *parser,
                          [&ec](beast::error_code e, std::size_t) { ec = e; });
        run_io();
      }
      if (ec) {
        return transfer_error(ec, "reading the response from ");
      }
      const unsigned status = parser->get().result_int();
      if (status / 100 != 1 || status == 101) {
        break;  // interim responses (100 Continue, 103 Early Hints) are skipped
      }
    }
    auto res = parser->release();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      out.headers[lower(std::string_view(field.name_string().data(), field.name_string().size()))] =
          std::string(field.value());
    }
    out.body = std::move(res.body());
    return out;
  }

  tl::unexpected<Error> transfer_error(beast::error_code ec, const std::string& what) {
    if (ec == beast::error::timeout) {
      return fail(ErrorKind::kUnavailable, cc::kTimeout,
                  what + where_ + " timed out after " +
                      std::to_string(options_.read_timeout.count()) + " ms");
    }
    if (ec == bhttp::error::body_limit) {
      return fail(ErrorKind::kUnavailable, cc::kBodyLimit,
                  "the response from " + where_ + " is larger than " +
                      std::to_string(options_.max_body_bytes) + " bytes");
    }
    if (ec == bhttp::error::header_limit) {
      return fail(ErrorKind::kUnavailable, cc::kProtocol,
                  "the response header from " + where_ + " is larger than " +
                      std::to_string(options_.max_header_bytes) + " bytes");
    }
    return fail(ErrorKind::kUnavailable, cc::kProtocol, what + where_ + ": " + ec.message());
  }

  const ClientOptions& options_;
  Url url_;
  std::string where_;
  bool host_mismatch_ = false;  // set by the verify callback
  net::io_context ioc_;
};

}  // namespace

bool Url::host_is_ip() const {
  return ip_literal(host).has_value();
}

std::string Url::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) {
    out += ":" + std::to_string(port);
  }
  return out;
}

std::string Url::to_string() const {
  return std::string(tls ? "https://" : "http://") +
         (host.find(':') != std::string::npos ? "[" + host + "]:" + std::to_string(port)
                                              : host + ":" + std::to_string(port)) +
         target;
}

Result<Url> parse_url(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return url_error(text, "whitespace or control characters");
    }
  }
  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos) {
    return url_error(text, "expected http://host[:port]/path or https://...");
  }
  Url url;
  const std::string scheme = lower(text.substr(0, sep));
  if (scheme == "https") {
    url.tls = true;
  } else if (scheme != "http") {
    return url_error(text, "the scheme must be http or https");
  }
  std::string_view rest = text.substr(sep + 3);
  if (rest.find('#') != std::string_view::npos) {
    return url_error(text, "fragments are not sent to servers");
  }
  const std::size_t end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, end);
  const std::string_view target =
      end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) {
    return url_error(text, "user information in URLs is not supported");
  }
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return url_error(text, "unterminated [IPv6] host");
    }
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return url_error(text, "unexpected characters after the [IPv6] host");
      }
      has_port = true;
      port = after.substr(1);
    }
    boost::system::error_code ec;
    (void)net::ip::make_address_v6(std::string(host), ec);
    if (ec || host.empty()) {
      return url_error(text, "not an IPv6 address inside [ ]");
    }
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port = authority.substr(colon + 1);
      if (port.find(':') != std::string_view::npos) {
        return url_error(text, "IPv6 hosts must be written in brackets: http://[::1]:8080/");
      }
    }
    if (!valid_reg_name(host)) {
      return url_error(text, host.empty() ? "no host" : "invalid characters in the host");
    }
  }
  url.host = lower(host);
  url.port = url.tls ? 443 : 80;
  if (has_port) {
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) != 0;
        })) {
      return url_error(text, "the port must be a number");
    }
    const unsigned long value = std::stoul(std::string(port));
    if (value == 0 || value > 65535) {
      return url_error(text, "the port must be 1..65535");
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  if (target.empty()) {
    url.target = "/";
  } else if (target.front() == '?') {
    url.target = "/" + std::string(target);
  } else {
    url.target = std::string(target);
  }
  return url;
}

std::string percent_encode(std::string_view component) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(component.size());
  for (const char c : component) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string ClientResponse::header(std::string_view name) const {
  const auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(ClientOptions options) : options_(std::move(options)) {}

HttpClient::~HttpClient() = default;

Result<ClientResponse> HttpClient::send(const ClientRequest& request) {
  VOUCH_TRY(Url url, parse_url(request.url));
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || !header_text_ok(name) || !header_text_ok(value)) {
      return fail(ErrorKind::kInvalidArgument, client_checks::kHeader,
                  "header '" + name.substr(0, 64) + "': empty name, or CR, LF or NUL in it");
    }
  }
  if (!header_text_ok(request.method) || request.method.empty()) {
    return fail(ErrorKind::kInvalidArgument, client_checks::kHeader, "invalid request method");
  }
  const std::string where = url.authority();
  try {
    Exchange exchange(options_, std::move(url));
    return exchange.run(request);
  } catch (const std::exception& e) {
    // Asio and Beast throw only for resource exhaustion or invalid header text; keep it a value.
    return fail(ErrorKind::kUnavailable, client_checks::kProtocol,
                "request to " + where + " failed: " + e.what());
  }
}

Result<ClientResponse> HttpClient::get(const std::string& url,
                                       std::vector<std::pair<std::string, std::string>> headers) {
  ClientRequest request;
  request.method = "GET";
  request.url = url;
  request.headers = std::move(headers);
  return send(request);
}

}  // namespace vouch::service::http
