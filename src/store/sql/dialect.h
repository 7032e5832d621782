#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "base/result.h"

namespace vouch::store::sql {

// Dialect is what differs between the SQL backends, kept tiny (as Veraison's kvstore/sql.go
// switches on its driver): parameter markers, a few column type names in migrations, and the
// upsert statement. Statements are written in Vouch's portable SQL, which SQLite 3.35+ and
// PostgreSQL 15 both accept once these are applied (both understand ON CONFLICT ... DO UPDATE,
// RETURNING and partial indexes).
class Dialect {
 public:
  enum class Markers : std::uint8_t { kQuestion, kDollarNumber };  // `?` or `$1, $2, ...`

  struct Types {
    std::string_view int64;          // ${int64}: 64-bit integer column type
    std::string_view bytes;          // ${bytes}: binary column type
    std::string_view table_options;  // ${table_options}: after a CREATE TABLE's closing paren
  };

  constexpr Dialect(std::string_view name, Markers markers, Types types) noexcept
      : name_(name), markers_(markers), types_(types) {}

  // The dialects of the backends Vouch knows.
  static const Dialect& sqlite() noexcept;
  static const Dialect& postgres() noexcept;

  std::string_view name() const noexcept { return name_; }

  // statement rewrites the `?` markers of a portable statement into this dialect's markers.
  // Markers inside '...' string literals are left alone.
  std::string statement(std::string_view portable) const;

  // ddl expands ${int64}, ${bytes} and ${table_options} in a migration script. Fails with
  // kInternal / store.sql on any other ${...} (a bug in a migration).
  [[nodiscard]] Result<std::string> ddl(std::string_view script) const;

  // upsert builds the portable statement "INSERT INTO table (c1, ...) VALUES (?, ...) ON CONFLICT
  // (k1, ...) DO UPDATE SET c = excluded.c, ..." (non-key columns updated) from identifiers, which
  // must be compile-time constants of the caller, never input.
  std::string upsert(std::string_view table, std::initializer_list<std::string_view> keys,
                     std::initializer_list<std::string_view> columns) const;

 private:
  std::string_view name_;
  Markers markers_;
  Types types_;
};

}  // namespace vouch::store::sql
