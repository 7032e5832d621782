#include "store/sql/migrate.h"

#include <string>

#include "store/check_ids.h"
#include "store/sql/dialect.h"

namespace vouch::store::sql {
namespace {

constexpr std::string_view kSchemaTable =
    "CREATE TABLE IF NOT EXISTS schema_version (\n"
    "  version ${int64} NOT NULL PRIMARY KEY,\n"
    "  name TEXT NOT NULL\n"
    ") ${table_options};";

Status check_embedded() {
  std::int64_t expected = 1;
  for (const Migration& m : migrations()) {
    if (m.version != expected) {
      return fail(ErrorKind::kInternal, store::checks::kSql,
                  "embedded migrations are not numbered 1, 2, ...: found " + std::string(m.name));
    }
    ++expected;
  }
  return ok();
}

Status apply(Connection& c, const Dialect& dialect, std::int64_t& version) {
  // Nodes starting together on one shared database migrate one after the other.
  VOUCH_RETURN_IF_ERROR(c.lock("vouch migrate"));
  VOUCH_TRY(const std::string schema_table, dialect.ddl(kSchemaTable));
  VOUCH_RETURN_IF_ERROR(c.execute_script(schema_table));
  VOUCH_TRY(const std::vector<Row> applied,
            c.query("SELECT version, name FROM schema_version ORDER BY version"));
  const std::span<const Migration> known = migrations();
  std::int64_t current = 0;
  for (const Row& row : applied) {
    RowReader rd(row);
    const std::int64_t v = rd.i64();
    const std::string name = rd.text();
    VOUCH_RETURN_IF_ERROR(rd.finish());
    if (v > static_cast<std::int64_t>(known.size())) {
      return fail(ErrorKind::kFailedPrecondition, store::checks::kSchemaNewer,
                  "the database is at schema version " + std::to_string(v) + " (" + name +
                      "), newer than this binary knows (" + std::to_string(known.size()) +
                      "); run the Vouch version that wrote it, or a newer one");
    }
    if (v != current + 1 || known[static_cast<std::size_t>(v - 1)].name != name) {
      return fail(ErrorKind::kFailedPrecondition, store::checks::kSchemaMismatch,
                  "applied migration " + std::to_string(v) + " is '" + name +
                      "', this binary's is '" +
                      std::string(v >= 1 ? known[static_cast<std::size_t>(v - 1)].name : "") + "'");
    }
    current = v;
  }
  for (const Migration& m : known) {
    if (m.version <= current) {
      continue;
    }
    VOUCH_TRY(const std::string script, dialect.ddl(m.sql));
    VOUCH_RETURN_IF_ERROR(c.execute_script(script).map_error(
        [&](Error e) { return std::move(e).with_context("migration " + std::string(m.name)); }));
    VOUCH_RETURN_IF_ERROR(
        c.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", {m.version, m.name}));
    current = m.version;
  }
  version = current;
  return ok();
}

}  // namespace

std::int64_t latest_schema_version() noexcept {
  return static_cast<std::int64_t>(migrations().size());
}

Result<std::int64_t> migrate(Database& db) {
  VOUCH_RETURN_IF_ERROR(check_embedded());
  std::int64_t version = 0;
  VOUCH_RETURN_IF_ERROR(db.transaction(
      Access::kWrite, [&](Connection& c) { return apply(c, db.dialect(), version); }));
  return version;
}

}  // namespace vouch::store::sql
