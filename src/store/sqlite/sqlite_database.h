#pragma once

// The SQLite driver: one database file, WAL, every store concern through src/store/sql.
//
// Threading model: one write connection. Writers of this process queue in the driver rather
// than in SQLite's sleeping busy handler, and whatever is queued commits together (group
// commit: one transaction, each caller's work in its own savepoint, one fsync for the group; each
// caller returns after that commit with its own result). Plus a pool of read connections
// (opened on demand up to Options::readers; a thread takes one for the length of a transaction,
// waiting when all are taken). In WAL mode readers never block the writer nor each other. Each
// connection is used by one thread at a time (SQLite's multi-thread mode, SQLITE_OPEN_NOMUTEX on
// a thread-safe library build, which open() checks). Other processes on the same file are
// serialized by SQLite's file locks; the busy timeout and a bounded retry cover them.
//
// Durability: synchronous=FULL (the default) makes every acknowledged commit durable on disk.
// Write transactions begin IMMEDIATE, so a transaction never has to upgrade a read lock and
// cannot deadlock; multi-row operations are one transaction, so a crash leaves all or nothing.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/sql/database.h"
#include "store/store.h"

namespace vouch::store::sqlite {

enum class Synchronous : std::uint8_t { kFull, kNormal };

// Options configures the driver; parse_url fills it from "sqlite:PATH?...".
struct Options {
  std::string path;  // the database file; its directory must exist
  Synchronous synchronous = Synchronous::kFull;
  std::chrono::milliseconds busy_timeout{5000};
  std::size_t readers = 8;  // read connections, 1..64
};

// The application_id written into the database header ("Vouc"), so another program's SQLite file
// is recognised and refused.
inline constexpr std::int32_t kApplicationId = 0x566f7563;

// parse_url parses "sqlite:PATH[?synchronous=full|normal&busy_timeout_ms=N&readers=N]" ("sqlite://"
// followed by an absolute path is accepted too). Fails with kInvalidArgument / store.url naming
// what is wrong.
[[nodiscard]] Result<Options> parse_url(std::string_view url);

// open_database opens (creating when absent) the file and configures its connections, without
// touching the schema. Fails with kUnavailable (store.io, store.readonly, store.busy) when the
// file cannot be opened for writing, kInternal / store.corrupt when it is not a database.
[[nodiscard]] Result<std::unique_ptr<sql::Database>> open_database(const Options& options);

// open is open_database, a check that the file is a Vouch database (or empty), the migrations,
// and the Store over it. Fails like open_database, and with kFailedPrecondition /
// store.schema.newer, store.schema.mismatch or store.schema.foreign.
[[nodiscard]] Result<StorePtr> open(const Options& options);

}  // namespace vouch::store::sqlite
