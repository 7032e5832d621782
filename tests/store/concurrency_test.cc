// Conformance suite, concurrency: single-use nonces, audit chain appends, status list indices and
// policy versions under many threads, within one Store and across two Stores on one database
// (two nodes). No timing assertions: only outcomes are checked.

#include <atomic>
#include <future>
#include <latch>
#include <map>
#include <set>
#include <thread>

#include "store/audit.h"
#include "tests/store/fixture.h"

namespace vouch::store::testing {
namespace {

constexpr int kThreads = 8;

// Runs fn(thread_index) on kThreads threads released together.
template <typename F>
void race(int threads, F fn) {
  std::latch start(threads);
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      start.arrive_and_wait();
      fn(t);
    });
  }
  for (std::thread& th : pool) {
    th.join();
  }
}

class ConcurrencyTest : public StoreTest {
 protected:
  // A second Store on the same database: another process or node.
  StorePtr second_node() {
    auto s = backend().open(dir_.path());
    EXPECT_THAT(s, Succeeds());
    return s ? std::move(*s) : nullptr;
  }
};

TEST_P(ConcurrencyTest, EachNonceIsConsumedExactlyOnce) {
  constexpr int kSessions = 40;
  for (int i = 0; i < kSessions; ++i) {
    ASSERT_THAT(store().sessions().create(
                    make_session("s" + std::to_string(i), "nonce" + std::to_string(i))),
                Succeeds());
  }
  StorePtr other = second_node();
  ASSERT_NE(other, nullptr);
  std::array<std::atomic<int>, kSessions> wins{};
  std::atomic<int> unexpected{0};
  race(kThreads, [&](int t) {
    Store& s = t % 2 == 0 ? store() : *other;  // half the threads on each "node"
    for (int i = 0; i < kSessions; ++i) {
      const int k = (i + t * 5) % kSessions;  // different orders per thread
      auto r = t % 4 < 2 ? s.sessions().consume(kTenant, "rats", "s" + std::to_string(k), at(1))
                         : s.sessions().consume_nonce(kTenant, "rats",
                                                      bytes_of("nonce" + std::to_string(k)), at(1));
      if (r) {
        wins[static_cast<std::size_t>(k)]++;
      } else if (r.error().check != checks::kSessionConsumed) {
        unexpected++;
      }
    }
  });
  EXPECT_EQ(unexpected.load(), 0);
  for (int i = 0; i < kSessions; ++i) {
    EXPECT_EQ(wins[static_cast<std::size_t>(i)].load(), 1) << "session s" << i;
  }
}

TEST_P(ConcurrencyTest, ConcurrentAppendersNeverForkTheChain) {
  constexpr int kPerThread = 30;
  StorePtr other = second_node();
  ASSERT_NE(other, nullptr);
  std::atomic<int> failures{0};
  race(kThreads, [&](int t) {
    Store& s = t % 2 == 0 ? store() : *other;
    for (int i = 0; i < kPerThread; ++i) {
      // Two tenants' chains interleave.
      const std::string tenant = t % 3 == 0 ? "audit-b" : kTenant;
      if (!s.audit().append(tenant, at(i), "attestation", {{"thread", t}, {"i", i}})) {
        failures++;
      }
    }
  });
  EXPECT_EQ(failures.load(), 0);
  std::size_t total = 0;
  std::map<int, int> per_thread;
  for (const std::string& tenant : {kTenant, std::string("audit-b")}) {
    auto entries = store().audit().page(tenant, 0, 1000);
    ASSERT_THAT(entries, Succeeds());
    const ChainVerdict v = verify_chain(*entries);
    EXPECT_TRUE(v.ok()) << v.status().error().detail;
    for (std::size_t i = 0; i < entries->size(); ++i) {
      EXPECT_EQ((*entries)[i].sequence, i + 1);
      per_thread[nlohmann::json::parse((*entries)[i].payload)["thread"].get<int>()]++;
    }
    total += entries->size();
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(per_thread[t], kPerThread) << "thread " << t;
  }
}

TEST_P(ConcurrencyTest, StatusIndicesAreNeverShared) {
  constexpr int kPerThread = 25;
  StorePtr other = second_node();
  ASSERT_NE(other, nullptr);
  std::mutex mu;
  std::set<std::pair<std::int64_t, std::uint32_t>> seen;
  std::atomic<int> failures{0};
  race(kThreads, [&](int t) {
    Store& s = t % 2 == 0 ? store() : *other;
    for (int i = 0; i < kPerThread; ++i) {
      auto r = s.token_status().allocate(
          make_allocation("j" + std::to_string(t) + "-" + std::to_string(i), 64));
      if (!r) {
        failures++;
        continue;
      }
      std::lock_guard<std::mutex> lock(mu);
      if (!seen.emplace(r->list_id, r->index).second) {
        failures++;  // an index handed out twice
      }
    }
  });
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kPerThread));
  // 200 entries in lists of 64: 4 lists, the last with 8 allocated.
  auto ids = store().token_status().list_ids(kTenant);
  ASSERT_THAT(ids, Succeeds());
  EXPECT_EQ(ids->size(), 4u);
  EXPECT_EQ(store().token_status().read_list(kTenant, 4)->allocated, 8u);
}

// allocate_with_audit_async from many threads: each caller hears back exactly once, only after
// its commit (what it was told is already readable), with an index nobody else got and an audit
// entry of its own; a taken jti fails alone; a callback may write again (it runs inline on
// SQLite's committer, which must not wait for itself); closing the store commits what is queued.
TEST_P(ConcurrencyTest, AsyncAllocationsAnswerOnceAfterTheirCommit) {
  constexpr int kPerThread = 20;
  std::mutex mu;
  std::set<std::pair<std::int64_t, std::uint32_t>> seen;
  std::set<std::uint64_t> sequences;
  std::atomic<int> answers{0};
  std::atomic<int> failures{0};
  std::atomic<int> unreadable{0};
  race(kThreads, [&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      const std::string jti = "a" + std::to_string(t) + "-" + std::to_string(i);
      store().token_status().allocate_with_audit_async(
          make_allocation(jti, 64), at(1), "attestation", {{"jti", jti}},
          [&, jti](Result<std::pair<TokenStatus, AuditEntry>> r) {
            answers++;
            if (!r) {
              failures++;
              return;
            }
            if (!store().token_status().get(kTenant, jti)) {
              unreadable++;  // told before the commit
            }
            std::lock_guard<std::mutex> lock(mu);
            if (!seen.emplace(r->first.list_id, r->first.index).second ||
                !sequences.insert(r->second.sequence).second) {
              failures++;
            }
          });
    }
  });
  // A duplicate jti fails alone; a write from inside the callback completes.
  std::promise<Status> duplicate;
  std::promise<Status> nested;
  store().token_status().allocate_with_audit_async(
      make_allocation("a0-0", 64), at(2), "attestation", {{"jti", "a0-0"}},
      [&](Result<std::pair<TokenStatus, AuditEntry>> r) {
        duplicate.set_value(r ? Status(ok()) : Status(fail(r.error())));
        auto appended = store().audit().append(kTenant, at(3), "policy.set", {{"v", 1}});
        nested.set_value(appended ? Status(ok()) : Status(fail(appended.error())));
      });
  EXPECT_THAT(duplicate.get_future().get(),
              FailsWith(ErrorKind::kAlreadyExists, checks::kTokenExists));
  EXPECT_THAT(nested.get_future().get(), Succeeds());
  // Queued work is committed before the store closes.
  for (int i = 0; i < 10; ++i) {
    const std::string jti = "late" + std::to_string(i);
    store().token_status().allocate_with_audit_async(
        make_allocation(jti, 64), at(4), "attestation", {{"jti", jti}},
        [&](const Result<std::pair<TokenStatus, AuditEntry>>& r) {
          answers++;
          if (!r) {
            failures++;
          }
        });
  }
  reopen();
  EXPECT_EQ(answers.load(), kThreads * kPerThread + 10);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(unreadable.load(), 0);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kPerThread));
  auto chain = store().audit().page(kTenant, 0, 1000);
  ASSERT_THAT(chain, Succeeds());
  EXPECT_EQ(chain->size(), static_cast<std::size_t>(kThreads * kPerThread + 1 + 10));
  EXPECT_TRUE(verify_chain(*chain).ok());
  EXPECT_THAT(store().token_status().get(kTenant, "late9"), Succeeds());
}

TEST_P(ConcurrencyTest, PolicyVersionsStayConsecutive) {
  constexpr int kPerThread = 10;
  std::atomic<int> failures{0};
  race(kThreads, [&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      if (!store().policies().set(
              make_policy("Tpm", std::to_string(t) + "/" + std::to_string(i)))) {
        failures++;
      }
    }
  });
  EXPECT_EQ(failures.load(), 0);
  auto history = store().policies().history(kTenant, "Tpm", 0, 1000);
  ASSERT_THAT(history, Succeeds());
  ASSERT_EQ(history->size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (std::size_t i = 0; i < history->size(); ++i) {
    EXPECT_EQ((*history)[i].version, static_cast<std::int64_t>(history->size() - i));
  }
}

TEST_P(ConcurrencyTest, AFailedWriteAmongConcurrentWritesRollsBackAlone) {
  // A rotate whose insert fails (taken kid) has already moved the active key to retiring inside
  // its transaction; that change must vanish while concurrent writes around it commit.
  ASSERT_THAT(store().keys().add(make_key("k1")), Succeeds());
  std::atomic<int> rotate_failures{0};
  std::atomic<int> append_failures{0};
  race(kThreads, [&](int t) {
    for (int i = 0; i < 20; ++i) {
      if (t % 2 == 0) {
        auto r = store().keys().rotate(make_key("k1"), at(100));
        if (!r && r.error().check == checks::kKeyExists) {
          rotate_failures++;
        }
      } else if (!store().audit().append(kTenant, at(i), "x", {{"t", t}, {"i", i}})) {
        append_failures++;
      }
    }
  });
  EXPECT_EQ(rotate_failures.load(), kThreads / 2 * 20);
  EXPECT_EQ(append_failures.load(), 0);
  auto key = store().keys().get(kTenant, "k1");
  ASSERT_THAT(key, Succeeds());
  EXPECT_EQ(key->state, KeyState::kActive);
  EXPECT_FALSE(key->not_after.has_value());
  auto entries = store().audit().page(kTenant, 0, 1000);
  ASSERT_THAT(entries, Succeeds());
  EXPECT_EQ(entries->size(), static_cast<std::size_t>(kThreads / 2 * 20));
  EXPECT_TRUE(verify_chain(*entries).ok());
}

TEST_P(ConcurrencyTest, ReadersAndWritersTogether) {
  std::atomic<int> failures{0};
  race(kThreads, [&](int t) {
    for (int i = 0; i < 20; ++i) {
      if (t % 2 == 0) {
        if (!store().collateral().put({"k" + std::to_string(t) + "-" + std::to_string(i),
                                       bytes_of("body"),
                                       {},
                                       kT0,
                                       {},
                                       "test"})) {
          failures++;
        }
      } else if (!store().tenants().get(kTenant) || !store().ping()) {
        failures++;
      }
    }
  });
  EXPECT_EQ(failures.load(), 0);
}

VOUCH_STORE_BACKENDS(ConcurrencyTest);

}  // namespace
}  // namespace vouch::store::testing
