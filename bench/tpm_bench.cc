// TPM quote verification with the AK already imported (the service caches parsed AKs), over a
// software-signed RSA-2048 quote of 8 SHA-256 PCRs. Goal: >= 35% of BM_FloorRsa2048Verify.

#include <benchmark/benchmark.h>

#include <cstdlib>

#include "base/byte_writer.h"
#include "evidence/tpm/abi.h"
#include "evidence/tpm/constants.h"
#include "evidence/tpm/verify.h"

namespace vouch::bench {
namespace {

struct QuoteCase {
  crypto::PrivateKey key;
  tpm::Ak ak;
  Bytes quote;
  Bytes signature;
  tpm::PcrValues pcrs;
  Bytes nonce;
};

// Builds the case with production serializers (the bench binary does not link test helpers).
QuoteCase make_case() {
  auto key = crypto::PrivateKey::generate_rsa(2048);
  if (!key) {
    std::abort();
  }
  tpm::Public pub;
  pub.object_attributes = tpm::attr::kFixedTpm | tpm::attr::kFixedParent |
                          tpm::attr::kSensitiveDataOrigin | tpm::attr::kUserWithAuth |
                          tpm::attr::kRestricted | tpm::attr::kSign;
  tpm::RsaParms parms;
  parms.scheme = tpm::alg::kRsassa;
  parms.scheme_hash = tpm::alg::kSha256;
  pub.parameters = parms;
  pub.rsa_modulus = key->public_key().rsa_modulus();
  auto ak = tpm::ak_from_public(pub);
  if (!ak) {
    std::abort();
  }
  QuoteCase c{*key, *ak, {}, {}, {}, Bytes(32, 0x77)};
  tpm::Attest a;
  a.magic = tpm::kTpmGeneratedValue;
  a.type = tpm::kStAttestQuote;
  a.qualified_signer = Bytes(34, 0x22);
  a.extra_data = c.nonce;
  a.firmware_version = 1;
  tpm::PcrSelection sel;
  sel.bank = crypto::HashAlg::kSha256;
  for (std::uint32_t i = 0; i < 8; ++i) {
    sel.pcrs.push_back(i);
    c.pcrs[crypto::HashAlg::kSha256][i] = Bytes(32, static_cast<std::uint8_t>(i));
  }
  a.pcr_select.push_back(sel);
  a.pcr_digest = tpm::compute_pcr_digest(crypto::HashAlg::kSha256, a.pcr_select, c.pcrs).value();
  c.quote = tpm::serialize(a);
  tpm::Signature sig;
  sig.sig_alg = tpm::alg::kRsassa;
  sig.hash = crypto::HashAlg::kSha256;
  sig.rsa = key->sign(crypto::SigScheme::kRsaPkcs1v15, crypto::HashAlg::kSha256, c.quote).value();
  c.signature = tpm::serialize(sig);
  return c;
}

void BM_TpmQuoteVerifyCachedAk(benchmark::State& state) {
  static const QuoteCase c = make_case();
  const tpm::QuoteVerifyOptions options{from_unix_seconds(1767225600), c.nonce, std::nullopt};
  for (auto _ : state) {
    evidence::CheckLog log;
    const tpm::QuoteEvidence ev{c.quote, c.signature, c.pcrs, std::nullopt};
    auto verified = tpm::verify_quote(c.ak, ev, options, log);
    if (!verified) {
      state.SkipWithError(verified.error().detail.c_str());
      break;
    }
    benchmark::DoNotOptimize(verified);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TpmQuoteVerifyCachedAk);

}  // namespace
}  // namespace vouch::bench
