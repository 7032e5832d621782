#include "store/check_ids.h"
#include "store/limits.h"
#include "store/sql/internal.h"

namespace vouch::store::sql {
namespace {

constexpr std::string_view kSelect =
    "SELECT tenant, key_id, salt, secret_hash, role, label, created_at, expires_at, revoked_at "
    "FROM api_keys WHERE tenant = ?";

Result<ApiKey> decode(const Row& row) {
  RowReader rd(row);
  ApiKey k;
  k.tenant = rd.text();
  k.key_id = rd.text();
  k.salt = rd.blob();
  k.secret_hash = rd.blob();
  const std::string role = rd.text();
  k.label = rd.text();
  k.created_at = rd.time();
  k.expires_at = rd.opt_time();
  k.revoked_at = rd.opt_time();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  const std::optional<Role> r = parse_role(role);
  if (!r) {
    return fail(ErrorKind::kInternal, checks::kDecode, "unknown role '" + role + "'");
  }
  k.role = *r;
  return k;
}

Status check_key_id(std::string_view tenant, std::string_view key_id) {
  VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
  return check_id("key id", key_id);
}

Result<ApiKey> select_key(Connection& c, std::string_view tenant, std::string_view key_id) {
  VOUCH_TRY(std::optional<Row> row,
            c.query_optional(std::string(kSelect) + " AND key_id = ?", {tenant, key_id}));
  if (!row) {
    return not_found(checks::kApiKeyNotFound, "no API key '" + std::string(key_id) +
                                                  "' in tenant '" + std::string(tenant) + "'");
  }
  return decode(*row);
}

Status check_key(const ApiKey& k) {
  VOUCH_RETURN_IF_ERROR(check_key_id(k.tenant, k.key_id));
  VOUCH_RETURN_IF_ERROR(check_blob("salt", k.salt, limits::kMaxBlob, true));
  VOUCH_RETURN_IF_ERROR(check_blob("secret hash", k.secret_hash, limits::kMaxBlob, true));
  return check_text("label", k.label, limits::kMaxShortText, false);
}

Status insert(Connection& c, const ApiKey& k) {
  VOUCH_RETURN_IF_ERROR(
      c.execute("INSERT INTO api_keys (tenant, key_id, salt, secret_hash, role, label, created_at, "
                "expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {k.tenant, k.key_id, k.salt, k.secret_hash, role_name(k.role), k.label,
                 k.created_at, k.expires_at, k.revoked_at})
          .map_error(relabel_unique(checks::kApiKeyExists)));
  return ok();
}

class SqlApiKeyStore final : public ApiKeyStore {
 public:
  explicit SqlApiKeyStore(Database& db) : db_(db) {}

  Status add(const ApiKey& k) override {
    VOUCH_RETURN_IF_ERROR(check_key(k));
    return write(db_, [&](Connection& c) -> Status {
      VOUCH_RETURN_IF_ERROR(require_tenant(c, k.tenant));
      return insert(c, k);
    });
  }

  Result<bool> add_first(const ApiKey& k) override {
    VOUCH_RETURN_IF_ERROR(check_key(k));
    return write(db_, [&](Connection& c) -> Result<bool> {
      VOUCH_RETURN_IF_ERROR(require_tenant(c, k.tenant));
      // Read-then-insert: serialized per tenant (PostgreSQL runs writes in READ COMMITTED).
      VOUCH_RETURN_IF_ERROR(c.lock("api_keys " + k.tenant));
      VOUCH_TRY(
          std::optional<Row> any,
          c.query_optional("SELECT key_id FROM api_keys WHERE tenant = ? LIMIT 1", {k.tenant}));
      if (any) {
        return false;
      }
      VOUCH_RETURN_IF_ERROR(insert(c, k));
      return true;
    });
  }

  Result<ApiKey> get(std::string_view tenant, std::string_view key_id) override {
    VOUCH_RETURN_IF_ERROR(check_key_id(tenant, key_id));
    return read(db_, [&](Connection& c) { return select_key(c, tenant, key_id); });
  }

  Result<std::vector<ApiKey>> list(std::string_view tenant) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    return read(db_, [&](Connection& c) -> Result<std::vector<ApiKey>> {
      VOUCH_TRY(const std::vector<Row> rows,
                c.query(std::string(kSelect) + " ORDER BY created_at, key_id", {tenant}));
      return decode_rows(rows, decode);
    });
  }

  Result<ApiKey> revoke(std::string_view tenant, std::string_view key_id, Timestamp now) override {
    VOUCH_RETURN_IF_ERROR(check_key_id(tenant, key_id));
    return write(db_, [&](Connection& c) -> Result<ApiKey> {
      VOUCH_RETURN_IF_ERROR(
          c.execute("UPDATE api_keys SET revoked_at = ? WHERE tenant = ? AND key_id = ? AND "
                    "revoked_at IS NULL",
                    {now, tenant, key_id}));
      return select_key(c, tenant, key_id);
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<ApiKeyStore> make_api_key_store(Database& db) {
  return std::make_unique<SqlApiKeyStore>(db);
}

}  // namespace vouch::store::sql
