#include "evidence/tpm/abi.h"

#include <string>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "evidence/tpm/check_ids.h"
#include "evidence/tpm/constants.h"

namespace vouch::tpm {
namespace {

// Turns a failed ByteReader call into a truncation error naming `field`.
Status need(bool read_ok, const ByteReader& r, CheckId check, std::string_view field) {
  if (read_ok) {
    return ok();
  }
  return fail(r.truncated(check, field));
}

std::string hex16(std::uint16_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) {
    s.push_back(kDigits[(v >> shift) & 0xf]);
  }
  return s;
}

// Reads a TPM2B_* byte buffer whose size may not exceed max_size.
Status read_2b(ByteReader& r, Bytes& out, std::size_t max_size, CheckId truncated, CheckId too_big,
               std::string_view field) {
  const std::size_t at = r.offset();
  std::uint16_t len = 0;
  VOUCH_RETURN_IF_ERROR(need(r.u16be(len), r, truncated, std::string(field) + ".size"));
  if (len > max_size) {
    return malformed(too_big, std::string(field) + ".size " + std::to_string(len) + " at offset " +
                                  std::to_string(at) + " exceeds the maximum of " +
                                  std::to_string(max_size));
  }
  return need(r.copy(len, out), r, truncated, std::string(field) + ".buffer");
}

Status read_pcr_selection(ByteReader& r, std::vector<PcrSelection>& out) {
  std::uint32_t count = 0;
  VOUCH_RETURN_IF_ERROR(
      need(r.u32be(count), r, checks::kAttestTruncated, "TPML_PCR_SELECTION.count"));
  if (count > kMaxPcrBanks) {
    return malformed(checks::kAttestPcrSelection, "TPML_PCR_SELECTION.count " +
                                                      std::to_string(count) + " at offset " +
                                                      std::to_string(r.offset() - 4) + " exceeds " +
                                                      std::to_string(kMaxPcrBanks));
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::string field = "TPML_PCR_SELECTION.pcrSelections[" + std::to_string(i) + "]";
    const std::size_t at = r.offset();
    std::uint16_t hash_id = 0;
    std::uint8_t size_of_select = 0;
    VOUCH_RETURN_IF_ERROR(need(r.u16be(hash_id), r, checks::kAttestTruncated, field + ".hash"));
    const auto hash = hash_from_tpm_alg(hash_id);
    if (!hash) {
      return malformed(checks::kAttestPcrSelection, field + ".hash " + hex16(hash_id) +
                                                        " at offset " + std::to_string(at) +
                                                        " is not a supported PCR bank");
    }
    VOUCH_RETURN_IF_ERROR(
        need(r.u8(size_of_select), r, checks::kAttestTruncated, field + ".sizeofSelect"));
    if (size_of_select > kMaxPcrSelect) {
      return malformed(checks::kAttestPcrSelection,
                       field + ".sizeofSelect " + std::to_string(size_of_select) + " exceeds " +
                           std::to_string(kMaxPcrSelect));
    }
    ByteSpan bitmap;
    VOUCH_RETURN_IF_ERROR(
        need(r.bytes(size_of_select, bitmap), r, checks::kAttestTruncated, field + ".pcrSelect"));
    PcrSelection sel;
    sel.bank = *hash;
    sel.size_of_select = size_of_select;
    for (std::size_t byte = 0; byte < bitmap.size(); ++byte) {
      for (std::uint32_t bit = 0; bit < 8; ++bit) {
        if ((bitmap[byte] >> bit) & 1u) {
          sel.pcrs.push_back(static_cast<std::uint32_t>(byte * 8) + bit);
        }
      }
    }
    for (const PcrSelection& earlier : out) {
      if (earlier.bank == sel.bank) {
        return malformed(checks::kAttestPcrSelection, field + " selects the " +
                                                          std::string(crypto::hash_name(sel.bank)) +
                                                          " bank a second time");
      }
    }
    out.push_back(std::move(sel));
  }
  return ok();
}

void write_pcr_selection(ByteWriter& w, const std::vector<PcrSelection>& sels) {
  w.u32be(static_cast<std::uint32_t>(sels.size()));
  for (const PcrSelection& s : sels) {
    w.u16be(tpm_alg_id(s.bank));
    w.u8(s.size_of_select);
    Bytes bitmap(s.size_of_select, 0);
    for (std::uint32_t pcr : s.pcrs) {
      if (pcr / 8 < bitmap.size()) {
        bitmap[pcr / 8] = static_cast<std::uint8_t>(bitmap[pcr / 8] | (1u << (pcr % 8)));
      }
    }
    w.bytes(bitmap);
  }
}

bool is_block_cipher(std::uint16_t a) {
  return a == alg::kAes || a == alg::kSm4 || a == alg::kCamellia;
}

Status read_sym_def(ByteReader& r, SymDef& out) {
  VOUCH_RETURN_IF_ERROR(
      need(r.u16be(out.algorithm), r, checks::kPublicParse, "TPMT_SYM_DEF_OBJECT.algorithm"));
  if (out.algorithm == alg::kNull) {
    return ok();
  }
  if (!is_block_cipher(out.algorithm)) {
    return fail(ErrorKind::kMalformedEvidence, checks::kPublicUnsupported,
                "TPMT_SYM_DEF_OBJECT.algorithm " + hex16(out.algorithm) + " is not a block cipher");
  }
  VOUCH_RETURN_IF_ERROR(
      need(r.u16be(out.key_bits), r, checks::kPublicParse, "TPMT_SYM_DEF_OBJECT.keyBits"));
  return need(r.u16be(out.mode), r, checks::kPublicParse, "TPMT_SYM_DEF_OBJECT.mode");
}

void write_sym_def(ByteWriter& w, const SymDef& s) {
  w.u16be(s.algorithm);
  if (s.algorithm != alg::kNull) {
    w.u16be(s.key_bits).u16be(s.mode);
  }
}

tl::unexpected<Error> unsupported(std::string what) {
  return fail(ErrorKind::kMalformedEvidence, checks::kPublicUnsupported, std::move(what));
}

// Relabels a crypto import failure as malformed evidence with our own check id.
auto as_malformed_public() {
  return [](Error e) {
    e.kind = ErrorKind::kMalformedEvidence;
    e.check = checks::kPublicParse;
    return e;
  };
}

Status read_rsa_parms(ByteReader& r, RsaParms& p) {
  VOUCH_RETURN_IF_ERROR(read_sym_def(r, p.symmetric));
  VOUCH_RETURN_IF_ERROR(need(r.u16be(p.scheme), r, checks::kPublicParse, "TPMS_RSA_PARMS.scheme"));
  switch (p.scheme) {
    case alg::kRsassa:
    case alg::kRsapss:
    case alg::kOaep:
      VOUCH_RETURN_IF_ERROR(
          need(r.u16be(p.scheme_hash), r, checks::kPublicParse, "TPMS_RSA_PARMS.scheme.hashAlg"));
      break;
    case alg::kRsaes:
    case alg::kNull:
      break;
    default:
      return unsupported("TPMS_RSA_PARMS.scheme " + hex16(p.scheme) + " is not an RSA scheme");
  }
  VOUCH_RETURN_IF_ERROR(
      need(r.u16be(p.key_bits), r, checks::kPublicParse, "TPMS_RSA_PARMS.keyBits"));
  return need(r.u32be(p.exponent), r, checks::kPublicParse, "TPMS_RSA_PARMS.exponent");
}

Status read_ecc_parms(ByteReader& r, EccParms& p) {
  VOUCH_RETURN_IF_ERROR(read_sym_def(r, p.symmetric));
  VOUCH_RETURN_IF_ERROR(need(r.u16be(p.scheme), r, checks::kPublicParse, "TPMS_ECC_PARMS.scheme"));
  switch (p.scheme) {
    case alg::kEcdsa:
    case alg::kEcdh:
    case alg::kSm2:
    case alg::kEcschnorr:
    case alg::kEcmqv:
      VOUCH_RETURN_IF_ERROR(
          need(r.u16be(p.scheme_hash), r, checks::kPublicParse, "TPMS_ECC_PARMS.scheme.hashAlg"));
      break;
    case alg::kEcdaa:
      VOUCH_RETURN_IF_ERROR(
          need(r.u16be(p.scheme_hash), r, checks::kPublicParse, "TPMS_ECC_PARMS.scheme.hashAlg"));
      VOUCH_RETURN_IF_ERROR(
          need(r.u16be(p.scheme_count), r, checks::kPublicParse, "TPMS_ECC_PARMS.scheme.count"));
      break;
    case alg::kNull:
      break;
    default:
      return unsupported("TPMS_ECC_PARMS.scheme " + hex16(p.scheme) + " is not an ECC scheme");
  }
  VOUCH_RETURN_IF_ERROR(
      need(r.u16be(p.curve_id), r, checks::kPublicParse, "TPMS_ECC_PARMS.curveID"));
  VOUCH_RETURN_IF_ERROR(
      need(r.u16be(p.kdf_scheme), r, checks::kPublicParse, "TPMS_ECC_PARMS.kdf.scheme"));
  switch (p.kdf_scheme) {
    case alg::kNull:
      return ok();
    case alg::kMgf1:
    case alg::kKdf1Sp800_56a:
    case alg::kKdf2:
    case alg::kKdf1Sp800_108:
      return need(r.u16be(p.kdf_hash), r, checks::kPublicParse, "TPMS_ECC_PARMS.kdf.hashAlg");
    default:
      return unsupported("TPMS_ECC_PARMS.kdf.scheme " + hex16(p.kdf_scheme) + " is not a KDF");
  }
}

}  // namespace

// --- TPMS_ATTEST ---

Result<Attest> parse_attest(ByteSpan data) {
  ByteReader r(data);
  Attest a;
  const CheckId trunc = checks::kAttestTruncated;
  VOUCH_RETURN_IF_ERROR(need(r.u32be(a.magic), r, trunc, "TPMS_ATTEST.magic"));
  const std::size_t type_at = r.offset();
  VOUCH_RETURN_IF_ERROR(need(r.u16be(a.type), r, trunc, "TPMS_ATTEST.type"));
  if (a.type != kStAttestQuote) {
    return malformed(checks::kAttestType, "TPMS_ATTEST.type " + hex16(a.type) + " at offset " +
                                              std::to_string(type_at) +
                                              " is not TPM_ST_ATTEST_QUOTE (0x8018)");
  }
  VOUCH_RETURN_IF_ERROR(read_2b(r, a.qualified_signer, kMaxNameSize, trunc, checks::kAttestSize,
                                "TPMS_ATTEST.qualifiedSigner"));
  VOUCH_RETURN_IF_ERROR(read_2b(r, a.extra_data, 2 + kMaxDigestSize, trunc, checks::kAttestSize,
                                "TPMS_ATTEST.extraData"));
  VOUCH_RETURN_IF_ERROR(need(r.u64be(a.clock_info.clock), r, trunc, "TPMS_CLOCK_INFO.clock"));
  VOUCH_RETURN_IF_ERROR(
      need(r.u32be(a.clock_info.reset_count), r, trunc, "TPMS_CLOCK_INFO.resetCount"));
  VOUCH_RETURN_IF_ERROR(
      need(r.u32be(a.clock_info.restart_count), r, trunc, "TPMS_CLOCK_INFO.restartCount"));
  std::uint8_t safe = 0;
  const std::size_t safe_at = r.offset();
  VOUCH_RETURN_IF_ERROR(need(r.u8(safe), r, trunc, "TPMS_CLOCK_INFO.safe"));
  if (safe > 1) {
    return malformed(checks::kAttestClockSafe, "TPMS_CLOCK_INFO.safe at offset " +
                                                   std::to_string(safe_at) + " is " +
                                                   std::to_string(safe) + ", not YES or NO");
  }
  a.clock_info.safe = safe == 1;
  VOUCH_RETURN_IF_ERROR(need(r.u64be(a.firmware_version), r, trunc, "TPMS_ATTEST.firmwareVersion"));
  VOUCH_RETURN_IF_ERROR(read_pcr_selection(r, a.pcr_select));
  VOUCH_RETURN_IF_ERROR(read_2b(r, a.pcr_digest, kMaxDigestSize, trunc, checks::kAttestSize,
                                "TPMS_QUOTE_INFO.pcrDigest"));
  if (!r.empty()) {
    return fail(r.trailing(checks::kAttestTrailing, "TPMS_ATTEST"));
  }
  return a;
}

Result<std::pair<Attest, Bytes>> parse_attest_any(ByteSpan data) {
  // A TPM2B_ATTEST starts with its own size; a TPMS_ATTEST starts with the magic (0xff54...), which
  // could only equal the remaining size for a 65366-byte input, beyond any TPM2B. So an exact size
  // prefix tells them apart without trusting the magic.
  if (data.size() >= 2 && ((std::size_t{data[0]} << 8) | data[1]) == data.size() - 2) {
    ByteReader r(data);
    ByteReader inner;
    if (!r.u16be_prefixed(inner)) {
      return fail(r.truncated(checks::kAttestTruncated, "TPM2B_ATTEST"));
    }
    VOUCH_TRY(Attest a, parse_attest(inner.rest()));
    return std::make_pair(std::move(a), to_bytes(inner.rest()));
  }
  VOUCH_TRY(Attest a, parse_attest(data));
  return std::make_pair(std::move(a), to_bytes(data));
}

Bytes serialize(const Attest& a) {
  ByteWriter w;
  w.u32be(a.magic).u16be(a.type);
  w.u16be_prefixed(a.qualified_signer).u16be_prefixed(a.extra_data);
  w.u64be(a.clock_info.clock).u32be(a.clock_info.reset_count).u32be(a.clock_info.restart_count);
  w.u8(a.clock_info.safe ? 1 : 0);
  w.u64be(a.firmware_version);
  write_pcr_selection(w, a.pcr_select);
  w.u16be_prefixed(a.pcr_digest);
  return std::move(w).take();
}

// --- TPMT_SIGNATURE ---

crypto::SigScheme Signature::scheme() const noexcept {
  switch (sig_alg) {
    case alg::kRsapss:
      return crypto::SigScheme::kRsaPss;
    case alg::kEcdsa:
      return crypto::SigScheme::kEcdsa;
    default:
      return crypto::SigScheme::kRsaPkcs1v15;
  }
}

std::string scheme_name(const Signature& sig) {
  std::string s;
  switch (sig.sig_alg) {
    case alg::kRsassa:
      s = "rsassa";
      break;
    case alg::kRsapss:
      s = "rsapss";
      break;
    case alg::kEcdsa:
      s = "ecdsa";
      break;
    default:
      s = "unknown";
      break;
  }
  return s + "-" + std::string(crypto::hash_name(sig.hash));
}

Result<Signature> parse_signature(ByteSpan data) {
  ByteReader r(data);
  Signature sig;
  const CheckId trunc = checks::kSignatureParse;
  VOUCH_RETURN_IF_ERROR(need(r.u16be(sig.sig_alg), r, trunc, "TPMT_SIGNATURE.sigAlg"));
  if (sig.sig_alg != alg::kRsassa && sig.sig_alg != alg::kRsapss && sig.sig_alg != alg::kEcdsa) {
    return malformed(checks::kSignatureAlgorithm, "TPMT_SIGNATURE.sigAlg " + hex16(sig.sig_alg) +
                                                      " is not RSASSA, RSAPSS or ECDSA");
  }
  std::uint16_t hash_id = 0;
  const std::size_t hash_at = r.offset();
  VOUCH_RETURN_IF_ERROR(need(r.u16be(hash_id), r, trunc, "TPMT_SIGNATURE.signature.hash"));
  const auto hash = hash_from_tpm_alg(hash_id);
  if (!hash) {
    return malformed(checks::kSignatureAlgorithm,
                     "TPMT_SIGNATURE.signature.hash " + hex16(hash_id) + " at offset " +
                         std::to_string(hash_at) + " is not a supported digest");
  }
  sig.hash = *hash;
  if (sig.sig_alg == alg::kEcdsa) {
    VOUCH_RETURN_IF_ERROR(
        read_2b(r, sig.ecdsa_r, kMaxEccKeyBytes, trunc, trunc, "TPMS_SIGNATURE_ECDSA.signatureR"));
    VOUCH_RETURN_IF_ERROR(
        read_2b(r, sig.ecdsa_s, kMaxEccKeyBytes, trunc, trunc, "TPMS_SIGNATURE_ECDSA.signatureS"));
  } else {
    VOUCH_RETURN_IF_ERROR(
        read_2b(r, sig.rsa, kMaxRsaKeyBytes, trunc, trunc, "TPMS_SIGNATURE_RSA.sig"));
  }
  if (!r.empty()) {
    return fail(r.trailing(checks::kSignatureParse, "TPMT_SIGNATURE"));
  }
  return sig;
}

Bytes serialize(const Signature& sig) {
  ByteWriter w;
  w.u16be(sig.sig_alg).u16be(tpm_alg_id(sig.hash));
  if (sig.sig_alg == alg::kEcdsa) {
    w.u16be_prefixed(sig.ecdsa_r).u16be_prefixed(sig.ecdsa_s);
  } else {
    w.u16be_prefixed(sig.rsa);
  }
  return std::move(w).take();
}

// --- TPMT_PUBLIC ---

Result<Public> parse_public(ByteSpan data) {
  ByteReader r(data);
  Public p;
  const CheckId trunc = checks::kPublicParse;
  std::uint16_t type = 0;
  VOUCH_RETURN_IF_ERROR(need(r.u16be(type), r, trunc, "TPMT_PUBLIC.type"));
  if (type != alg::kRsa && type != alg::kEcc) {
    return unsupported("TPMT_PUBLIC.type " + hex16(type) + " is neither RSA nor ECC");
  }
  VOUCH_RETURN_IF_ERROR(need(r.u16be(p.name_alg), r, trunc, "TPMT_PUBLIC.nameAlg"));
  if (!hash_from_tpm_alg(p.name_alg)) {
    return unsupported("TPMT_PUBLIC.nameAlg " + hex16(p.name_alg) + " is not a supported digest");
  }
  const std::size_t attr_at = r.offset();
  VOUCH_RETURN_IF_ERROR(
      need(r.u32be(p.object_attributes), r, trunc, "TPMT_PUBLIC.objectAttributes"));
  if ((p.object_attributes & attr::kReserved) != 0) {
    return fail(ErrorKind::kMalformedEvidence, checks::kPublicAttributes,
                "TPMT_PUBLIC.objectAttributes at offset " + std::to_string(attr_at) +
                    " has reserved bits set");
  }
  VOUCH_RETURN_IF_ERROR(
      read_2b(r, p.auth_policy, kMaxPolicyDigest, trunc, trunc, "TPMT_PUBLIC.authPolicy"));
  if (type == alg::kRsa) {
    RsaParms rsa;
    VOUCH_RETURN_IF_ERROR(read_rsa_parms(r, rsa));
    VOUCH_RETURN_IF_ERROR(
        read_2b(r, p.rsa_modulus, kMaxRsaKeyBytes, trunc, trunc, "TPMT_PUBLIC.unique.rsa"));
    if (p.rsa_modulus.size() * 8 != rsa.key_bits) {
      return malformed(trunc, "TPMT_PUBLIC.unique.rsa is " + std::to_string(p.rsa_modulus.size()) +
                                  " bytes but keyBits is " + std::to_string(rsa.key_bits));
    }
    p.parameters = rsa;
  } else {
    EccParms ecc;
    VOUCH_RETURN_IF_ERROR(read_ecc_parms(r, ecc));
    VOUCH_RETURN_IF_ERROR(
        read_2b(r, p.ecc_x, kMaxEccKeyBytes, trunc, trunc, "TPMT_PUBLIC.unique.ecc.x"));
    VOUCH_RETURN_IF_ERROR(
        read_2b(r, p.ecc_y, kMaxEccKeyBytes, trunc, trunc, "TPMT_PUBLIC.unique.ecc.y"));
    p.parameters = ecc;
  }
  if (!r.empty()) {
    return fail(r.trailing(trunc, "TPMT_PUBLIC"));
  }
  return p;
}

Result<Public> parse_public_2b(ByteSpan data) {
  ByteReader r(data);
  ByteReader inner;
  if (!r.u16be_prefixed(inner)) {
    return fail(r.truncated(checks::kPublicParse, "TPM2B_PUBLIC"));
  }
  if (!r.empty()) {
    return fail(r.trailing(checks::kPublicParse, "TPM2B_PUBLIC"));
  }
  return parse_public(inner.rest());
}

Bytes serialize(const Public& p) {
  ByteWriter w;
  const bool rsa = std::holds_alternative<RsaParms>(p.parameters);
  w.u16be(rsa ? alg::kRsa : alg::kEcc).u16be(p.name_alg).u32be(p.object_attributes);
  w.u16be_prefixed(p.auth_policy);
  if (rsa) {
    const RsaParms& r = std::get<RsaParms>(p.parameters);
    write_sym_def(w, r.symmetric);
    w.u16be(r.scheme);
    if (r.scheme == alg::kRsassa || r.scheme == alg::kRsapss || r.scheme == alg::kOaep) {
      w.u16be(r.scheme_hash);
    }
    w.u16be(r.key_bits).u32be(r.exponent);
    w.u16be_prefixed(p.rsa_modulus);
  } else {
    const EccParms& e = std::get<EccParms>(p.parameters);
    write_sym_def(w, e.symmetric);
    w.u16be(e.scheme);
    if (e.scheme != alg::kNull) {
      w.u16be(e.scheme_hash);
      if (e.scheme == alg::kEcdaa) {
        w.u16be(e.scheme_count);
      }
    }
    w.u16be(e.curve_id).u16be(e.kdf_scheme);
    if (e.kdf_scheme != alg::kNull) {
      w.u16be(e.kdf_hash);
    }
    w.u16be_prefixed(p.ecc_x).u16be_prefixed(p.ecc_y);
  }
  return std::move(w).take();
}

Result<crypto::PublicKey> to_public_key(const Public& p) {
  if (const auto* rsa = std::get_if<RsaParms>(&p.parameters)) {
    const std::uint32_t e = rsa->exponent == 0 ? 65537u : rsa->exponent;
    const Bytes exponent = {static_cast<std::uint8_t>(e >> 24), static_cast<std::uint8_t>(e >> 16),
                            static_cast<std::uint8_t>(e >> 8), static_cast<std::uint8_t>(e)};
    return crypto::PublicKey::from_rsa(p.rsa_modulus, exponent).map_error(as_malformed_public());
  }
  const auto& ecc = std::get<EccParms>(p.parameters);
  crypto::Curve c = crypto::Curve::kP256;
  switch (ecc.curve_id) {
    case curve::kNistP256:
      c = crypto::Curve::kP256;
      break;
    case curve::kNistP384:
      c = crypto::Curve::kP384;
      break;
    case curve::kNistP521:
      c = crypto::Curve::kP521;
      break;
    default:
      return fail(ErrorKind::kMalformedEvidence, checks::kPublicUnsupported,
                  "TPMS_ECC_PARMS.curveID " + hex16(ecc.curve_id) + " is not a NIST P curve");
  }
  return crypto::PublicKey::from_ec_point(c, p.ecc_x, p.ecc_y).map_error(as_malformed_public());
}

Result<Bytes> object_name(const Public& p) {
  const auto hash = hash_from_tpm_alg(p.name_alg);
  if (!hash) {
    return unsupported("TPMT_PUBLIC.nameAlg " + hex16(p.name_alg) + " is not a supported digest");
  }
  ByteWriter w;
  w.u16be(p.name_alg).bytes(crypto::digest(*hash, serialize(p)));
  return std::move(w).take();
}

}  // namespace vouch::tpm
