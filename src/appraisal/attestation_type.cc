#include "appraisal/attestation_type.h"

#include <array>

#include "base/text.h"

namespace vouch::appraisal {
namespace {

struct Names {
  AttestationType type;
  std::string_view route;
  std::string_view maa;
};

constexpr std::array kNames = {
    Names{AttestationType::kSgxEnclave, "SgxEnclave", "sgx"},
    Names{AttestationType::kOpenEnclave, "OpenEnclave", "openenclave"},
    Names{AttestationType::kSevSnpVm, "SevSnpVm", "sevsnpvm"},
    Names{AttestationType::kTdxVm, "TdxVm", "tdxvm"},
    Names{AttestationType::kTpm, "Tpm", "tpm"},
    Names{AttestationType::kAzureGuest, "AzureGuest", "azurevm"},
};

}  // namespace

std::string_view type_name(AttestationType t) noexcept {
  for (const Names& n : kNames) {
    if (n.type == t) {
      return n.route;
    }
  }
  return "";
}

std::string_view maa_attestation_type(AttestationType t) noexcept {
  for (const Names& n : kNames) {
    if (n.type == t) {
      return n.maa;
    }
  }
  return "";
}

std::optional<AttestationType> parse_type(std::string_view name) noexcept {
  for (const Names& n : kNames) {
    if (ascii_iequals(n.route, name)) {
      return n.type;
    }
  }
  return std::nullopt;
}

}  // namespace vouch::appraisal
