// Conformance suite, durability: migrations (fresh, reopen, a newer schema refused) and crash
// safety (a writer killed with SIGKILL loses no acknowledged write).

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/audit.h"
#include "tests/store/fixture.h"

namespace vouch::store::testing {
namespace {

class MigrationTest : public StoreTest {};

TEST_P(MigrationTest, ReopenKeepsDataAndVersion) {
  const std::int64_t version = store().schema_version();
  ASSERT_THAT(store().policies().set(make_policy("Tpm", "keep me")), Succeeds());
  reopen();
  EXPECT_EQ(store().schema_version(), version);
  EXPECT_EQ(store().policies().current(kTenant, "Tpm")->text, "keep me");
  reopen();
  EXPECT_EQ(store().schema_version(), version);
}

TEST_P(MigrationTest, ADatabaseFromANewerBinaryIsRefused) {
  store_.reset();
  backend().raw_sql(dir_.path(),
                    "INSERT INTO schema_version (version, name) VALUES (9999, '9999_future')");
  EXPECT_THAT(backend().open(dir_.path()),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSchemaNewer));
}

TEST_P(MigrationTest, AnAppliedMigrationThatDiffersIsRefused) {
  store_.reset();
  backend().raw_sql(dir_.path(), "UPDATE schema_version SET name = '0001_other' WHERE version = 1");
  EXPECT_THAT(backend().open(dir_.path()),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSchemaMismatch));
}

VOUCH_STORE_BACKENDS(MigrationTest);

// ---------------------------------------------------------------------------------------------

class CrashTest : public StoreTest {};

// Writes one of everything for `i`; returns false on the first failure.
bool write_round(Store& s, std::uint32_t i) {
  const std::string n = std::to_string(i);
  return s.audit().append(kTenant, at(i), "attestation", {{"i", i}}).has_value() &&
         s.sessions().create(make_session("s" + n, "nonce" + n)).has_value() &&
         s.token_status().allocate(make_allocation("j" + n)).has_value() &&
         s.policies().set(make_policy("Tpm", "policy " + n)).has_value();
}

bool read_all(int fd, void* buf, std::size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    if (r <= 0) {
      return false;
    }
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

TEST_P(CrashTest, AcknowledgedWritesSurviveSigkill) {
  constexpr std::uint32_t kAcksBeforeKill = 60;
  store_.reset();  // the child must be the only user of the database while it writes
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    auto s = backend().open(dir_.path());
    if (!s) {
      ::_exit(3);
    }
    for (std::uint32_t i = 0;; ++i) {
      if (!write_round(**s, i)) {
        ::_exit(4);
      }
      // Acknowledge only after every call of the round returned.
      if (::write(fds[1], &i, sizeof i) != static_cast<ssize_t>(sizeof i)) {
        ::_exit(5);
      }
    }
  }
  ::close(fds[1]);
  std::int64_t last_acked = -1;
  std::uint32_t ack = 0;
  while (last_acked + 1 < kAcksBeforeKill && read_all(fds[0], &ack, sizeof ack)) {
    last_acked = ack;
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  // Acknowledgements already in the pipe when the child died count too.
  while (read_all(fds[0], &ack, sizeof ack)) {
    last_acked = ack;
  }
  ::close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_GE(last_acked + 1, kAcksBeforeKill);

  reopen();
  EXPECT_THAT(store().check_integrity(), Succeeds());
  auto entries = store().audit().page(kTenant, 0, 1000);
  ASSERT_THAT(entries, Succeeds());
  ASSERT_GE(entries->size(), static_cast<std::size_t>(last_acked + 1));
  EXPECT_TRUE(verify_chain(*entries).ok());
  for (std::int64_t i = 0; i <= last_acked; ++i) {
    const std::string n = std::to_string(i);
    EXPECT_EQ(nlohmann::json::parse((*entries)[static_cast<std::size_t>(i)].payload)["i"], i);
    EXPECT_THAT(store().sessions().get(kTenant, "s" + n), Succeeds()) << n;
    EXPECT_THAT(store().token_status().get(kTenant, "j" + n), Succeeds()) << n;
    EXPECT_THAT(store().policies().version(kTenant, "Tpm", i + 1), Succeeds()) << n;
  }
  // The store keeps working where the writer stopped.
  auto next = store().audit().append(kTenant, kT0, "restart", nlohmann::json::object());
  ASSERT_THAT(next, Succeeds());
  EXPECT_EQ(next->sequence, entries->back().sequence + 1);
}

VOUCH_STORE_BACKENDS(CrashTest);

}  // namespace
}  // namespace vouch::store::testing
