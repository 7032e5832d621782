#include "service/service.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <thread>

#include "appraisal/verifier.h"
#include "base/encoding.h"
#include "base/file.h"
#include "base/json_depth.h"
#include "collateral/amd_kds_sources.h"
#include "collateral/intel_pcs_sources.h"
#include "service/auth.h"
#include "service/check_ids.h"
#include "service/collateral_store.h"
#include "service/errors.h"
#include "service/http/client.h"
#include "service/http/server.h"
#include "service/http_fetcher.h"
#include "service/rate_limiter.h"
#include "service/relying_party.h"
#include "service/state.h"
#include "service/worker_pool.h"
#include "token/signer.h"

namespace vouch::service {

ServiceState::ServiceState() = default;
ServiceState::~ServiceState() = default;

void add_tenant_route(http::Router& router, const std::string& method, const std::string& suffix,
                      const TenantHandler& handler) {
  router.add(method, suffix, [handler](const http::HttpRequest& req, const http::PathParams& p) {
    return handler(req, std::string(kDefaultTenant), p);
  });
  router.add(method, "/tenants/{tenant}" + suffix,
             [handler](const http::HttpRequest& req, const http::PathParams& p) {
               return handler(req, p.at("tenant"), p);
             });
}

void add_tenant_route_async(http::Router& router, const std::string& method,
                            const std::string& suffix, const AsyncTenantHandler& handler) {
  router.add_async(
      method, suffix,
      [handler](const http::HttpRequest& req, const http::PathParams& p, http::Respond respond) {
        handler(req, std::string(kDefaultTenant), p, respond);
      });
  router.add_async(method, "/tenants/{tenant}" + suffix,
                   [handler](const http::HttpRequest& req, const http::PathParams& p,
                             http::Respond respond) { handler(req, p.at("tenant"), p, respond); });
}

namespace {

constexpr std::size_t kMaxQueued = 4096;

std::string certificate_pem(ByteSpan der) {
  const std::string b64 = base64_encode(der);
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out += b64.substr(i, 64) + "\n";
  }
  return out + "-----END CERTIFICATE-----\n";
}

// Names the auto-generated certificate answers for: the listen address and the public URL's
// host, and localhost names when listening on loopback or on every address.
std::vector<std::string> tls_subject_alt_names(const Config& config) {
  std::vector<std::string> names;
  auto add = [&names](const std::string& host) {
    if (host.empty()) {
      return;
    }
    const bool ip = host.find_first_not_of("0123456789.") == std::string::npos ||
                    host.find(':') != std::string::npos;
    const std::string entry = (ip ? "IP:" : "DNS:") + host;
    if (std::find(names.begin(), names.end(), entry) == names.end()) {
      names.push_back(entry);
    }
  };
  const std::string& host = config.listen_host;
  if (host != "0.0.0.0" && host != "::") {
    add(host);
  }
  if (auto url = http::parse_url(config.effective_public_url())) {
    add(url->host);
  }
  if (host == "0.0.0.0" || host == "::" || host == "127.0.0.1" || host == "::1") {
    add("localhost");
    add("127.0.0.1");
    add("::1");
  }
  return names;
}

// The server's TLS material as files the HTTP layer loads: configured files, or a self-signed
// certificate generated into the data directory on first start (clients pin it or use their own
// CA through mode "files").
Result<std::optional<http::TlsFiles>> tls_files(const Config& config, const Clock& clock) {
  if (config.plain_http()) {
    return std::optional<http::TlsFiles>{};
  }
  if (config.tls_mode == TlsMode::kFiles) {
    return std::optional<http::TlsFiles>(
        http::TlsFiles{config.tls_certificate, config.tls_private_key});
  }
  const std::filesystem::path dir(config.data_dir);
  const auto cert_path = dir / "tls-cert.pem";
  const auto key_path = dir / "tls-key.pem";
  if (!std::filesystem::exists(cert_path) || !std::filesystem::exists(key_path)) {
    VOUCH_TRY(crypto::PrivateKey key, crypto::PrivateKey::generate_ec(crypto::Curve::kP256));
    token::CertificateOptions options;
    options.common_name = config.listen_host;
    options.subject_alt_names = tls_subject_alt_names(config);
    options.not_before = clock.now() - std::chrono::hours(1);
    options.not_after = clock.now() + std::chrono::days(365);
    VOUCH_TRY(crypto::Certificate cert, token::issue_certificate(key.public_key(), key, options));
    VOUCH_RETURN_IF_ERROR(write_private_file(key_path.string(), key.pem()));
    VOUCH_RETURN_IF_ERROR(write_private_file(cert_path.string(), certificate_pem(cert.der())));
  }
  return std::optional<http::TlsFiles>(http::TlsFiles{cert_path.string(), key_path.string()});
}

class ServiceImpl final : public Service {
 public:
  std::uint16_t port() const override { return server_->port(); }
  std::string url() const override { return state_.config.effective_public_url(); }
  void stop() override {
    state_.draining = true;
    server_->stop();
  }
  void wait() override { server_->wait(); }
  void handle_signals() override { server_->handle_signals(); }
  // Answers still owed go out (or nowhere, once their connection was cut off) before the HTTP
  // server's I/O context, which they post to, is destroyed: stop serving, let the workers finish,
  // then the store's pending commits.
  ServiceImpl() = default;
  ~ServiceImpl() override {
    if (server_ != nullptr) {
      server_->stop();
      server_->wait();
    }
    // Requests still running may queue commits, whose completions queue signing on the workers.
    if (workers_ != nullptr) {
      workers_->wait_idle();
    }
    if (state_.store != nullptr) {
      state_.store->wait_for_writes();
    }
    workers_.reset();
    server_.reset();
  }
  ServiceImpl(const ServiceImpl&) = delete;
  ServiceImpl& operator=(const ServiceImpl&) = delete;

  ServiceState state_;
  http::Router router_;
  std::unique_ptr<Logger> logger_;
  std::unique_ptr<crypto::SystemRandom> random_;
  // Collateral, in the order each part uses the previous one (destroyed after the workers).
  std::unique_ptr<HttpFetcher> fetcher_;
  std::unique_ptr<collateral::RetryingFetcher> retrying_;
  std::unique_ptr<collateral::CoalescingFetcher> coalescing_;
  std::unique_ptr<collateral::IntelPcs> intel_source_;
  std::unique_ptr<collateral::AmdKds> amd_source_;
  std::unique_ptr<CollateralStoreCore> collateral_core_;
  std::unique_ptr<collateral::IntelPcs> intel_store_;
  std::unique_ptr<collateral::AmdKds> amd_store_;
  std::unique_ptr<collateral::IntelPcs> intel_cache_;
  std::unique_ptr<collateral::IntelPcs> intel_verifier_;  // intel_cache_ as the verifiers see it
  std::unique_ptr<collateral::AmdKds> amd_cache_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<http::HttpServer> server_;  // declared last: stopped and destroyed first
  std::atomic<bool> ready_{false};
};

// Dev mode prints a bootstrap admin key once: when the default tenant has no API key yet (one
// node of several starting together on an empty database creates it).
Status bootstrap_admin_key(ServiceState& s, std::ostream* announce) {
  VOUCH_TRY(auto keys, s.store->api_keys().list(kDefaultTenant));
  if (!keys.empty()) {
    return {};
  }
  VOUCH_TRY(std::optional<IssuedKey> first,
            issue_first_api_key(s.store->api_keys(), *s.random, kDefaultTenant,
                                store::Role::kVerifierOwner, "bootstrap", s.clock->now()));
  if (!first) {
    return {};
  }
  const IssuedKey& key = *first;
  const auto path = std::filesystem::path(s.config.data_dir) / "bootstrap-admin-key";
  VOUCH_RETURN_IF_ERROR(write_private_file(path.string(), key.token + "\n"));
  if (s.config.dev && announce != nullptr) {
    *announce << "vouch: bootstrap admin key (verifier-owner of the default tenant), shown once:\n"
              << "  " << key.token << "\n"
              << "  (also saved in " << path.string() << ")\n";
  }
  s.log->info("bootstrap admin key created",
              {{"key_id", key.record.key_id}, {"file", path.string()}});
  return {};
}

// Builds the collateral chain: source (online over HTTP with retries and coalescing, or the
// offline directory) -> store-backed cache (shared by nodes, survives restarts) -> memory cache.
// The verifiers use it when a source is configured or the store holds collateral (imported or
// cached earlier); the collateral routes always do.
void wire_collateral(ServiceImpl& impl, const Dependencies& deps) {
  ServiceState& s = impl.state_;
  const Config& c = s.config;
  if (!c.intel_pcs_url.empty() || !c.amd_kds_url.empty()) {
    http::ClientOptions options = HttpFetcher::default_options();
    options.connect_timeout = c.collateral_connect_timeout;
    options.read_timeout = c.collateral_timeout;
    options.ca_file = c.collateral_ca_file;
    impl.fetcher_ = std::make_unique<HttpFetcher>(options);
    collateral::RetryingFetcher::Options retry;
    retry.max_attempts = c.collateral_retries + 1;
    retry.max_retry_after = c.collateral_retry_max_wait;
    impl.retrying_ = std::make_unique<collateral::RetryingFetcher>(*impl.fetcher_, retry);
    impl.coalescing_ = std::make_unique<collateral::CoalescingFetcher>(*impl.retrying_);
  }
  if (!c.intel_pcs_url.empty()) {
    collateral::PcsUrls urls = collateral::pcs_urls_for(c.intel_pcs_url);
    if (!c.intel_root_ca_crl_url.empty()) {
      urls.root_ca_crl = c.intel_root_ca_crl_url;
    }
    collateral::FetchHeaders headers;
    if (!c.intel_api_key.empty()) {
      headers.emplace_back("Ocp-Apim-Subscription-Key", c.intel_api_key);
    }
    impl.intel_source_ =
        std::make_unique<collateral::OnlineIntelPcs>(*impl.coalescing_, urls, std::move(headers));
  } else if (!c.intel_collateral_dir.empty()) {
    impl.intel_source_ = std::make_unique<collateral::OfflineIntelPcs>(c.intel_collateral_dir);
  }
  if (!c.amd_kds_url.empty()) {
    std::string base = c.amd_kds_url;
    while (!base.empty() && base.back() == '/') {
      base.pop_back();
    }
    impl.amd_source_ = std::make_unique<collateral::OnlineAmdKds>(*impl.coalescing_, base);
  } else if (!c.amd_collateral_dir.empty()) {
    impl.amd_source_ = std::make_unique<collateral::OfflineAmdKds>(c.amd_collateral_dir);
  }

  CollateralStoreOptions options;
  options.refresh_ahead = c.collateral_refresh_ahead;
  options.min_refresh_interval = c.collateral_min_refresh;
  options.stale_grace = c.collateral_stale_grace;
  // Stale collateral used inside the grace is logged and audited (default tenant's chain): the
  // verdict itself is evidence/dcap's, which judges each item's own dates.
  options.on_stale = [&s](const std::string& key, Timestamp next_update, const Error& why) {
    const nlohmann::json fields = {{"key", key},
                                   {"next_update", format_rfc3339(next_update)},
                                   {"refresh_error", why.to_string()}};
    s.log->warn("stale collateral served within the grace", fields);
    if (s.attestor != nullptr) {
      if (auto audited = s.attestor->audit(kDefaultTenant, "collateral.stale", fields); !audited) {
        s.log->warn("audit of stale collateral failed", {{"error", audited.error().to_string()}});
      }
    }
  };
  options.on_store_error = [&s](const std::string& key, const Error& error) {
    s.log->warn("collateral cache store failed", {{"key", key}, {"error", error.to_string()}});
  };
  impl.collateral_core_ =
      std::make_unique<CollateralStoreCore>(s.store->collateral(), *s.clock, options);
  impl.intel_store_ =
      std::make_unique<StoreIntelPcs>(*impl.collateral_core_, impl.intel_source_.get());
  impl.amd_store_ = std::make_unique<StoreAmdKds>(*impl.collateral_core_, impl.amd_source_.get());
  collateral::CachingIntelPcs::Options memory;
  memory.refresh_ahead = c.collateral_refresh_ahead;
  memory.min_refresh_interval = c.collateral_min_refresh;
  memory.stale_grace = c.collateral_stale_grace;
  impl.intel_cache_ =
      std::make_unique<collateral::CachingIntelPcs>(*impl.intel_store_, *s.clock, memory);
  impl.amd_cache_ = std::make_unique<collateral::CachingAmdKds>(*impl.amd_store_, *s.clock);

  s.intel_pcs = deps.intel_pcs != nullptr ? deps.intel_pcs : impl.intel_cache_.get();
  s.amd_kds = deps.amd_kds != nullptr ? deps.amd_kds : impl.amd_cache_.get();
}

}  // namespace

Result<std::unique_ptr<Service>> Service::start(const Config& config, Dependencies deps) {
  VOUCH_RETURN_IF_ERROR(validate(config));
  auto svc = std::make_unique<ServiceImpl>();
  ServiceState& s = svc->state_;
  s.config = config;
  s.clock = deps.clock;
  svc->random_ = std::make_unique<crypto::SystemRandom>();
  s.random = deps.random != nullptr ? deps.random : svc->random_.get();
  svc->logger_ =
      std::make_unique<Logger>(*deps.log, *deps.clock, parse_log_level(config.log_level));
  s.log = svc->logger_.get();

  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kDataDir,
                                config.data_dir + ": " + ec.message()});
  }
  VOUCH_TRY(s.store, store::open_store(config.effective_storage_url()));
  VOUCH_TRY(Bytes kek, load_kek(config, *s.random));
  s.keys = std::make_unique<KeyRing>(s.store->keys(), kek, *s.clock);
  if (deps.verifiers.empty()) {
    s.verifiers.add(appraisal::make_tpm_verifier());
    s.verifiers.add(appraisal::make_sevsnp_verifier());
    appraisal::add_dcap_verifiers(s.verifiers);
    s.verifiers.add(appraisal::make_azure_guest_verifier());
  } else {
    for (auto& v : deps.verifiers) {
      s.verifiers.add(std::move(v));
    }
  }
  VOUCH_TRY(auto tls, tls_files(config, *s.clock));

  // The router answers 503 until start-up finishes (the port is known only after binding).
  add_ops_routes(svc->router_, s);
  add_maa_routes(svc->router_, s);
  add_tcb_baseline_routes(svc->router_, s);
  add_rats_routes(svc->router_, s);
  add_admin_routes(svc->router_, s);
  add_enroll_routes(svc->router_, s);
  const bool relying_party = config.has_role("relying-party");
  if (relying_party) {
    add_rp_routes(svc->router_, s);
    add_kbs_routes(svc->router_, s);
  }
  wire_collateral(*svc, deps);
  if (config.has_role("collateral")) {
    add_collateral_routes(svc->router_, s);
  }

  http::ServerOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.threads = config.threads;
  options.max_body_bytes = config.max_body_bytes;
  options.max_header_bytes = config.max_header_bytes;
  options.read_timeout = config.read_timeout;
  options.idle_timeout = config.idle_timeout;
  options.shutdown_grace = config.shutdown_grace;
  options.tls = tls;
  ServiceImpl* impl = svc.get();
  const std::size_t cores = std::max<std::size_t>(1, std::thread::hardware_concurrency());
  impl->workers_ = std::make_unique<WorkerPool>(
      config.workers != 0 ? config.workers : std::max<std::size_t>(4, 2 * cores));
  impl->limiter_ = std::make_unique<RateLimiter>(
      static_cast<double>(config.rate_limit),
      static_cast<double>(config.rate_burst != 0 ? config.rate_burst : 2 * config.rate_limit));
  auto handler = [impl](const http::HttpRequest& req,
                        std::function<void(http::HttpResponse)> respond) {
    ServiceState& st = impl->state_;
    if (!impl->ready_.load()) {
      respond(
          problem(Error{ErrorKind::kUnavailable, checks::kDataDir, "starting up"}, req.request_id));
      return;
    }
    // Per-client rate limit ([server] rate_limit): a client over its rate waits, others do not.
    // Health and metrics probes are exempt (they come from the load balancer and monitoring).
    if (impl->limiter_->enabled() && !req.path.starts_with("/healthz") &&
        !req.path.starts_with("/readyz") && !req.path.starts_with("/metrics") &&
        !impl->limiter_->allow(req.client_address, std::chrono::steady_clock::now())) {
      auto r = problem(Error{ErrorKind::kUnavailable, checks::kRateLimited,
                             "client " + req.client_address + " exceeds its rate limit of " +
                                 std::to_string(st.config.rate_limit) + " requests/s"},
                       req.request_id);
      r.set_header("retry-after", std::to_string(impl->limiter_->retry_after_seconds()));
      respond(std::move(r));
      return;
    }
    // Load shedding: past kMaxQueued waiting requests, answer at once with 429 and Retry-After
    // instead of letting latency grow without bound.
    if (impl->workers_->pending() >= kMaxQueued) {
      respond(problem(Error{ErrorKind::kUnavailable, checks::kRateLimited,
                            "the service is at capacity; retry shortly"},
                      req.request_id));
      return;
    }
    // JSON bodies deeper than any Vouch document are refused before any route parses them:
    // copying or dumping a parsed value recurses, and a deep one would overflow the stack.
    // A NUL byte ends the JSON parser's input, so text after it would pass unseen.
    if (const JsonRefusal why = req.header("content-type").find("json") != std::string::npos
                                    ? refuse_untrusted_json(req.body)
                                    : JsonRefusal::kNone;
        why != JsonRefusal::kNone) {
      respond(problem(Error{ErrorKind::kInvalidArgument, checks::kRequestJson,
                            "the JSON body " + json_refusal_text(why)},
                      req.request_id));
      return;
    }
    const auto started = std::chrono::steady_clock::now();
    // The handler runs on a worker: the request is copied because the server's copy lives only
    // until respond() is called, and the worker outlives this call. `finish` holds the copy, so
    // an asynchronous route may read it until it answers.
    auto held = std::make_shared<const http::HttpRequest>(req);
    impl->workers_->post([impl, &st, held, respond, started] {
      const http::HttpRequest& request = *held;
      const RequestScope scope(request.request_id);
      const std::string route = impl->router_.route_of(request);
      auto answered = std::make_shared<std::atomic<bool>>(false);
      auto finish = [&st, answered, respond, route, started, held](http::HttpResponse r) {
        const http::HttpRequest& answered_request = *held;
        if (answered->exchange(true)) {
          return;
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        st.metrics.observe_request(route.empty() ? "unmatched" : route, answered_request.method,
                                   r.status, seconds);
        if (r.status == 503) {
          st.log->warn("dependency unavailable",
                       {{"request_id", answered_request.request_id}, {"route", route}});
        } else if (r.status >= 500) {
          st.log->error("request failed", {{"request_id", answered_request.request_id},
                                           {"route", route},
                                           {"status", r.status}});
        } else if (st.log->enabled(LogLevel::kDebug)) {
          st.log->log(LogLevel::kDebug, "request",
                      {{"request_id", answered_request.request_id},
                       {"method", answered_request.method},
                       {"route", route},
                       {"status", r.status},
                       {"client", answered_request.client_address},
                       {"ms", seconds * 1000}});
        }
        respond(std::move(r));
      };
      // A route that throws (a bug: routes return errors as values) answers 500 instead of
      // ending the process through std::terminate.
      try {
        impl->router_.dispatch(request, finish);
      } catch (const std::exception& e) {
        st.log->error("route threw",
                      {{"request_id", request.request_id}, {"what", std::string(e.what())}});
        finish(problem(Error{ErrorKind::kInternal, vouch::checks::kInternal,
                             "internal error (logged under this request id)"},
                       request.request_id));
      }
    });
  };
  // Copy the port back so that effective_public_url() names the bound port.
  VOUCH_TRY(svc->server_, http::HttpServer::start(options, handler));
  s.config.listen_port = svc->server_->port();

  s.tenants =
      std::make_unique<Tenants>(s.store->tenants(), s.config.effective_public_url(), *s.clock);
  Attestor::Deps ad;
  ad.store = s.store.get();
  ad.keys = s.keys.get();
  ad.verifiers = &s.verifiers;
  ad.clock = s.clock;
  ad.random = s.random;
  ad.metrics = &s.metrics;
  ad.defer = [impl](std::function<void()> task) { impl->workers_->post(std::move(task)); };
  // The composition root's sources, else the collateral chain, always: collateral imported while
  // the node runs is used without a restart (SEV-SNP still prefers the certificates sent with
  // the evidence).
  ad.amd_kds = deps.amd_kds;
  ad.intel_pcs = deps.intel_pcs;
  if (ad.intel_pcs == nullptr) {
    // Always the chain, so collateral imported while the node runs is used without a restart;
    // without a source, an item the store lacks fails closed (appraisal.collateral.source).
    svc->intel_verifier_ =
        std::make_unique<StoreOnlyIntelPcs>(*svc->intel_cache_, svc->intel_source_ != nullptr);
    ad.intel_pcs = svc->intel_verifier_.get();
  }
  if (ad.amd_kds == nullptr) {
    // Likewise; without a source a missing item is collateral.amd_kds.not_found, exactly what
    // the verifier reports for an item neither the evidence nor a source supplies.
    ad.amd_kds = svc->amd_cache_.get();
  }
  ad.collateral_stale_grace = config.collateral_stale_grace;
  ad.verifier_build = "vouch";
  s.attestor = std::make_unique<Attestor>(std::move(ad));
  if (relying_party) {
    VOUCH_TRY(s.rp, RelyingParty::create(s, svc->router_, kek));
  }

  auto startup = [&]() -> Status {
    TenantSettings defaults;
    defaults.token_lifetime = config.token_lifetime;
    const auto alg = jose::jws_alg_from_name(config.token_algorithm);
    if (!alg) {
      return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kTenantSettings,
                                  "tokens.algorithm must be ES256, ES384, RS256 or PS256"});
    }
    defaults.signing_alg = *alg;
    VOUCH_RETURN_IF_ERROR(s.tenants->ensure_default(defaults));
    VOUCH_TRY(auto names, s.tenants->names());
    for (const auto& name : names) {
      VOUCH_TRY(auto view, s.tenants->get(name));
      // Every published key must sign, or the service refuses to start.
      VOUCH_RETURN_IF_ERROR(s.keys->self_test(name));
      VOUCH_RETURN_IF_ERROR(s.keys->active(name, view->issuer, view->settings.signing_alg));
    }
    return bootstrap_admin_key(s, deps.log);
  };
  if (auto ok = startup(); !ok) {
    svc->server_->stop();
    svc->server_->wait();
    return tl::unexpected(std::move(ok.error()));
  }
  impl->ready_ = true;
  s.log->info("vouch serve started", {{"url", s.config.effective_public_url()},
                                      {"store", std::string(s.store->backend())},
                                      {"tls", !config.plain_http()},
                                      {"dev", config.dev}});
  return std::unique_ptr<Service>(std::move(svc));
}

}  // namespace vouch::service
