#include <limits>

#include "store/check_ids.h"
#include "store/limits.h"
#include "store/sql/internal.h"

namespace vouch::store::sql {
namespace {

constexpr std::string_view kSelect =
    "SELECT tenant, attestation_type, version, text, hash, author, is_default, created_at "
    "FROM policies WHERE tenant = ? AND attestation_type = ?";

Result<PolicyVersion> decode(const Row& row) {
  RowReader rd(row);
  PolicyVersion p;
  p.tenant = rd.text();
  p.attestation_type = rd.text();
  p.version = rd.i64();
  p.text = rd.text();
  p.hash = rd.blob();
  p.author = rd.text();
  p.is_default = rd.flag();
  p.created_at = rd.time();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  return p;
}

Status check_key(std::string_view tenant, std::string_view type) {
  VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
  return check_id("attestation type", type);
}

tl::unexpected<Error> no_policy(std::string_view tenant, std::string_view type) {
  return not_found(checks::kPolicyNotFound, "no policy for " + std::string(type) + " in tenant '" +
                                                std::string(tenant) + "'");
}

class SqlPolicyStore final : public PolicyStore {
 public:
  explicit SqlPolicyStore(Database& db) : db_(db) {}

  Result<PolicyVersion> set(const NewPolicy& policy) override { return add(policy, false); }
  Result<PolicyVersion> reset(const NewPolicy& policy) override { return add(policy, true); }

  Result<PolicyVersion> current(std::string_view tenant, std::string_view type) override {
    VOUCH_RETURN_IF_ERROR(check_key(tenant, type));
    return read(db_, [&](Connection& c) -> Result<PolicyVersion> {
      VOUCH_TRY(std::optional<Row> row,
                c.query_optional(std::string(kSelect) + " ORDER BY version DESC LIMIT 1",
                                 {tenant, type}));
      if (!row) {
        return no_policy(tenant, type);
      }
      return decode(*row);
    });
  }

  Result<PolicyVersion> version(std::string_view tenant, std::string_view type,
                                std::int64_t version) override {
    VOUCH_RETURN_IF_ERROR(check_key(tenant, type));
    return read(db_, [&](Connection& c) -> Result<PolicyVersion> {
      VOUCH_TRY(std::optional<Row> row, c.query_optional(std::string(kSelect) + " AND version = ?",
                                                         {tenant, type, version}));
      if (!row) {
        return not_found(checks::kPolicyNotFound,
                         "no version " + std::to_string(version) + " of the " + std::string(type) +
                             " policy in tenant '" + std::string(tenant) + "'");
      }
      return decode(*row);
    });
  }

  Result<std::vector<PolicyVersion>> history(std::string_view tenant, std::string_view type,
                                             std::int64_t before_version,
                                             std::size_t limit) override {
    VOUCH_RETURN_IF_ERROR(check_key(tenant, type));
    VOUCH_RETURN_IF_ERROR(check_page(limit));
    const std::int64_t before =
        before_version <= 0 ? std::numeric_limits<std::int64_t>::max() : before_version;
    return read(db_, [&](Connection& c) -> Result<std::vector<PolicyVersion>> {
      VOUCH_TRY(const std::vector<Row> rows,
                c.query(std::string(kSelect) + " AND version < ? ORDER BY version DESC LIMIT ?",
                        {tenant, type, before, static_cast<std::int64_t>(limit)}));
      return decode_rows(rows, decode);
    });
  }

 private:
  Result<PolicyVersion> add(const NewPolicy& p, bool is_default) {
    VOUCH_RETURN_IF_ERROR(check_key(p.tenant, p.attestation_type));
    VOUCH_RETURN_IF_ERROR(check_text("policy text", p.text, limits::kMaxPolicy, true));
    VOUCH_RETURN_IF_ERROR(check_blob("policy hash", p.hash, 64, true));
    VOUCH_RETURN_IF_ERROR(check_text("author", p.author, limits::kMaxShortText, false));
    return write(db_, [&](Connection& c) -> Result<PolicyVersion> {
      VOUCH_RETURN_IF_ERROR(require_tenant(c, p.tenant));
      VOUCH_RETURN_IF_ERROR(c.lock("policy " + p.tenant + " " + p.attestation_type));
      VOUCH_TRY(const std::vector<Row> rows,
                c.query("SELECT COALESCE(MAX(version), 0) FROM policies WHERE tenant = ? AND "
                        "attestation_type = ?",
                        {p.tenant, p.attestation_type}));
      RowReader rd(rows.at(0));
      const std::int64_t current = rd.i64();
      VOUCH_RETURN_IF_ERROR(rd.finish());
      if (p.expected_version && *p.expected_version != current) {
        return fail(ErrorKind::kFailedPrecondition, checks::kPolicyVersion,
                    "the " + p.attestation_type + " policy is at version " +
                        std::to_string(current) + ", not " + std::to_string(*p.expected_version));
      }
      PolicyVersion out{p.tenant, p.attestation_type, current + 1, p.text,
                        p.hash,   p.author,           is_default,  p.created_at};
      VOUCH_RETURN_IF_ERROR(insert_racing(
          c,
          "INSERT INTO policies (tenant, attestation_type, version, text, hash, author, "
          "is_default, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          {out.tenant, out.attestation_type, out.version, out.text, out.hash, out.author,
           out.is_default, out.created_at},
          "policy version"));
      return out;
    });
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<PolicyStore> make_policy_store(Database& db) {
  return std::make_unique<SqlPolicyStore>(db);
}

}  // namespace vouch::store::sql
