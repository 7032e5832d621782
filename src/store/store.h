#pragma once

// The store: one narrow interface per kind of state Vouch keeps (ARCHITECTURE.md "State"), and
// Store, which aggregates them for one database. Implementations: src/store/sqlite (one node,
// embedded) and src/store/postgres (many nodes). Callers only see these interfaces; one
// conformance suite (tests/store) runs against every implementation.
//
// Conventions for every method below:
// - Times are passed in by the caller; no implementation reads a clock. Ids are passed in too
//   (the store draws no randomness), except sequence numbers the store assigns: policy and secret
//   versions, audit sequence numbers, status list ids and indices.
// - Arguments are checked first: an empty or malformed identifier fails with kInvalidArgument /
//   store.argument, a value over its limit (store/limits.h) with kInvalidArgument / store.limit.
//   Identifiers are 1 to limits::kMaxId printable ASCII characters without spaces.
// - Tenant-scoped writes to a tenant that does not exist fail with kNotFound /
//   store.tenant.not_found. Deleting a tenant deletes everything it owns except its audit chain.
// - Every failure of the database itself is kUnavailable (store.busy, store.conflict,
//   store.disk_full, store.readonly, store.io: retry later, the service answers 503) or kInternal
//   (store.corrupt, store.decode, store.sql). A failed write changes nothing: every method is one
//   transaction.
// - All methods are safe to call from many threads at once on one Store.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "store/limits.h"

namespace vouch::store {

// ---------------------------------------------------------------------------------------------
// Tenants

// Tenant is one attestation provider: the default tenant and those under /tenants/{name}/.
struct Tenant {
  std::string name;
  std::string issuer;  // the `iss` of its tokens, a URL (1..limits::kMaxUrl bytes)
  // Settings as a JSON object, owned by the service: token lifetime, audience, signing algorithm,
  // whether attestation needs an API key, ... Stored as canonical JSON (sorted keys, compact).
  nlohmann::json settings = nlohmann::json::object();
  std::int64_t revision = 0;  // 1 on create, +1 on every update; for optimistic concurrency
  Timestamp created_at{};
  Timestamp updated_at{};
};

// TenantUpdate replaces a tenant's issuer and settings.
struct TenantUpdate {
  std::string name;
  std::string issuer;
  nlohmann::json settings = nlohmann::json::object();
  Timestamp updated_at{};
  // When set, the update applies only if the stored revision equals it.
  std::optional<std::int64_t> expected_revision;
};

// TenantStore holds tenants.
class TenantStore {
 public:
  virtual ~TenantStore() = default;
  // create stores a new tenant with revision 1 and updated_at = created_at, and returns it.
  // Fails with kAlreadyExists / store.tenant.exists when the name is taken.
  [[nodiscard]] virtual Result<Tenant> create(const Tenant& tenant) = 0;
  // get returns the tenant named `name`, or kNotFound / store.tenant.not_found.
  [[nodiscard]] virtual Result<Tenant> get(std::string_view name) = 0;
  // list returns every tenant ordered by name (tenants are few; there is no paging).
  [[nodiscard]] virtual Result<std::vector<Tenant>> list() = 0;
  // update replaces issuer and settings, increments the revision and returns the new record.
  // Fails with kNotFound / store.tenant.not_found, or kFailedPrecondition / store.tenant.revision
  // when expected_revision is set and differs.
  [[nodiscard]] virtual Result<Tenant> update(const TenantUpdate& update) = 0;
  // remove deletes the tenant and everything it owns (policies, keys, lists, API keys, sessions,
  // status lists, secrets, enrolments); its audit chain stays. kNotFound if there is no tenant.
  [[nodiscard]] virtual Status remove(std::string_view name) = 0;
};

// ---------------------------------------------------------------------------------------------
// Policies

// PolicyVersion is one version of a tenant's policy for one attestation type. Versions are never
// overwritten or deleted (except with their tenant): setting or resetting adds a version.
struct PolicyVersion {
  std::string tenant;
  std::string attestation_type;  // "Tpm", "SevSnpVm", ... (an identifier)
  std::int64_t version = 0;      // 1, 2, ... per (tenant, attestation_type)
  std::string text;              // the policy as the owner supplied it (1..limits::kMaxPolicy)
  Bytes hash;          // computed by the caller (e.g. MAA's x-ms-policy-hash input); 1..64 bytes
  std::string author;  // who set it (an API key id or a name); may be empty
  bool is_default = false;  // true when added by reset()
  Timestamp created_at{};
};

// NewPolicy is the input of set() and reset().
struct NewPolicy {
  std::string tenant;
  std::string attestation_type;
  std::string text;
  Bytes hash;
  std::string author;
  Timestamp created_at{};
  // When set, the new version is added only if the current version equals it (0: none yet).
  std::optional<std::int64_t> expected_version;
};

// PolicyStore holds versioned policies.
class PolicyStore {
 public:
  virtual ~PolicyStore() = default;
  // set adds the next version of the policy and returns it. Fails with kFailedPrecondition /
  // store.policy.version when expected_version is set and differs from the current version.
  [[nodiscard]] virtual Result<PolicyVersion> set(const NewPolicy& policy) = 0;
  // reset is set() for the default policy text: the version is marked is_default.
  [[nodiscard]] virtual Result<PolicyVersion> reset(const NewPolicy& default_policy) = 0;
  // current returns the newest version, or kNotFound / store.policy.not_found when none was ever
  // set (the caller then uses its built-in default).
  [[nodiscard]] virtual Result<PolicyVersion> current(std::string_view tenant,
                                                      std::string_view attestation_type) = 0;
  // version returns version `version`, or kNotFound / store.policy.not_found.
  [[nodiscard]] virtual Result<PolicyVersion> version(std::string_view tenant,
                                                      std::string_view attestation_type,
                                                      std::int64_t version) = 0;
  // history returns up to `limit` (1..limits::kMaxPage) versions older than `before_version`
  // (0: from the newest), newest first. An unknown tenant or type gives an empty list.
  [[nodiscard]] virtual Result<std::vector<PolicyVersion>> history(
      std::string_view tenant, std::string_view attestation_type, std::int64_t before_version,
      std::size_t limit) = 0;
};

// ---------------------------------------------------------------------------------------------
// Signing keys

// KeyState is a signing key's place in rotation: active (signs new tokens; at most one per
// tenant), retiring (still published in the JWKS until not_after, signs nothing), retired.
enum class KeyState : std::uint8_t { kActive, kRetiring, kRetired };
std::string_view key_state_name(KeyState state) noexcept;  // "active", "retiring", "retired"

// SigningKey is one token-signing key of a tenant.
struct SigningKey {
  std::string tenant;
  std::string kid;
  std::string algorithm;  // "ES256", "RS256", ... (an identifier)
  Bytes private_key;      // encrypted under the key-encryption key by the caller; opaque here
  nlohmann::json public_jwk = nlohmann::json::object();  // the public JWK (a JSON object)
  Bytes certificate_der;  // the key's certificate for x5c; may be empty
  KeyState state = KeyState::kActive;
  Timestamp created_at{};
  std::optional<Timestamp> not_after;   // retiring: published until then
  std::optional<Timestamp> retired_at;  // retired: when
};

// KeyStore holds signing keys.
class KeyStore {
 public:
  virtual ~KeyStore() = default;
  // add stores a key in the state it carries (normally kActive). Fails with kAlreadyExists /
  // store.key.exists when the kid is taken in the tenant, kFailedPrecondition /
  // store.key.active_exists when it is active and the tenant already has an active key, and
  // kInvalidArgument when a retiring key has no not_after.
  [[nodiscard]] virtual Status add(const SigningKey& key) = 0;
  // get returns one key, or kNotFound / store.key.not_found.
  [[nodiscard]] virtual Result<SigningKey> get(std::string_view tenant, std::string_view kid) = 0;
  // active returns the tenant's active key, or kNotFound / store.key.not_found when none is.
  [[nodiscard]] virtual Result<SigningKey> active(std::string_view tenant) = 0;
  // list returns every key of the tenant in every state, oldest first.
  [[nodiscard]] virtual Result<std::vector<SigningKey>> list(std::string_view tenant) = 0;
  // published returns the keys for the JWKS at `now`: the active key and retiring keys whose
  // not_after is later than `now`, oldest first.
  [[nodiscard]] virtual Result<std::vector<SigningKey>> published(std::string_view tenant,
                                                                  Timestamp now) = 0;
  // rotate atomically moves the current active key (if any) to retiring with `retiring_not_after`
  // and adds `next` as the active key; returns the stored `next`. `next.state` must be kActive.
  // Fails like add() (store.key.exists) and changes nothing then.
  [[nodiscard]] virtual Result<SigningKey> rotate(const SigningKey& next,
                                                  Timestamp retiring_not_after) = 0;
  // retire moves an active or retiring key to retired at `now` and returns it. Fails with
  // kNotFound, or kFailedPrecondition / store.key.state when it is already retired.
  [[nodiscard]] virtual Result<SigningKey> retire(std::string_view tenant, std::string_view kid,
                                                  Timestamp now) = 0;
  // retire_expired retires every retiring key of the tenant whose not_after is at or before
  // `now` and returns how many it retired.
  [[nodiscard]] virtual Result<std::size_t> retire_expired(std::string_view tenant,
                                                           Timestamp now) = 0;
};

// ---------------------------------------------------------------------------------------------
// Reference values and deny lists

// ListEntry is one reference value (an allowed measurement, ...) or one deny-list entry (a
// restricted measurement, signer, chip id or TCB level). (tenant, kind, value) identifies it.
struct ListEntry {
  std::string tenant;
  std::string kind;    // an identifier chosen by the service: "snp.measurement", "chip_id", ...
  std::string value;   // as the claim carries it, e.g. lowercase hex (1..limits::kMaxValue)
  std::string reason;  // why it is listed (deny lists); may be empty
  nlohmann::json metadata = nlohmann::json::object();  // a JSON object: provenance, labels
  std::optional<Timestamp> not_before;                 // valid from (inclusive); none: always
  std::optional<Timestamp> not_after;                  // valid until (exclusive); none: forever
  Timestamp created_at{};

  // valid_at tells whether the entry's validity window contains `t`.
  bool valid_at(Timestamp t) const noexcept {
    return (!not_before || *not_before <= t) && (!not_after || t < *not_after);
  }
};

// ListQuery selects and pages entries: ordered by (kind, value), those after the cursor.
struct ListQuery {
  std::optional<std::string> kind;    // only this kind
  std::optional<Timestamp> valid_at;  // only entries valid at this time
  std::string after_kind;             // cursor: the last (kind, value) of the previous page;
  std::string after_value;            // empty kind: from the start
  std::size_t limit = 100;            // 1..limits::kMaxPage
};

// ListStore is the shape shared by reference values and deny lists.
class ListStore {
 public:
  virtual ~ListStore() = default;
  // add stores an entry. Fails with kAlreadyExists / store.list.exists when (kind, value) is
  // already listed for the tenant, kInvalidArgument when not_before is not before not_after.
  [[nodiscard]] virtual Status add(const ListEntry& entry) = 0;
  // get returns one entry whatever its validity, or kNotFound / store.list.not_found.
  [[nodiscard]] virtual Result<ListEntry> get(std::string_view tenant, std::string_view kind,
                                              std::string_view value) = 0;
  // remove deletes one entry, or fails with kNotFound / store.list.not_found.
  [[nodiscard]] virtual Status remove(std::string_view tenant, std::string_view kind,
                                      std::string_view value) = 0;
  // list returns one page of the tenant's entries (see ListQuery).
  [[nodiscard]] virtual Result<std::vector<ListEntry>> list(std::string_view tenant,
                                                            const ListQuery& query) = 0;
  // find returns the entry (kind, value) if it exists and is valid at `at`, nullopt otherwise.
  [[nodiscard]] virtual Result<std::optional<ListEntry>> find(std::string_view tenant,
                                                              std::string_view kind,
                                                              std::string_view value,
                                                              Timestamp at) = 0;
};

// ReferenceValueStore holds reference values (data the policy reads as claims).
class ReferenceValueStore : public ListStore {};
// DenyListStore holds restricted lists (data the verifier checks, and the policy reads).
class DenyListStore : public ListStore {};

// ---------------------------------------------------------------------------------------------
// API keys

// Role is what an API key may do in its tenant.
enum class Role : std::uint8_t { kVerifierOwner, kRpOwner, kAuditor, kAttester };
// role_name gives "verifier-owner", "rp-owner", "auditor" or "attester".
std::string_view role_name(Role role) noexcept;
// parse_role is the inverse of role_name; nullopt for anything else.
std::optional<Role> parse_role(std::string_view name) noexcept;

// ApiKey is one bearer credential. The store never sees the secret: the caller derives
// secret_hash from the salt and the secret (hashing happens above the store, with the service's
// choice of slow or keyed hash), stores both here, and compares in constant time on use.
struct ApiKey {
  std::string tenant;
  std::string key_id;  // public part of the bearer token, an identifier
  Bytes salt;          // 1..limits::kMaxBlob bytes
  Bytes secret_hash;   // 1..limits::kMaxBlob bytes
  Role role = Role::kAuditor;
  std::string label;  // for humans; may be empty
  Timestamp created_at{};
  std::optional<Timestamp> expires_at;
  std::optional<Timestamp> revoked_at;

  // usable_at tells whether the key is neither revoked nor expired at `t`.
  bool usable_at(Timestamp t) const noexcept {
    return !revoked_at && (!expires_at || t < *expires_at);
  }
};

// ApiKeyStore holds API keys.
class ApiKeyStore {
 public:
  virtual ~ApiKeyStore() = default;
  // add stores a key, or fails with kAlreadyExists / store.api_key.exists.
  [[nodiscard]] virtual Status add(const ApiKey& key) = 0;
  // add_first stores `key` only when its tenant has no key at all (revoked ones count), and says
  // whether it did: nodes starting together on an empty database create one bootstrap key.
  [[nodiscard]] virtual Result<bool> add_first(const ApiKey& key) = 0;
  // get returns a key (revoked ones too), or kNotFound / store.api_key.not_found.
  [[nodiscard]] virtual Result<ApiKey> get(std::string_view tenant, std::string_view key_id) = 0;
  // list returns the tenant's keys, revoked ones too, oldest first.
  [[nodiscard]] virtual Result<std::vector<ApiKey>> list(std::string_view tenant) = 0;
  // revoke marks the key revoked at `now` and returns it; revoking again keeps the first time.
  // Fails with kNotFound / store.api_key.not_found.
  [[nodiscard]] virtual Result<ApiKey> revoke(std::string_view tenant, std::string_view key_id,
                                              Timestamp now) = 0;
};

// ---------------------------------------------------------------------------------------------
// Sessions and nonces

// SessionState: pending (nonce issued), consumed (evidence accepted against it; the nonce can
// never be used again), complete or failed (a result is recorded).
enum class SessionState : std::uint8_t { kPending, kConsumed, kComplete, kFailed };
std::string_view session_state_name(SessionState state) noexcept;

// Session is a challenge: a RATS challenge-response session, a relying-party challenge, a KBS
// auth session. Its nonce is single use and expires.
struct Session {
  std::string tenant;
  std::string id;    // an identifier, unique in the tenant
  std::string kind;  // what it is for ("rats", "rp", "kbs"): consume() must name it
  Bytes nonce;       // 1..limits::kMaxNonce bytes, unique in the tenant
  nlohmann::json context = nlohmann::json::object();  // caller data (a JSON object)
  Timestamp created_at{};
  Timestamp expires_at{};  // later than created_at
  SessionState state = SessionState::kPending;
  std::optional<Timestamp> consumed_at;
  std::string result;  // set by complete(): e.g. the EAR, or why it failed (limits::kMaxBlob)
};

// SessionStore holds sessions and their nonces (the NonceStore of STYLE.md).
class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // create stores a pending session. Fails with kAlreadyExists / store.session.exists when the id
  // is taken, store.session.nonce_exists when the nonce was already issued in the tenant (a nonce
  // is never issued twice), kInvalidArgument when it is not pending or expires_at <= created_at.
  [[nodiscard]] virtual Status create(const Session& session) = 0;
  // get returns a session in any state, expired ones too, or kNotFound /
  // store.session.not_found.
  [[nodiscard]] virtual Result<Session> get(std::string_view tenant, std::string_view id) = 0;
  // consume atomically moves a pending, unexpired session of this kind to consumed and returns
  // it. Exactly one of any number of concurrent callers succeeds, on any node. Fails with
  // kNotFound / store.session.not_found (also for another kind), kFailedPrecondition /
  // store.session.consumed when it was used before, or store.session.expired when `now` is at or
  // after expires_at.
  [[nodiscard]] virtual Result<Session> consume(std::string_view tenant, std::string_view kind,
                                                std::string_view id, Timestamp now) = 0;
  // consume_nonce is consume() for the session that issued `nonce`; same failures.
  [[nodiscard]] virtual Result<Session> consume_nonce(std::string_view tenant,
                                                      std::string_view kind, ByteSpan nonce,
                                                      Timestamp now) = 0;
  // complete records the outcome of a consumed session (`final_state` kComplete or kFailed) and
  // returns it. Fails with kNotFound, or kFailedPrecondition / store.session.state unless the
  // session is consumed.
  [[nodiscard]] virtual Result<Session> complete(std::string_view tenant, std::string_view id,
                                                 SessionState final_state,
                                                 std::string_view result) = 0;
  // remove deletes a session in any state, or fails with kNotFound / store.session.not_found.
  [[nodiscard]] virtual Status remove(std::string_view tenant, std::string_view id) = 0;
  // purge_expired deletes up to `limit` sessions of any tenant that expired before `before` and
  // returns how many. Keep `before` well behind now: until a session is purged its nonce cannot
  // be issued again.
  [[nodiscard]] virtual Result<std::size_t> purge_expired(Timestamp before, std::size_t limit) = 0;
};

// ---------------------------------------------------------------------------------------------
// Token status lists (OAuth Token Status List)

// TokenStatus is the revocation entry of one issued token: bit `index` of list `list_id`.
struct TokenStatus {
  std::string tenant;
  std::string jti;
  std::int64_t list_id = 0;  // 1, 2, ... per tenant; the {id} of /status-lists/{id}
  std::uint32_t index = 0;   // the token's `status.status_list.idx`
  Timestamp issued_at{};
  Timestamp expires_at{};
  std::optional<Timestamp> revoked_at;
};

// StatusAllocation is the input of allocate().
struct StatusAllocation {
  std::string tenant;
  std::string jti;
  Timestamp issued_at{};
  Timestamp expires_at{};
  // Bits of a list this allocation has to start (the current one is full or there is none);
  // 8..limits::kMaxStatusListCapacity, a multiple of 8. Existing lists keep their capacity.
  std::uint32_t list_capacity = limits::kDefaultStatusListCapacity;
};

// StatusList is one list as published: one bit per index (1 = revoked), index i at bit (i % 8)
// of byte i / 8, least significant bit first, as the Token Status List draft encodes `lst`
// before compression.
struct StatusList {
  std::string tenant;
  std::int64_t list_id = 0;
  std::uint32_t capacity = 0;      // bits
  std::uint32_t allocated = 0;     // indices handed out so far
  static constexpr int kBits = 1;  // bits per status
  Bytes bits;                      // capacity / 8 bytes
};

struct AuditEntry;

// TokenStatusStore allocates and revokes status list entries.
class TokenStatusStore {
 public:
  virtual ~TokenStatusStore() = default;
  // allocate atomically takes the next free index of the tenant's newest list (starting a new
  // list when it is full) for `jti` and returns the entry. Concurrent callers never share an
  // index. Fails with kAlreadyExists / store.token.exists when the jti already has one.
  [[nodiscard]] virtual Result<TokenStatus> allocate(const StatusAllocation& allocation) = 0;
  // allocate_with_audit is allocate() and AuditLog::append(allocation.tenant, audit_time, kind,
  // payload) in one transaction: an issued token's status entry and its audit record commit
  // together (one commit, one fsync), or neither does. Fails as either would.
  [[nodiscard]] virtual Result<std::pair<TokenStatus, AuditEntry>> allocate_with_audit(
      const StatusAllocation& allocation, Timestamp audit_time, std::string_view kind,
      const nlohmann::json& payload) = 0;
  // allocate_with_audit_async is allocate_with_audit with the outcome handed to `done` once
  // committed, so the caller does not wait for the commit: with SQLite, `done` is called later on
  // the store's committing thread (it must not wait for another write there); by default, on
  // this thread before the call returns.
  using AllocationDone = std::function<void(Result<std::pair<TokenStatus, AuditEntry>>)>;
  virtual void allocate_with_audit_async(const StatusAllocation& allocation, Timestamp audit_time,
                                         std::string_view kind, const nlohmann::json& payload,
                                         AllocationDone done);
  // get returns the entry of `jti`, or kNotFound / store.token.not_found.
  [[nodiscard]] virtual Result<TokenStatus> get(std::string_view tenant, std::string_view jti) = 0;
  // revoke sets the token's bit at `now` and returns the entry; revoking again keeps the first
  // time. Fails with kNotFound / store.token.not_found.
  [[nodiscard]] virtual Result<TokenStatus> revoke(std::string_view tenant, std::string_view jti,
                                                   Timestamp now) = 0;
  // read_list returns a whole list's bits, or kNotFound / store.status_list.not_found.
  [[nodiscard]] virtual Result<StatusList> read_list(std::string_view tenant,
                                                     std::int64_t list_id) = 0;
  // list_ids returns the tenant's list ids in ascending order.
  [[nodiscard]] virtual Result<std::vector<std::int64_t>> list_ids(std::string_view tenant) = 0;
  // purge_expired deletes up to `limit` entries of any tenant whose token expired before
  // `before` and returns how many (their bits read as 0 again; their indices are not reused).
  [[nodiscard]] virtual Result<std::size_t> purge_expired(Timestamp before, std::size_t limit) = 0;
};

// ---------------------------------------------------------------------------------------------
// Audit log

// AuditEntry is one link of a tenant's hash chain. `hash` is audit_entry_hash() (store/audit.h)
// over the other fields; `prev_hash` is the previous entry's hash (32 zero bytes for sequence 1).
struct AuditEntry {
  std::string tenant;
  std::uint64_t sequence = 0;  // 1, 2, ... without gaps
  Timestamp time{};
  std::string kind;     // "attestation", "policy.set", "key.rotate", "token.revoke", ...
  std::string payload;  // canonical JSON text (sorted keys, compact) of the appended object
  Bytes prev_hash;      // 32 bytes
  Bytes hash;           // 32 bytes
};

inline void TokenStatusStore::allocate_with_audit_async(const StatusAllocation& allocation,
                                                        Timestamp audit_time, std::string_view kind,
                                                        const nlohmann::json& payload,
                                                        AllocationDone done) {
  done(allocate_with_audit(allocation, audit_time, kind, payload));
}

// ChainHead is the newest link of a chain: where the next entry attaches.
struct ChainHead {
  std::uint64_t sequence = 0;
  Bytes hash;
};

// AuditLog is append-only: one hash chain per tenant, kept even when the tenant is deleted.
class AuditLog {
 public:
  virtual ~AuditLog() = default;
  // append adds an entry to the tenant's chain and returns it. Sequence and hash links are
  // assigned atomically: concurrent appenders, on any node, never fork the chain. `payload` must
  // be a JSON object; it is stored as canonical JSON. The tenant need not exist (it may have been
  // deleted). Times need not increase (nodes' clocks differ).
  [[nodiscard]] virtual Result<AuditEntry> append(std::string_view tenant, Timestamp time,
                                                  std::string_view kind,
                                                  const nlohmann::json& payload) = 0;
  // page returns up to `limit` (1..limits::kMaxPage) entries with sequence > `after_sequence`,
  // in sequence order.
  [[nodiscard]] virtual Result<std::vector<AuditEntry>> page(std::string_view tenant,
                                                             std::uint64_t after_sequence,
                                                             std::size_t limit) = 0;
  // head returns the newest link of the tenant's chain, or nullopt when it has none.
  [[nodiscard]] virtual Result<std::optional<ChainHead>> head(std::string_view tenant) = 0;
  // chains returns the names of every tenant with an audit chain, sorted.
  [[nodiscard]] virtual Result<std::vector<std::string>> chains() = 0;
};

// ---------------------------------------------------------------------------------------------
// Collateral cache

// CollateralEntry is one cached piece of vendor collateral (a CRL, TCB info, a VCEK, ...).
struct CollateralEntry {
  std::string key;     // the cache key, e.g. the URL it came from (1..limits::kMaxUrl)
  Bytes body;          // as fetched (limits::kMaxCollateral)
  Bytes issuer_chain;  // the issuer chain that came with it (PEM or DER, opaque); may be empty
  Timestamp fetched_at{};
  std::optional<Timestamp> next_update;  // when the source says it is stale
  std::string source;  // where it came from ("intel-pcs", "amd-kds", "offline"); may be empty
};

// CollateralCache holds collateral shared by every tenant.
class CollateralCache {
 public:
  virtual ~CollateralCache() = default;
  // put stores the entry, replacing any with the same key.
  [[nodiscard]] virtual Status put(const CollateralEntry& entry) = 0;
  // get returns the entry, stale or not, or kNotFound / store.collateral.not_found.
  [[nodiscard]] virtual Result<CollateralEntry> get(std::string_view key) = 0;
  // remove deletes the entry, or fails with kNotFound / store.collateral.not_found.
  [[nodiscard]] virtual Status remove(std::string_view key) = 0;
  // purge deletes entries whose next_update is before `before` and returns how many.
  [[nodiscard]] virtual Result<std::size_t> purge(Timestamp before) = 0;
};

// ---------------------------------------------------------------------------------------------
// Secrets (relying party)

// SecretVersion is one version of a secret's value, envelope-encrypted by the caller: a fresh
// data key wrapped under the key-encryption key, and the value encrypted under the data key.
struct SecretVersion {
  std::string tenant;
  std::string name;
  std::int64_t version = 0;  // 1, 2, ...
  Bytes wrapped_key;         // opaque, 1..limits::kMaxBlob
  Bytes ciphertext;          // opaque, 1..limits::kMaxBlob
  std::string kek_id;        // which key-encryption key wrapped it (for KEK rotation)
  Timestamp created_at{};
};

// Secret is a secret's metadata: its release policy, trusted issuers, versions.
struct Secret {
  std::string tenant;
  std::string name;            // an identifier ("db-password", "repo/type/tag" for KBS resources)
  std::string release_policy;  // policy text (1..limits::kMaxPolicy)
  std::string release_policy_kind;  // which language ("key-release", "claim-rules"), an identifier
  std::vector<std::string> trusted_issuers;  // issuer URLs (1..limits::kMaxTrustedIssuers)
  std::int64_t current_version = 0;
  bool deleted = false;
  std::optional<Timestamp> deleted_at;
  Timestamp created_at{};
  Timestamp updated_at{};
};

// NewSecret is the input of create(): metadata and the first version.
struct NewSecret {
  std::string tenant;
  std::string name;
  std::string release_policy;
  std::string release_policy_kind;
  std::vector<std::string> trusted_issuers;
  Bytes wrapped_key;
  Bytes ciphertext;
  std::string kek_id;
  Timestamp created_at{};
};

// NewSecretVersion is the input of rotate().
struct NewSecretVersion {
  std::string tenant;
  std::string name;
  Bytes wrapped_key;
  Bytes ciphertext;
  std::string kek_id;
  Timestamp created_at{};
};

// ReleaseSettings is the input of update_release().
struct ReleaseSettings {
  std::string tenant;
  std::string name;
  std::string release_policy;
  std::string release_policy_kind;
  std::vector<std::string> trusted_issuers;
  Timestamp updated_at{};
};

// SecretStore holds the relying party's secrets. Values never leave it unencrypted because they
// never enter it unencrypted.
class SecretStore {
 public:
  virtual ~SecretStore() = default;
  // create stores a secret with version 1 and returns its metadata. Fails with kAlreadyExists /
  // store.secret.exists when the name is taken, deleted secrets included (purge() frees it).
  [[nodiscard]] virtual Result<Secret> create(const NewSecret& secret) = 0;
  // get returns the metadata, deleted secrets too, or kNotFound / store.secret.not_found.
  [[nodiscard]] virtual Result<Secret> get(std::string_view tenant, std::string_view name) = 0;
  // list returns the tenant's secrets ordered by name, deleted ones only when asked.
  [[nodiscard]] virtual Result<std::vector<Secret>> list(std::string_view tenant,
                                                         bool include_deleted) = 0;
  // rotate adds the next version and returns it. Fails with kNotFound, or kFailedPrecondition /
  // store.secret.deleted.
  [[nodiscard]] virtual Result<SecretVersion> rotate(const NewSecretVersion& version) = 0;
  // current returns the newest version. Fails with kNotFound, or kFailedPrecondition /
  // store.secret.deleted.
  [[nodiscard]] virtual Result<SecretVersion> current(std::string_view tenant,
                                                      std::string_view name) = 0;
  // version returns version `version` of a secret that is not deleted; kNotFound /
  // store.secret.not_found when there is no such version, store.secret.deleted when deleted.
  [[nodiscard]] virtual Result<SecretVersion> version(std::string_view tenant,
                                                      std::string_view name,
                                                      std::int64_t version) = 0;
  // update_release replaces the release policy and trusted issuers and returns the metadata.
  // Fails with kNotFound, or kFailedPrecondition / store.secret.deleted.
  [[nodiscard]] virtual Result<Secret> update_release(const ReleaseSettings& settings) = 0;
  // remove marks the secret deleted at `now` (its versions are kept until purge) and returns it.
  // Fails with kNotFound, or kFailedPrecondition / store.secret.deleted when already deleted.
  [[nodiscard]] virtual Result<Secret> remove(std::string_view tenant, std::string_view name,
                                              Timestamp now) = 0;
  // purge erases a deleted secret and all its versions, freeing the name. Fails with kNotFound,
  // or kFailedPrecondition / store.secret.not_deleted when it was not removed first.
  [[nodiscard]] virtual Status purge(std::string_view tenant, std::string_view name) = 0;
};

// ---------------------------------------------------------------------------------------------
// TPM enrolment

// EnrolledAk is a TPM attestation key registered for a tenant after EK-based enrolment
// (MakeCredential / ActivateCredential).
struct EnrolledAk {
  std::string tenant;
  Bytes ak_name;    // the AK's registration name (tpm::registration_name), 1..kMaxId bytes
  Bytes ak_public;  // TPM2B_PUBLIC or TPMT_PUBLIC as received
  Bytes ek_certificate_digest;  // SHA-256 of the EK certificate it was enrolled with
  Timestamp enrolled_at{};
};

// CredentialChallenge is a pending MakeCredential challenge: single use and expiring.
struct CredentialChallenge {
  std::string tenant;
  std::string id;  // an identifier
  Bytes ak_name;
  Bytes ak_public;
  Bytes ek_certificate_digest;
  Bytes expected;  // what the attester must return, or better its digest (caller's choice)
  Timestamp created_at{};
  Timestamp expires_at{};  // later than created_at
};

// EnrollmentStore holds enrolled AKs and pending credential challenges.
class EnrollmentStore {
 public:
  virtual ~EnrollmentStore() = default;
  // add_challenge stores a pending challenge, or fails with kAlreadyExists /
  // store.enrollment.challenge_exists.
  [[nodiscard]] virtual Status add_challenge(const CredentialChallenge& challenge) = 0;
  // take_challenge atomically removes the challenge and returns it: a challenge is answered at
  // most once, right or wrong. Fails with kNotFound / store.enrollment.challenge_not_found, or
  // kFailedPrecondition / store.enrollment.challenge_expired when `now` is at or after expires_at
  // (the challenge is removed then too).
  [[nodiscard]] virtual Result<CredentialChallenge> take_challenge(std::string_view tenant,
                                                                   std::string_view id,
                                                                   Timestamp now) = 0;
  // register_ak stores an enrolled AK, or fails with kAlreadyExists /
  // store.enrollment.ak_exists when that AK name is already enrolled in the tenant.
  [[nodiscard]] virtual Status register_ak(const EnrolledAk& ak) = 0;
  // get_ak returns an enrolled AK, or kNotFound / store.enrollment.ak_not_found.
  [[nodiscard]] virtual Result<EnrolledAk> get_ak(std::string_view tenant, ByteSpan ak_name) = 0;
  // list_aks returns the tenant's enrolled AKs, oldest first.
  [[nodiscard]] virtual Result<std::vector<EnrolledAk>> list_aks(std::string_view tenant) = 0;
  // remove_ak deletes an enrolled AK, or fails with kNotFound / store.enrollment.ak_not_found.
  [[nodiscard]] virtual Status remove_ak(std::string_view tenant, ByteSpan ak_name) = 0;
  // purge_challenges deletes challenges of any tenant that expired before `before` and returns
  // how many.
  [[nodiscard]] virtual Result<std::size_t> purge_challenges(Timestamp before) = 0;
};

// ---------------------------------------------------------------------------------------------
// Store

// Store is one open database with every concern's interface. The references it hands out live
// as long as the Store.
class Store {
 public:
  virtual ~Store() = default;
  virtual TenantStore& tenants() noexcept = 0;
  virtual PolicyStore& policies() noexcept = 0;
  virtual KeyStore& keys() noexcept = 0;
  virtual ReferenceValueStore& reference_values() noexcept = 0;
  virtual DenyListStore& deny_list() noexcept = 0;
  virtual ApiKeyStore& api_keys() noexcept = 0;
  virtual SessionStore& sessions() noexcept = 0;
  virtual TokenStatusStore& token_status() noexcept = 0;
  virtual AuditLog& audit() noexcept = 0;
  virtual CollateralCache& collateral() noexcept = 0;
  virtual SecretStore& secrets() noexcept = 0;
  virtual EnrollmentStore& enrollment() noexcept = 0;

  // backend names the implementation ("sqlite", "postgres").
  virtual std::string_view backend() const noexcept = 0;
  // schema_version is the migration version the database is at.
  virtual std::int64_t schema_version() const noexcept = 0;
  // ping runs a trivial read (for /readyz); fails with the database's kUnavailable error.
  [[nodiscard]] virtual Status ping() = 0;
  // check_integrity runs the backend's full consistency check (slow on big databases); fails
  // with kInternal / store.corrupt naming the first problem.
  [[nodiscard]] virtual Status check_integrity() = 0;
  // wait_for_writes returns once every write handed on before the call (the *_async calls) has
  // been committed and answered (a service stops its HTTP server only after this).
  virtual void wait_for_writes() {}
};

using StorePtr = std::unique_ptr<Store>;

// open_store opens (creating and migrating when needed) the store at `url`:
//   sqlite:PATH[?option=value&...]   the SQLite database file PATH (its directory must exist).
//       Options: synchronous=full|normal (default full: every acknowledged write is on disk
//       before the call returns; normal keeps them across a process crash but not a power
//       loss), busy_timeout_ms=N (default 5000), readers=N (read connections, default 8).
//   postgres://[user[:password]@]host[:port]/dbname[?option=value&...]   (or postgresql://) a
//       PostgreSQL database shared by many nodes (src/store/postgres). Options: pool=N
//       (connections, default 8), statement_timeout_ms=N (default 5000, 0: none),
//       pool_timeout_ms=N (waiting for a free connection, default 5000); any other option is
//       libpq's (sslmode, connect_timeout, ...). kUnavailable / store.io when the server cannot
//       be reached.
// Fails with kInvalidArgument / store.url for anything else or a bad option; kUnavailable
// (store.io, store.readonly, store.disk_full, store.busy) when the file cannot be opened or
// written; kInternal / store.corrupt when it is not a database; kFailedPrecondition /
// store.schema.newer when a newer Vouch wrote it, store.schema.foreign when another program did.
[[nodiscard]] Result<StorePtr> open_store(const std::string& url);

}  // namespace vouch::store
