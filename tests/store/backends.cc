#include "tests/store/backends.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "tests/store/postgres_server.h"

namespace vouch::store::testing {

std::string sqlite_path(const std::string& dir) {
  return dir + "/vouch.db";
}

namespace {

void sqlite_raw(const std::string& dir, const std::string& sql) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(sqlite_path(dir).c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  if (rc != SQLITE_OK) {
    ADD_FAILURE() << "sqlite3_open_v2: " << sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return;
  }
  sqlite3_busy_timeout(db, 5000);
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    ADD_FAILURE() << "raw SQL failed: " << (message != nullptr ? message : "?") << "\n" << sql;
  }
  sqlite3_free(message);
  sqlite3_close_v2(db);
}

}  // namespace

std::vector<Backend> backends() {
  return {
      Backend{"sqlite",
              [](const std::string& dir) { return open_store("sqlite:" + sqlite_path(dir)); },
              sqlite_raw, nullptr},
      Backend{"postgres", [](const std::string& dir) { return open_store(postgres_url(dir)); },
              postgres_raw, [] { return postgres_unavailable(); }},
  };
}

}  // namespace vouch::store::testing
