#include "store/check_ids.h"
#include "store/limits.h"
#include "store/sql/internal.h"

namespace vouch::store::sql {
namespace {

constexpr std::string_view kSelect =
    "SELECT name, issuer, settings, revision, created_at, updated_at FROM tenants";

Result<Tenant> decode(const Row& row) {
  RowReader rd(row);
  Tenant t;
  t.name = rd.text();
  t.issuer = rd.text();
  const std::string settings = rd.text();
  t.revision = rd.i64();
  t.created_at = rd.time();
  t.updated_at = rd.time();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  VOUCH_TRY(t.settings, parse_stored_json(settings));
  return t;
}

Result<Tenant> select_one(Connection& c, std::string_view name) {
  VOUCH_TRY(std::optional<Row> row,
            c.query_optional(std::string(kSelect) + " WHERE name = ?", {name}));
  if (!row) {
    return not_found(checks::kTenantNotFound, "tenant '" + std::string(name) + "' does not exist");
  }
  return decode(*row);
}

class SqlTenantStore final : public TenantStore {
 public:
  explicit SqlTenantStore(Database& db) : db_(db) {}

  Result<Tenant> create(const Tenant& tenant) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant name", tenant.name));
    VOUCH_RETURN_IF_ERROR(check_text("issuer", tenant.issuer, limits::kMaxUrl, true));
    VOUCH_TRY(const std::string settings,
              object_text("settings", tenant.settings, limits::kMaxJson));
    return write(db_, [&](Connection& c) -> Result<Tenant> {
      VOUCH_RETURN_IF_ERROR(
          c.execute("INSERT INTO tenants (name, issuer, settings, revision, created_at, "
                    "updated_at) VALUES (?, ?, ?, 1, ?, ?)",
                    {tenant.name, tenant.issuer, settings, tenant.created_at, tenant.created_at})
              .map_error(relabel_unique(checks::kTenantExists)));
      return select_one(c, tenant.name);
    });
  }

  Result<Tenant> get(std::string_view name) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant name", name));
    return read(db_, [&](Connection& c) { return select_one(c, name); });
  }

  Result<std::vector<Tenant>> list() override {
    return read(db_, [&](Connection& c) -> Result<std::vector<Tenant>> {
      VOUCH_TRY(const std::vector<Row> rows, c.query(std::string(kSelect) + " ORDER BY name"));
      return decode_rows(rows, decode);
    });
  }

  Result<Tenant> update(const TenantUpdate& update) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant name", update.name));
    VOUCH_RETURN_IF_ERROR(check_text("issuer", update.issuer, limits::kMaxUrl, true));
    VOUCH_TRY(const std::string settings,
              object_text("settings", update.settings, limits::kMaxJson));
    return write(db_, [&](Connection& c) -> Result<Tenant> {
      VOUCH_TRY(const Tenant current, select_one(c, update.name));
      if (update.expected_revision && *update.expected_revision != current.revision) {
        return fail(ErrorKind::kFailedPrecondition, checks::kTenantRevision,
                    "tenant '" + update.name + "' is at revision " +
                        std::to_string(current.revision) + ", not " +
                        std::to_string(*update.expected_revision));
      }
      VOUCH_RETURN_IF_ERROR(c.execute(
          "UPDATE tenants SET issuer = ?, settings = ?, revision = revision + 1, updated_at = ? "
          "WHERE name = ?",
          {update.issuer, settings, update.updated_at, update.name}));
      return select_one(c, update.name);
    });
  }

  Status remove(std::string_view name) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant name", name));
    return write(db_, [&](Connection& c) -> Status {
      VOUCH_TRY(const std::int64_t n, c.execute("DELETE FROM tenants WHERE name = ?", {name}));
      if (n == 0) {
        return not_found(checks::kTenantNotFound,
                         "tenant '" + std::string(name) + "' does not exist");
      }
      return ok();
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<TenantStore> make_tenant_store(Database& db) {
  return std::make_unique<SqlTenantStore>(db);
}

}  // namespace vouch::store::sql
