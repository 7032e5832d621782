#pragma once

// The Intel SGX PCK certificate: its SGX extension (OID 1.2.840.113741.1.13.1, Intel "SGX PCK
// Certificate and Certificate Revocation List Profile Specification" section 1.3.5) and the
// profile checks Vouch applies on top of the generic X.509 chain check.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/x509.h"

namespace vouch::dcap {

inline constexpr std::string_view kSgxExtensionOid = "1.2.840.113741.1.13.1";

// SGX Type (OID .5).
enum class SgxType : std::uint8_t { kStandard = 0, kScalable = 1, kScalableWithIntegrity = 2 };
std::string_view sgx_type_name(SgxType t) noexcept;  // "Standard", "Scalable", ...

// The PCK's TCB (OID .2): 16 SGX TCB component SVNs, the PCE SVN and the raw CPUSVN.
struct PckTcb {
  std::array<std::uint8_t, 16> sgx_svns{};
  std::uint16_t pce_svn = 0;
  std::array<std::uint8_t, 16> cpu_svn{};
  friend bool operator==(const PckTcb&, const PckTcb&) = default;
};

// Platform configuration (OID .7, platform CA certificates only). Each member is optional.
struct PlatformConfiguration {
  std::optional<bool> dynamic_platform;  // .7.1
  std::optional<bool> cached_keys;       // .7.2
  std::optional<bool> smt_enabled;       // .7.3
  friend bool operator==(const PlatformConfiguration&, const PlatformConfiguration&) = default;
};

// The SGX extension of a PCK certificate. Members appear in this order; the last two only in
// certificates issued by the PCK Platform CA.
struct PckExtensions {
  std::array<std::uint8_t, 16> ppid{};                               // .1
  PckTcb tcb;                                                        // .2
  std::array<std::uint8_t, 2> pce_id{};                              // .3
  std::array<std::uint8_t, 6> fmspc{};                               // .4
  SgxType sgx_type = SgxType::kStandard;                             // .5
  std::optional<std::array<std::uint8_t, 16>> platform_instance_id;  // .6
  std::optional<PlatformConfiguration> configuration;                // .7
  friend bool operator==(const PckExtensions&, const PckExtensions&) = default;
};

// Parses the DER value of the SGX extension exactly (members in the order above, no duplicates,
// no unknown members, no trailing bytes). Fails with dcap.pck.extensions (kMalformedEvidence)
// naming the member and byte offset.
[[nodiscard]] Result<PckExtensions> parse_pck_extensions(ByteSpan der);
// Encodes the extension value (the exact inverse of parse_pck_extensions).
Bytes serialize(const PckExtensions& ext);

// Which Intel CA issued a PCK certificate.
enum class PckCaType : std::uint8_t { kProcessor, kPlatform };
std::string_view pck_ca_name(PckCaType t) noexcept;  // "processor", "platform" (PCS "ca" values)

// A PCK leaf certificate with its decoded SGX extension.
struct PckCertificate {
  crypto::Certificate certificate;
  PckExtensions extensions;
  PckCaType ca = PckCaType::kProcessor;
};

// Checks the PCK profile of `cert` (subject CN contains "SGX PCK Certificate", issuer CN is the
// "Intel SGX PCK Processor CA" or "... Platform CA", P-256 key, SGX extension present) and decodes
// its extension. Fails with dcap.pck.certificate (kEvidenceRejected) for profile violations and
// dcap.pck.extensions (kMalformedEvidence) for a malformed extension.
[[nodiscard]] Result<PckCertificate> read_pck_certificate(const crypto::Certificate& cert);

// The value of the first CN attribute in an RFC 2253 distinguished name, or empty.
std::string common_name(std::string_view rfc2253);

}  // namespace vouch::dcap
