#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/result.h"
#include "store/sql/database.h"

namespace vouch::store::sql {

// Migration is one schema step, from src/store/migrations/NNNN_name.sql, embedded at build time.
struct Migration {
  std::int64_t version;   // NNNN
  std::string_view name;  // "NNNN_name"
  std::string_view sql;   // portable DDL (see Dialect::ddl)
};

// migrations returns every embedded migration in version order (generated: migrations.cc.in).
std::span<const Migration> migrations() noexcept;

// latest_schema_version is the version this binary migrates databases to.
std::int64_t latest_schema_version() noexcept;

// migrate brings the database to latest_schema_version() in one write transaction: it creates
// the schema_version table when absent, checks what is applied, and applies the pending
// migrations in order; all or nothing. Returns the version the database is at. Fails with
// kFailedPrecondition / store.schema.newer when the database is at a version this binary does not
// know, store.schema.mismatch when an applied migration's name differs from this binary's.
[[nodiscard]] Result<std::int64_t> migrate(Database& db);

}  // namespace vouch::store::sql
