#pragma once

// The freshness rule of the service's short-lived caches (tenants, policies, lists, keys).

#include <chrono>

#include "base/time.h"

namespace vouch::service {

// Whether an entry loaded at `loaded` may still be used at `now` for `ttl`. An entry that seems
// to be from the future (the wall clock was stepped back since, e.g. by NTP) is not fresh: without
// this, a clock stepped back by an hour would keep every cache entry for that hour, and changes
// made on other nodes (a policy, a rotated key) would not be seen here for as long.
inline bool cache_fresh(Timestamp now, Timestamp loaded, std::chrono::seconds ttl) noexcept {
  return now >= loaded && now - loaded < ttl;
}

}  // namespace vouch::service
