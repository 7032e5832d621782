#pragma once

#include "base/error.h"

// Stable ids of every failure the store reports. Callers (the service's error mapping, tests)
// branch on (ErrorKind, CheckId), never on the detail text.
namespace vouch::store::checks {

// Arguments (kInvalidArgument).
inline constexpr CheckId kArgument{"store.argument"};  // empty, malformed or inconsistent field
inline constexpr CheckId kLimit{"store.limit"};        // a value over its limit (store/limits.h)
inline constexpr CheckId kUrl{"store.url"};            // open_store: URL malformed or bad option
inline constexpr CheckId kBackendUnsupported{"store.url.unsupported"};  // backend not built

// The database cannot answer right now (kUnavailable; the service answers 503 + Retry-After).
inline constexpr CheckId kBusy{"store.busy"};  // locked or busy past the timeout and retries
inline constexpr CheckId kConflict{
    "store.conflict"};  // a concurrent writer won; retried, then this
inline constexpr CheckId kDiskFull{"store.disk_full"};  // no space left (or the file size limit)
inline constexpr CheckId kReadOnly{"store.readonly"};   // the database file cannot be written
inline constexpr CheckId kIo{"store.io"};  // cannot open or read/write the file (I/O error)

// Integrity (kInternal): the database holds something this binary cannot have written.
inline constexpr CheckId kCorrupt{"store.corrupt"};  // the file is not a database or is damaged
inline constexpr CheckId kDecode{"store.decode"};    // a stored row has an unexpected type/value
inline constexpr CheckId kSql{"store.sql"};          // any other database error (a bug in our SQL)

// Constraint violations reported by a driver; the stores relabel them with their own ids.
inline constexpr CheckId kUnique{"store.sql.unique"};           // kAlreadyExists
inline constexpr CheckId kForeignKey{"store.sql.foreign_key"};  // kFailedPrecondition

// Schema (kFailedPrecondition).
inline constexpr CheckId kSchemaNewer{"store.schema.newer"};  // written by a newer Vouch binary
inline constexpr CheckId kSchemaMismatch{"store.schema.mismatch"};  // applied migration differs
inline constexpr CheckId kSchemaForeign{"store.schema.foreign"};    // not a Vouch database

// Tenants.
inline constexpr CheckId kTenantNotFound{"store.tenant.not_found"};
inline constexpr CheckId kTenantExists{"store.tenant.exists"};
inline constexpr CheckId kTenantRevision{"store.tenant.revision"};  // expected revision differs

// Policies.
inline constexpr CheckId kPolicyNotFound{"store.policy.not_found"};
inline constexpr CheckId kPolicyVersion{"store.policy.version"};  // expected version differs

// Signing keys.
inline constexpr CheckId kKeyNotFound{"store.key.not_found"};
inline constexpr CheckId kKeyExists{"store.key.exists"};
inline constexpr CheckId kKeyActiveExists{"store.key.active_exists"};  // one active key per tenant
inline constexpr CheckId kKeyState{"store.key.state"};  // transition not allowed from this state

// Reference values and deny lists.
inline constexpr CheckId kListEntryNotFound{"store.list.not_found"};
inline constexpr CheckId kListEntryExists{"store.list.exists"};

// API keys.
inline constexpr CheckId kApiKeyNotFound{"store.api_key.not_found"};
inline constexpr CheckId kApiKeyExists{"store.api_key.exists"};

// Sessions and nonces.
inline constexpr CheckId kSessionNotFound{"store.session.not_found"};
inline constexpr CheckId kSessionExists{"store.session.exists"};
inline constexpr CheckId kNonceExists{"store.session.nonce_exists"};  // nonce already issued
inline constexpr CheckId kSessionExpired{"store.session.expired"};
inline constexpr CheckId kSessionConsumed{"store.session.consumed"};  // single use: already used
inline constexpr CheckId kSessionState{"store.session.state"};        // complete() before consume()

// Token status lists.
inline constexpr CheckId kTokenNotFound{"store.token.not_found"};
inline constexpr CheckId kTokenExists{"store.token.exists"};
inline constexpr CheckId kStatusListNotFound{"store.status_list.not_found"};

// Audit log: verify_chain() failures (kEvidenceRejected: the log failed a check).
inline constexpr CheckId kAuditTenant{"store.audit.tenant"};       // entry of another chain
inline constexpr CheckId kAuditSequence{"store.audit.sequence"};   // gap, repeat or reorder
inline constexpr CheckId kAuditPrevHash{"store.audit.prev_hash"};  // link to previous broken
inline constexpr CheckId kAuditHash{"store.audit.hash"};           // entry content altered

// Collateral cache.
inline constexpr CheckId kCollateralNotFound{"store.collateral.not_found"};

// Secrets.
inline constexpr CheckId kSecretNotFound{"store.secret.not_found"};
inline constexpr CheckId kSecretExists{"store.secret.exists"};
inline constexpr CheckId kSecretDeleted{"store.secret.deleted"};  // operation on a deleted secret
inline constexpr CheckId kSecretNotDeleted{"store.secret.not_deleted"};  // purge before remove

// TPM enrolment.
inline constexpr CheckId kAkNotFound{"store.enrollment.ak_not_found"};
inline constexpr CheckId kAkExists{"store.enrollment.ak_exists"};
inline constexpr CheckId kChallengeNotFound{"store.enrollment.challenge_not_found"};
inline constexpr CheckId kChallengeExists{"store.enrollment.challenge_exists"};
inline constexpr CheckId kChallengeExpired{"store.enrollment.challenge_expired"};

}  // namespace vouch::store::checks
