// The crypto floor (peers-and-limits.md section 1): raw OpenSSL EVP operations with keys already
// imported and a fresh EVP_MD_CTX per operation, the way a verifier does them. Vouch's own paths
// are measured against these in the same binary.

#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstdlib>

#include "crypto/keys.h"

namespace vouch::bench {
namespace {

// A message the size of a TPM quote's TPMS_ATTEST.
const Bytes kMessage(120, 0x5a);

struct Signed {
  crypto::PrivateKey key;
  Bytes signature;
};

Signed make(bool rsa, crypto::Curve curve) {
  auto key = rsa ? crypto::PrivateKey::generate_rsa(2048) : crypto::PrivateKey::generate_ec(curve);
  if (!key) {
    std::abort();
  }
  const crypto::HashAlg hash =
      curve == crypto::Curve::kP384 ? crypto::HashAlg::kSha384 : crypto::HashAlg::kSha256;
  auto sig =
      key->sign(rsa ? crypto::SigScheme::kRsaPkcs1v15 : crypto::SigScheme::kEcdsa, hash, kMessage);
  if (!sig) {
    std::abort();
  }
  return {*key, *sig};
}

void raw_verify(benchmark::State& state, const Signed& s, const EVP_MD* md) {
  const crypto::PublicKey pub = s.key.public_key();
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const int ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, pub.get()) == 1 &&
                   EVP_DigestVerify(ctx, s.signature.data(), s.signature.size(), kMessage.data(),
                                    kMessage.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
      state.SkipWithError("verify failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_FloorRsa2048Verify(benchmark::State& state) {
  static const Signed s = make(true, crypto::Curve::kP256);
  raw_verify(state, s, EVP_sha256());
}
BENCHMARK(BM_FloorRsa2048Verify);

void BM_FloorP256Verify(benchmark::State& state) {
  static const Signed s = make(false, crypto::Curve::kP256);
  raw_verify(state, s, EVP_sha256());
}
BENCHMARK(BM_FloorP256Verify);

void BM_FloorP384Verify(benchmark::State& state) {
  static const Signed s = make(false, crypto::Curve::kP384);
  raw_verify(state, s, EVP_sha384());
}
BENCHMARK(BM_FloorP384Verify);

void BM_FloorEs256Sign(benchmark::State& state) {
  static const Signed s = make(false, crypto::Curve::kP256);
  const Bytes input(1500, 0x42);  // a result token's signing input
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t len = 80;
    unsigned char sig[80];
    const int ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, s.key.get()) == 1 &&
                   EVP_DigestSign(ctx, sig, &len, input.data(), input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
      state.SkipWithError("sign failed");
      break;
    }
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FloorEs256Sign);

}  // namespace
}  // namespace vouch::bench
