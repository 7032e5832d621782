// SQLite-specific behaviour: URLs and options, files that are not (our) databases, corrupt
// pages, a read-only file, a full disk. Each fault gives a clear error and never damages data.

#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "store/sqlite/sqlite_database.h"
#include "tests/store/fixture.h"

namespace vouch::store::testing {
namespace {

using ::vouch::testing::TempDir;

Result<StorePtr> open_at(const TempDir& dir) {
  return open_store("sqlite:" + sqlite_path(dir.path()));
}

std::int64_t raw_pragma(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  std::int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close_v2(db);
  return v;
}

TEST(SqliteUrl, ParsesPathAndOptions) {
  auto o = sqlite::parse_url("sqlite:/var/lib/vouch/vouch.db");
  ASSERT_THAT(o, Succeeds());
  EXPECT_EQ(o->path, "/var/lib/vouch/vouch.db");
  EXPECT_EQ(o->synchronous, sqlite::Synchronous::kFull);
  o = sqlite::parse_url("sqlite:///abs/x.db?synchronous=normal&busy_timeout_ms=250&readers=2");
  ASSERT_THAT(o, Succeeds());
  EXPECT_EQ(o->path, "/abs/x.db");
  EXPECT_EQ(o->synchronous, sqlite::Synchronous::kNormal);
  EXPECT_EQ(o->busy_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(o->readers, 2u);
  EXPECT_EQ(sqlite::parse_url("sqlite:relative.db")->path, "relative.db");
}

TEST(SqliteUrl, RefusesBadUrls) {
  for (const char* url :
       {"sqlite:", "sqlite:?readers=2", "sqlite://relative", "sqlite:/x?readers=0",
        "sqlite:/x?readers=65", "sqlite:/x?synchronous=off", "sqlite:/x?busy_timeout_ms=-1",
        "sqlite:/x?busy_timeout_ms=1x", "sqlite:/x?color=blue", "sqlite:/x?readers", "mysql:/x"}) {
    SCOPED_TRACE(url);
    EXPECT_THAT(sqlite::parse_url(url), FailsWith(ErrorKind::kInvalidArgument, checks::kUrl));
  }
}

TEST(OpenStore, RefusesUnknownBackends) {
  // postgres:// is the PostgreSQL driver (postgres_test.cc).
  EXPECT_THAT(open_store("redis://x"), FailsWith(ErrorKind::kInvalidArgument, checks::kUrl));
  EXPECT_THAT(open_store("/plain/path"), FailsWith(ErrorKind::kInvalidArgument, checks::kUrl));
}

TEST(OpenStore, MissingDirectoryIsUnavailable) {
  TempDir dir;
  EXPECT_THAT(open_store("sqlite:" + dir.path() + "/no/such/dir/vouch.db"),
              FailsWith(ErrorKind::kUnavailable, checks::kIo));
}

TEST(OpenStore, OptionsAreApplied) {
  TempDir dir;
  auto s = open_store("sqlite:" + sqlite_path(dir.path()) + "?synchronous=normal&readers=1");
  ASSERT_THAT(s, Succeeds());
  ASSERT_THAT((*s)->tenants().create(make_tenant(kTenant)), Succeeds());
  // One reader connection serves many threads, one at a time.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (!(*s)->tenants().get(kTenant)) {
          failures++;
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
}

TEST(SqliteFile, IsWalAndMarkedAsOurs) {
  TempDir dir;
  ASSERT_THAT(open_at(dir), Succeeds());
  EXPECT_EQ(raw_pragma(sqlite_path(dir.path()), "PRAGMA application_id"), sqlite::kApplicationId);
  sqlite3* db = nullptr;
  sqlite3_open_v2(sqlite_path(dir.path()).c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close_v2(db);
}

// Checkpoints run beside the writer (a background connection, then a short catch-up by the
// committer), never inside a commit; the WAL must still not grow without bound: it stays within
// 4,096 pages (16 MiB) plus one group's, however far behind the background is. These 4,000
// commits make a 38 MB WAL without checkpoints.
TEST(SqliteFile, TheWalStaysBoundedWithoutCheckpointsInCommits) {
  TempDir dir;
  auto s = open_store("sqlite:" + sqlite_path(dir.path()) + "?synchronous=normal");
  ASSERT_THAT(s, Succeeds());
  Store& store = **s;
  ASSERT_THAT(store.tenants().create(make_tenant("t")), Succeeds());
  for (int i = 0; i < 4000; ++i) {
    ASSERT_THAT(store.audit().append("t", Timestamp{}, "attestation",
                                     {{"i", i}, {"pad", std::string(300, 'x')}}),
                Succeeds());
  }
  struct stat wal {};
  ASSERT_EQ(::stat((sqlite_path(dir.path()) + "-wal").c_str(), &wal), 0);
  EXPECT_LT(wal.st_size, 20 * 1024 * 1024);
  auto chain = store.audit().page("t", 3990, 100);
  ASSERT_THAT(chain, Succeeds());
  EXPECT_EQ(chain->size(), 10u);
}

TEST(SqliteFile, ATextFileIsNotADatabase) {
  TempDir dir;
  vouch::testing::write_file(sqlite_path(dir.path()),
                             std::string(8192, 'x') + "this is not an SQLite database");
  EXPECT_THAT(open_at(dir), FailsWith(ErrorKind::kInternal, checks::kCorrupt));
}

TEST(SqliteFile, AnotherProgramsDatabaseIsRefused) {
  TempDir dir;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(sqlite_path(dir.path()).c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE users (id INTEGER)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_THAT(open_at(dir), FailsWith(ErrorKind::kFailedPrecondition, checks::kSchemaForeign));

  TempDir dir2;
  ASSERT_EQ(sqlite3_open(sqlite_path(dir2.path()).c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA application_id = 42", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_THAT(open_at(dir2), FailsWith(ErrorKind::kFailedPrecondition, checks::kSchemaForeign));
}

TEST(SqliteFile, CorruptPagesAreReportedNotServed) {
  TempDir dir;
  {
    auto s = open_at(dir);
    ASSERT_THAT(s, Succeeds());
    ASSERT_THAT((*s)->tenants().create(make_tenant(kTenant)), Succeeds());
    for (int i = 0; i < 50; ++i) {
      ASSERT_THAT((*s)->audit().append(kTenant, kT0, "x", {{"i", i}}), Succeeds());
    }
  }  // closing checkpoints the WAL into the main file
  const std::string path = sqlite_path(dir.path());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  ASSERT_GT(st.st_size, 8192);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);  // keep page 1 (header and schema), garble every other page
    const std::string garbage(static_cast<std::size_t>(st.st_size) - 4096, '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto s = open_at(dir);
  if (!s) {
    EXPECT_THAT(s, FailsWith(ErrorKind::kInternal, checks::kCorrupt));
  } else {
    EXPECT_THAT((*s)->check_integrity(), FailsWith(ErrorKind::kInternal, checks::kCorrupt));
    EXPECT_THAT((*s)->audit().page(kTenant, 0, 100),
                FailsWith(ErrorKind::kInternal, checks::kCorrupt));
  }
}

// Runs `child` in a forked process and returns its exit status (child returns the exit code).
template <typename F>
int in_child(F child) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::_exit(child());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status)
                           : 100 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

TEST(SqliteFile, AReadOnlyFileIsRefusedAtOpen) {
  TempDir dir;
  ASSERT_THAT(open_at(dir), Succeeds());
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(sqlite_path(dir.path()).c_str(), 0444), 0);
  const int code = in_child([&] {
    // root ignores file permissions: drop to nobody first.
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) {
      return 10;
    }
    auto s = open_at(dir);
    if (s) {
      return 1;
    }
    std::fprintf(stderr, "open: %s\n", s.error().to_string().c_str());
    return s.error().kind == ErrorKind::kUnavailable && s.error().check == checks::kReadOnly ? 0
                                                                                             : 2;
  });
  EXPECT_EQ(code, 0);
  ::chmod(sqlite_path(dir.path()).c_str(), 0644);
  auto s = open_at(dir);
  ASSERT_THAT(s, Succeeds());
  EXPECT_THAT((*s)->check_integrity(), Succeeds());
}

TEST(SqliteFile, AFullDiskFailsClearlyAndKeepsAcknowledgedWrites) {
  TempDir dir;
  ASSERT_THAT(open_at(dir), Succeeds());
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const int code = in_child([&] {
    ::close(fds[0]);
    auto s = open_at(dir);
    if (!s) {
      return 3;
    }
    // The process may grow no file past 512 KiB: writes beyond fail like a full disk.
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{512 * 1024, 512 * 1024};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) {
      return 4;
    }
    for (std::uint32_t i = 0; i < 10000; ++i) {
      const Status put = (*s)->collateral().put({"key" + std::to_string(i),
                                                 Bytes(16 * 1024, static_cast<std::uint8_t>(i)),
                                                 {},
                                                 kT0,
                                                 {},
                                                 ""});
      if (!put) {
        std::fprintf(stderr, "put %u: %s\n", i, put.error().to_string().c_str());
        const bool clear =
            put.error().kind == ErrorKind::kUnavailable &&
            (put.error().check == checks::kDiskFull || put.error().check == checks::kIo);
        return clear ? 0 : 2;
      }
      if (::write(fds[1], &i, sizeof i) != static_cast<ssize_t>(sizeof i)) {
        return 5;
      }
    }
    return 1;  // never ran out of space
  });
  ::close(fds[1]);
  std::int64_t last = -1;
  std::uint32_t ack = 0;
  while (::read(fds[0], &ack, sizeof ack) == static_cast<ssize_t>(sizeof ack)) {
    last = ack;
  }
  ::close(fds[0]);
  ASSERT_EQ(code, 0);
  ASSERT_GE(last, 0);
  auto s = open_at(dir);
  ASSERT_THAT(s, Succeeds());
  EXPECT_THAT((*s)->check_integrity(), Succeeds());
  for (std::int64_t i = 0; i <= last; ++i) {
    auto e = (*s)->collateral().get("key" + std::to_string(i));
    ASSERT_THAT(e, Succeeds()) << i;
    EXPECT_EQ(e->body, Bytes(16 * 1024, static_cast<std::uint8_t>(i)));
  }
  // With space back, writing works again.
  EXPECT_THAT((*s)->collateral().put({"after", bytes_of("ok"), {}, kT0, {}, ""}), Succeeds());
}

}  // namespace
}  // namespace vouch::store::testing
