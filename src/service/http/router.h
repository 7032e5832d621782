#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "service/http/message.h"

namespace vouch::service::http {

// PathParams holds the values of "{name}" segments matched by a route.
using PathParams = std::map<std::string, std::string>;
using Handler = std::function<HttpResponse(const HttpRequest&, const PathParams&)>;

// Router maps (method, path pattern) to handlers. Patterns are "/"-separated; a segment "{name}"
// matches any one non-empty segment; a segment may also end in a literal suffix after the
// parameter, as MAA's "/policies/{type}:reset" does. Literal segments match case-insensitively
// (Azure Attestation paths do). Unknown paths give 404, known paths with another method 405.
class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);
  HttpResponse dispatch(const HttpRequest& request) const;
  // The pattern a request would be routed to ("" when none), for metrics labels.
  std::string route_of(const HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  static bool match(const Route& route, std::string_view path, PathParams& out);
  std::vector<Route> routes_;
};

}  // namespace vouch::service::http
