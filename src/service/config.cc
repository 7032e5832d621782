#include "service/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

extern char** environ;  // NOLINT: POSIX

namespace vouch::service {
namespace {

constexpr CheckId kConfigParse{"config.parse"};
constexpr CheckId kConfigInvalid{"config.invalid"};

auto bad(std::string why) {
  return fail(ErrorKind::kInvalidArgument, kConfigParse, std::move(why));
}

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost" || host.rfind("127.", 0) == 0;
}

Result<std::uint64_t> parse_uint(std::string_view key, std::string_view text) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) {
    return bad(std::string(key) + ": '" + std::string(text.substr(0, 32)) + "' is not a number");
  }
  return v;
}

Result<bool> parse_bool(std::string_view key, std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") {
    return true;
  }
  if (text == "false" || text == "0" || text == "no") {
    return false;
  }
  return bad(std::string(key) + ": '" + std::string(text.substr(0, 32)) + "' is not a boolean");
}

Result<TlsMode> parse_tls_mode(std::string_view key, std::string_view text) {
  if (text == "auto") {
    return TlsMode::kAuto;
  }
  if (text == "files") {
    return TlsMode::kFiles;
  }
  if (text == "off") {
    return TlsMode::kOff;
  }
  return bad(std::string(key) + ": '" + std::string(text.substr(0, 32)) +
             "' is not one of auto, files, off");
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::stringstream ss{std::string(text)};
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) {
      out.push_back(item);
    }
  }
  return out;
}

// One setting, addressable as "section.key" in TOML and VOUCH_SECTION_KEY in the environment.
// Values arrive as text either way (TOML scalars are stringified first).
Status set_value(const std::string& key, const std::string& value, Config& c) {
  auto seconds = [&](std::chrono::seconds& out) -> Status {
    VOUCH_TRY(std::uint64_t v, parse_uint(key, value));
    out = std::chrono::seconds(static_cast<std::int64_t>(v));
    return ok();
  };
  auto size = [&](std::size_t& out) -> Status {
    VOUCH_TRY(std::uint64_t v, parse_uint(key, value));
    out = static_cast<std::size_t>(v);
    return ok();
  };
  if (key == "server.listen") {
    return set_listen(value, c);
  }
  if (key == "server.threads") {
    return size(c.threads);
  }
  if (key == "server.workers") {
    return size(c.workers);
  }
  if (key == "server.rate_limit") {
    return size(c.rate_limit);
  }
  if (key == "server.rate_burst") {
    return size(c.rate_burst);
  }
  if (key == "server.max_body_bytes") {
    return size(c.max_body_bytes);
  }
  if (key == "server.max_header_bytes") {
    return size(c.max_header_bytes);
  }
  if (key == "server.read_timeout_seconds") {
    return seconds(c.read_timeout);
  }
  if (key == "server.idle_timeout_seconds") {
    return seconds(c.idle_timeout);
  }
  if (key == "server.shutdown_grace_seconds") {
    return seconds(c.shutdown_grace);
  }
  if (key == "server.tls.mode") {
    VOUCH_TRY(c.tls_mode, parse_tls_mode(key, value));
    return ok();
  }
  if (key == "server.tls.certificate") {
    c.tls_certificate = value;
    return ok();
  }
  if (key == "server.tls.private_key") {
    c.tls_private_key = value;
    return ok();
  }
  if (key == "server.tls.allow_plain_http") {
    VOUCH_TRY(c.allow_plain_http, parse_bool(key, value));
    return ok();
  }
  if (key == "service.data_dir") {
    c.data_dir = value;
    return ok();
  }
  if (key == "service.public_url") {
    c.public_url = value;
    return ok();
  }
  if (key == "service.roles") {
    c.roles = split_list(value);
    return ok();
  }
  if (key == "storage.url") {
    c.storage_url = value;
    return ok();
  }
  if (key == "keys.kek_file") {
    c.kek_file = value;
    return ok();
  }
  if (key == "tokens.lifetime_seconds") {
    return seconds(c.token_lifetime);
  }
  if (key == "tokens.algorithm") {
    c.token_algorithm = value;
    return ok();
  }
  if (key == "collateral.intel_dir") {
    c.intel_collateral_dir = value;
    return ok();
  }
  if (key == "collateral.amd_dir") {
    c.amd_collateral_dir = value;
    return ok();
  }
  if (key == "collateral.intel_pcs_url") {
    c.intel_pcs_url = value;
    return ok();
  }
  if (key == "collateral.intel_api_key") {
    c.intel_api_key = value;
    return ok();
  }
  if (key == "collateral.intel_root_ca_crl_url") {
    c.intel_root_ca_crl_url = value;
    return ok();
  }
  if (key == "collateral.amd_kds_url") {
    c.amd_kds_url = value;
    return ok();
  }
  if (key == "collateral.ca_file") {
    c.collateral_ca_file = value;
    return ok();
  }
  if (key == "collateral.connect_timeout_seconds") {
    return seconds(c.collateral_connect_timeout);
  }
  if (key == "collateral.timeout_seconds") {
    return seconds(c.collateral_timeout);
  }
  if (key == "collateral.retries") {
    return size(c.collateral_retries);
  }
  if (key == "collateral.retry_max_wait_seconds") {
    return seconds(c.collateral_retry_max_wait);
  }
  if (key == "collateral.refresh_ahead_seconds") {
    return seconds(c.collateral_refresh_ahead);
  }
  if (key == "collateral.min_refresh_seconds") {
    return seconds(c.collateral_min_refresh);
  }
  if (key == "collateral.stale_grace_seconds") {
    return seconds(c.collateral_stale_grace);
  }
  if (key == "relying_party.verifier_url") {
    c.rp_verifier_url = value;
    return ok();
  }
  if (key == "relying_party.audience") {
    c.rp_audience = value;
    return ok();
  }
  if (key == "relying_party.skew_seconds") {
    return seconds(c.rp_skew);
  }
  if (key == "relying_party.revocation") {
    if (value != "fail-closed" && value != "fail-open") {
      return bad(key + ": expected \"fail-closed\" or \"fail-open\"");
    }
    c.rp_revocation_fail_open = value == "fail-open";
    return ok();
  }
  if (key == "relying_party.ca_file") {
    c.rp_ca_file = value;
    return ok();
  }
  if (key == "logging.level") {
    c.log_level = value;
    return ok();
  }
  return bad("unknown setting '" + key + "'");
}

Status walk(const toml::table& table, const std::string& prefix, Config& c) {
  for (const auto& [k, node] : table) {
    const std::string key =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const toml::table* sub = node.as_table()) {
      VOUCH_RETURN_IF_ERROR(walk(*sub, key, c));
      continue;
    }
    std::string text;
    if (const auto* s = node.as_string()) {
      text = s->get();
    } else if (const auto* i = node.as_integer()) {
      if (i->get() < 0) {
        return bad(key + " must not be negative");
      }
      text = std::to_string(i->get());
    } else if (const auto* b = node.as_boolean()) {
      text = b->get() ? "true" : "false";
    } else if (const auto* a = node.as_array()) {
      for (const auto& e : *a) {
        const auto* item = e.as_string();
        if (item == nullptr) {
          return bad(key + " must be a list of strings");
        }
        text += (text.empty() ? "" : ",") + item->get();
      }
    } else {
      return bad(key + " has an unsupported type");
    }
    VOUCH_RETURN_IF_ERROR(set_value(key, text, c));
  }
  return ok();
}

}  // namespace

std::string Config::effective_storage_url() const {
  return storage_url.empty() ? "sqlite:" + data_dir + "/vouch.db" : storage_url;
}

bool Config::plain_http() const {
  return tls_mode == TlsMode::kOff ||
         (dev && tls_mode == TlsMode::kAuto && is_loopback(listen_host));
}

std::string Config::effective_public_url() const {
  if (!public_url.empty()) {
    std::string u = public_url;
    while (!u.empty() && u.back() == '/') {
      u.pop_back();
    }
    return u;
  }
  const std::string host =
      listen_host.find(':') != std::string::npos ? "[" + listen_host + "]" : listen_host;
  return std::string(plain_http() ? "http" : "https") + "://" + host + ":" +
         std::to_string(listen_port);
}

Status apply_toml(std::string_view toml_text, Config& out) {
  // Debian's toml++ is built with exceptions: they stop here, at the adapter.
  toml::table parsed;
  try {
    parsed = toml::parse(toml_text);
  } catch (const toml::parse_error& err) {
    return bad("line " + std::to_string(err.source().begin.line) + ", column " +
               std::to_string(err.source().begin.column) + ": " + std::string(err.description()));
  }
  return walk(parsed, "", out);
}

Status apply_env(const std::map<std::string, std::string>& env, Config& out) {
  // VOUCH_SERVER_TLS_MODE -> server.tls.mode: known sections are matched longest first.
  // Pairs of environment prefix and dotted section.
  static const std::vector<std::pair<std::string, std::string>> kSections = {
      {"server_tls", "server.tls"},
      {"server", "server"},
      {"service", "service"},
      {"storage", "storage"},
      {"keys", "keys"},
      {"tokens", "tokens"},
      {"collateral", "collateral"},
      {"relying_party", "relying_party"},
      {"logging", "logging"}};
  for (const auto& [name, value] : env) {
    if (name == "VOUCH_KEK") {
      out.kek_base64 = value;
      continue;
    }
    if (name.rfind("VOUCH_", 0) != 0) {
      continue;
    }
    std::string rest = name.substr(6);
    for (char& ch : rest) {
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    bool matched = false;
    for (const auto& [section, dotted] : kSections) {
      if (rest.rfind(section + "_", 0) == 0) {
        VOUCH_RETURN_IF_ERROR(
            set_value(dotted + "." + rest.substr(section.size() + 1), value, out));
        matched = true;
        break;
      }
    }
    (void)matched;  // other VOUCH_* variables (test switches and the like) are not settings
  }
  return ok();
}

Status set_listen(std::string_view host_port, Config& out) {
  const std::size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return bad("listen address '" + std::string(host_port) + "' is not HOST:PORT");
  }
  std::string host(host_port.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  VOUCH_TRY(std::uint64_t port, parse_uint("listen port", host_port.substr(colon + 1)));
  if (port > 65535) {
    return bad("listen port " + std::to_string(port) + " is out of range");
  }
  out.listen_host = host == "localhost" ? "127.0.0.1" : host;
  out.listen_port = static_cast<std::uint16_t>(port);
  return ok();
}

Status validate(const Config& c) {
  if (c.plain_http() && !is_loopback(c.listen_host) && !c.allow_plain_http) {
    return fail(ErrorKind::kInvalidArgument, kConfigInvalid,
                "plain HTTP on " + c.listen_host +
                    " needs server.tls.allow_plain_http = true (or use TLS)");
  }
  if (c.tls_mode == TlsMode::kFiles && (c.tls_certificate.empty() || c.tls_private_key.empty())) {
    return fail(
        ErrorKind::kInvalidArgument, kConfigInvalid,
        "server.tls.mode = \"files\" needs server.tls.certificate and server.tls.private_key");
  }
  if (c.max_body_bytes == 0 || c.max_header_bytes < 1024) {
    return fail(ErrorKind::kInvalidArgument, kConfigInvalid,
                "body and header limits are too small");
  }
  for (const std::string* url : {&c.intel_pcs_url, &c.amd_kds_url, &c.intel_root_ca_crl_url}) {
    if (!url->empty() && url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0) {
      return fail(ErrorKind::kInvalidArgument, kConfigInvalid,
                  "collateral source '" + *url + "' is not an http(s) URL");
    }
  }
  if (c.collateral_timeout.count() == 0 || c.collateral_connect_timeout.count() == 0) {
    return fail(ErrorKind::kInvalidArgument, kConfigInvalid,
                "collateral timeouts must be at least one second");
  }
  const std::set<std::string> known = {"verifier", "relying-party", "collateral"};
  for (const std::string& r : c.roles) {
    if (known.count(r) == 0) {
      return fail(ErrorKind::kInvalidArgument, kConfigInvalid, "unknown role '" + r + "'");
    }
  }
  return ok();
}

bool Config::has_role(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::size_t eq = entry.find('=');
    if (eq != std::string::npos) {
      env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
  }
  return env;
}

}  // namespace vouch::service
