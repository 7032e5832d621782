// Issuing attestation results (the MAA profile over a realistic ~1.5 KB claim set), verifying
// them, and wrapping a secret to a TEE key. BM_FloorEs256Sign in floor_bench.cc is the raw
// OpenSSL cost of the ES256 signature alone.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>

#include "jose/encryption.h"
#include "jose/signature.h"
#include "token/profiles.h"
#include "token/signer.h"

namespace vouch::bench {
namespace {

constexpr std::int64_t kNow = 1767225600;

std::unique_ptr<token::LocalSigner> make_signer(jose::JwsAlg alg) {
  token::CertificateOptions options{.common_name = "https://vouch.bench",
                                    .not_before = from_unix_seconds(kNow - 3600),
                                    .not_after = from_unix_seconds(kNow + 86400),
                                    .issuer = nullptr,
                                    .issuer_key = nullptr,
                                    .subject_alt_names = {}};
  auto key = token::generate_signing_key(alg, options);
  auto signer = key ? token::LocalSigner::create(std::move(*key))
                    : Result<std::unique_ptr<token::LocalSigner>>(fail(key.error()));
  if (!signer) {
    std::abort();
  }
  return std::move(*signer);
}

// A TPM appraisal whose MAA claim set serializes to about 1.5 KB.
token::AppraisalResult appraisal() {
  token::AppraisalResult r;
  r.issuer = "https://vouch.bench";
  r.issued_at = from_unix_seconds(kNow);
  r.jti = std::string(64, 'c');
  r.decision = token::Tier::kAffirming;
  r.attestation_type = "tpm";
  r.policy_hash = "9NY0VnTQ-IiBriBplVUpFbczcDaEBUwsiFYAzHu_gco";
  r.nonce = "bm9uY2UtZm9yLWJlbmNo";
  r.status = token::StatusReference{12345, "https://vouch.bench/status-lists/1"};
  token::SubmoduleResult tpm;
  tpm.name = "tpm";
  tpm.status = token::Tier::kAffirming;
  nlohmann::json pcrs = nlohmann::json::object();
  for (int i = 0; i < 16; ++i) {
    pcrs[std::to_string(i)] = std::string(64, static_cast<char>('a' + i % 6));
  }
  tpm.claims = {{"tpm.pcrs.sha256", pcrs},
                {"tpm.quote.nonce", std::string(64, 'f')},
                {"tpm.ak.trust", "certificate"},
                {"tpm.eventlog.secure_boot", true}};
  tpm.policy_claims = {{"secure-boot", true}, {"compliant", true}};
  r.submodules.push_back(std::move(tpm));
  return r;
}

void issue(benchmark::State& state, jose::JwsAlg alg) {
  const auto signer = make_signer(alg);
  const token::AppraisalResult r = appraisal();
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto claims = token::maa_claims(r);
    auto jwt = claims ? token::issue_jwt(*signer, token::maa_header(r.issuer, *signer), *claims)
                      : Result<std::string>(fail(claims.error()));
    if (!jwt) {
      state.SkipWithError("issue failed");
      break;
    }
    bytes = jwt->size();
    benchmark::DoNotOptimize(jwt);
  }
  state.counters["token_bytes"] = static_cast<double>(bytes);
  state.counters["claims_bytes"] =
      static_cast<double>(token::maa_claims(r).value_or(nlohmann::json()).dump().size());
  state.SetItemsProcessed(state.iterations());
}

void BM_TokenIssueEs256(benchmark::State& state) {
  issue(state, jose::JwsAlg::kEs256);
}
BENCHMARK(BM_TokenIssueEs256);

void BM_TokenIssueRs256(benchmark::State& state) {
  issue(state, jose::JwsAlg::kRs256);
}
BENCHMARK(BM_TokenIssueRs256);

void BM_TokenVerifyEs256(benchmark::State& state) {
  const auto signer = make_signer(jose::JwsAlg::kEs256);
  const token::AppraisalResult r = appraisal();
  const std::string jwt =
      token::issue_jwt(*signer, token::maa_header(r.issuer, *signer), token::maa_claims(r).value())
          .value();
  jose::JwkSet keys;
  keys.keys.push_back(signer->public_jwk());
  for (auto _ : state) {
    auto verified = jose::jwt_verify_compact(jwt, keys);
    if (!verified) {
      state.SkipWithError("verify failed");
      break;
    }
    benchmark::DoNotOptimize(verified);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenVerifyEs256);

void BM_JweEncryptEcdhEs(benchmark::State& state) {
  const auto tee = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  const crypto::PublicKey recipient = tee.public_key();
  const Bytes secret(64, 0x5e);
  for (auto _ : state) {
    auto jwe = jose::jwe_encrypt_compact(recipient, secret);
    if (!jwe) {
      state.SkipWithError("encrypt failed");
      break;
    }
    benchmark::DoNotOptimize(jwe);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JweEncryptEcdhEs);

}  // namespace
}  // namespace vouch::bench
