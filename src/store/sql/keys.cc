#include "store/check_ids.h"
#include "store/limits.h"
#include "store/sql/internal.h"

namespace vouch::store::sql {
namespace {

constexpr std::string_view kColumns =
    "tenant, kid, algorithm, private_key, public_jwk, certificate, state, created_at, not_after, "
    "retired_at";

std::string select(std::string_view where) {
  return "SELECT " + std::string(kColumns) + " FROM signing_keys WHERE " + std::string(where) +
         " ORDER BY created_at, kid";
}

std::optional<KeyState> parse_state(std::string_view s) {
  for (KeyState k : {KeyState::kActive, KeyState::kRetiring, KeyState::kRetired}) {
    if (key_state_name(k) == s) {
      return k;
    }
  }
  return std::nullopt;
}

Result<SigningKey> decode(const Row& row) {
  RowReader rd(row);
  SigningKey k;
  k.tenant = rd.text();
  k.kid = rd.text();
  k.algorithm = rd.text();
  k.private_key = rd.blob();
  const std::string jwk = rd.text();
  k.certificate_der = rd.blob();
  const std::string state = rd.text();
  k.created_at = rd.time();
  k.not_after = rd.opt_time();
  k.retired_at = rd.opt_time();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  VOUCH_TRY(k.public_jwk, parse_stored_json(jwk));
  const std::optional<KeyState> s = parse_state(state);
  if (!s) {
    return fail(ErrorKind::kInternal, checks::kDecode, "unknown key state '" + state + "'");
  }
  k.state = *s;
  return k;
}

tl::unexpected<Error> no_key(std::string_view tenant, std::string_view kid) {
  return not_found(checks::kKeyNotFound, "no signing key '" + std::string(kid) + "' in tenant '" +
                                             std::string(tenant) + "'");
}

Result<std::optional<SigningKey>> select_active(Connection& c, std::string_view tenant) {
  VOUCH_TRY(std::optional<Row> row,
            c.query_optional(select("tenant = ? AND state = 'active'"), {tenant}));
  if (!row) {
    return std::optional<SigningKey>();
  }
  VOUCH_TRY(SigningKey k, decode(*row));
  return std::optional<SigningKey>(std::move(k));
}

Result<SigningKey> select_key(Connection& c, std::string_view tenant, std::string_view kid) {
  VOUCH_TRY(std::optional<Row> row,
            c.query_optional(select("tenant = ? AND kid = ?"), {tenant, kid}));
  if (!row) {
    return no_key(tenant, kid);
  }
  return decode(*row);
}

// lock_keys serializes the key changes of one tenant that read before they write (one active
// key: add, rotate, retire).
Status lock_keys(Connection& c, std::string_view tenant) {
  return c.lock("keys " + std::string(tenant));
}

struct CheckedKey {
  std::string jwk;
};

Result<CheckedKey> check_key(const SigningKey& k) {
  VOUCH_RETURN_IF_ERROR(check_id("tenant", k.tenant));
  VOUCH_RETURN_IF_ERROR(check_id("kid", k.kid));
  VOUCH_RETURN_IF_ERROR(check_id("algorithm", k.algorithm));
  VOUCH_RETURN_IF_ERROR(check_blob("private key", k.private_key, limits::kMaxBlob, true));
  VOUCH_RETURN_IF_ERROR(check_blob("certificate", k.certificate_der, limits::kMaxBlob, false));
  if (k.state == KeyState::kRetiring && !k.not_after) {
    return fail(ErrorKind::kInvalidArgument, checks::kArgument, "a retiring key needs not_after");
  }
  VOUCH_TRY(std::string jwk, object_text("public JWK", k.public_jwk, limits::kMaxJson));
  return CheckedKey{std::move(jwk)};
}

// Inserts a checked key; the caller holds a write transaction.
Status insert(Connection& c, const SigningKey& k, const CheckedKey& checked) {
  VOUCH_RETURN_IF_ERROR(require_tenant(c, k.tenant));
  VOUCH_RETURN_IF_ERROR(lock_keys(c, k.tenant));
  VOUCH_TRY(std::optional<Row> existing,
            c.query_optional("SELECT 1 FROM signing_keys WHERE tenant = ? AND kid = ?",
                             {k.tenant, k.kid}));
  if (existing) {
    return fail(ErrorKind::kAlreadyExists, checks::kKeyExists,
                "signing key '" + k.kid + "' already exists in tenant '" + k.tenant + "'");
  }
  if (k.state == KeyState::kActive) {
    VOUCH_TRY(const std::optional<SigningKey> active, select_active(c, k.tenant));
    if (active) {
      return fail(ErrorKind::kFailedPrecondition, checks::kKeyActiveExists,
                  "tenant '" + k.tenant + "' already has the active key '" + active->kid + "'");
    }
  }
  VOUCH_RETURN_IF_ERROR(
      insert_racing(c,
                    "INSERT INTO signing_keys (" + std::string(kColumns) +
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    {k.tenant, k.kid, k.algorithm, k.private_key, checked.jwk, k.certificate_der,
                     key_state_name(k.state), k.created_at, k.not_after, k.retired_at},
                    "signing key"));
  return ok();
}

class SqlKeyStore final : public KeyStore {
 public:
  explicit SqlKeyStore(Database& db) : db_(db) {}

  Status add(const SigningKey& key) override {
    VOUCH_TRY(const CheckedKey checked, check_key(key));
    return write(db_, [&](Connection& c) { return insert(c, key, checked); });
  }

  Result<SigningKey> get(std::string_view tenant, std::string_view kid) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    VOUCH_RETURN_IF_ERROR(check_id("kid", kid));
    return read(db_, [&](Connection& c) { return select_key(c, tenant, kid); });
  }

  Result<SigningKey> active(std::string_view tenant) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    return read(db_, [&](Connection& c) -> Result<SigningKey> {
      VOUCH_TRY(std::optional<SigningKey> k, select_active(c, tenant));
      if (!k) {
        return not_found(checks::kKeyNotFound,
                         "tenant '" + std::string(tenant) + "' has no active signing key");
      }
      return std::move(*k);
    });
  }

  Result<std::vector<SigningKey>> list(std::string_view tenant) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    return read(db_, [&](Connection& c) -> Result<std::vector<SigningKey>> {
      VOUCH_TRY(const std::vector<Row> rows, c.query(select("tenant = ?"), {tenant}));
      return decode_rows(rows, decode);
    });
  }

  Result<std::vector<SigningKey>> published(std::string_view tenant, Timestamp now) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    return read(db_, [&](Connection& c) -> Result<std::vector<SigningKey>> {
      VOUCH_TRY(const std::vector<Row> rows,
                c.query(select("tenant = ? AND (state = 'active' OR (state = 'retiring' AND "
                               "not_after > ?))"),
                        {tenant, now}));
      return decode_rows(rows, decode);
    });
  }

  Result<SigningKey> rotate(const SigningKey& next, Timestamp retiring_not_after) override {
    VOUCH_TRY(const CheckedKey checked, check_key(next));
    if (next.state != KeyState::kActive) {
      return fail(ErrorKind::kInvalidArgument, checks::kArgument,
                  "rotate: the next key must be active");
    }
    return write(db_, [&](Connection& c) -> Result<SigningKey> {
      VOUCH_RETURN_IF_ERROR(require_tenant(c, next.tenant));
      VOUCH_RETURN_IF_ERROR(lock_keys(c, next.tenant));
      VOUCH_RETURN_IF_ERROR(c.execute(
          "UPDATE signing_keys SET state = 'retiring', not_after = ? WHERE tenant = ? AND "
          "state = 'active'",
          {retiring_not_after, next.tenant}));
      VOUCH_RETURN_IF_ERROR(insert(c, next, checked));
      return select_key(c, next.tenant, next.kid);
    });
  }

  Result<SigningKey> retire(std::string_view tenant, std::string_view kid, Timestamp now) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    VOUCH_RETURN_IF_ERROR(check_id("kid", kid));
    return write(db_, [&](Connection& c) -> Result<SigningKey> {
      VOUCH_RETURN_IF_ERROR(lock_keys(c, tenant));
      VOUCH_TRY(const SigningKey k, select_key(c, tenant, kid));
      if (k.state == KeyState::kRetired) {
        return fail(ErrorKind::kFailedPrecondition, checks::kKeyState,
                    "signing key '" + k.kid + "' is already retired");
      }
      VOUCH_RETURN_IF_ERROR(c.execute(
          "UPDATE signing_keys SET state = 'retired', retired_at = ? WHERE tenant = ? AND kid = ?",
          {now, tenant, kid}));
      return select_key(c, tenant, kid);
    });
  }

  Result<std::size_t> retire_expired(std::string_view tenant, Timestamp now) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    return write(db_, [&](Connection& c) -> Result<std::size_t> {
      VOUCH_TRY(const std::int64_t n,
                c.execute("UPDATE signing_keys SET state = 'retired', retired_at = ? WHERE "
                          "tenant = ? AND state = 'retiring' AND not_after <= ?",
                          {now, tenant, now}));
      return to_size(n);
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<KeyStore> make_key_store(Database& db) {
  return std::make_unique<SqlKeyStore>(db);
}

}  // namespace vouch::store::sql
