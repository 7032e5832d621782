// PostgreSQL-specific behaviour: URLs and options, a schema that is not ours, and the faults a
// shared server brings: connections lost or refused (kUnavailable, then recovery without
// reopening the store), statement timeouts and an exhausted pool (kUnavailable / store.busy).
// The conformance suite covers the rest on both backends.

#include <libpq-fe.h>

#include <atomic>
#include <thread>

#include "store/audit.h"
#include "store/postgres/postgres_database.h"
#include "store/sql/migrate.h"
#include "tests/store/fixture.h"
#include "tests/store/postgres_server.h"

namespace vouch::store::testing {
namespace {

using ::vouch::testing::TempDir;

TEST(PostgresUrl, ParsesOptionsAndPassesTheRestToLibpq) {
  auto o = postgres::parse_url("postgres://u:p@db.example:5433/vouch");
  ASSERT_THAT(o, Succeeds());
  EXPECT_EQ(o->conninfo, "postgres://u:p@db.example:5433/vouch");
  EXPECT_EQ(o->pool, 8u);
  EXPECT_EQ(o->statement_timeout, std::chrono::milliseconds(5000));
  o = postgres::parse_url(
      "postgresql://db.example/vouch?pool=3&sslmode=require&statement_timeout_ms=0&"
      "pool_timeout_ms=250&application_name=node1");
  ASSERT_THAT(o, Succeeds());
  EXPECT_EQ(o->conninfo, "postgresql://db.example/vouch?sslmode=require&application_name=node1");
  EXPECT_EQ(o->pool, 3u);
  EXPECT_EQ(o->statement_timeout, std::chrono::milliseconds(0));
  EXPECT_EQ(o->pool_timeout, std::chrono::milliseconds(250));
}

TEST(PostgresUrl, RefusesBadUrls) {
  for (const char* url :
       {"postgres://h/d?pool=0", "postgres://h/d?pool=65", "postgres://h/d?pool=x",
        "postgres://h/d?statement_timeout_ms=-1", "postgres://h/d?pool_timeout_ms=0",
        "postgres://h/d?pool", "postgres://h/d?color=blue", "mysql://h/d"}) {
    SCOPED_TRACE(url);
    EXPECT_THAT(postgres::parse_url(url), FailsWith(ErrorKind::kInvalidArgument, checks::kUrl));
  }
  EXPECT_THAT(open_store("postgres://h/d?pool=0"),
              FailsWith(ErrorKind::kInvalidArgument, checks::kUrl));
}

TEST(PostgresStore, AnUnreachableServerIsUnavailable) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  EXPECT_THAT(open_store("postgres://vouch@127.0.0.1:1/vouch?connect_timeout=2"),
              FailsWith(ErrorKind::kUnavailable, checks::kIo));
}

// PostgresTest runs against the test server; each test has a schema of its own.
class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string& why = postgres_unavailable(); !why.empty()) {
      GTEST_SKIP() << why;
    }
  }

  Result<StorePtr> open(const std::string& options = "pool=8") {
    return open_store(postgres_url(dir_.path(), options));
  }

  // A connection of the test's own, beside the store's.
  PGconn* connect() {
    PGconn* c = PQconnectdb(postgres_url(dir_.path(), "").c_str());
    EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
    return c;
  }

  static void exec(PGconn* c, const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    const ExecStatusType st = PQresultStatus(r);
    EXPECT_TRUE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        << sql << ": " << PQresultErrorMessage(r);
    PQclear(r);
  }

  TempDir dir_;
};

TEST_F(PostgresTest, ASchemaOfAnotherApplicationIsRefused) {
  postgres_raw(dir_.path(), "CREATE TABLE orders (id BIGINT PRIMARY KEY)");
  EXPECT_THAT(open(), FailsWith(ErrorKind::kFailedPrecondition, checks::kSchemaForeign));
}

TEST_F(PostgresTest, NodesStartingTogetherMigrateOnce) {
  std::vector<std::optional<Result<StorePtr>>> opened(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < opened.size(); ++i) {
    threads.emplace_back([&, i] { opened[i] = open(); });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  for (const auto& s : opened) {
    ASSERT_TRUE(s.has_value());
    ASSERT_THAT(*s, Succeeds());
    EXPECT_EQ((**s)->schema_version(), sql::latest_schema_version());
    EXPECT_EQ((**s)->backend(), "postgres");
  }
}

TEST_F(PostgresTest, ConnectionsLostOrRefusedAreUnavailableThenRecover) {
  // A role of the test's own, so its logins can be refused and its sessions ended.
  const std::string schema = postgres_schema(dir_.path());
  const std::string role = "r_" + schema;
  postgres_raw(dir_.path(), "CREATE ROLE " + role + " LOGIN PASSWORD 'pw'; GRANT ALL ON SCHEMA " +
                                schema + " TO " + role);
  auto opened = open_store(postgres_url_as(dir_.path(), role, "pw", "pool=2"));
  ASSERT_THAT(opened, Succeeds());
  Store& s = **opened;
  ASSERT_THAT(s.tenants().create(make_tenant(kTenant)), Succeeds());
  const std::string kill_sessions =
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'";

  // Sessions ended under the pool (a server restart): the next calls reconnect by themselves.
  postgres_raw(dir_.path(), kill_sessions);
  EXPECT_THAT(s.tenants().get(kTenant), Succeeds());
  EXPECT_THAT(s.audit().append(kTenant, kT0, "x", nlohmann::json::object()), Succeeds());

  // The server refuses new connections (down): kUnavailable, the service answers 503.
  postgres_raw(dir_.path(), "ALTER ROLE " + role + " NOLOGIN");
  postgres_raw(dir_.path(), kill_sessions);
  EXPECT_THAT(s.tenants().get(kTenant), FailsWith(ErrorKind::kUnavailable, checks::kIo));
  EXPECT_THAT(s.audit().append(kTenant, kT0, "x", nlohmann::json::object()),
              FailsWith(ErrorKind::kUnavailable, checks::kIo));
  EXPECT_THAT(s.ping(), FailsWith(ErrorKind::kUnavailable, checks::kIo));

  // Back up: the same Store serves again, and nothing was half written.
  postgres_raw(dir_.path(), "ALTER ROLE " + role + " LOGIN");
  EXPECT_THAT(s.ping(), Succeeds());
  auto next = s.audit().append(kTenant, kT0, "y", nlohmann::json::object());
  ASSERT_THAT(next, Succeeds());
  EXPECT_EQ(next->sequence, 2u);
  EXPECT_TRUE(verify_chain(*s.audit().page(kTenant, 0, 10)).ok());
  opened->reset();
  postgres_raw(dir_.path(), kill_sessions + "; REASSIGN OWNED BY " + role +
                                " TO CURRENT_USER; DROP OWNED BY " + role + "; DROP ROLE " + role);
}

TEST_F(PostgresTest, AStatementTimeoutIsBusyAndLeavesNothingBehind) {
  auto opened = open("statement_timeout_ms=300");
  ASSERT_THAT(opened, Succeeds());
  Store& s = **opened;
  ASSERT_THAT(s.tenants().create(make_tenant(kTenant)), Succeeds());
  // Another node holds the chain's lock in a transaction that does not end.
  PGconn* other = connect();
  exec(other, "BEGIN");
  exec(other, "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ' audit " +
                  kTenant + "', 0))");
  EXPECT_THAT(s.audit().append(kTenant, kT0, "x", nlohmann::json::object()),
              FailsWith(ErrorKind::kUnavailable, checks::kBusy));
  EXPECT_THAT(s.tenants().get(kTenant), Succeeds());  // other work goes on
  exec(other, "COMMIT");
  PQfinish(other);
  auto e = s.audit().append(kTenant, kT0, "x", nlohmann::json::object());
  ASSERT_THAT(e, Succeeds());
  EXPECT_EQ(e->sequence, 1u);
}

TEST_F(PostgresTest, AnExhaustedPoolIsBusy) {
  auto opened = open("pool=1&pool_timeout_ms=100&statement_timeout_ms=0");
  ASSERT_THAT(opened, Succeeds());
  Store& s = **opened;
  ASSERT_THAT(s.tenants().create(make_tenant(kTenant)), Succeeds());
  PGconn* other = connect();
  exec(other, "BEGIN");
  exec(other, "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ' audit " +
                  kTenant + "', 0))");
  // The only connection waits for the lock inside an append...
  std::thread blocked([&] {
    EXPECT_THAT(s.audit().append(kTenant, kT0, "x", nlohmann::json::object()), Succeeds());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // ... so another caller gets no connection in time.
  EXPECT_THAT(s.tenants().get(kTenant), FailsWith(ErrorKind::kUnavailable, checks::kBusy));
  exec(other, "COMMIT");
  blocked.join();
  PQfinish(other);
  EXPECT_THAT(s.tenants().get(kTenant), Succeeds());
}

TEST_F(PostgresTest, APoolOfOneServesManyThreads) {
  auto opened = open("pool=1");
  ASSERT_THAT(opened, Succeeds());
  Store& s = **opened;
  ASSERT_THAT(s.tenants().create(make_tenant(kTenant)), Succeeds());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        if (!s.audit().append(kTenant, at(i), "x", {{"t", t}, {"i", i}}) ||
            !s.tenants().get(kTenant)) {
          failures++;
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  auto entries = s.audit().page(kTenant, 0, 100);
  ASSERT_THAT(entries, Succeeds());
  EXPECT_EQ(entries->size(), 40u);
  EXPECT_TRUE(verify_chain(*entries).ok());
}

TEST_F(PostgresTest, TwoStoresInTwoSchemasAreIndependent) {
  auto a = open();
  ASSERT_THAT(a, Succeeds());
  TempDir other_dir;
  auto b = open_store(postgres_url(other_dir.path()));
  ASSERT_THAT(b, Succeeds());
  ASSERT_THAT((*a)->tenants().create(make_tenant(kTenant)), Succeeds());
  EXPECT_THAT((*b)->tenants().get(kTenant),
              FailsWith(ErrorKind::kNotFound, checks::kTenantNotFound));
  ASSERT_THAT((*b)->tenants().create(make_tenant(kTenant)), Succeeds());
}

}  // namespace
}  // namespace vouch::store::testing
