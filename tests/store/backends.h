#pragma once

// The backends the store conformance suite runs against. Each test gets a fresh, empty database
// identified by a scratch directory: a SQLite file in it, or a PostgreSQL schema of its own on a
// throwaway server (tests/store/postgres_server.h).

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/store.h"

namespace vouch::store::testing {

struct Backend {
  std::string name;
  // open opens (creating or reopening) the backend's database for scratch directory `dir`.
  std::function<Result<StorePtr>(const std::string& dir)> open;
  // raw_sql runs SQL on that database behind the store's back (to tamper with rows or fake a
  // newer schema); fails the test on error.
  std::function<void(const std::string& dir, const std::string& sql)> raw_sql;
  // unavailable says why the backend cannot run here (its tests skip with that message), or ""
  // when it can; unset for a backend that always runs.
  std::function<std::string()> unavailable;
};

// skip_reason is backend.unavailable() when set, else "".
inline std::string skip_reason(const Backend& backend) {
  return backend.unavailable ? backend.unavailable() : std::string();
}

// PrintTo names the backend in test output (gtest would otherwise dump its bytes).
inline void PrintTo(const Backend& backend, std::ostream* os) {
  *os << backend.name;
}

// backends lists every backend built into this test binary.
std::vector<Backend> backends();

// sqlite_path is the SQLite database file for scratch directory `dir`.
std::string sqlite_path(const std::string& dir);

}  // namespace vouch::store::testing
