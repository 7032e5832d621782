// `vouch collateral fetch|export|import`: vendor collateral for air-gapped sites
// (docs/collateral.md). fetch mirrors Intel PCS / AMD KDS items (or another `vouch serve`'s
// PCCS/KDS routes) into a directory in the offline layouts; export writes a service's stored
// collateral there; import loads such a directory into a service's store.

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <ostream>

#include "base/encoding.h"
#include "cli/commands.h"
#include "collateral/amd_kds_sources.h"
#include "collateral/intel_pcs_sources.h"
#include "service/collateral_store.h"
#include "service/http_fetcher.h"
#include "store/store.h"

namespace vouch::cli {
namespace {

namespace col = collateral;

bool write_item(const std::string& dir, const std::string& rel, ByteSpan body,
                const std::string& chain) {
  const std::filesystem::path path = std::filesystem::path(dir) / rel;
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(body.data()),  // NOLINT
            static_cast<std::streamsize>(body.size()));
  if (!chain.empty()) {
    std::ofstream c(path.string() + ".chain.pem", std::ios::binary | std::ios::trunc);
    c << chain;
    if (!c) {
      return false;  // reported by the caller, after the progress line
    }
  }
  return static_cast<bool>(out);
}

ByteSpan span_of(const std::string& s) {
  return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());  // NOLINT
}

// Whether `err` is the process's stderr and that is a terminal.
bool is_terminal(const std::ostream& err) {
  return &err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
}

// Progress on stderr: on a terminal one line rewritten in place; otherwise (a log, a pipe) one
// plain line per item, without control characters.
class Progress {
 public:
  Progress(std::ostream& err, std::size_t total)
      : err_(err), total_(total), tty_(is_terminal(err)) {}
  void step(const std::string& what) {
    ++done_;
    if (tty_) {
      err_ << "\rvouch collateral: [" << done_ << "/" << total_ << "] " << what << "\x1b[K"
           << std::flush;
    } else {
      err_ << "vouch collateral: [" << done_ << "/" << total_ << "] " << what << "\n" << std::flush;
    }
  }
  // Ends the progress line so a message can follow on its own line.
  void interrupt() {
    if (tty_ && done_ > 0) {
      err_ << "\n";
    }
  }
  void finish(const std::string& summary) {
    if (tty_) {
      err_ << "\r" << summary << "\x1b[K\n" << std::flush;
    } else {
      err_ << summary << "\n" << std::flush;
    }
  }

 private:
  std::ostream& err_;
  std::size_t total_;
  bool tty_;
  std::size_t done_ = 0;
};

std::string store_url(const std::string& url, const std::string& data_dir) {
  return url.empty() ? "sqlite:" + data_dir + "/vouch.db" : url;
}

struct FetchOptions {
  std::string out;
  std::string intel_url = "https://api.trustedservices.intel.com";
  std::string api_key;
  std::vector<std::string> fmspcs;
  std::vector<std::string> baselines;
  std::string tee = "all";
  std::string amd_url = std::string(col::kAmdKdsBaseUrl);
  std::string product;
  std::string hwid;
  std::vector<std::string> tcbs;
  std::string ca_file;
  bool insecure = false;
};

int run_fetch(const FetchOptions& o, const Context& ctx) {
  if (o.fmspcs.empty() && o.product.empty()) {
    ctx.err << "vouch collateral fetch: give --fmspc (Intel) and/or --amd-product (AMD)\n";
    return kExitUsage;
  }
  if (!o.hwid.empty() && o.tcbs.empty()) {
    ctx.err << "vouch collateral fetch: --hwid needs at least one --tcb\n";
    return kExitUsage;
  }
  std::vector<col::Fmspc> fmspcs;
  for (const auto& f : o.fmspcs) {
    auto b = hex_decode(f);
    if (!b || b->size() != 6) {
      ctx.err << "vouch collateral fetch: --fmspc " << f << " is not 12 hex digits\n";
      return kExitUsage;
    }
    col::Fmspc fm{};
    std::copy(b->begin(), b->end(), fm.begin());
    fmspcs.push_back(fm);
  }
  std::vector<col::TcbBaseline> baselines = {col::TcbBaseline::latest()};
  for (const auto& b : o.baselines) {
    auto parsed = col::parse_tcb_baseline(b);
    if (!parsed) {
      ctx.err << "vouch collateral fetch: --tcb-baseline " << b
              << " is not latest, early or a tcbEvaluationDataNumber\n";
      return kExitUsage;
    }
    if (std::find(baselines.begin(), baselines.end(), *parsed) == baselines.end()) {
      baselines.push_back(*parsed);
    }
  }
  std::vector<col::IntelTee> tees;
  if (o.tee == "sgx" || o.tee == "all") {
    tees.push_back(col::IntelTee::kSgx);
  }
  if (o.tee == "tdx" || o.tee == "all") {
    tees.push_back(col::IntelTee::kTdx);
  }
  if (tees.empty()) {
    ctx.err << "vouch collateral fetch: --tee must be sgx, tdx or all\n";
    return kExitUsage;
  }
  std::optional<col::AmdProduct> product;
  col::ChipId chip{};
  std::vector<std::uint64_t> tcbs;
  if (!o.product.empty()) {
    product = col::amd_product_from_name(o.product);
    if (!product) {
      ctx.err << "vouch collateral fetch: --amd-product must be Milan, Genoa or Turin\n";
      return kExitUsage;
    }
    if (!o.hwid.empty()) {
      auto b = hex_decode(o.hwid);
      if (!b || b->size() != col::amd_hwid_size(*product)) {
        ctx.err << "vouch collateral fetch: --hwid must be " << 2 * col::amd_hwid_size(*product)
                << " hex digits for " << o.product << "\n";
        return kExitUsage;
      }
      std::copy(b->begin(), b->end(), chip.begin());
    }
    for (const auto& t : o.tcbs) {
      std::uint64_t v = 0;
      const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v, 16);
      if (t.empty() || t.size() > 16 || ec != std::errc() || ptr != t.data() + t.size()) {
        ctx.err << "vouch collateral fetch: --tcb " << t << " is not 1-16 hex digits\n";
        return kExitUsage;
      }
      tcbs.push_back(v);
    }
  }

  service::http::ClientOptions client = service::HttpFetcher::default_options();
  client.ca_file = o.ca_file;
  client.insecure = o.insecure;
  service::HttpFetcher http_fetcher(client);
  col::RetryingFetcher fetcher(http_fetcher);
  std::string intel_base = o.intel_url;
  while (!intel_base.empty() && intel_base.back() == '/') {
    intel_base.pop_back();
  }
  std::string amd_base = o.amd_url;
  while (!amd_base.empty() && amd_base.back() == '/') {
    amd_base.pop_back();
  }
  col::FetchHeaders headers;
  const char* env_key = std::getenv("VOUCH_INTEL_API_KEY");  // NOLINT
  const std::string key = !o.api_key.empty() ? o.api_key : (env_key != nullptr ? env_key : "");
  if (!key.empty()) {
    headers.emplace_back("Ocp-Apim-Subscription-Key", key);
  }
  col::OnlineIntelPcs intel(fetcher, col::pcs_urls_for(intel_base), headers);
  col::OnlineAmdKds amd(fetcher, amd_base);

  // The items, as (label, action returning false on a fatal error).
  struct Item {
    std::string label;
    std::function<Status()> run;
    bool optional = false;  // a 404 is reported and skipped (platform CRL, TDX items)
  };
  std::vector<Item> items;
  const std::string& dir = o.out;
  auto put = [&](const std::string& rel, ByteSpan body, const std::string& chain) -> Status {
    if (!write_item(dir, rel, body, chain)) {
      return fail(ErrorKind::kUnavailable, CheckId{"file.write"}, "cannot write " + rel);
    }
    return ok();
  };
  if (!fmspcs.empty()) {
    for (col::IntelTee tee : tees) {
      const std::string t(col::intel_tee_name(tee));
      const bool tdx = tee == col::IntelTee::kTdx;
      for (const col::TcbBaseline& b : baselines) {
        const std::string suffix =
            b.is_latest() ? "" : " (baseline " + col::tcb_baseline_name(b) + ")";
        for (const col::Fmspc& fm : fmspcs) {
          items.push_back({t + " tcb " + hex_encode(fm) + suffix,
                           [&, tee, fm, b]() -> Status {
                             VOUCH_TRY(auto j, intel.tcb_info(tee, fm, b));
                             return put(col::OfflineIntelPcs::tcb_info_path(tee, fm, b),
                                        span_of(j.json), j.issuer_chain);
                           },
                           tdx || !b.is_latest()});
        }
        items.push_back({t + " qe identity" + suffix,
                         [&, tee, b]() -> Status {
                           VOUCH_TRY(auto j, intel.qe_identity(tee, b));
                           return put(col::OfflineIntelPcs::qe_identity_path(tee, b),
                                      span_of(j.json), j.issuer_chain);
                         },
                         tdx || !b.is_latest()});
      }
      items.push_back({t + " tcb evaluation data numbers",
                       [&, tee]() -> Status {
                         VOUCH_TRY(auto j, intel.tcb_evaluation_data_numbers(tee));
                         return put(col::OfflineIntelPcs::tcb_evaluation_data_numbers_path(tee),
                                    span_of(j.json), j.issuer_chain);
                       },
                       true});
    }
    for (col::IntelCa ca : {col::IntelCa::kProcessor, col::IntelCa::kPlatform}) {
      items.push_back({"pck crl " + std::string(col::intel_ca_name(ca)),
                       [&, ca]() -> Status {
                         VOUCH_TRY(auto c, intel.pck_crl(ca));
                         return put(col::OfflineIntelPcs::pck_crl_path(ca), c.crl, c.issuer_chain);
                       },
                       true});
    }
    items.push_back({"root ca crl", [&]() -> Status {
                       VOUCH_TRY(auto c, intel.root_ca_crl());
                       return put(col::OfflineIntelPcs::root_ca_crl_path(), c.crl, {});
                     }});
  }
  if (product) {
    const col::AmdProduct p = *product;
    items.push_back({std::string(col::amd_product_name(p)) + " cert_chain", [&, p]() -> Status {
                       VOUCH_TRY(auto c, amd.product_chain(p, col::AmdKeyKind::kVcek));
                       const std::string pem =
                           service::pem_armor("CERTIFICATE", c.intermediate_der) +
                           service::pem_armor("CERTIFICATE", c.ark_der);
                       return put(col::OfflineAmdKds::product_chain_path(p, col::AmdKeyKind::kVcek),
                                  span_of(pem), {});
                     }});
    items.push_back({std::string(col::amd_product_name(p)) + " crl",
                     [&, p]() -> Status {
                       VOUCH_TRY(auto c, amd.crl(p, col::AmdKeyKind::kVcek));
                       return put(col::OfflineAmdKds::crl_path(p, col::AmdKeyKind::kVcek), c.der,
                                  {});
                     },
                     true});
    if (!o.hwid.empty()) {
      for (std::uint64_t tcb : tcbs) {
        items.push_back({std::string(col::amd_product_name(p)) + " vcek tcb " + std::to_string(tcb),
                         [&, p, tcb]() -> Status {
                           VOUCH_TRY(auto c, amd.vcek(p, chip, tcb));
                           return put(col::OfflineAmdKds::vcek_path(p, chip, tcb), c.der, {});
                         }});
      }
    }
  }

  Progress progress(ctx.err, items.size());
  std::size_t written = 0;
  std::vector<std::string> missing;
  for (const Item& item : items) {
    progress.step(item.label);
    auto done = item.run();
    if (done) {
      ++written;
      continue;
    }
    if (item.optional && done.error().kind == ErrorKind::kNotFound) {
      missing.push_back(item.label);
      continue;
    }
    progress.interrupt();
    ctx.err << "vouch collateral fetch: " << item.label << ": " << done.error().to_string() << "\n";
    return exit_code_for(done.error().kind);
  }
  progress.finish("vouch collateral: fetched " + std::to_string(written) + " item(s) into " + dir);
  for (const auto& m : missing) {
    ctx.err << "vouch collateral: not offered by the source (skipped): " << m << "\n";
  }
  return kExitOk;
}

}  // namespace

void add_collateral(CLI::App& app, const Context& ctx, Action& action) {
  CLI::App* cmd = app.add_subcommand(
      "collateral",
      "Vendor collateral for air-gapped sites: fetch from Intel PCS / AMD KDS (or a vouch serve) "
      "into a directory, export a service's stored collateral, import a directory into a "
      "service's store");
  cmd->require_subcommand(1);

  auto f = std::make_shared<FetchOptions>();
  CLI::App* fetch = cmd->add_subcommand(
      "fetch",
      "Fetch collateral into a directory in the offline layout ([collateral] intel_dir / amd_dir "
      "of vouch serve). Intel: TCB info per --fmspc, QE identity and TCB evaluation data "
      "numbers per TEE (SGX, TDX), PCK CRLs, root CA CRL. AMD: "
      "the product's cert_chain and CRL, and the VCEK per --tcb with --hwid.");
  fetch->add_option("--out", f->out, "Directory to write into (created)")->required();
  fetch->add_option("--intel-url", f->intel_url,
                    "Intel PCS v4 or a PCCS / vouch serve base URL (default Intel's)");
  fetch->add_option("--api-key", f->api_key,
                    "Intel PCS API key (Ocp-Apim-Subscription-Key; default $VOUCH_INTEL_API_KEY)");
  fetch->add_option("--fmspc", f->fmspcs, "FMSPC (12 hex digits); repeatable");
  fetch->add_option("--tee", f->tee, "Intel TCB info and QE identity for sgx, tdx or all");
  fetch->add_option("--tcb-baseline", f->baselines,
                    "Also fetch TCB info and QE identity for this TCB baseline (early or a "
                    "tcbEvaluationDataNumber); repeatable");
  fetch->add_option("--amd-url", f->amd_url, "AMD KDS or mirror base URL (default AMD's)");
  fetch->add_option("--amd-product", f->product, "AMD product line: Milan, Genoa or Turin");
  fetch->add_option("--hwid", f->hwid, "AMD chip id (hex; 128 digits, 16 on Turin)");
  fetch->add_option("--tcb", f->tcbs, "AMD REPORTED_TCB (16 hex digits); repeatable");
  fetch->add_option("--ca-file", f->ca_file, "PEM trust anchors for HTTPS (default: system)");
  fetch->add_flag("--insecure", f->insecure, "Skip HTTPS certificate checks (development only)");
  fetch->callback([f, &ctx, &action] { action = [f, &ctx] { return run_fetch(*f, ctx); }; });

  struct StoreOptions {
    std::string data_dir = "./vouch-data";
    std::string storage_url;
    std::string dir;
  };
  auto e = std::make_shared<StoreOptions>();
  CLI::App* exp = cmd->add_subcommand(
      "export", "Write the collateral a service stored to a directory in the offline layout");
  exp->add_option("--data-dir", e->data_dir, "The service's data directory");
  exp->add_option("--store,--storage-url", e->storage_url,
                  "Store URL (default sqlite:<data-dir>/vouch.db)");
  exp->add_option("--out", e->dir, "Directory to write into (created)")->required();
  exp->callback([e, &ctx, &action] {
    action = [e, &ctx]() -> int {
      auto store = store::open_store(store_url(e->storage_url, e->data_dir));
      if (!store) {
        ctx.err << "vouch collateral export: " << store.error().to_string() << "\n";
        return kExitUsage;
      }
      std::optional<Progress> progress;
      auto n =
          service::export_collateral((*store)->collateral(), e->dir,
                                     [&](std::size_t, std::size_t total, const std::string& key) {
                                       if (!progress) {
                                         progress.emplace(ctx.err, total);
                                       }
                                       progress->step(key);
                                     });
      if (!n) {
        if (progress) {
          progress->interrupt();
        }
        ctx.err << "vouch collateral export: " << n.error().to_string() << "\n";
        return exit_code_for(n.error().kind);
      }
      Progress(ctx.err, 0)
          .finish("vouch collateral: exported " + std::to_string(*n) + " item(s) to " + e->dir);
      return kExitOk;
    };
  });

  auto i = std::make_shared<StoreOptions>();
  CLI::App* imp = cmd->add_subcommand(
      "import",
      "Load a directory in the offline layout into a service's store (a running service uses "
      "items it lacked at once, and newer copies of items it holds when its memory cache next "
      "asks the store)");
  imp->add_option("--data-dir", i->data_dir, "The service's data directory");
  imp->add_option("--store,--storage-url", i->storage_url,
                  "Store URL (default sqlite:<data-dir>/vouch.db)");
  imp->add_option("--in", i->dir, "Directory to read")->required();
  imp->callback([i, &ctx, &action] {
    action = [i, &ctx]() -> int {
      auto store = store::open_store(store_url(i->storage_url, i->data_dir));
      if (!store) {
        ctx.err << "vouch collateral import: " << store.error().to_string() << "\n";
        return kExitUsage;
      }
      service::CollateralStoreCore core((*store)->collateral(), ctx.clock, {});
      auto summary = service::import_collateral(core, i->dir);
      if (!summary) {
        ctx.err << "vouch collateral import: " << summary.error().to_string() << "\n";
        return exit_code_for(summary.error().kind);
      }
      for (const auto& s : summary->skipped) {
        ctx.err << "vouch collateral: skipped " << s << " (not collateral of a known shape)\n";
      }
      ctx.err << "vouch collateral: imported " << summary->imported << " item(s) from " << i->dir
              << "\n";
      return kExitOk;
    };
  });
}

}  // namespace vouch::cli
