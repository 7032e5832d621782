#pragma once

// Helpers shared by the SQL implementations of the store interfaces (not part of the API).

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "store/check_ids.h"
#include "store/sql/database.h"
#include "store/store.h"

namespace vouch::store::sql {

// Store URLs (drivers' parse_url): kInvalidArgument / store.url naming what is wrong, and an
// integer option within min..max.
[[nodiscard]] tl::unexpected<Error> url_error(std::string detail);
// The single integer a query such as "SELECT count(*) ..." answers; kInternal / store.sql when
// it answers anything else.
[[nodiscard]] Result<std::int64_t> query_int(Connection& c, std::string_view sql);
[[nodiscard]] Result<std::int64_t> url_number(std::string_view key, std::string_view text,
                                              std::int64_t min, std::int64_t max);

// Argument checks: kInvalidArgument / store.argument (empty, malformed) or store.limit (too long).
// check_id: 1..limits::kMaxId printable ASCII characters, no space.
[[nodiscard]] Status check_id(std::string_view field, std::string_view value);
// check_text: valid UTF-8 without NUL, at most `max` bytes, non-empty when `required`.
[[nodiscard]] Status check_text(std::string_view field, std::string_view value, std::size_t max,
                                bool required);
// check_blob: at most `max` bytes, non-empty when `required`.
[[nodiscard]] Status check_blob(std::string_view field, ByteSpan value, std::size_t max,
                                bool required);
// check_page: 1..limits::kMaxPage.
[[nodiscard]] Status check_page(std::size_t limit);
// check_window: not_before < not_after when both are set.
[[nodiscard]] Status check_window(const std::optional<Timestamp>& not_before,
                                  const std::optional<Timestamp>& not_after);
// object_text: the canonical JSON text of `value`, which must be an object of at most `max`
// bytes once encoded.
[[nodiscard]] Result<std::string> object_text(std::string_view field, const nlohmann::json& value,
                                              std::size_t max);
// parse_stored_json parses JSON text read back from the database (kInternal / store.decode when it
// does not parse: the database was changed behind the store's back).
[[nodiscard]] Result<nlohmann::json> parse_stored_json(std::string_view text);

// require_tenant fails with kNotFound / store.tenant.not_found unless the tenant exists.
[[nodiscard]] Status require_tenant(Connection& c, std::string_view tenant);

// relabel turns a unique-constraint violation (kAlreadyExists / store.sql.unique) into
// kAlreadyExists / `check`; other errors pass unchanged. For map_error.
inline auto relabel_unique(CheckId check) {
  return [check](Error e) {
    if (e.kind == ErrorKind::kAlreadyExists && e.check == checks::kUnique) {
      e.check = check;
    }
    return e;
  };
}

// conflict is the retryable error a store returns when a concurrent writer took the row it was
// about to insert (Database::transaction runs the body again).
inline tl::unexpected<Error> conflict(std::string detail) {
  return fail(ErrorKind::kUnavailable, store::checks::kConflict, std::move(detail));
}

// not_found builds kNotFound / `check`.
inline tl::unexpected<Error> not_found(CheckId check, std::string detail) {
  return fail(ErrorKind::kNotFound, check, std::move(detail));
}

// insert_racing runs an INSERT that a writer on another node may win: its unique violation
// becomes store.conflict, so Database::transaction runs the whole body again against the new
// state. Other errors pass unchanged.
[[nodiscard]] Status insert_racing(Connection& c, std::string_view sql,
                                   std::initializer_list<Param> params, std::string_view what);

// decode_rows applies `decode` to every row, in order, stopping at the first failure.
template <typename T>
Result<std::vector<T>> decode_rows(const std::vector<Row>& rows, Result<T> (*decode)(const Row&)) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    VOUCH_TRY(T value, decode(row));
    out.push_back(std::move(value));
  }
  return out;
}

// Decoders of one-column rows.
[[nodiscard]] Result<std::string> decode_text(const Row& row);
[[nodiscard]] Result<std::int64_t> decode_i64(const Row& row);

// to_size converts a changed-rows count.
inline std::size_t to_size(std::int64_t n) noexcept {
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

// One factory per concern, each over the same Database (which outlives them).
std::unique_ptr<TenantStore> make_tenant_store(Database& db);
std::unique_ptr<PolicyStore> make_policy_store(Database& db);
std::unique_ptr<KeyStore> make_key_store(Database& db);
std::unique_ptr<ReferenceValueStore> make_reference_value_store(Database& db);
std::unique_ptr<DenyListStore> make_deny_list_store(Database& db);
std::unique_ptr<ApiKeyStore> make_api_key_store(Database& db);
std::unique_ptr<SessionStore> make_session_store(Database& db);
std::unique_ptr<TokenStatusStore> make_token_status_store(Database& db);
std::unique_ptr<AuditLog> make_audit_log(Database& db);
std::unique_ptr<CollateralCache> make_collateral_cache(Database& db);
std::unique_ptr<SecretStore> make_secret_store(Database& db);
std::unique_ptr<EnrollmentStore> make_enrollment_store(Database& db);

// append_audit links one entry to the tenant's audit chain inside the caller's transaction
// (AuditLog::append, and TokenStatusStore::allocate_with_audit, which commits it together with a
// status entry). `text` is the payload's canonical JSON, already checked.
[[nodiscard]] Result<AuditEntry> append_audit(Connection& c, std::string_view tenant,
                                              Timestamp time, std::string_view kind,
                                              const std::string& text);

}  // namespace vouch::store::sql
