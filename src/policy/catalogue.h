#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "policy/ast.h"
#include "policy/value.h"

// The catalogue of incoming claims Azure Attestation gives a policy, per attestation type
// (maa.md section 3), and of the configuration and issuance properties the engine understands.
// The linter checks claim names and value types against it.
namespace vouch::policy {

enum class AttestationType : std::uint8_t { kSgx, kTdx, kSevSnp, kTpm, kAzureVm };

// "sgx", "tdx", "sevsnp", "tpm", "azurevm".
std::string_view attestation_type_name(AttestationType t) noexcept;
std::optional<AttestationType> parse_attestation_type(std::string_view name) noexcept;

// The type a catalogued claim has. kJson claims are Strings holding JSON text (`events`, `pcrs`,
// `x-ms-runtime`), for JmesPath() and JsonToClaimValue().
enum class CatalogueType : std::uint8_t { kBoolean, kInteger, kString, kJson };
std::string_view catalogue_type_name(CatalogueType t) noexcept;
// The ValueKind a claim of this catalogue type has at evaluation time.
ValueKind catalogue_value_kind(CatalogueType t) noexcept;

struct IncomingClaimSpec {
  std::string_view type;
  CatalogueType value_type;
  std::uint8_t attestation_types;  // bit (1 << AttestationType)
  bool read_only;                  // may be compared and added, never issued
  bool since_1_2;                  // only given to version 1.2 policies
  std::string_view replacement;    // non-empty: deprecated alias of this claim
  std::string_view description;

  bool applies_to(AttestationType t) const noexcept {
    return (attestation_types & (1U << static_cast<unsigned>(t))) != 0;
  }
};

// Every catalogued incoming claim, sorted by type.
std::span<const IncomingClaimSpec> incoming_claim_catalogue() noexcept;
// The catalogued incoming claim `type` of attestation type `t` (of any type when nullopt), or
// nullptr.
const IncomingClaimSpec* find_incoming_claim(std::string_view type,
                                             std::optional<AttestationType> t) noexcept;

// PropertySpec is a claim a policy sets with issueproperty() to configure the engine or the token.
struct PropertySpec {
  std::string_view name;
  ast::Section section;  // configurationrules or issuancerules
  CatalogueType value_type;
  std::uint8_t attestation_types;
  std::string_view description;
};

std::span<const PropertySpec> property_catalogue() noexcept;
// The property `name` set in `section` for attestation type `t` (any type when nullopt), or
// nullptr.
const PropertySpec* find_property(std::string_view name, ast::Section section,
                                  std::optional<AttestationType> t) noexcept;

// True for claims the service marks read-only: the TPM `pcrs` claim from the AttestationService.
bool is_read_only_claim(std::string_view type, Issuer issuer) noexcept;

}  // namespace vouch::policy
