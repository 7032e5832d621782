#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace vouch::service {

// TlsMode says where the server's certificate comes from.
enum class TlsMode : std::uint8_t {
  kAuto,   // a self-signed certificate generated into the data directory on first start
  kFiles,  // certificate and key files named in the configuration
  kOff,    // plain HTTP: loopback only, unless allow_plain_http is set
};

// Config is `vouch serve`'s configuration: TOML file, then VOUCH_* environment overrides, then
// command-line flags. Defaults are enough to start with only --listen and --data-dir.
struct Config {
  // [server]
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::size_t threads = 0;     // I/O threads; 0: one per core
  std::size_t workers = 0;     // request workers (verify + wait for the store); 0: 2 per core, >= 4
  std::size_t rate_limit = 0;  // requests/s per client address (token bucket); 0: no limit
  std::size_t rate_burst = 0;  // bucket size; 0: twice the rate
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds shutdown_grace{20};
  // [server.tls]
  TlsMode tls_mode = TlsMode::kAuto;
  std::string tls_certificate;    // PEM chain (kFiles)
  std::string tls_private_key;    // PEM key (kFiles)
  bool allow_plain_http = false;  // plain HTTP on a non-loopback address
  // [service]
  std::string data_dir = "./vouch-data";
  std::string public_url;  // base URL clients use (issuer); derived from listen when empty
  bool dev = false;        // --dev: generated KEK, plain HTTP on loopback, bootstrap admin key
  std::vector<std::string> roles = {"verifier", "relying-party", "collateral"};
  // [storage]
  std::string storage_url;  // default sqlite:<data_dir>/vouch.db
  // [keys]
  std::string kek_file;    // file holding the key-encryption key (32 bytes, raw or base64)
  std::string kek_base64;  // or the key itself, from the VOUCH_KEK environment variable
  // [tokens]
  std::chrono::seconds token_lifetime{8 * 3600};
  std::string token_algorithm = "ES256";
  // [collateral]: offline vendor collateral (air-gapped sites, tests), laid out as
  // collateral/intel_pcs_sources.h and collateral/amd_kds_sources.h describe.
  std::string intel_collateral_dir;  // Intel PCS layout; empty: SGX/TDX fail closed
  std::string amd_collateral_dir;    // AMD KDS layout; empty: certificates sent with evidence only
  // Online sources (docs/collateral.md): Intel PCS v4 or a PCCS (another `vouch serve`), and AMD
  // KDS or a mirror. Empty: none. An online source wins over the directory of the same vendor.
  std::string intel_pcs_url;          // e.g. https://api.trustedservices.intel.com
  std::string intel_api_key;          // sent as Ocp-Apim-Subscription-Key; never logged
  std::string intel_root_ca_crl_url;  // empty: Intel's for Intel's API, else <url>/.../rootcacrl
  std::string amd_kds_url;            // e.g. https://kdsintf.amd.com
  std::string collateral_ca_file;     // trust for HTTPS to the sources; empty: system store
  std::chrono::seconds collateral_connect_timeout{10};
  std::chrono::seconds collateral_timeout{30};         // the whole answer
  std::size_t collateral_retries = 2;                  // after the first try (429, 5xx, transport)
  std::chrono::seconds collateral_retry_max_wait{30};  // longest Retry-After waited for
  // The store-backed cache: refresh this long before nextUpdate; serve an item past its
  // nextUpdate for stale_grace when refreshing fails (logged and audited), then 503.
  std::chrono::seconds collateral_refresh_ahead{24 * 3600};
  std::chrono::seconds collateral_min_refresh{300};
  std::chrono::seconds collateral_stale_grace{0};
  // [logging]
  std::string log_level = "info";

  // Relying party (docs/relying-party.md), served when roles include "relying-party".
  std::string rp_verifier_url;           // background check: empty = the in-process verifier
  std::string rp_audience;               // when set, result tokens must carry it in "aud"
  std::chrono::seconds rp_skew{30};      // tolerance for exp, nbf and status lists
  bool rp_revocation_fail_open = false;  // accept when a status list is unreachable (audited)
  std::string rp_ca_file;  // trust for HTTPS to verifiers (JWKS, status lists, forwarding)
  bool has_role(std::string_view role) const;

  std::string effective_storage_url() const;
  std::string effective_public_url() const;
  bool plain_http() const;  // whether the server will speak plain HTTP
};

// Parses TOML text into `out` (unknown keys are errors so typos do not pass silently). Errors:
// config.parse (kInvalidArgument) naming the key or the line and column.
[[nodiscard]] Status apply_toml(std::string_view toml_text, Config& out);
// Applies VOUCH_<SECTION>_<KEY> overrides from `env` (name -> value), e.g. VOUCH_SERVER_LISTEN,
// VOUCH_SERVER_TLS_MODE, VOUCH_STORAGE_URL, VOUCH_KEYS_KEK_FILE, VOUCH_SERVICE_PUBLIC_URL, and
// VOUCH_KEK (the key-encryption key itself, base64). An unknown key in a known section is an
// error; VOUCH_* variables outside the known sections are ignored.
[[nodiscard]] Status apply_env(const std::map<std::string, std::string>& env, Config& out);
// Parses "HOST:PORT" ("[v6]:PORT" too) into the listen fields.
[[nodiscard]] Status set_listen(std::string_view host_port, Config& out);
// Checks the combination: e.g. plain HTTP on a non-loopback address needs allow_plain_http.
[[nodiscard]] Status validate(const Config& config);
// The process environment as a map (composition roots only).
std::map<std::string, std::string> process_environment();

}  // namespace vouch::service
