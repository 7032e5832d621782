#pragma once

#include "base/error.h"

// Checks the service itself makes (transport, credentials, tenants, keys). Evidence, policy and
// token checks keep their own modules' ids.
namespace vouch::service::checks {
inline constexpr CheckId kRequestJson{"service.request.json"};    // body is not the JSON expected
inline constexpr CheckId kRequestField{"service.request.field"};  // a member is missing or wrong
inline constexpr CheckId kApiVersion{"service.request.api_version"};  // missing or unsupported
inline constexpr CheckId kMediaType{"service.request.media_type"};    // evidence media type unknown
inline constexpr CheckId kUnsupportedType{"service.type.unsupported"};  // no verifier (yet)
inline constexpr CheckId kCredentials{"service.auth.credentials"};    // 401: missing or invalid key
inline constexpr CheckId kRole{"service.auth.role"};                  // 403: key lacks the role
inline constexpr CheckId kTenantUnknown{"service.tenant.unknown"};    // 404
inline constexpr CheckId kTenantName{"service.tenant.name"};          // not a valid tenant name
inline constexpr CheckId kTenantSettings{"service.tenant.settings"};  // settings JSON invalid
inline constexpr CheckId kNotFound{"service.not_found"};              // 404 resource
inline constexpr CheckId kKekMissing{"service.kek.missing"};          // no KEK outside --dev
inline constexpr CheckId kKekInvalid{"service.kek.invalid"};          // KEK not 32 bytes
inline constexpr CheckId kKeySelfTest{"service.key.self_test"};       // a stored key cannot sign
inline constexpr CheckId kPolicyJws{"service.policy.jws"};            // policy body not a valid JWS
inline constexpr CheckId kPolicySigner{"service.policy.signer"};  // isolated mode signer refused
inline constexpr CheckId kPolicyCertificate{"service.policy.certificate"};  // add/remove refused
inline constexpr CheckId kSessionNonce{"service.session.nonce"};  // nonce size out of 8..64
inline constexpr CheckId kEnrollSecret{"service.enroll.secret"};  // ActivateCredential failed
inline constexpr CheckId kRateLimited{"service.rate_limited"};    // 429
inline constexpr CheckId kTls{"service.tls"};                     // TLS material unusable
inline constexpr CheckId kDataDir{"service.data_dir"};            // data directory unusable
// Relying party, background check: the remote verifier could not be reached or answered
// nonsense (kUnavailable); it rejected the evidence (kEvidenceRejected) or its policy denied it
// (kPolicyDenied), with the verifier's own check id in the detail.
inline constexpr CheckId kRpVerifier{"service.rp.verifier"};
inline constexpr CheckId kRpEvidenceRejected{"service.rp.evidence_rejected"};
inline constexpr CheckId kRpEvidenceDenied{"service.rp.evidence_denied"};
// KBS: no or unknown kbs-session-id cookie, or a session not yet attested (401).
inline constexpr CheckId kKbsSession{"service.kbs.session"};
// KBS: runtime-data nonce differs from the session's challenge.
inline constexpr CheckId kKbsNonce{"service.kbs.nonce"};
}  // namespace vouch::service::checks
