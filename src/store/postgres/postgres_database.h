#pragma once

// The PostgreSQL driver (issue 8): many `vouch serve` nodes share one database through libpq.
//
// Connections: a pool per Store, opened on demand up to Options::pool; a thread holds one for the
// length of a transaction (waiting up to pool_timeout when all are taken). A connection that
// breaks is dropped; the next transaction opens a new one, so the store recovers by itself when
// the server comes back. Values are always bound (PQexecParams: integers in text format, text and
// bytes in binary format); the portable `?` markers become $1..$n through
// sql::Dialect::postgres().
//
// Isolation (docs/adr/0009-storage.md): write transactions are READ COMMITTED. The stores' promises
// rest on what READ COMMITTED guarantees across nodes: a conditional UPDATE re-checks its WHERE
// clause on the row version it waited for (single-use sessions, status indices), a lost INSERT
// race is a unique violation (reported as store.conflict and rerun), and read-then-write bodies
// (audit chain head, newest status list, latest policy or secret version, the active key) first
// take a transaction-scoped advisory lock on what they extend (sql::Connection::lock), so they
// queue instead of racing. Read transactions are REPEATABLE READ READ ONLY: one snapshot for all
// their statements, as SQLite's read transactions. Serialization failures (40001) and deadlocks
// (40P01) are store.conflict, rerun a bounded number of times with jittered backoff.
//
// Errors: unique violation -> kAlreadyExists / store.sql.unique; foreign key -> kFailedPrecondition
// / store.sql.foreign_key; statement or lock timeout, too many connections, server starting or
// shutting down -> kUnavailable / store.busy; connection loss or refused -> kUnavailable /
// store.io; disk full -> kUnavailable / store.disk_full; read-only (a standby) -> kUnavailable /
// store.readonly; data corruption -> kInternal / store.corrupt; anything else kInternal /
// store.sql.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/sql/database.h"
#include "store/store.h"

namespace vouch::store::postgres {

// Options configures the driver; parse_url fills it from "postgres://...".
struct Options {
  // The connection URI handed to libpq, without Vouch's own options below. Never put into error
  // messages (it may hold a password).
  std::string conninfo;
  std::size_t pool = 8;  // connections per Store, 1..64
  // Per statement (SET statement_timeout); 0 disables it.
  std::chrono::milliseconds statement_timeout{5000};
  // How long a transaction waits for a free pooled connection before store.busy.
  std::chrono::milliseconds pool_timeout{5000};
};

// parse_url parses "postgres://[user[:password]@][host][:port][/dbname][?param=value&...]" (or
// "postgresql://"). Vouch's parameters are pool=N (1..64, default 8), statement_timeout_ms=N
// (0..3600000, default 5000) and pool_timeout_ms=N (1..600000, default 5000); every other
// parameter (sslmode, connect_timeout, application_name, ...) goes to libpq unchanged. Fails with
// kInvalidArgument / store.url naming what is wrong.
[[nodiscard]] Result<Options> parse_url(std::string_view url);

// open_database connects (one connection, to fail early) without touching the schema. Fails with
// kUnavailable / store.io when the server cannot be reached or refuses the login, store.busy when
// it is starting, shutting down or out of connections.
[[nodiscard]] Result<std::unique_ptr<sql::Database>> open_database(const Options& options);

// open is open_database, a check that the schema holds a Vouch database (or nothing), the
// migrations (serialized across nodes), and the Store over it. Fails like open_database, and with
// kFailedPrecondition / store.schema.newer, store.schema.mismatch or store.schema.foreign.
[[nodiscard]] Result<StorePtr> open(const Options& options);

}  // namespace vouch::store::postgres
