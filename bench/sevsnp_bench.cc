// SEV-SNP verification speed. BM_FloorP384VerifyBest is the fastest packaged ECDSA P-384 verify
// (wolfCrypt, evidence/sevsnp/p384.h) with the key already extracted; the report benchmarks run the
// production Verifier on the real go-sev-guest Milan report and VCEK at a pinned time:
//   BM_SnpReportVerifyCachedChain  VCEK chain verified once and cached    goal >= 80% of the floor
//   BM_SnpReportVerifyCold         nothing cached (VCEK parse + chain)    goal >= 30% of the floor
// Revocation mode is 'skip' (no AMD CRL is staged).

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "base/file.h"
#include "collateral/amd_kds.h"
#include "crypto/digest.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "evidence/sevsnp/p384.h"
#include "evidence/sevsnp/verify.h"

namespace vouch::bench {
namespace {

std::string vectors_dir() {
  const char* env = std::getenv("VOUCH_VECTORS_DIR");
  return env != nullptr ? env : VOUCH_DEFAULT_VECTORS_DIR;
}

struct SnpCase {
  Bytes report;
  Bytes vcek_der;
  Timestamp at;
};

const std::optional<SnpCase>& real_case() {
  static const std::optional<SnpCase> c = []() -> std::optional<SnpCase> {
    auto report = read_file(vectors_dir() + "/snp/go-sev-guest/attestation.bin");
    auto vcek = read_file(vectors_dir() + "/snp/go-sev-guest/vcek.testcer");
    if (!report || !vcek) {
      return std::nullopt;
    }
    return SnpCase{*report, *vcek, parse_rfc3339("2022-09-24T01:00:00Z").value()};
  }();
  return c;
}

const sevsnp::TrustAnchors& anchors() {
  static const sevsnp::TrustAnchors a = sevsnp::TrustAnchors::amd().value();
  return a;
}

void run_verify(benchmark::State& state, bool cold) {
  const auto& c = real_case();
  if (!c) {
    state.SkipWithError("../shared/vectors not found (set VOUCH_VECTORS_DIR)");
    return;
  }
  const sevsnp::VerifyOptions options{c->at, sevsnp::ReportDataBinding::not_required(),
                                      std::nullopt, sevsnp::RevocationMode::kSkip, std::nullopt};
  std::optional<sevsnp::Verifier> shared;
  shared.emplace(anchors());
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      shared.emplace(anchors());  // an empty chain cache
      state.ResumeTiming();
    }
    collateral::SuppliedAmdKds kds({c->vcek_der, c->vcek_der, std::nullopt, std::nullopt}, nullptr);
    evidence::CheckLog log;
    auto r = shared->verify(c->report, kds, options, log);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_FloorP384VerifyBest(benchmark::State& state) {
  static const auto key = crypto::PrivateKey::generate_ec(crypto::Curve::kP384).value();
  static const Bytes msg(sevsnp::kSignedSize, 0x5a);
  static const Bytes sig =
      key.sign(crypto::SigScheme::kEcdsa, crypto::HashAlg::kSha384, msg).value();
  const sevsnp::P384PublicKey pub = sevsnp::p384_public_key(key.public_key()).value();
  const Bytes digest = crypto::digest(crypto::HashAlg::kSha384, msg);
  for (auto _ : state) {
    if (!sevsnp::verify_p384_digest(pub, digest, sig)) {
      state.SkipWithError("verify failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(sevsnp::p384_backend()));
}
BENCHMARK(BM_FloorP384VerifyBest);

void BM_SnpReportVerifyCachedChain(benchmark::State& state) {
  run_verify(state, false);
}
BENCHMARK(BM_SnpReportVerifyCachedChain);

void BM_SnpReportVerifyCold(benchmark::State& state) {
  run_verify(state, true);
}
BENCHMARK(BM_SnpReportVerifyCold);

}  // namespace
}  // namespace vouch::bench
