#pragma once

// The state every route shares, built once by Service::start (service.cc). Routes are grouped by
// API in routes_*.cc; each group registers itself on the router.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>

#include "appraisal/verifier.h"
#include "base/time.h"
#include "crypto/keys.h"
#include "service/attest.h"
#include "service/config.h"
#include "service/http/router.h"
#include "service/keys.h"
#include "service/log.h"
#include "service/metrics.h"
#include "service/tenants.h"
#include "store/store.h"

// In a route returning HttpResponse: on error, return error_response(error), which each routes
// file defines for its API's error shape.
#define VOUCH_TRY_RESPONSE(expr)               \
  do {                                         \
    auto vouch_r_ = (expr);                    \
    if (!vouch_r_.has_value()) {               \
      return error_response(vouch_r_.error()); \
    }                                          \
  } while (false)
#define VOUCH_TRY_RESPONSE_DECL(decl, expr) \
  VOUCH_TRY_RESPONSE_IMPL_(VOUCH_CONCAT_(vouch_tr_, __LINE__), decl, expr)
#define VOUCH_TRY_RESPONSE_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                              \
  if (!tmp.has_value()) {                         \
    return error_response(tmp.error());           \
  }                                               \
  decl = std::move(tmp).value()

namespace vouch::collateral {
class AmdKds;
class IntelPcs;
}  // namespace vouch::collateral

namespace vouch::service {

class RelyingParty;

struct ServiceState {
  ServiceState();
  ~ServiceState();
  Config config;
  const Clock* clock = nullptr;
  crypto::Random* random = nullptr;
  Logger* log = nullptr;
  store::StorePtr store;
  std::unique_ptr<KeyRing> keys;
  std::unique_ptr<Tenants> tenants;
  appraisal::VerifierRegistry verifiers;
  std::unique_ptr<Attestor> attestor;
  std::unique_ptr<RelyingParty> rp;  // when this node has the relying-party role
  // The collateral chain this node serves (memory -> store -> online or offline source) under
  // the PCCS/KDS-compatible routes (routes_collateral.cc); null without the collateral role.
  collateral::IntelPcs* intel_pcs = nullptr;
  collateral::AmdKds* amd_kds = nullptr;
  Metrics metrics;
  std::atomic<bool> draining{false};
};

// A tenant-scoped handler: `tenant` is "default" on "/x" and {tenant} on "/tenants/{tenant}/x".
using TenantHandler = std::function<http::HttpResponse(
    const http::HttpRequest&, const std::string& tenant, const http::PathParams&)>;

// A TenantHandler that calls `method` on the routes object shared by an API's routes. The method
// takes (request, tenant, params), (request, tenant) or (tenant, params).
template <class Routes, class Method>
TenantHandler member_route(std::shared_ptr<Routes> routes, Method method) {
  return [routes, method](const http::HttpRequest& q, const std::string& t,
                          const http::PathParams& p) -> http::HttpResponse {
    Routes& r = *routes;
    if constexpr (std::is_invocable_v<Method, Routes&, const http::HttpRequest&, const std::string&,
                                      const http::PathParams&>) {
      return (r.*method)(q, t, p);
    } else if constexpr (std::is_invocable_v<Method, Routes&, const http::HttpRequest&,
                                             const std::string&>) {
      return (r.*method)(q, t);
    } else {
      return (r.*method)(t, p);
    }
  };
}

// Registers `handler` at `suffix` for the default tenant and under /tenants/{tenant}.
void add_tenant_route(http::Router& router, const std::string& method, const std::string& suffix,
                      const TenantHandler& handler);
// A tenant-scoped handler that answers through `respond`, possibly later from another thread.
using AsyncTenantHandler =
    std::function<void(const http::HttpRequest&, const std::string& tenant, const http::PathParams&,
                       const http::Respond& respond)>;
void add_tenant_route_async(http::Router& router, const std::string& method,
                            const std::string& suffix, const AsyncTenantHandler& handler);

void add_maa_routes(http::Router& router, ServiceState& state);
void add_rats_routes(http::Router& router, ServiceState& state);
void add_admin_routes(http::Router& router, ServiceState& state);
void add_ops_routes(http::Router& router, ServiceState& state);
void add_enroll_routes(http::Router& router, ServiceState& state);
// The relying party (routes_rp.cc) and its KBS mode (routes_kbs.cc); need state.rp.
void add_rp_routes(http::Router& router, ServiceState& state);
void add_kbs_routes(http::Router& router, ServiceState& state);
// PCCS-compatible Intel and KDS-compatible AMD collateral routes (routes_collateral.cc); need
// state.intel_pcs / state.amd_kds (answer 503 without them).
void add_collateral_routes(http::Router& router, ServiceState& state);
// GET /tcbbaselines/{type} (tenant; verifier-owner or auditor), in routes_collateral.cc.
void add_tcb_baseline_routes(http::Router& router, ServiceState& state);

}  // namespace vouch::service
