#include "tests/store/postgres_server.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

#ifndef VOUCH_PG_SERVER_SCRIPT
#error "VOUCH_PG_SERVER_SCRIPT must name tests/store/postgres-server"
#endif

namespace vouch::store::testing {
namespace {

std::string read_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Server is the test binary's view of the server: its URL, one admin connection (to create a
// schema per test) and the schema of each scratch directory.
class Server {
 public:
  static Server& get() {
    static Server* server = new Server;  // never destroyed: the Environment stops the server
    return *server;
  }

  const std::string& unavailable() {
    std::call_once(started_, [this] { start(); });
    return unavailable_;
  }

  std::string url(const std::string& dir, const std::string& options) {
    return url_from(base_url_, dir, options);
  }

  std::string url_as(const std::string& dir, const std::string& user, const std::string& password,
                     const std::string& options) {
    // Replace the user information of postgres://user:password@host...
    std::string base = base_url_;
    const std::size_t scheme = base.find("://");
    const std::size_t at = base.find('@', scheme == std::string::npos ? 0 : scheme + 3);
    if (scheme != std::string::npos) {
      const std::size_t from = scheme + 3;
      base.replace(from, at == std::string::npos ? 0 : at - from + 1, user + ":" + password + "@");
    }
    return url_from(base, dir, options);
  }

  std::string schema_for(const std::string& dir) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = schemas_.find(dir);
    if (it != schemas_.end()) {
      return it->second;
    }
    // Unique across the test processes that share one server.
    std::string schema = "t_" + std::to_string(::getpid()) + "_" + std::to_string(++counter_);
    PGresult* r = PQexec(admin_, ("CREATE SCHEMA " + schema).c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      ADD_FAILURE() << "CREATE SCHEMA " << schema << ": " << PQresultErrorMessage(r);
    }
    PQclear(r);
    schemas_.emplace(dir, schema);
    return schema;
  }

  // stop stops a server this binary started (the ctest fixture stops its own).
  void stop() {
    std::lock_guard<std::mutex> lock(mu_);
    if (admin_ != nullptr) {
      PQfinish(admin_);
      admin_ = nullptr;
    }
    if (!control_dir_.empty()) {
      const std::string cmd = shell_quote(VOUCH_PG_SERVER_SCRIPT) + " stop " +
                              shell_quote(control_dir_) + " >/dev/null 2>&1";
      (void)std::system(cmd.c_str());  // NOLINT: a fixed script and our own directory
      std::error_code ec;
      std::filesystem::remove_all(control_dir_, ec);
      control_dir_.clear();
    }
  }

 private:
  Server() = default;

  std::string url_from(const std::string& base, const std::string& dir,
                       const std::string& options) {
    const std::string schema = schema_for(dir);
    std::string u = base;
    u += base.find('?') == std::string::npos ? "?" : "&";
    u += "options=-csearch_path%3D" + schema;
    if (!options.empty()) {
      u += "&" + options;
    }
    return u;
  }

  void start() {
    // Under ctest, a fixture started one server for every test process and left its URL (or
    // the reason there is none) in a control directory.
    const char* shared = std::getenv("VOUCH_TEST_POSTGRES_CONTROL");
    std::filesystem::path control;
    if (shared != nullptr && *shared != '\0' &&
        (std::filesystem::exists(std::filesystem::path(shared) / "url") ||
         std::filesystem::exists(std::filesystem::path(shared) / "unavailable"))) {
      control = shared;
    } else {
      // Run directly: start a server of our own, watched so it stops if this process dies.
      const char* base = std::getenv("TMPDIR");
      std::string tmpl =
          std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/vouch-pgctl-XXXXXX";
      std::vector<char> buf(tmpl.begin(), tmpl.end());
      buf.push_back('\0');
      if (mkdtemp(buf.data()) == nullptr) {
        unavailable_ = "cannot create a temporary directory for the PostgreSQL server";
        return;
      }
      control_dir_ = buf.data();
      control = control_dir_;
      const std::string cmd = shell_quote(VOUCH_PG_SERVER_SCRIPT) + " start " +
                              shell_quote(control_dir_) + " " + std::to_string(::getpid());
      if (std::system(cmd.c_str()) != 0) {  // NOLINT: a fixed script and our own directory
        unavailable_ = "tests/store/postgres-server start failed (see its output above)";
        return;
      }
    }
    if (std::filesystem::exists(control / "unavailable")) {
      unavailable_ = "PostgreSQL unavailable: " + read_line(control / "unavailable");
      return;
    }
    base_url_ = read_line(control / "url");
    admin_ = PQconnectdb(base_url_.c_str());
    if (PQstatus(admin_) != CONNECTION_OK) {
      unavailable_ =
          std::string("cannot connect to the test PostgreSQL server: ") + PQerrorMessage(admin_);
      return;
    }
  }

  std::once_flag started_;
  std::string unavailable_;
  std::string base_url_;
  std::string control_dir_;  // set when this binary started the server
  std::mutex mu_;
  PGconn* admin_ = nullptr;
  int counter_ = 0;
  std::map<std::string, std::string> schemas_;
};

class PostgresEnvironment final : public ::testing::Environment {
 public:
  void TearDown() override { Server::get().stop(); }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

}  // namespace

const std::string& postgres_unavailable() {
  const std::string& why = Server::get().unavailable();
  static std::once_flag said;
  if (!why.empty()) {
    std::call_once(said,
                   [&] { std::cerr << "[  SKIPPED ] PostgreSQL store tests: " << why << "\n"; });
  }
  return why;
}

std::string postgres_url(const std::string& dir, const std::string& options) {
  return Server::get().url(dir, options);
}

std::string postgres_url_as(const std::string& dir, const std::string& user,
                            const std::string& password, const std::string& options) {
  return Server::get().url_as(dir, user, password, options);
}

std::string postgres_schema(const std::string& dir) {
  return Server::get().schema_for(dir);
}

void postgres_raw(const std::string& dir, const std::string& sql) {
  PGconn* c = PQconnectdb(postgres_url(dir, "").c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    ADD_FAILURE() << "connecting to PostgreSQL: " << PQerrorMessage(c);
    PQfinish(c);
    return;
  }
  PGresult* r = PQexec(c, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    ADD_FAILURE() << "raw SQL failed: " << PQresultErrorMessage(r) << "\n" << sql;
  }
  PQclear(r);
  PQfinish(c);
}

}  // namespace vouch::store::testing
