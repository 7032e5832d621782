// Intel DCAP quote verification on real quotes (../shared/vectors/sgx/dcap-qvl and tdx/dcap-qvl):
//   BM_SgxQuoteVerifyWarm / BM_TdxQuoteVerifyWarm: one shared dcap::Verifier whose caches hold the
//     verified collateral and PCK chain; every iteration still parses the quote, decodes and
//     hashes the collateral, checks every item's dates and verifies the QE report signature by
//     the PCK key, the QE report binding and the quote signature by the attestation key.
//     Goal: >= 5,000/s per core.
//   BM_SgxQuoteVerifyCold: a Verifier without caches: every iteration parses the PCK chain, TCB
//     Info and QE identity, verifies both signing chains with the CRLs and all signatures.
//     Goal: >= 800/s.
// Run: build/bin/vouch-bench --benchmark_filter=QuoteVerify (VOUCH_VECTORS_DIR overrides the
// vectors location).

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "base/file.h"
#include "evidence/sgx/claims.h"
#include "evidence/sgx/verify.h"
#include "evidence/tdx/claims.h"
#include "evidence/tdx/verify.h"
#include "testing/dcap_qvl_collateral.h"

namespace vouch::bench {
namespace {

std::string vectors_dir() {
  if (const char* env = std::getenv("VOUCH_VECTORS_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return VOUCH_BENCH_SOURCE_DIR "/../shared/vectors";
}

struct Case {
  Bytes quote;
  dcap::QuoteCollateral collateral;
  Timestamp at;
};

std::optional<Case> load(const std::string& quote, const std::string& collateral,
                         std::string_view at) {
  auto q = read_file(vectors_dir() + "/" + quote);
  auto c = read_text_file(vectors_dir() + "/" + collateral);
  if (!q || !c) {
    return std::nullopt;
  }
  auto converted = testing::collateral_from_dcap_qvl(*c);
  if (!converted) {
    return std::nullopt;
  }
  return Case{std::move(*q), std::move(*converted), parse_rfc3339(at).value()};
}

const std::optional<Case>& sgx_case() {
  static const std::optional<Case> c = load(
      "sgx/dcap-qvl/sgx_quote", "sgx/dcap-qvl/sgx_quote_collateral.json", "2025-07-01T00:00:00Z");
  return c;
}

const std::optional<Case>& tdx_case() {
  static const std::optional<Case> c = load(
      "tdx/dcap-qvl/tdx_quote", "tdx/dcap-qvl/tdx_quote_collateral.json", "2025-07-01T00:00:00Z");
  return c;
}

template <typename Verify>
void run(benchmark::State& state, const std::optional<Case>& c, bool cache, Verify verify) {
  if (!c) {
    state.SkipWithError("../shared/vectors not found (set VOUCH_VECTORS_DIR); skipping");
    return;
  }
  const dcap::Verifier verifier = dcap::Verifier::intel({cache, 4096}).value();
  const dcap::VerifyOptions options{c->at, false};
  {
    evidence::CheckLog log;
    if (auto first = verify(verifier, *c, options, log); !first) {
      state.SkipWithError(first.error().to_string().c_str());
      return;
    }
  }
  for (auto _ : state) {
    evidence::CheckLog log;
    auto verified = verify(verifier, *c, options, log);
    if (!verified) {
      state.SkipWithError(verified.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(verified);
  }
  state.SetItemsProcessed(state.iterations());
}

auto verify_sgx = [](const dcap::Verifier& v, const Case& c, const dcap::VerifyOptions& o,
                     evidence::CheckLog& log) {
  return sgx::verify_quote(v, c.quote, c.collateral, o, log);
};
auto verify_tdx = [](const dcap::Verifier& v, const Case& c, const dcap::VerifyOptions& o,
                     evidence::CheckLog& log) {
  return tdx::verify_quote(v, tdx::TdxEvidence{c.quote, std::nullopt}, c.collateral, o, log);
};

void BM_SgxQuoteVerifyWarm(benchmark::State& state) {
  run(state, sgx_case(), true, verify_sgx);
}
BENCHMARK(BM_SgxQuoteVerifyWarm);

void BM_TdxQuoteVerifyWarm(benchmark::State& state) {
  run(state, tdx_case(), true, verify_tdx);
}
BENCHMARK(BM_TdxQuoteVerifyWarm);

void BM_SgxQuoteVerifyCold(benchmark::State& state) {
  run(state, sgx_case(), false, verify_sgx);
}
BENCHMARK(BM_SgxQuoteVerifyCold);

void BM_TdxQuoteVerifyCold(benchmark::State& state) {
  run(state, tdx_case(), false, verify_tdx);
}
BENCHMARK(BM_TdxQuoteVerifyCold);

// Claims mapping of a verified SGX quote (the stage after verification).
void BM_SgxQuoteClaims(benchmark::State& state) {
  const auto& c = sgx_case();
  if (!c) {
    state.SkipWithError("../shared/vectors not found (set VOUCH_VECTORS_DIR); skipping");
    return;
  }
  const dcap::Verifier verifier = dcap::Verifier::intel().value();
  evidence::CheckLog log;
  const auto verified =
      sgx::verify_quote(verifier, c->quote, c->collateral, {c->at, false}, log).value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(sgx::to_claims(verified));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SgxQuoteClaims);

}  // namespace
}  // namespace vouch::bench
