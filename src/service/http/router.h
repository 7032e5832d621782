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
// Respond delivers a handler's answer; call it exactly once, from any thread.
using Respond = std::function<void(HttpResponse)>;
using Handler = std::function<HttpResponse(const HttpRequest&, const PathParams&)>;
// AsyncHandler answers later through `respond`, so a handler waiting for the database does not
// hold one of the server's threads. `request` stays valid until respond is called.
using AsyncHandler = std::function<void(const HttpRequest& request, const PathParams&, Respond)>;

// Router maps (method, path pattern) to handlers. Patterns are "/"-separated; a segment "{name}"
// matches any one non-empty segment; a segment may also end in a literal suffix after the
// parameter, as MAA's "/policies/{type}:reset" does. Literal segments match case-insensitively
// (Azure Attestation paths do). Unknown paths give 404, known paths with another method 405.
class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);
  void add_async(std::string method, std::string pattern, AsyncHandler handler);
  // Routes `request`; the answer goes to `respond` (at once for synchronous routes).
  void dispatch(const HttpRequest& request, Respond respond) const;
  // Synchronous convenience for tests and synchronous-only routers: waits for the answer.
  HttpResponse dispatch(const HttpRequest& request) const;
  // The pattern a request would be routed to ("" when none), for metrics labels.
  std::string route_of(const HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    AsyncHandler handler;
  };
  static bool match(const Route& route, std::string_view path, PathParams& out);
  std::vector<Route> routes_;
};

}  // namespace vouch::service::http
