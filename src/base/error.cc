#include "base/error.h"

namespace vouch {

std::string_view error_kind_name(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::kMalformedEvidence:
      return "malformed_evidence";
    case ErrorKind::kEvidenceRejected:
      return "evidence_rejected";
    case ErrorKind::kCollateralUnavailable:
      return "collateral_unavailable";
    case ErrorKind::kRevocationUnavailable:
      return "revocation_unavailable";
    case ErrorKind::kPolicyDenied:
      return "policy_denied";
    case ErrorKind::kInvalidArgument:
      return "invalid_argument";
    case ErrorKind::kNotFound:
      return "not_found";
    case ErrorKind::kAlreadyExists:
      return "already_exists";
    case ErrorKind::kFailedPrecondition:
      return "failed_precondition";
    case ErrorKind::kUnavailable:
      return "unavailable";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "internal";
}

Error&& Error::with_context(std::string_view context) && {
  std::string d;
  d.reserve(context.size() + 2 + detail.size());
  d.append(context).append(": ").append(detail);
  detail = std::move(d);
  return std::move(*this);
}

std::string Error::to_string() const {
  std::string s(check.str());
  s.append(": ").append(detail);
  return s;
}

}  // namespace vouch
