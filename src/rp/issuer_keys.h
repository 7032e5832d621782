#pragma once

// Where a relying party gets a trusted issuer's token-signing keys: in-process for issuers this
// node serves, or the issuer's published JWKS over HTTP (OpenID discovery), cached and refreshed
// on an unknown kid at a bounded rate.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/time.h"
#include "jose/keys.h"

namespace vouch::rp {

class IssuerKeys {
 public:
  virtual ~IssuerKeys() = default;
  // The issuer's current keys. `refresh` asks for a fresh copy because a token named a kid the
  // cached set lacks; implementations may refuse to refetch more often than their bound and
  // return the cached set instead. Failures are kUnavailable rp.jwks.unavailable naming the
  // issuer and what failed.
  [[nodiscard]] virtual Result<jose::JwkSet> keys(std::string_view issuer, bool refresh) = 0;
};

// HttpGet returns the body of a 200 response to GET url; any other status or transport failure
// is an error (the caller's HTTP client, with its timeouts and TLS trust).
using HttpGet = std::function<Result<std::string>(const std::string& url)>;

struct JwksCacheOptions {
  std::chrono::seconds ttl{300};                  // a fetched JWKS is reused this long
  std::chrono::seconds min_refresh_interval{30};  // at most one refetch per issuer per interval
  std::size_t max_issuers = 64;                   // cache entries (least recently used dropped)
  // Plain http is refused for issuers off loopback (keys could be swapped on the path).
  bool allow_plain_http = false;
};

// JwksCache fetches `<issuer>/.well-known/openid-configuration`, then its "jwks_uri" (which must
// be an http(s) URL with the issuer's scheme, host and port), then parses the JWKS strictly
// (jose::parse_jwks). A stale entry is served while a refetch fails only within ttl; after that
// the failure is returned. The refetch bound applies to refresh requests while a set fetched
// within ttl is cached (a token naming random kids cannot make it fetch more than once per
// interval); a failed fetch is remembered and returned for min_refresh_interval before the
// issuer is tried again. Plain http is refused off loopback. `issuer` is used without one
// trailing '/'. The HttpGet is called without the cache's
// lock held.
class JwksCache final : public IssuerKeys {
 public:
  JwksCache(HttpGet get, const Clock& clock, JwksCacheOptions options = {});
  [[nodiscard]] Result<jose::JwkSet> keys(std::string_view issuer, bool refresh) override;

 private:
  struct Entry {
    jose::JwkSet keys;
    Timestamp fetched{};
    Timestamp last_attempt{};
    Timestamp last_used{};
    bool has_keys = false;
    std::optional<Error> last_error;  // the last fetch failed (negative cache)
  };
  [[nodiscard]] Result<jose::JwkSet> fetch(const std::string& issuer);
  // Adds an entry, dropping the least recently used one at max_issuers. Holds mu_.
  std::map<std::string, Entry, std::less<>>::iterator insert_entry(const std::string& issuer);
  HttpGet get_;
  const Clock& clock_;
  JwksCacheOptions options_;
  std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
};

// LocalThenRemote answers issuers `local` knows (it returns nullopt for others) in-process and
// the rest through `remote` (which may be null: then unknown issuers fail with
// rp.jwks.unavailable).
class LocalThenRemote final : public IssuerKeys {
 public:
  // `refresh` as in keys(): the local source may answer from a cache unless asked not to.
  using Local =
      std::function<std::optional<Result<jose::JwkSet>>(std::string_view issuer, bool refresh)>;
  LocalThenRemote(Local local, IssuerKeys* remote) : local_(std::move(local)), remote_(remote) {}
  [[nodiscard]] Result<jose::JwkSet> keys(std::string_view issuer, bool refresh) override;

 private:
  Local local_;
  IssuerKeys* remote_;
};

}  // namespace vouch::rp
