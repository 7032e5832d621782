// Store operations on the embedded SQLite backend, in a scratch directory: what one attestation
// costs the database. Each benchmark runs with synchronous=full (the default: every commit is
// on disk before the call returns, one fsync of the WAL per write transaction) and
// synchronous=normal (durable across a process crash, not a power loss). Threads(4) variants show
// group commit: concurrent writers share one commit and one fsync.

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "store/store.h"

namespace vouch::bench {
namespace {

const Timestamp kNow = from_unix_seconds(1750000000);

// A fresh database per benchmark run (ScratchStore is shared by the run's threads).
class ScratchStore {
 public:
  explicit ScratchStore(bool full_sync) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vouch-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::abort();
    }
    dir_ = tmpl;
    auto s = store::open_store("sqlite:" + dir_ + "/vouch.db" +
                               (full_sync ? "" : "?synchronous=normal"));
    if (!s) {
      std::abort();
    }
    store_ = std::move(*s);
    store::Tenant t;
    t.name = "bench";
    t.issuer = "https://vouch.example";
    t.created_at = kNow;
    if (!store_->tenants().create(t)) {
      std::abort();
    }
  }
  ~ScratchStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  store::Store& operator*() { return *store_; }

 private:
  std::string dir_;
  store::StorePtr store_;
};

std::atomic<std::uint64_t> g_counter{0};

std::unique_ptr<ScratchStore> g_store;

void setup(const benchmark::State& state) {
  g_store = std::make_unique<ScratchStore>(state.range(0) == 1);
}
void teardown(const benchmark::State&) {
  g_store.reset();
}

// A RATS session: create (nonce issued) + consume (nonce used once).
void BM_StoreNonceCreateConsume(benchmark::State& state) {
  store::Store& s = **g_store;
  for (auto _ : state) {
    const std::string id = "s" + std::to_string(g_counter++);
    store::Session session;
    session.tenant = "bench";
    session.id = id;
    session.kind = "rats";
    session.nonce = to_bytes(as_bytes(id));
    session.created_at = kNow;
    session.expires_at = kNow + std::chrono::seconds(60);
    if (!s.sessions().create(session) || !s.sessions().consume("bench", "rats", id, kNow)) {
      state.SkipWithError("session failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreNonceCreateConsume)
    ->Setup(setup)
    ->Teardown(teardown)
    ->ArgName("full_sync")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime();
BENCHMARK(BM_StoreNonceCreateConsume)
    ->Setup(setup)
    ->Teardown(teardown)
    ->ArgName("full_sync")
    ->Arg(1)
    ->Threads(4)
    ->UseRealTime();

// One audit entry of an attestation-sized payload appended to the tenant's chain.
void BM_StoreAuditAppend(benchmark::State& state) {
  store::Store& s = **g_store;
  const nlohmann::json payload = {{"evidence_sha256", std::string(64, 'a')},
                                  {"type", "Tpm"},
                                  {"verdict", "affirming"},
                                  {"policy_hash", std::string(64, 'b')},
                                  {"jti", std::string(64, 'c')},
                                  {"client", "127.0.0.1"}};
  for (auto _ : state) {
    if (!s.audit().append("bench", kNow, "attestation", payload)) {
      state.SkipWithError("append failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreAuditAppend)
    ->Setup(setup)
    ->Teardown(teardown)
    ->ArgName("full_sync")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime();
BENCHMARK(BM_StoreAuditAppend)
    ->Setup(setup)
    ->Teardown(teardown)
    ->ArgName("full_sync")
    ->Arg(1)
    ->Threads(4)
    ->UseRealTime();

// A token's status-list entry (every issued token gets one).
void BM_StoreTokenAllocate(benchmark::State& state) {
  store::Store& s = **g_store;
  for (auto _ : state) {
    store::StatusAllocation a;
    a.tenant = "bench";
    a.jti = "j" + std::to_string(g_counter++);
    a.issued_at = kNow;
    a.expires_at = kNow + std::chrono::hours(8);
    if (!s.token_status().allocate(a)) {
      state.SkipWithError("allocate failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreTokenAllocate)
    ->Setup(setup)
    ->Teardown(teardown)
    ->ArgName("full_sync")
    ->Arg(1)
    ->Arg(0)
    ->UseRealTime();
BENCHMARK(BM_StoreTokenAllocate)
    ->Setup(setup)
    ->Teardown(teardown)
    ->ArgName("full_sync")
    ->Arg(1)
    ->Threads(4)
    ->UseRealTime();

// Reading the current policy of a type with 20 versions (a read transaction, no fsync).
void setup_policies(const benchmark::State& state) {
  setup(state);
  for (int i = 0; i < 20; ++i) {
    store::NewPolicy p;
    p.tenant = "bench";
    p.attestation_type = "Tpm";
    p.text = std::string(2000, 'p') + std::to_string(i);
    p.hash = Bytes(32, static_cast<std::uint8_t>(i));
    p.created_at = kNow;
    if (!(**g_store).policies().set(p)) {
      std::abort();
    }
  }
}

void BM_StorePolicyGet(benchmark::State& state) {
  store::Store& s = **g_store;
  for (auto _ : state) {
    auto p = s.policies().current("bench", "Tpm");
    if (!p) {
      state.SkipWithError("policy get failed");
      break;
    }
    benchmark::DoNotOptimize(p->version);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StorePolicyGet)->Setup(setup_policies)->Teardown(teardown)->Arg(1)->UseRealTime();
BENCHMARK(BM_StorePolicyGet)
    ->Setup(setup_policies)
    ->Teardown(teardown)
    ->Arg(1)
    ->Threads(2)
    ->UseRealTime();

}  // namespace
}  // namespace vouch::bench
