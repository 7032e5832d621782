// Operations: liveness, readiness (the store answers, the server is not draining) and
// Prometheus metrics.

#include <nlohmann/json.hpp>

#include "service/errors.h"
#include "service/state.h"

namespace vouch::service {

void add_ops_routes(http::Router& router, ServiceState& state) {
  router.add("GET", "/healthz", [](const http::HttpRequest&, const http::PathParams&) {
    return http::HttpResponse::json(200, nlohmann::json{{"status", "ok"}});
  });
  router.add("GET", "/readyz", [&state](const http::HttpRequest& req, const http::PathParams&) {
    if (state.draining.load()) {
      return http::HttpResponse::json(503, nlohmann::json{{"status", "draining"}})
          .set_header("retry-after", "5");
    }
    if (auto ping = state.store->ping(); !ping) {
      return problem(ping.error(), req.request_id);
    }
    return http::HttpResponse::json(
        200, nlohmann::json{{"status", "ready"},
                            {"store", std::string(state.store->backend())},
                            {"schema_version", state.store->schema_version()}});
  });
  router.add("GET", "/metrics", [&state](const http::HttpRequest&, const http::PathParams&) {
    return http::HttpResponse::text(200, state.metrics.render(),
                                    "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace vouch::service
