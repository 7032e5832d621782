#pragma once

// A small synchronous HTTP/1.1 client (the `vouch admin` CLI, online collateral sources). Plain
// types only: Boost.Beast and Asio stay inside client.cc, as they stay inside server.cc
// (docs/adr/0012-http-client.md).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace vouch::service::http {

// Checks the client makes. Transport failures are kUnavailable (retrying may help); a bad URL,
// header or CA file is kInvalidArgument (the caller must change something).
namespace client_checks {
inline constexpr CheckId kUrl{"service.client.url"};            // not an http(s) URL we take
inline constexpr CheckId kHeader{"service.client.header"};      // CR/LF/NUL in a header or method
inline constexpr CheckId kCaFile{"service.client.ca_file"};     // CA file cannot be loaded
inline constexpr CheckId kResolve{"service.client.resolve"};    // host name does not resolve
inline constexpr CheckId kConnect{"service.client.connect"};    // TCP connect failed
inline constexpr CheckId kTls{"service.client.tls"};            // handshake or verification failed
inline constexpr CheckId kTimeout{"service.client.timeout"};    // connect or read deadline passed
inline constexpr CheckId kProtocol{"service.client.protocol"};  // not a valid HTTP/1.1 response
inline constexpr CheckId kBodyLimit{"service.client.body_limit"};  // response over max_body_bytes
}  // namespace client_checks

// Url is a parsed absolute http:// or https:// URL.
struct Url {
  bool tls = false;          // https
  std::string host;          // DNS name or IP literal; IPv6 without the brackets
  std::uint16_t port = 0;    // explicit, or 80 / 443
  std::string target = "/";  // path and query as sent in the request line (never empty)

  // Whether host is an IPv4 or IPv6 literal.
  bool host_is_ip() const;
  // The Host header value: host, bracketed when IPv6, with ":port" unless it is the default.
  std::string authority() const;
  // The URL again, normalised ("https://[::1]:8443/x").
  std::string to_string() const;
};

// Parses "http(s)://host[:port][/path][?query]" (scheme case-insensitive, "[v6]" hosts, port
// 1..65535). User info ("user@"), fragments, whitespace and control characters are refused:
// service.client.url, kInvalidArgument.
[[nodiscard]] Result<Url> parse_url(std::string_view url);

// Percent-encodes everything but RFC 3986 unreserved characters, for one path segment or one
// query value.
std::string percent_encode(std::string_view component);

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};   // resolve + TCP connect + TLS handshake
  std::chrono::milliseconds read_timeout{30'000};      // write the request, read the whole response
  std::size_t max_body_bytes = std::size_t{16} << 20;  // larger responses fail (kBodyLimit)
  std::size_t max_header_bytes = std::size_t{64} << 10;
  // TLS. Certificate and host verification are on unless `insecure` is set. Trust anchors: the
  // PEM certificates in ca_file (which may hold the server's own self-signed certificate: partial
  // chains ending at a certificate from that file are accepted), or the system store when empty.
  std::string ca_file;
  bool insecure = false;  // development only: no certificate, no host check
  std::string user_agent = "vouch/0.1.0";
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given (after Host etc.)
  std::string body;  // Content-Length is set when non-empty or for POST/PUT/PATCH
};

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names (last value wins)
  std::string body;

  // Header value (name in lower case), or empty.
  std::string header(std::string_view name) const;
};

// HttpClient sends one request per connection (Connection: close) and returns the final
// response: any HTTP status is a success, interim 1xx responses are skipped, redirects are not
// followed, proxies are not used. Thread-compatible: one request at a time per instance.
class HttpClient {
 public:
  explicit HttpClient(ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request`. Errors: kUrl, kHeader, kCaFile (kInvalidArgument); kResolve, kConnect, kTls,
  // kTimeout, kProtocol, kBodyLimit (kUnavailable), each naming the URL's host and port.
  [[nodiscard]] Result<ClientResponse> send(const ClientRequest& request);
  [[nodiscard]] Result<ClientResponse> get(
      const std::string& url, std::vector<std::pair<std::string, std::string>> headers = {});

  const ClientOptions& options() const noexcept { return options_; }

 private:
  ClientOptions options_;
};

}  // namespace vouch::service::http
