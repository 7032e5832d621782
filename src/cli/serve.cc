// `vouch serve` (the verifier service) and `vouch audit verify` (the offline audit-chain check).

#include <malloc.h>

#include <cstdlib>
#include <memory>

#include "base/file.h"
#include "cli/commands.h"
#include "service/config.h"
#include "service/service.h"
#include "store/audit.h"
#include "store/store.h"

namespace vouch::cli {
namespace {

// Under load, glibc's default thresholds keep mapping and unmapping the larger per-request
// buffers; every munmap is a TLB shootdown across the worker threads, which costs a virtualised
// 2-core machine ~15% of its throughput (docs/benchmarks.md). A long-running server keeps its
// heap instead: allocations up to 32 MiB come from the heap and up to 128 MiB of free heap is
// kept. Environment settings (MALLOC_MMAP_THRESHOLD_, ...) still win when present.
void keep_heap_mapped() {
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) {  // NOLINT(concurrency-mt-unsafe)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
  }
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) {  // NOLINT(concurrency-mt-unsafe)
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
  }
}

}  // namespace

void add_serve(CLI::App& app, const Context& ctx, Action& action) {
  struct Options {
    std::string listen;
    std::string data_dir;
    std::string config_file;
    std::string store_url;
    bool dev = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Run the service: the verifier (Azure Attestation compatible API, RATS challenge-response "
      "sessions), the relying party (/rp/v1 secrets, KBS mode; docs/relying-party.md), the "
      "collateral cache (PCCS/KDS-compatible routes; docs/collateral.md) and the admin API, as "
      "[service] roles selects. Configuration: TOML file, then VOUCH_* environment variables, "
      "then flags. SIGTERM or SIGINT stops it gracefully.");
  cmd->add_option("--listen", opts->listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  cmd->add_option(
      "--data-dir", opts->data_dir,
      "Directory for the database, TLS material and (dev) the KEK (default ./vouch-data)");
  cmd->add_option("--config", opts->config_file, "TOML configuration file");
  cmd->add_option("--store", opts->store_url,
                  "Store URL: sqlite:PATH, or postgres://user@host:port/db?pool=8 shared by many "
                  "nodes (storage.url, VOUCH_STORAGE_URL; default sqlite:<data-dir>/vouch.db)");
  cmd->add_flag("--dev", opts->dev,
                "Development mode: KEK generated into the data directory, plain HTTP on loopback, "
                "a bootstrap admin key printed once");
  cmd->callback([opts, &ctx, &action] {
    action = [opts, &ctx]() -> int {
      service::Config config;
      if (!opts->config_file.empty()) {
        auto text = read_file(opts->config_file);
        if (!text) {
          ctx.err << "vouch serve: " << text.error().to_string() << "\n";
          return kExitUsage;
        }
        auto applied = service::apply_toml(
            std::string_view(reinterpret_cast<const char*>(text->data()), text->size()),  // NOLINT
            config);
        if (!applied) {
          ctx.err << "vouch serve: " << opts->config_file << ": " << applied.error().to_string()
                  << "\n";
          return kExitUsage;
        }
      }
      if (auto env = service::apply_env(service::process_environment(), config); !env) {
        ctx.err << "vouch serve: " << env.error().to_string() << "\n";
        return kExitUsage;
      }
      if (!opts->listen.empty()) {
        if (auto l = service::set_listen(opts->listen, config); !l) {
          ctx.err << "vouch serve: --listen: " << l.error().to_string() << "\n";
          return kExitUsage;
        }
      }
      if (!opts->data_dir.empty()) {
        config.data_dir = opts->data_dir;
      }
      if (!opts->store_url.empty()) {
        config.storage_url = opts->store_url;
      }
      config.dev = config.dev || opts->dev;
      if (config.dev && config.tls_mode == service::TlsMode::kAuto) {
        config.tls_mode = service::TlsMode::kOff;  // dev: plain HTTP, loopback only (validated)
      }
      keep_heap_mapped();
      service::Dependencies deps;
      deps.clock = &ctx.clock;
      deps.log = &ctx.out;
      auto svc = service::Service::start(config, std::move(deps));
      if (!svc) {
        ctx.err << "vouch serve: " << svc.error().to_string() << "\n";
        return kExitUsage;
      }
      (*svc)->handle_signals();
      ctx.out << "vouch: serving on " << (*svc)->url() << "\n" << std::flush;
      (*svc)->wait();
      return kExitOk;
    };
  });
}

void add_audit(CLI::App& app, const Context& ctx, Action& action) {
  auto url = std::make_shared<std::string>();
  auto data_dir = std::make_shared<std::string>("./vouch-data");
  CLI::App* audit = app.add_subcommand("audit", "Audit log tools");
  audit->require_subcommand(1);
  CLI::App* verify = audit->add_subcommand(
      "verify", "Check every tenant's audit hash chain offline; names the first broken entry");
  verify->add_option("--data-dir", *data_dir, "The service's data directory");
  verify->add_option("--store,--storage-url", *url,
                     "Store URL (default sqlite:<data-dir>/vouch.db)");
  verify->callback([url, data_dir, &ctx, &action] {
    action = [url, data_dir, &ctx]() -> int {
      const std::string store_url = url->empty() ? "sqlite:" + *data_dir + "/vouch.db" : *url;
      auto store = store::open_store(store_url);
      if (!store) {
        ctx.err << "vouch audit verify: " << store.error().to_string() << "\n";
        return kExitUsage;
      }
      auto chains = (*store)->audit().chains();
      if (!chains) {
        ctx.err << "vouch audit verify: " << chains.error().to_string() << "\n";
        return kExitUsage;
      }
      int rc = kExitOk;
      for (const auto& tenant : *chains) {
        std::optional<store::ChainHead> head;
        std::uint64_t after = 0;
        std::size_t total = 0;
        for (;;) {
          auto page = (*store)->audit().page(tenant, after, store::limits::kMaxPage);
          if (!page) {
            ctx.err << "vouch audit verify: " << page.error().to_string() << "\n";
            return kExitUsage;
          }
          if (page->empty()) {
            break;
          }
          const store::ChainVerdict verdict = store::verify_chain(*page, head);
          total += verdict.checked;
          if (!verdict.ok()) {
            ctx.out << tenant << ": BROKEN at sequence " << verdict.broken->sequence << ": "
                    << verdict.broken->error.to_string() << "\n";
            rc = kExitRejected;
            break;
          }
          head = verdict.head;
          after = page->back().sequence;
        }
        if (rc == kExitOk || total > 0) {
          ctx.out << tenant << ": " << total << " entries verified\n";
        }
      }
      return rc;
    };
  });
}

}  // namespace vouch::cli
