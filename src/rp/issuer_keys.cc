#include "rp/issuer_keys.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

#include "jose/compact.h"
#include "rp/check_ids.h"

namespace vouch::rp {
namespace {

inline constexpr std::size_t kMaxDiscoveryDepth = 16;

tl::unexpected<Error> unavailable(std::string_view issuer, std::string why) {
  return fail(ErrorKind::kUnavailable, checks::kJwksUnavailable,
              "keys of issuer \"" + std::string(issuer) + "\": " + std::move(why));
}

// Scheme, host and port of an http(s) URL, lowercased, with the default port made explicit.
struct Origin {
  std::string scheme;
  std::string host;
  std::string port;
  friend bool operator==(const Origin&, const Origin&) = default;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::optional<Origin> origin_of(std::string_view url) {
  const std::size_t colon = url.find("://");
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  Origin o;
  o.scheme = lower(url.substr(0, colon));
  if (o.scheme != "https" && o.scheme != "http") {
    return std::nullopt;
  }
  const std::string_view rest = url.substr(colon + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return std::nullopt;
  }
  for (const char c : authority) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return std::nullopt;
    }
  }
  // "[v6]:port", "host:port" or "host".
  std::size_t port_colon = std::string_view::npos;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        return std::nullopt;
      }
      port_colon = close + 1;
    }
  } else {
    port_colon = authority.rfind(':');
  }
  o.host = lower(authority.substr(0, port_colon));
  if (o.host.empty()) {
    return std::nullopt;
  }
  if (port_colon != std::string_view::npos) {
    const std::string_view port = authority.substr(port_colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    const std::size_t first = port.find_first_not_of('0');
    o.port = first == std::string_view::npos ? "0" : std::string(port.substr(first));
  } else {
    o.port = o.scheme == "https" ? "443" : "80";
  }
  return o;
}

// The issuer without one trailing '/' (the form trusted issuers are compared in).
std::string_view trim_slash(std::string_view issuer) {
  if (issuer.ends_with('/')) {
    issuer.remove_suffix(1);
  }
  return issuer;
}

// Loopback hosts, where plain http cannot be tampered with on the network.
bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

}  // namespace

JwksCache::JwksCache(HttpGet get, const Clock& clock, JwksCacheOptions options)
    : get_(std::move(get)), clock_(clock), options_(options) {}

Result<jose::JwkSet> JwksCache::fetch(const std::string& issuer) {
  const std::optional<Origin> issuer_origin = origin_of(issuer);
  if (!issuer_origin) {
    return unavailable(issuer, "the issuer is not an http(s) URL");
  }
  // Keys fetched over plain http could be swapped by anyone on the path, and with them any
  // token forged: only https, except on loopback (development, tests).
  if (issuer_origin->scheme == "http" && !is_loopback(issuer_origin->host) &&
      !options_.allow_plain_http) {
    return unavailable(issuer, "refusing to fetch keys over plain http from a remote issuer");
  }
  const std::string discovery_url =
      std::string(trim_slash(issuer)) + "/.well-known/openid-configuration";
  auto discovery = get_(discovery_url);
  if (!discovery) {
    return unavailable(issuer, "GET " + discovery_url + ": " + discovery.error().to_string());
  }
  auto doc = jose::parse_json_strict(*discovery, checks::kJwksUnavailable, "discovery document",
                                     kMaxDiscoveryDepth);
  if (!doc) {
    return unavailable(issuer, doc.error().to_string());
  }
  if (!doc->is_object() || !doc->contains("jwks_uri") || !(*doc)["jwks_uri"].is_string()) {
    return unavailable(issuer, discovery_url + " has no \"jwks_uri\" string");
  }
  const std::string jwks_uri = (*doc)["jwks_uri"].get<std::string>();
  const std::optional<Origin> jwks_origin = origin_of(jwks_uri);
  if (!jwks_origin || *jwks_origin != *issuer_origin) {
    return unavailable(issuer,
                       "jwks_uri \"" + jwks_uri +
                           "\" is not an http(s) URL on the issuer's scheme, host and port");
  }
  auto jwks = get_(jwks_uri);
  if (!jwks) {
    return unavailable(issuer, "GET " + jwks_uri + ": " + jwks.error().to_string());
  }
  auto set = jose::parse_jwks(*jwks);
  if (!set) {
    return unavailable(issuer, jwks_uri + ": " + set.error().to_string());
  }
  return set;
}

Result<jose::JwkSet> JwksCache::keys(std::string_view issuer_in, bool refresh) {
  const std::string issuer(trim_slash(issuer_in));
  const Timestamp now = clock_.now();
  {
    const std::lock_guard<std::mutex> lock(mu_);
    const auto it = entries_.find(issuer);
    if (it != entries_.end() && it->second.has_keys) {
      Entry& e = it->second;
      const bool fresh = now - e.fetched < options_.ttl;
      const bool may_refetch = now - e.last_attempt >= options_.min_refresh_interval;
      if (fresh && (!refresh || !may_refetch)) {
        e.last_used = now;
        return e.keys;
      }
    }
    // A failure is remembered for min_refresh_interval: an unreachable issuer costs one fetch
    // per interval, not one per request (each of which would hold a worker for the timeouts).
    if (it != entries_.end() && !it->second.has_keys && it->second.last_error &&
        now - it->second.last_attempt < options_.min_refresh_interval) {
      it->second.last_used = now;
      return fail(*it->second.last_error);
    }
  }
  // Fetch without holding the lock: a slow issuer does not hold up the others. Concurrent
  // callers for one issuer may both fetch; the last answer wins.
  {
    const std::lock_guard<std::mutex> lock(mu_);
    const auto it = entries_.find(issuer);
    if (it != entries_.end()) {
      it->second.last_attempt = now;
    }
  }
  auto fetched = fetch(issuer);
  const std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(issuer);
  if (!fetched) {
    // Stale on error: a set fetched within ttl is still served when a refresh fails.
    if (it != entries_.end() && it->second.has_keys && now - it->second.fetched < options_.ttl) {
      it->second.last_used = now;
      return it->second.keys;
    }
    if (it == entries_.end()) {
      it = insert_entry(issuer);
    }
    it->second.has_keys = false;
    it->second.last_error = fetched.error();
    it->second.last_attempt = now;
    it->second.last_used = now;
    return fail(std::move(fetched).error());
  }
  if (it == entries_.end()) {
    it = insert_entry(issuer);
  }
  Entry& e = it->second;
  e.keys = *fetched;
  e.has_keys = true;
  e.last_error.reset();
  e.fetched = now;
  e.last_attempt = now;
  e.last_used = now;
  return std::move(fetched).value();
}

std::map<std::string, JwksCache::Entry, std::less<>>::iterator JwksCache::insert_entry(
    const std::string& issuer) {
  while (!entries_.empty() && entries_.size() >= std::max<std::size_t>(options_.max_issuers, 1)) {
    auto oldest = entries_.begin();
    for (auto e = entries_.begin(); e != entries_.end(); ++e) {
      if (e->second.last_used < oldest->second.last_used) {
        oldest = e;
      }
    }
    entries_.erase(oldest);
  }
  return entries_.emplace(issuer, Entry{}).first;
}

Result<jose::JwkSet> LocalThenRemote::keys(std::string_view issuer, bool refresh) {
  if (local_) {
    std::optional<Result<jose::JwkSet>> local = local_(issuer, refresh);
    if (local) {
      if (!local->has_value()) {
        Error e = std::move(*local).error();
        return unavailable(issuer, e.to_string());
      }
      return std::move(*local);
    }
  }
  if (remote_ == nullptr) {
    return unavailable(issuer,
                       "the issuer is not served by this node and remote issuers are "
                       "not configured");
  }
  return remote_->keys(issuer, refresh);
}

}  // namespace vouch::rp
