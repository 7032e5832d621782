#pragma once

// AMD SEV-SNP vocabulary shared by the collateral clients (AMD KDS) and the SEV-SNP verifier:
// product lines, endorsement key kinds, chip ids and the per-product TCB_VERSION layout.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vouch::collateral {

// AmdProduct is an EPYC product line as AMD KDS names it (the URL path component).
enum class AmdProduct : std::uint8_t { kMilan, kGenoa, kTurin };

// "Milan", "Genoa", "Turin".
std::string_view amd_product_name(AmdProduct p) noexcept;
// Parses an exact product line name ("Milan"); nullopt otherwise.
std::optional<AmdProduct> amd_product_from_name(std::string_view name) noexcept;
// Product line of a VCEK/VLEK productName extension ("Milan-B0", "Genoa", "Turin-B0": the line
// before an optional "-<stepping>"); nullopt when the line is unknown.
std::optional<AmdProduct> amd_product_from_product_name(std::string_view product_name) noexcept;
// Product line of a CPUID family/model (the SNP report's CPUID_FAM_ID/CPUID_MOD_ID, v3+):
// family 19h models 00h-0Fh Milan, 10h-1Fh and A0h-AFh Genoa (incl. Bergamo/Siena), family 1Ah
// models 00h-1Fh Turin. nullopt for anything else.
std::optional<AmdProduct> amd_product_from_cpuid(std::uint8_t family, std::uint8_t model) noexcept;

// AmdKeyKind is the endorsement key that signs reports: the chip-unique VCEK (certified by the
// ASK) or the cloud provider's VLEK (certified by the ASVK). It selects the KDS path (vcek/vlek).
enum class AmdKeyKind : std::uint8_t { kVcek, kVlek };
std::string_view amd_key_kind_name(AmdKeyKind k) noexcept;  // "vcek", "vlek"

// CHIP_ID of a report: 64 bytes. The KDS hwID of Turin is its first 8 bytes.
inline constexpr std::size_t kChipIdSize = 64;
using ChipId = std::array<std::uint8_t, kChipIdSize>;
// Bytes of the chip id that identify the chip to KDS and in a VCEK's hwID: 64, or 8 for Turin.
std::size_t amd_hwid_size(AmdProduct p) noexcept;

// TcbParts is a TCB_VERSION decomposed. Milan and Genoa: byte 0 boot loader, 1 TEE, 2-5 reserved,
// 6 SNP, 7 microcode. Turin: byte 0 FMC, 1 boot loader, 2 TEE, 3 SNP, 4-6 reserved, 7 microcode.
struct TcbParts {
  std::optional<std::uint8_t> fmc;  // Turin only
  std::uint8_t bootloader = 0;
  std::uint8_t tee = 0;
  std::uint8_t snp = 0;
  std::uint8_t microcode = 0;
  friend bool operator==(const TcbParts&, const TcbParts&) = default;
};

// Splits a raw TCB_VERSION by the product's layout (reserved bytes are ignored).
TcbParts decompose_tcb(AmdProduct p, std::uint64_t tcb) noexcept;
// Builds a raw TCB_VERSION from its parts (reserved bytes zero; fmc only for Turin).
std::uint64_t compose_tcb(AmdProduct p, const TcbParts& parts) noexcept;
// Byte position (0 = least significant) of each named SPL in the product's TCB_VERSION.
struct TcbLayout {
  std::optional<std::size_t> fmc;
  std::size_t bootloader;
  std::size_t tee;
  std::size_t snp;
  std::size_t microcode;
};
TcbLayout tcb_layout(AmdProduct p) noexcept;

}  // namespace vouch::collateral
