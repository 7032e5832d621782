#include "collateral/amd_types.h"

namespace vouch::collateral {

std::string_view amd_product_name(AmdProduct p) noexcept {
  switch (p) {
    case AmdProduct::kMilan:
      return "Milan";
    case AmdProduct::kGenoa:
      return "Genoa";
    case AmdProduct::kTurin:
      return "Turin";
  }
  return "Unknown";
}

std::optional<AmdProduct> amd_product_from_name(std::string_view name) noexcept {
  for (AmdProduct p : {AmdProduct::kMilan, AmdProduct::kGenoa, AmdProduct::kTurin}) {
    if (name == amd_product_name(p)) {
      return p;
    }
  }
  return std::nullopt;
}

std::optional<AmdProduct> amd_product_from_product_name(std::string_view product_name) noexcept {
  const std::size_t dash = product_name.find('-');
  return amd_product_from_name(product_name.substr(0, dash));
}

std::optional<AmdProduct> amd_product_from_cpuid(std::uint8_t family, std::uint8_t model) noexcept {
  if (family == 0x19) {
    if (model <= 0x0f) {
      return AmdProduct::kMilan;
    }
    if ((model >= 0x10 && model <= 0x1f) || (model >= 0xa0 && model <= 0xaf)) {
      return AmdProduct::kGenoa;
    }
  }
  if (family == 0x1a && model <= 0x1f) {
    return AmdProduct::kTurin;
  }
  return std::nullopt;
}

std::string_view amd_key_kind_name(AmdKeyKind k) noexcept {
  return k == AmdKeyKind::kVcek ? "vcek" : "vlek";
}

std::size_t amd_hwid_size(AmdProduct p) noexcept {
  return p == AmdProduct::kTurin ? 8 : kChipIdSize;
}

TcbLayout tcb_layout(AmdProduct p) noexcept {
  if (p == AmdProduct::kTurin) {
    return TcbLayout{0, 1, 2, 3, 7};
  }
  return TcbLayout{std::nullopt, 0, 1, 6, 7};
}

namespace {
std::uint8_t byte_at(std::uint64_t v, std::size_t i) noexcept {
  return static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint64_t at_byte(std::uint8_t b, std::size_t i) noexcept {
  return static_cast<std::uint64_t>(b) << (8 * i);
}
}  // namespace

TcbParts decompose_tcb(AmdProduct p, std::uint64_t tcb) noexcept {
  const TcbLayout l = tcb_layout(p);
  TcbParts out;
  if (l.fmc) {
    out.fmc = byte_at(tcb, *l.fmc);
  }
  out.bootloader = byte_at(tcb, l.bootloader);
  out.tee = byte_at(tcb, l.tee);
  out.snp = byte_at(tcb, l.snp);
  out.microcode = byte_at(tcb, l.microcode);
  return out;
}

std::uint64_t compose_tcb(AmdProduct p, const TcbParts& parts) noexcept {
  const TcbLayout l = tcb_layout(p);
  std::uint64_t v = at_byte(parts.bootloader, l.bootloader) | at_byte(parts.tee, l.tee) |
                    at_byte(parts.snp, l.snp) | at_byte(parts.microcode, l.microcode);
  if (l.fmc) {
    v |= at_byte(parts.fmc.value_or(0), *l.fmc);
  }
  return v;
}

}  // namespace vouch::collateral
