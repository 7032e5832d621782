#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace vouch::testing {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool keep_alive = false;
};

// HttpClient is a small blocking HTTP/1.1 client for tests (plain or TLS without certificate
// verification), keeping one connection open across requests.
class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port, bool tls = false);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request on the open connection (connecting first if needed). Returns status 0 when
  // the connection failed or was closed by the server.
  ClientResponse request(const std::string& method, const std::string& target,
                         const std::string& body = {},
                         const std::map<std::string, std::string>& headers = {});
  // Sends raw bytes and reads one response (for malformed-request tests).
  ClientResponse raw(const std::string& bytes);
  bool connected() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection.
ClientResponse http(const std::string& method, const std::string& url_host, std::uint16_t port,
                    const std::string& target, const std::string& body = {},
                    const std::map<std::string, std::string>& headers = {});

}  // namespace vouch::testing
