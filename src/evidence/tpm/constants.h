#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "crypto/digest.h"

// TPM 2.0 constants (TCG TPM 2.0 Library, Part 2: Structures). Only the values Vouch parses.
namespace vouch::tpm {

inline constexpr std::uint32_t kTpmGeneratedValue = 0xff544347;  // TPM_GENERATED_VALUE ("\xffTCG")

// TPM_ST attestation structure tags.
inline constexpr std::uint16_t kStAttestNv = 0x8014;
inline constexpr std::uint16_t kStAttestCommandAudit = 0x8015;
inline constexpr std::uint16_t kStAttestSessionAudit = 0x8016;
inline constexpr std::uint16_t kStAttestCertify = 0x8017;
inline constexpr std::uint16_t kStAttestQuote = 0x8018;
inline constexpr std::uint16_t kStAttestTime = 0x8019;
inline constexpr std::uint16_t kStAttestCreation = 0x801A;

// TPM_ALG_ID values.
namespace alg {
inline constexpr std::uint16_t kRsa = 0x0001;
inline constexpr std::uint16_t kSha1 = 0x0004;
inline constexpr std::uint16_t kHmac = 0x0005;
inline constexpr std::uint16_t kAes = 0x0006;
inline constexpr std::uint16_t kMgf1 = 0x0007;
inline constexpr std::uint16_t kKeyedHash = 0x0008;
inline constexpr std::uint16_t kXor = 0x000A;
inline constexpr std::uint16_t kSha256 = 0x000B;
inline constexpr std::uint16_t kSha384 = 0x000C;
inline constexpr std::uint16_t kSha512 = 0x000D;
inline constexpr std::uint16_t kNull = 0x0010;
inline constexpr std::uint16_t kSm3_256 = 0x0012;
inline constexpr std::uint16_t kSm4 = 0x0013;
inline constexpr std::uint16_t kRsassa = 0x0014;
inline constexpr std::uint16_t kRsaes = 0x0015;
inline constexpr std::uint16_t kRsapss = 0x0016;
inline constexpr std::uint16_t kOaep = 0x0017;
inline constexpr std::uint16_t kEcdsa = 0x0018;
inline constexpr std::uint16_t kEcdh = 0x0019;
inline constexpr std::uint16_t kEcdaa = 0x001A;
inline constexpr std::uint16_t kSm2 = 0x001B;
inline constexpr std::uint16_t kEcschnorr = 0x001C;
inline constexpr std::uint16_t kEcmqv = 0x001D;
inline constexpr std::uint16_t kKdf1Sp800_56a = 0x0020;
inline constexpr std::uint16_t kKdf2 = 0x0021;
inline constexpr std::uint16_t kKdf1Sp800_108 = 0x0022;
inline constexpr std::uint16_t kEcc = 0x0023;
inline constexpr std::uint16_t kSymCipher = 0x0025;
inline constexpr std::uint16_t kCamellia = 0x0026;
inline constexpr std::uint16_t kSha3_256 = 0x0027;
inline constexpr std::uint16_t kSha3_384 = 0x0028;
inline constexpr std::uint16_t kSha3_512 = 0x0029;
inline constexpr std::uint16_t kCtr = 0x0040;
inline constexpr std::uint16_t kOfb = 0x0041;
inline constexpr std::uint16_t kCbc = 0x0042;
inline constexpr std::uint16_t kCfb = 0x0043;
inline constexpr std::uint16_t kEcb = 0x0044;
}  // namespace alg

// The TPM_ALG_ID of a hash Vouch computes.
constexpr std::uint16_t tpm_alg_id(crypto::HashAlg h) noexcept {
  switch (h) {
    case crypto::HashAlg::kSha1:
      return alg::kSha1;
    case crypto::HashAlg::kSha256:
      return alg::kSha256;
    case crypto::HashAlg::kSha384:
      return alg::kSha384;
    case crypto::HashAlg::kSha512:
      return alg::kSha512;
    case crypto::HashAlg::kSm3:
      return alg::kSm3_256;
  }
  return alg::kNull;
}

// The hash for a TPM_ALG_ID, or nullopt for an algorithm Vouch does not compute.
constexpr std::optional<crypto::HashAlg> hash_from_tpm_alg(std::uint16_t id) noexcept {
  switch (id) {
    case alg::kSha1:
      return crypto::HashAlg::kSha1;
    case alg::kSha256:
      return crypto::HashAlg::kSha256;
    case alg::kSha384:
      return crypto::HashAlg::kSha384;
    case alg::kSha512:
      return crypto::HashAlg::kSha512;
    case alg::kSm3_256:
      return crypto::HashAlg::kSm3;
    default:
      return std::nullopt;
  }
}

// TPM_ECC_CURVE values.
namespace curve {
inline constexpr std::uint16_t kNistP256 = 0x0003;
inline constexpr std::uint16_t kNistP384 = 0x0004;
inline constexpr std::uint16_t kNistP521 = 0x0005;
}  // namespace curve

// TPMA_OBJECT bits.
namespace attr {
inline constexpr std::uint32_t kFixedTpm = 1u << 1;
inline constexpr std::uint32_t kStClear = 1u << 2;
inline constexpr std::uint32_t kFixedParent = 1u << 4;
inline constexpr std::uint32_t kSensitiveDataOrigin = 1u << 5;
inline constexpr std::uint32_t kUserWithAuth = 1u << 6;
inline constexpr std::uint32_t kAdminWithPolicy = 1u << 7;
inline constexpr std::uint32_t kNoDa = 1u << 10;
inline constexpr std::uint32_t kEncryptedDuplication = 1u << 11;
inline constexpr std::uint32_t kRestricted = 1u << 16;
inline constexpr std::uint32_t kDecrypt = 1u << 17;
inline constexpr std::uint32_t kSign = 1u << 18;
inline constexpr std::uint32_t kX509Sign = 1u << 19;
// Bits 0, 3, 8, 9, 12-15 and 20-31 are reserved and must be zero.
inline constexpr std::uint32_t kReserved = 0xFFF0F309u;
}  // namespace attr

// Size bounds from the TPM 2.0 reference implementation (Part 2 and the PC Client profile).
inline constexpr std::size_t kMaxDigestSize = 64;    // sizeof(TPMU_HA), SHA-512
inline constexpr std::size_t kMaxNameSize = 2 + 64;  // sizeof(TPMU_NAME)
inline constexpr std::size_t kMaxRsaKeyBytes = 512;  // MAX_RSA_KEY_BYTES (4096-bit)
inline constexpr std::size_t kMaxEccKeyBytes = 66;   // MAX_ECC_KEY_BYTES (P-521)
inline constexpr std::size_t kMaxPcrSelect = 4;      // PCR_SELECT_MAX (up to 32 PCRs)
inline constexpr std::size_t kMaxPcrBanks = 16;      // HASH_COUNT bound used by TSS
inline constexpr std::size_t kMaxPolicyDigest = 64;

}  // namespace vouch::tpm
