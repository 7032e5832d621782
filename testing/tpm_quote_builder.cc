#include "testing/tpm_quote_builder.h"

#include <cstdlib>

#include "evidence/tpm/constants.h"

namespace vouch::testing {

std::uint32_t default_ak_attributes() {
  using namespace tpm::attr;
  return kFixedTpm | kFixedParent | kSensitiveDataOrigin | kUserWithAuth | kRestricted | kSign;
}

SoftwareAk make_software_ak(bool ecc, std::uint32_t attributes) {
  auto key = ecc ? crypto::PrivateKey::generate_ec(crypto::Curve::kP256)
                 : crypto::PrivateKey::generate_rsa(2048);
  if (!key) {
    std::abort();
  }
  const crypto::PublicKey pub_key = key->public_key();
  tpm::Public pub;
  pub.name_alg = tpm::alg::kSha256;
  pub.object_attributes = attributes;
  if (ecc) {
    tpm::EccParms p;
    p.scheme = tpm::alg::kEcdsa;
    p.scheme_hash = tpm::alg::kSha256;
    p.curve_id = tpm::curve::kNistP256;
    pub.parameters = p;
    pub.ecc_x = pub_key.ec_x();
    pub.ecc_y = pub_key.ec_y();
  } else {
    tpm::RsaParms p;
    p.scheme = tpm::alg::kRsassa;
    p.scheme_hash = tpm::alg::kSha256;
    p.key_bits = 2048;
    pub.parameters = p;
    pub.rsa_modulus = pub_key.rsa_modulus();
  }
  auto ak = tpm::ak_from_public(pub);
  if (!ak) {
    std::abort();
  }
  return SoftwareAk{*key, pub, *ak};
}

void resign(const SoftwareAk& ak, QuoteFixture& f) {
  f.quote = tpm::serialize(f.attest);
  const bool ecc = ak.key.public_key().type() == crypto::KeyType::kEc;
  auto der = ak.key.sign(ecc ? crypto::SigScheme::kEcdsa : crypto::SigScheme::kRsaPkcs1v15,
                         crypto::HashAlg::kSha256, f.quote);
  if (!der) {
    std::abort();
  }
  tpm::Signature sig;
  sig.hash = crypto::HashAlg::kSha256;
  if (ecc) {
    sig.sig_alg = tpm::alg::kEcdsa;
    auto raw = crypto::ecdsa_der_to_raw(*der, 32);
    if (!raw) {
      std::abort();
    }
    sig.ecdsa_r.assign(raw->begin(), raw->begin() + 32);
    sig.ecdsa_s.assign(raw->begin() + 32, raw->end());
  } else {
    sig.sig_alg = tpm::alg::kRsassa;
    sig.rsa = *der;
  }
  f.signature = tpm::serialize(sig);
}

QuoteFixture make_quote(const SoftwareAk& ak, ByteSpan nonce, const tpm::PcrValues& pcrs,
                        const std::function<void(tpm::Attest&)>& tweak) {
  QuoteFixture f;
  f.pcrs = pcrs;
  tpm::Attest& a = f.attest;
  a.magic = tpm::kTpmGeneratedValue;
  a.type = tpm::kStAttestQuote;
  a.qualified_signer = Bytes(34, 0x11);
  a.qualified_signer[0] = 0x00;
  a.qualified_signer[1] = 0x0b;
  a.extra_data = to_bytes(nonce);
  a.clock_info = {123456, 3, 1, true};
  a.firmware_version = 0x2023101900163636ull;
  for (const auto& [bank, values] : pcrs) {
    tpm::PcrSelection sel;
    sel.bank = bank;
    sel.size_of_select = 3;
    for (const auto& [index, value] : values) {
      sel.pcrs.push_back(index);
    }
    a.pcr_select.push_back(sel);
  }
  auto digest = tpm::compute_pcr_digest(crypto::HashAlg::kSha256, a.pcr_select, pcrs);
  if (!digest) {
    std::abort();
  }
  a.pcr_digest = *digest;
  if (tweak) {
    tweak(a);
  }
  resign(ak, f);
  return f;
}

}  // namespace vouch::testing
