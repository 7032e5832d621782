#pragma once

// Byte layouts of the TPM 2.0 structures a quote is made of (TPM 2.0 Library Part 2), parsed with
// ByteReader (big-endian) and serialized back with ByteWriter. parse(serialize(x)) == x and
// serialize(parse(b)) == b hold for every accepted input; tests cross-check against tss2-mu.

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/digest.h"
#include "crypto/keys.h"

namespace vouch::tpm {

// TPMS_PCR_SELECTION: one bank and the PCR indices selected in it (ascending).
struct PcrSelection {
  crypto::HashAlg bank = crypto::HashAlg::kSha256;
  std::uint8_t size_of_select = 3;  // bytes of the bitmap as encoded (kept for round trips)
  std::vector<std::uint32_t> pcrs;
  friend bool operator==(const PcrSelection&, const PcrSelection&) = default;
};

// TPMS_CLOCK_INFO.
struct ClockInfo {
  std::uint64_t clock = 0;
  std::uint32_t reset_count = 0;
  std::uint32_t restart_count = 0;
  bool safe = false;
  friend bool operator==(const ClockInfo&, const ClockInfo&) = default;
};

// TPMS_ATTEST with the TPMS_QUOTE_INFO arm (the only attestation type Vouch accepts).
struct Attest {
  std::uint32_t magic = 0;
  std::uint16_t type = 0;
  Bytes qualified_signer;  // TPM2B_NAME
  Bytes extra_data;        // TPM2B_DATA: the nonce
  ClockInfo clock_info;
  std::uint64_t firmware_version = 0;
  std::vector<PcrSelection> pcr_select;  // TPMS_QUOTE_INFO.pcrSelect
  Bytes pcr_digest;                      // TPMS_QUOTE_INFO.pcrDigest
  friend bool operator==(const Attest&, const Attest&) = default;
};

// Parses a TPMS_ATTEST exactly (trailing bytes rejected). Errors: tpm.attest.truncated,
// tpm.attest.trailing, tpm.attest.size, tpm.attest.type, tpm.attest.pcr_selection,
// tpm.attest.clock_safe — each naming the field and byte offset.
[[nodiscard]] Result<Attest> parse_attest(ByteSpan data);
// Accepts either a TPMS_ATTEST or a TPM2B_ATTEST (size-prefixed) encoding and returns the parsed
// structure and the exact TPMS_ATTEST bytes (what the signature covers).
[[nodiscard]] Result<std::pair<Attest, Bytes>> parse_attest_any(ByteSpan data);
Bytes serialize(const Attest& attest);

// TPMT_SIGNATURE for the schemes Vouch verifies: RSASSA, RSAPSS (one signature value) and ECDSA
// (r and s).
struct Signature {
  std::uint16_t sig_alg = 0;  // TPM_ALG_RSASSA / RSAPSS / ECDSA
  crypto::HashAlg hash = crypto::HashAlg::kSha256;
  Bytes rsa;  // RSASSA/RSAPSS signature value
  Bytes ecdsa_r;
  Bytes ecdsa_s;
  crypto::SigScheme scheme() const noexcept;
  friend bool operator==(const Signature&, const Signature&) = default;
};

// Parses a TPMT_SIGNATURE exactly. Errors: tpm.signature.parse, tpm.signature.algorithm.
[[nodiscard]] Result<Signature> parse_signature(ByteSpan data);
Bytes serialize(const Signature& sig);
// Name of the scheme for claims and messages: "rsassa-sha256", "ecdsa-sha384", ...
std::string scheme_name(const Signature& sig);

// TPMT_SYM_DEF_OBJECT (algorithm NULL, or a block cipher with key bits and mode).
struct SymDef {
  std::uint16_t algorithm = 0x0010;
  std::uint16_t key_bits = 0;
  std::uint16_t mode = 0;
  friend bool operator==(const SymDef&, const SymDef&) = default;
};

// TPMS_RSA_PARMS.
struct RsaParms {
  SymDef symmetric;
  std::uint16_t scheme = 0x0010;
  std::uint16_t scheme_hash = 0;  // absent (0) for NULL and RSAES
  std::uint16_t key_bits = 2048;
  std::uint32_t exponent = 0;  // 0 means the default 65537
  friend bool operator==(const RsaParms&, const RsaParms&) = default;
};

// TPMS_ECC_PARMS.
struct EccParms {
  SymDef symmetric;
  std::uint16_t scheme = 0x0010;
  std::uint16_t scheme_hash = 0;
  std::uint16_t scheme_count = 0;  // ECDAA only
  std::uint16_t curve_id = 0x0003;
  std::uint16_t kdf_scheme = 0x0010;
  std::uint16_t kdf_hash = 0;
  friend bool operator==(const EccParms&, const EccParms&) = default;
};

// TPMT_PUBLIC for RSA and ECC keys (the only object types an AK or EK can be).
struct Public {
  std::uint16_t name_alg = 0x000B;
  std::uint32_t object_attributes = 0;
  Bytes auth_policy;
  std::variant<RsaParms, EccParms> parameters;
  Bytes rsa_modulus;  // unique.rsa
  Bytes ecc_x;        // unique.ecc.x
  Bytes ecc_y;        // unique.ecc.y
  friend bool operator==(const Public&, const Public&) = default;
};

// Parses a TPMT_PUBLIC exactly. Errors: tpm.public.parse (truncated, trailing, sizes),
// tpm.public.unsupported (object type, curve, scheme), tpm.public.attributes (reserved bits).
[[nodiscard]] Result<Public> parse_public(ByteSpan data);
// Parses a TPM2B_PUBLIC (size-prefixed TPMT_PUBLIC) exactly.
[[nodiscard]] Result<Public> parse_public_2b(ByteSpan data);
Bytes serialize(const Public& pub);
// The public key as an OpenSSL key. Fails with tpm.public.unsupported for curves OpenSSL lacks.
[[nodiscard]] Result<crypto::PublicKey> to_public_key(const Public& pub);
// TPM Name: nameAlg (2 bytes) || H_nameAlg(TPMT_PUBLIC).
[[nodiscard]] Result<Bytes> object_name(const Public& pub);

}  // namespace vouch::tpm
