#include "store/check_ids.h"
#include "store/limits.h"
#include "store/sql/internal.h"

namespace vouch::store::sql {
namespace {

constexpr std::string_view kSecretColumns =
    "tenant, name, release_policy, release_policy_kind, trusted_issuers, current_version, "
    "deleted, deleted_at, created_at, updated_at";
constexpr std::string_view kVersionColumns =
    "tenant, name, version, wrapped_key, ciphertext, kek_id, created_at";

Result<Secret> decode_secret(const Row& row) {
  RowReader rd(row);
  Secret s;
  s.tenant = rd.text();
  s.name = rd.text();
  s.release_policy = rd.text();
  s.release_policy_kind = rd.text();
  const std::string issuers = rd.text();
  s.current_version = rd.i64();
  s.deleted = rd.flag();
  s.deleted_at = rd.opt_time();
  s.created_at = rd.time();
  s.updated_at = rd.time();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  VOUCH_TRY(const nlohmann::json list, parse_stored_json(issuers));
  if (!list.is_array()) {
    return fail(ErrorKind::kInternal, checks::kDecode, "trusted issuers are not a JSON array");
  }
  for (const nlohmann::json& item : list) {
    if (!item.is_string()) {
      return fail(ErrorKind::kInternal, checks::kDecode, "a trusted issuer is not a string");
    }
    s.trusted_issuers.push_back(item.get<std::string>());
  }
  return s;
}

Result<SecretVersion> decode_version(const Row& row) {
  RowReader rd(row);
  SecretVersion v;
  v.tenant = rd.text();
  v.name = rd.text();
  v.version = rd.i64();
  v.wrapped_key = rd.blob();
  v.ciphertext = rd.blob();
  v.kek_id = rd.text();
  v.created_at = rd.time();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  return v;
}

Status check_name(std::string_view tenant, std::string_view name) {
  VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
  return check_id("secret name", name);
}

// Checks the release settings and returns the trusted issuers as a JSON array text.
Result<std::string> check_release(std::string_view policy, std::string_view kind,
                                  const std::vector<std::string>& issuers) {
  VOUCH_RETURN_IF_ERROR(check_text("release policy", policy, limits::kMaxPolicy, true));
  VOUCH_RETURN_IF_ERROR(check_id("release policy kind", kind));
  if (issuers.empty()) {
    return fail(ErrorKind::kInvalidArgument, checks::kArgument,
                "a secret needs at least one trusted issuer");
  }
  if (issuers.size() > limits::kMaxTrustedIssuers) {
    return fail(ErrorKind::kInvalidArgument, checks::kLimit,
                std::to_string(issuers.size()) + " trusted issuers, over the limit of " +
                    std::to_string(limits::kMaxTrustedIssuers));
  }
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& issuer : issuers) {
    VOUCH_RETURN_IF_ERROR(check_text("trusted issuer", issuer, limits::kMaxUrl, true));
    list.push_back(issuer);
  }
  return list.dump();
}

Status check_value(ByteSpan wrapped_key, ByteSpan ciphertext, std::string_view kek_id) {
  VOUCH_RETURN_IF_ERROR(check_blob("wrapped key", wrapped_key, limits::kMaxBlob, true));
  VOUCH_RETURN_IF_ERROR(check_blob("ciphertext", ciphertext, limits::kMaxBlob, true));
  return check_text("key-encryption key id", kek_id, limits::kMaxShortText, false);
}

tl::unexpected<Error> no_secret(std::string_view tenant, std::string_view name) {
  return not_found(checks::kSecretNotFound,
                   "no secret '" + std::string(name) + "' in tenant '" + std::string(tenant) + "'");
}

Result<Secret> select_secret(Connection& c, std::string_view tenant, std::string_view name) {
  VOUCH_TRY(std::optional<Row> row,
            c.query_optional("SELECT " + std::string(kSecretColumns) +
                                 " FROM secrets WHERE tenant = ? AND name = ?",
                             {tenant, name}));
  if (!row) {
    return no_secret(tenant, name);
  }
  return decode_secret(*row);
}

// select_live returns the secret unless it is deleted.
Result<Secret> select_live(Connection& c, std::string_view tenant, std::string_view name) {
  VOUCH_TRY(Secret s, select_secret(c, tenant, name));
  if (s.deleted) {
    return fail(ErrorKind::kFailedPrecondition, checks::kSecretDeleted,
                "secret '" + s.name + "' is deleted");
  }
  return s;
}

Result<SecretVersion> select_version(Connection& c, std::string_view tenant, std::string_view name,
                                     std::int64_t version) {
  VOUCH_TRY(std::optional<Row> row,
            c.query_optional("SELECT " + std::string(kVersionColumns) +
                                 " FROM secret_versions WHERE tenant = ? AND name = ? AND "
                                 "version = ?",
                             {tenant, name, version}));
  if (!row) {
    return not_found(checks::kSecretNotFound, "secret '" + std::string(name) + "' has no version " +
                                                  std::to_string(version));
  }
  return decode_version(*row);
}

// lock_secret serializes the read-check-write updates of one secret (rotate against remove, ...).
Status lock_secret(Connection& c, std::string_view tenant, std::string_view name) {
  return c.lock("secret " + std::string(tenant) + " " + std::string(name));
}

Status insert_version(Connection& c, const SecretVersion& v) {
  VOUCH_RETURN_IF_ERROR(insert_racing(
      c,
      "INSERT INTO secret_versions (" + std::string(kVersionColumns) +
          ") VALUES (?, ?, ?, ?, ?, ?, ?)",
      {v.tenant, v.name, v.version, v.wrapped_key, v.ciphertext, v.kek_id, v.created_at},
      "secret version"));
  return ok();
}

class SqlSecretStore final : public SecretStore {
 public:
  explicit SqlSecretStore(Database& db) : db_(db) {}

  Result<Secret> create(const NewSecret& s) override {
    VOUCH_RETURN_IF_ERROR(check_name(s.tenant, s.name));
    VOUCH_TRY(const std::string issuers,
              check_release(s.release_policy, s.release_policy_kind, s.trusted_issuers));
    VOUCH_RETURN_IF_ERROR(check_value(s.wrapped_key, s.ciphertext, s.kek_id));
    return write(db_, [&](Connection& c) -> Result<Secret> {
      VOUCH_RETURN_IF_ERROR(require_tenant(c, s.tenant));
      VOUCH_RETURN_IF_ERROR(c.execute("INSERT INTO secrets (" + std::string(kSecretColumns) +
                                          ") VALUES (?, ?, ?, ?, ?, 1, 0, NULL, ?, ?)",
                                      {s.tenant, s.name, s.release_policy, s.release_policy_kind,
                                       issuers, s.created_at, s.created_at})
                                .map_error(relabel_unique(checks::kSecretExists)));
      VOUCH_RETURN_IF_ERROR(insert_version(c, SecretVersion{s.tenant, s.name, 1, s.wrapped_key,
                                                            s.ciphertext, s.kek_id, s.created_at}));
      return select_secret(c, s.tenant, s.name);
    });
  }

  Result<Secret> get(std::string_view tenant, std::string_view name) override {
    VOUCH_RETURN_IF_ERROR(check_name(tenant, name));
    return read(db_, [&](Connection& c) { return select_secret(c, tenant, name); });
  }

  Result<std::vector<Secret>> list(std::string_view tenant, bool include_deleted) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    return read(db_, [&](Connection& c) -> Result<std::vector<Secret>> {
      VOUCH_TRY(const std::vector<Row> rows,
                c.query("SELECT " + std::string(kSecretColumns) +
                            " FROM secrets WHERE tenant = ? AND (deleted = 0 OR ? = 1) ORDER BY "
                            "name",
                        {tenant, include_deleted}));
      return decode_rows(rows, decode_secret);
    });
  }

  Result<SecretVersion> rotate(const NewSecretVersion& v) override {
    VOUCH_RETURN_IF_ERROR(check_name(v.tenant, v.name));
    VOUCH_RETURN_IF_ERROR(check_value(v.wrapped_key, v.ciphertext, v.kek_id));
    return write(db_, [&](Connection& c) -> Result<SecretVersion> {
      VOUCH_RETURN_IF_ERROR(lock_secret(c, v.tenant, v.name));
      VOUCH_TRY(const Secret s, select_live(c, v.tenant, v.name));
      SecretVersion next{v.tenant,     v.name,   s.current_version + 1, v.wrapped_key,
                         v.ciphertext, v.kek_id, v.created_at};
      VOUCH_RETURN_IF_ERROR(insert_version(c, next));
      VOUCH_RETURN_IF_ERROR(c.execute(
          "UPDATE secrets SET current_version = ?, updated_at = ? WHERE tenant = ? AND name = ?",
          {next.version, v.created_at, v.tenant, v.name}));
      return next;
    });
  }

  Result<SecretVersion> current(std::string_view tenant, std::string_view name) override {
    VOUCH_RETURN_IF_ERROR(check_name(tenant, name));
    return read(db_, [&](Connection& c) -> Result<SecretVersion> {
      VOUCH_TRY(const Secret s, select_live(c, tenant, name));
      return select_version(c, tenant, name, s.current_version);
    });
  }

  Result<SecretVersion> version(std::string_view tenant, std::string_view name,
                                std::int64_t version) override {
    VOUCH_RETURN_IF_ERROR(check_name(tenant, name));
    return read(db_, [&](Connection& c) -> Result<SecretVersion> {
      VOUCH_RETURN_IF_ERROR(select_live(c, tenant, name));
      return select_version(c, tenant, name, version);
    });
  }

  Result<Secret> update_release(const ReleaseSettings& r) override {
    VOUCH_RETURN_IF_ERROR(check_name(r.tenant, r.name));
    VOUCH_TRY(const std::string issuers,
              check_release(r.release_policy, r.release_policy_kind, r.trusted_issuers));
    return write(db_, [&](Connection& c) -> Result<Secret> {
      VOUCH_RETURN_IF_ERROR(lock_secret(c, r.tenant, r.name));
      VOUCH_RETURN_IF_ERROR(select_live(c, r.tenant, r.name));
      VOUCH_RETURN_IF_ERROR(c.execute(
          "UPDATE secrets SET release_policy = ?, release_policy_kind = ?, "
          "trusted_issuers = ?, updated_at = ? WHERE tenant = ? AND name = ?",
          {r.release_policy, r.release_policy_kind, issuers, r.updated_at, r.tenant, r.name}));
      return select_secret(c, r.tenant, r.name);
    });
  }

  Result<Secret> remove(std::string_view tenant, std::string_view name, Timestamp now) override {
    VOUCH_RETURN_IF_ERROR(check_name(tenant, name));
    return write(db_, [&](Connection& c) -> Result<Secret> {
      VOUCH_RETURN_IF_ERROR(lock_secret(c, tenant, name));
      VOUCH_RETURN_IF_ERROR(select_live(c, tenant, name));
      VOUCH_RETURN_IF_ERROR(c.execute(
          "UPDATE secrets SET deleted = 1, deleted_at = ?, updated_at = ? WHERE tenant = ? AND "
          "name = ?",
          {now, now, tenant, name}));
      return select_secret(c, tenant, name);
    });
  }

  Status purge(std::string_view tenant, std::string_view name) override {
    VOUCH_RETURN_IF_ERROR(check_name(tenant, name));
    return write(db_, [&](Connection& c) -> Status {
      VOUCH_RETURN_IF_ERROR(lock_secret(c, tenant, name));
      VOUCH_TRY(const Secret s, select_secret(c, tenant, name));
      if (!s.deleted) {
        return fail(ErrorKind::kFailedPrecondition, checks::kSecretNotDeleted,
                    "secret '" + s.name + "' must be removed before it is purged");
      }
      VOUCH_RETURN_IF_ERROR(
          c.execute("DELETE FROM secrets WHERE tenant = ? AND name = ?", {tenant, name}));
      return ok();
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<SecretStore> make_secret_store(Database& db) {
  return std::make_unique<SqlSecretStore>(db);
}

}  // namespace vouch::store::sql
