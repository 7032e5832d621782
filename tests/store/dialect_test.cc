// The SQL dialect object: marker rewriting, migration placeholders, upserts.

#include "store/sql/dialect.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/check_ids.h"
#include "store/sql/migrate.h"
#include "testing/matchers.h"

namespace vouch::store::sql {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

TEST(Dialect, MarkersStayForSqliteAndNumberForPostgres) {
  const std::string_view s = "SELECT a FROM t WHERE b = ? AND c = '?' AND d IN (?, ?)";
  EXPECT_EQ(Dialect::sqlite().statement(s), s);
  EXPECT_EQ(Dialect::postgres().statement(s),
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND d IN ($2, $3)");
  EXPECT_EQ(Dialect::postgres().statement("x = 'it''s ?' AND y = ?"), "x = 'it''s ?' AND y = $1");
}

TEST(Dialect, DdlExpandsTypesAndRefusesUnknownPlaceholders) {
  const std::string_view ddl = "CREATE TABLE t (a ${int64}, b ${bytes}) ${table_options};";
  EXPECT_EQ(*Dialect::sqlite().ddl(ddl), "CREATE TABLE t (a INTEGER, b BLOB) STRICT;");
  EXPECT_EQ(*Dialect::postgres().ddl(ddl), "CREATE TABLE t (a BIGINT, b BYTEA) ;");
  EXPECT_THAT(Dialect::sqlite().ddl("x ${float}"),
              FailsWith(ErrorKind::kInternal, store::checks::kSql));
  EXPECT_THAT(Dialect::sqlite().ddl("x ${int64"),
              FailsWith(ErrorKind::kInternal, store::checks::kSql));
}

TEST(Dialect, UpsertUpdatesEveryNonKeyColumn) {
  EXPECT_EQ(Dialect::sqlite().upsert("cache", {"k"}, {"k", "v", "w"}),
            "INSERT INTO cache (k, v, w) VALUES (?, ?, ?) ON CONFLICT (k) DO UPDATE SET v = "
            "excluded.v, w = excluded.w");
}

TEST(Migrations, EmbeddedInOrderAndExpandForBothDialects) {
  ASSERT_FALSE(migrations().empty());
  std::int64_t expected = 1;
  for (const Migration& m : migrations()) {
    EXPECT_EQ(m.version, expected++);
    EXPECT_FALSE(m.sql.empty());
    EXPECT_THAT(Dialect::sqlite().ddl(m.sql), Succeeds()) << m.name;
    EXPECT_THAT(Dialect::postgres().ddl(m.sql), Succeeds()) << m.name;
  }
  EXPECT_EQ(latest_schema_version(), expected - 1);
  EXPECT_EQ(migrations().front().name, "0001_initial");
}

}  // namespace
}  // namespace vouch::store::sql
