#pragma once

// A throwaway PostgreSQL server for the store conformance suite (issue 8): started once per test
// binary, on first use, by a gtest Environment that stops it at the end.
//
// Where: initdb into a fresh temporary directory (UTF-8, C locale, SCRAM password, fsync off),
// listening on 127.0.0.1 only, on a free port, with its Unix socket in that directory. The server
// binaries come from $VOUCH_PG_BIN or Debian's /usr/lib/postgresql/<version>/bin. initdb and
// postgres refuse to run as root: as root, both run as the user "nobody" (setpriv), which then
// owns the directory. A small shell supervisor holds the server: it stops the server and removes
// the directory when the test binary closes its pipe, also when the binary crashes or is killed.
//
// Instead, $VOUCH_TEST_POSTGRES_URL (postgres://user:password@host:port, no database) points the
// suite at an existing server whose user may create databases.
//
// Each test gets a database of its own (CREATE DATABASE per scratch directory).

#include <string>

namespace vouch::store::testing {

// postgres_unavailable starts the server when needed and returns why PostgreSQL cannot run here
// (the tests skip with that message), or "" when it runs.
const std::string& postgres_unavailable();

// postgres_url returns the URL of the database for scratch directory `dir`, creating it on first
// use (the server must be available). `options` is appended as the URL's query (may be empty).
std::string postgres_url(const std::string& dir, const std::string& options = "pool=8");

// postgres_url_as is postgres_url with another user (a role the test created) and its password.
std::string postgres_url_as(const std::string& dir, const std::string& user,
                            const std::string& password, const std::string& options);

// postgres_schema is the schema of scratch directory `dir` (created on first use).
std::string postgres_schema(const std::string& dir);

// postgres_raw runs SQL on the database for `dir` behind the store's back; fails the test on error.
void postgres_raw(const std::string& dir, const std::string& sql);

}  // namespace vouch::store::testing
