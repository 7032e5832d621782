#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vouch {

// ErrorKind is the small, fixed classification every failure carries. Callers and tests branch on
// the kind and the check id, never on the detail text.
enum class ErrorKind : std::uint8_t {
  kMalformedEvidence,      // parse: size, version, reserved bits, trailing bytes, bad encoding
  kEvidenceRejected,       // verify: signature, chain, binding, replay mismatch, stale collateral
  kCollateralUnavailable,  // a collateral source could not answer; retryable
  kRevocationUnavailable,  // revocation status could not be determined
  kPolicyDenied,           // appraisal policy or release policy said no
  kInvalidArgument,        // the caller's request or configuration is wrong (not the evidence)
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kUnavailable,  // a dependency (the database) cannot answer right now: busy, down, disk full;
                 // retry
  kInternal,     // bug, dependency failure, invariant violation
};

// Returns a stable lowercase name for `kind` ("malformed_evidence", ...).
std::string_view error_kind_name(ErrorKind kind) noexcept;

// CheckId names one distinct check ("tpm.quote.signature"). It wraps a string literal so that ids
// compare cheaply and cannot be built at runtime from untrusted text.
class CheckId {
 public:
  consteval explicit CheckId(const char* id) : id_(id) {}
  constexpr std::string_view str() const noexcept { return id_; }
  friend constexpr bool operator==(CheckId a, CheckId b) noexcept { return a.str() == b.str(); }

 private:
  std::string_view id_;
};

// Generic checks that belong to no single module.
namespace checks {
inline constexpr CheckId kInternal{"internal"};
inline constexpr CheckId kInvalidArgument{"argument.invalid"};
inline constexpr CheckId kFileRead{"file.read"};
inline constexpr CheckId kFileWrite{"file.write"};
inline constexpr CheckId kHexDecode{"encoding.hex"};
inline constexpr CheckId kBase64Decode{"encoding.base64"};
inline constexpr CheckId kTimeParse{"encoding.time"};
inline constexpr CheckId kJsonParse{"encoding.json"};
}  // namespace checks

// Error is a failure as a value: what kind, which check, and a human-readable detail that names
// the field and, for binary input, the byte offset.
struct Error {
  ErrorKind kind;
  CheckId check;
  std::string detail;

  // Prepends `context` to the detail ("AK certificate: ..."); used at module boundaries only.
  Error&& with_context(std::string_view context) &&;
  // Renders "check.id: detail".
  std::string to_string() const;
};

}  // namespace vouch
