#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vouch::appraisal {

// AttestationType is the kind of evidence, named as Azure Attestation's routes name it.
enum class AttestationType : std::uint8_t {
  kSgxEnclave,
  kOpenEnclave,
  kSevSnpVm,
  kTdxVm,
  kTpm,
  kAzureGuest,
};

// "SgxEnclave", "OpenEnclave", "SevSnpVm", "TdxVm", "Tpm", "AzureGuest".
std::string_view type_name(AttestationType t) noexcept;
// The x-ms-attestation-type claim value: "sgx", "openenclave", "sevsnpvm", "tdxvm", "tpm",
// "azurevm".
std::string_view maa_attestation_type(AttestationType t) noexcept;
// Parses a route segment case-insensitively ("sevsnpvm" works, as on Azure).
std::optional<AttestationType> parse_type(std::string_view name) noexcept;

}  // namespace vouch::appraisal
