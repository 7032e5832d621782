#pragma once

// Transport-neutral HTTP messages: the service's routes see these, never Beast types, so they can
// be tested without sockets and Beast stays inside server.cc.

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vouch::service::http {

struct HttpRequest {
  std::string method;                          // upper case: "GET", "POST", ...
  std::string path;                            // percent-decoded path, without the query
  std::map<std::string, std::string> query;    // decoded query parameters (last one wins)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string client_address;
  std::string request_id;  // assigned by the server; echoed as x-request-id

  // Header value (name in lower case), or empty.
  std::string header(std::string_view name) const;
  // Query parameter value, or empty.
  std::string query_param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  HttpResponse& set_header(std::string name, std::string value);
  // A JSON body with content-type application/json (or the given type).
  static HttpResponse json(int status, const nlohmann::json& body,
                           std::string content_type = "application/json");
  static HttpResponse text(int status, std::string body,
                           std::string content_type = "text/plain; charset=utf-8");
};

// Splits "a=1&b=two%20words" into decoded pairs; malformed escapes are kept literally.
std::map<std::string, std::string> parse_query(std::string_view query);
// Percent-decodes a path or query component ('+' is a space only when form_encoded).
std::string percent_decode(std::string_view in, bool form_encoded = false);

}  // namespace vouch::service::http
