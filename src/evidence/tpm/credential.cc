#include "evidence/tpm/credential.h"

#include <string>

#include "base/byte_writer.h"
#include "crypto/kdf.h"
#include "evidence/tpm/check_ids.h"
#include "evidence/tpm/constants.h"

namespace vouch::tpm {
namespace {

auto bad(std::string why) {
  return fail(ErrorKind::kInvalidArgument, checks::kCredential, std::move(why));
}

// The "IDENTITY" label with its terminating zero octet, as the TPM uses it for OAEP.
const Bytes kIdentityLabel = {'I', 'D', 'E', 'N', 'T', 'I', 'T', 'Y', 0};

}  // namespace

Bytes CredentialChallenge::tpm2_tools_blob() const {
  ByteWriter w;
  w.u32be(0xBADCC0DE).u32be(1).u16be_prefixed(id_object).u16be_prefixed(encrypted_secret);
  return std::move(w).take();
}

Result<CredentialChallenge> make_credential(const Public& ek, ByteSpan ak_name, ByteSpan secret,
                                            crypto::Random& random) {
  const auto name_hash = hash_from_tpm_alg(ek.name_alg);
  if (!name_hash) {
    return bad("the EK nameAlg is not a supported digest");
  }
  const std::size_t digest_len = crypto::digest_size(*name_hash);
  if (secret.empty() || secret.size() > digest_len) {
    return bad("the credential must be 1 to " + std::to_string(digest_len) + " bytes");
  }
  if (ak_name.size() < 2) {
    return bad("the AK name is too short");
  }
  const SymDef& sym = std::holds_alternative<RsaParms>(ek.parameters)
                          ? std::get<RsaParms>(ek.parameters).symmetric
                          : std::get<EccParms>(ek.parameters).symmetric;
  if (sym.algorithm != alg::kAes || sym.mode != alg::kCfb ||
      (sym.key_bits != 128 && sym.key_bits != 192 && sym.key_bits != 256)) {
    return bad("the EK's symmetric definition is not AES-CFB");
  }
  VOUCH_TRY(crypto::PublicKey ek_key, to_public_key(ek));

  CredentialChallenge out;
  Bytes seed;
  if (std::holds_alternative<RsaParms>(ek.parameters)) {
    VOUCH_TRY(seed, random.bytes(digest_len));
    VOUCH_TRY(out.encrypted_secret,
              crypto::rsa_oaep_encrypt(ek_key, *name_hash, kIdentityLabel, seed));
  } else {
    const crypto::Curve curve = ek_key.curve().value_or(crypto::Curve::kP256);
    VOUCH_TRY(crypto::PrivateKey ephemeral, crypto::PrivateKey::generate_ec(curve));
    const crypto::PublicKey eph_pub = ephemeral.public_key();
    VOUCH_TRY(Bytes z, crypto::ecdh_shared_x(ephemeral, ek_key));
    const Bytes eph_x = eph_pub.ec_x();
    const Bytes ek_x = ek_key.ec_x();
    seed = crypto::kdf_e(*name_hash, z, "IDENTITY", eph_x, ek_x, digest_len * 8);
    ByteWriter point;  // TPMS_ECC_POINT of the ephemeral key
    point.u16be_prefixed(eph_x).u16be_prefixed(eph_pub.ec_y());
    out.encrypted_secret = std::move(point).take();
  }

  const Bytes sym_key = crypto::kdf_a(*name_hash, seed, "STORAGE", ak_name, {}, sym.key_bits);
  ByteWriter plain;  // the credential as a marshalled TPM2B_DIGEST
  plain.u16be_prefixed(secret);
  VOUCH_TRY(Bytes enc_identity, crypto::aes_cfb_encrypt(sym_key, plain.data()));
  const Bytes hmac_key = crypto::kdf_a(*name_hash, seed, "INTEGRITY", {}, {}, digest_len * 8);
  Bytes hmac_input = enc_identity;
  append(hmac_input, ak_name);
  const Bytes integrity = crypto::hmac(*name_hash, hmac_key, hmac_input);
  ByteWriter id;
  id.u16be_prefixed(integrity).bytes(enc_identity);
  out.id_object = std::move(id).take();
  return out;
}

Result<std::vector<crypto::Certificate>> verify_ek_certificate(
    const crypto::Certificate& ek_cert, const crypto::PublicKey& ek_key,
    const crypto::TrustStore& anchors, const std::vector<crypto::Certificate>& intermediates,
    Timestamp at) {
  crypto::ChainOptions opts;
  opts.at = at;
  opts.intermediates = intermediates;
  VOUCH_TRY(
      auto chain,
      crypto::verify_chain(ek_cert, anchors, opts).map_error(retag(checks::kEkCertificateChain)));
  auto cert_key = ek_cert.public_key();
  if (!cert_key || !cert_key->equals(ek_key)) {
    return rejected(checks::kEkCertificateKey, "the EK certificate certifies a different key");
  }
  return chain;
}

}  // namespace vouch::tpm
