#include "store/check_ids.h"
#include "store/limits.h"
#include "store/sql/internal.h"

namespace vouch::store::sql {
namespace {

constexpr std::string_view kSelect =
    "SELECT tenant, jti, list_id, idx, issued_at, expires_at, revoked_at FROM token_status "
    "WHERE tenant = ? AND jti = ?";

Result<TokenStatus> decode(const Row& row) {
  RowReader rd(row);
  TokenStatus t;
  t.tenant = rd.text();
  t.jti = rd.text();
  t.list_id = rd.i64();
  const std::int64_t index = rd.i64();
  t.issued_at = rd.time();
  t.expires_at = rd.time();
  t.revoked_at = rd.opt_time();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  if (index < 0 || index >= std::int64_t{limits::kMaxStatusListCapacity}) {
    return fail(ErrorKind::kInternal, checks::kDecode, "status index out of range");
  }
  t.index = static_cast<std::uint32_t>(index);
  return t;
}

Status check_token(std::string_view tenant, std::string_view jti) {
  VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
  return check_id("jti", jti);
}

Result<TokenStatus> select_token(Connection& c, std::string_view tenant, std::string_view jti) {
  VOUCH_TRY(std::optional<Row> row, c.query_optional(kSelect, {tenant, jti}));
  if (!row) {
    return not_found(checks::kTokenNotFound, "no status entry for token '" + std::string(jti) +
                                                 "' in tenant '" + std::string(tenant) + "'");
  }
  return decode(*row);
}

// Takes the next index of the newest list that has room: one conditional UPDATE, so two
// writers can never take the same index. nullopt when there is no list or the newest is full.
Result<std::optional<std::pair<std::int64_t, std::int64_t>>> take_index(Connection& c,
                                                                        std::string_view tenant) {
  VOUCH_TRY(std::vector<Row> rows,
            c.query("UPDATE status_lists SET next_index = next_index + 1 WHERE tenant = ? AND "
                    "list_id = (SELECT MAX(list_id) FROM status_lists WHERE tenant = ?) AND "
                    "next_index < capacity RETURNING list_id, next_index - 1",
                    {tenant, tenant}));
  if (rows.empty()) {
    return std::optional<std::pair<std::int64_t, std::int64_t>>();
  }
  RowReader rd(rows.front());
  const std::int64_t list_id = rd.i64();
  const std::int64_t index = rd.i64();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  return std::optional<std::pair<std::int64_t, std::int64_t>>(std::in_place, list_id, index);
}

Status check_allocation(const StatusAllocation& a) {
  VOUCH_RETURN_IF_ERROR(check_token(a.tenant, a.jti));
  if (a.list_capacity < 8 || a.list_capacity % 8 != 0 ||
      a.list_capacity > limits::kMaxStatusListCapacity) {
    return fail(ErrorKind::kInvalidArgument, checks::kLimit,
                "status list capacity must be a multiple of 8 in 8.." +
                    std::to_string(limits::kMaxStatusListCapacity));
  }
  return {};
}

// The body of allocate(), inside the caller's transaction.
Result<TokenStatus> allocate_in(Connection& c, const StatusAllocation& a) {
  VOUCH_RETURN_IF_ERROR(require_tenant(c, a.tenant));
  VOUCH_TRY(std::optional<Row> existing,
            c.query_optional("SELECT 1 FROM token_status WHERE tenant = ? AND jti = ?",
                             {a.tenant, a.jti}));
  if (existing) {
    return fail(ErrorKind::kAlreadyExists, checks::kTokenExists,
                "token '" + a.jti + "' already has a status entry");
  }
  // Allocators of one tenant queue here, so that only one of them creates the next list (taken
  // before the audit chain's lock by allocate_with_audit).
  VOUCH_RETURN_IF_ERROR(c.lock("status " + a.tenant));
  VOUCH_TRY(auto taken, take_index(c, a.tenant));
  if (!taken) {
    VOUCH_TRY(
        const std::vector<Row> rows,
        c.query("SELECT COALESCE(MAX(list_id), 0) FROM status_lists WHERE tenant = ?", {a.tenant}));
    RowReader rd(rows.at(0));
    const std::int64_t list_id = rd.i64() + 1;
    VOUCH_RETURN_IF_ERROR(rd.finish());
    VOUCH_RETURN_IF_ERROR(insert_racing(
        c, "INSERT INTO status_lists (tenant, list_id, capacity, next_index) VALUES (?, ?, ?, 1)",
        {a.tenant, list_id, a.list_capacity}, "status list"));
    taken.emplace(list_id, 0);
  }
  VOUCH_RETURN_IF_ERROR(insert_racing(
      c,
      "INSERT INTO token_status (tenant, jti, list_id, idx, issued_at, expires_at, revoked_at) "
      "VALUES (?, ?, ?, ?, ?, ?, NULL)",
      {a.tenant, a.jti, taken->first, taken->second, a.issued_at, a.expires_at}, "status entry"));
  // The row just written, without reading it back (one statement less per attestation).
  TokenStatus t;
  t.tenant = a.tenant;
  t.jti = a.jti;
  t.list_id = taken->first;
  t.index = static_cast<std::uint32_t>(taken->second);
  t.issued_at = a.issued_at;
  t.expires_at = a.expires_at;
  return t;
}

// allocate_with_audit's checks, before any transaction: the payload's canonical text.
Result<std::string> audited_allocation_text(const StatusAllocation& a, std::string_view kind,
                                            const nlohmann::json& payload) {
  VOUCH_RETURN_IF_ERROR(check_allocation(a));
  VOUCH_RETURN_IF_ERROR(check_id("audit kind", kind));
  return object_text("audit payload", payload, limits::kMaxJson);
}

// allocate_with_audit's transaction body: the status entry and its audit record.
Result<std::pair<TokenStatus, AuditEntry>> allocate_and_audit(Connection& c,
                                                              const StatusAllocation& a,
                                                              Timestamp audit_time,
                                                              std::string_view kind,
                                                              const std::string& text) {
  VOUCH_TRY(TokenStatus status, allocate_in(c, a));
  VOUCH_TRY(AuditEntry entry, append_audit(c, a.tenant, audit_time, kind, text));
  return std::make_pair(std::move(status), std::move(entry));
}

class SqlTokenStatusStore final : public TokenStatusStore {
 public:
  explicit SqlTokenStatusStore(Database& db) : db_(db) {}

  Result<TokenStatus> allocate(const StatusAllocation& a) override {
    VOUCH_RETURN_IF_ERROR(check_allocation(a));
    return write(db_, [&](Connection& c) { return allocate_in(c, a); });
  }

  Result<std::pair<TokenStatus, AuditEntry>> allocate_with_audit(
      const StatusAllocation& a, Timestamp audit_time, std::string_view kind,
      const nlohmann::json& payload) override {
    VOUCH_TRY(const std::string text, audited_allocation_text(a, kind, payload));
    return write(db_,
                 [&](Connection& c) { return allocate_and_audit(c, a, audit_time, kind, text); });
  }

  // The checks and the payload's text on the caller's thread; the transaction on the
  // database's committer, whose result comes back through `done`.
  void allocate_with_audit_async(const StatusAllocation& a, Timestamp audit_time,
                                 std::string_view kind, const nlohmann::json& payload,
                                 AllocationDone done) override {
    auto text = audited_allocation_text(a, kind, payload);
    if (!text) {
      return done(fail(std::move(text).error()));
    }
    using Recorded = std::pair<TokenStatus, AuditEntry>;
    auto out = std::make_shared<std::optional<Recorded>>();
    db_.write_async(
        [a, audit_time, kind = std::string(kind), text = std::move(*text),
         out](Connection& c) -> Status {
          VOUCH_TRY(*out, allocate_and_audit(c, a, audit_time, kind, text));  // assigned: reruns
          return ok();
        },
        [out, done = std::move(done)](Status s) {
          if (!s) {
            return done(fail(std::move(s).error()));
          }
          done(std::move(**out));
        });
  }

  Result<TokenStatus> get(std::string_view tenant, std::string_view jti) override {
    VOUCH_RETURN_IF_ERROR(check_token(tenant, jti));
    return read(db_, [&](Connection& c) { return select_token(c, tenant, jti); });
  }

  Result<TokenStatus> revoke(std::string_view tenant, std::string_view jti,
                             Timestamp now) override {
    VOUCH_RETURN_IF_ERROR(check_token(tenant, jti));
    return write(db_, [&](Connection& c) -> Result<TokenStatus> {
      VOUCH_RETURN_IF_ERROR(c.execute(
          "UPDATE token_status SET revoked_at = ? WHERE tenant = ? AND jti = ? AND revoked_at IS "
          "NULL",
          {now, tenant, jti}));
      return select_token(c, tenant, jti);
    });
  }

  Result<StatusList> read_list(std::string_view tenant, std::int64_t list_id) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    return read(db_, [&](Connection& c) -> Result<StatusList> {
      VOUCH_TRY(std::optional<Row> head,
                c.query_optional("SELECT capacity, next_index FROM status_lists WHERE tenant = ? "
                                 "AND list_id = ?",
                                 {tenant, list_id}));
      if (!head) {
        return not_found(checks::kStatusListNotFound, "no status list " + std::to_string(list_id) +
                                                          " in tenant '" + std::string(tenant) +
                                                          "'");
      }
      RowReader rd(*head);
      const std::int64_t capacity = rd.i64();
      const std::int64_t allocated = rd.i64();
      VOUCH_RETURN_IF_ERROR(rd.finish());
      if (capacity <= 0 || capacity > std::int64_t{limits::kMaxStatusListCapacity} ||
          allocated < 0 || allocated > capacity) {
        return fail(ErrorKind::kInternal, checks::kDecode, "status list header out of range");
      }
      StatusList out;
      out.tenant = std::string(tenant);
      out.list_id = list_id;
      out.capacity = static_cast<std::uint32_t>(capacity);
      out.allocated = static_cast<std::uint32_t>(allocated);
      out.bits.assign((out.capacity + 7) / 8, 0);
      VOUCH_TRY(const std::vector<Row> revoked,
                c.query("SELECT idx FROM token_status WHERE tenant = ? AND list_id = ? AND "
                        "revoked_at IS NOT NULL",
                        {tenant, list_id}));
      for (const Row& row : revoked) {
        RowReader r(row);
        const std::int64_t idx = r.i64();
        VOUCH_RETURN_IF_ERROR(r.finish());
        if (idx < 0 || idx >= capacity) {
          return fail(ErrorKind::kInternal, checks::kDecode, "status index out of range");
        }
        const auto i = static_cast<std::size_t>(idx);
        out.bits[i / 8] = static_cast<std::uint8_t>(out.bits[i / 8] | (1u << (i % 8)));
      }
      return out;
    });
  }

  Result<std::vector<std::int64_t>> list_ids(std::string_view tenant) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    return read(db_, [&](Connection& c) -> Result<std::vector<std::int64_t>> {
      VOUCH_TRY(
          const std::vector<Row> rows,
          c.query("SELECT list_id FROM status_lists WHERE tenant = ? ORDER BY list_id", {tenant}));
      return decode_rows(rows, decode_i64);
    });
  }

  Result<std::size_t> purge_expired(Timestamp before, std::size_t limit) override {
    VOUCH_RETURN_IF_ERROR(check_page(limit));
    return write(db_, [&](Connection& c) -> Result<std::size_t> {
      VOUCH_TRY(const std::int64_t n,
                c.execute("DELETE FROM token_status WHERE (tenant, jti) IN (SELECT tenant, jti "
                          "FROM token_status WHERE expires_at < ? ORDER BY expires_at LIMIT ?)",
                          {before, static_cast<std::int64_t>(limit)}));
      return to_size(n);
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<TokenStatusStore> make_token_status_store(Database& db) {
  return std::make_unique<SqlTokenStatusStore>(db);
}

}  // namespace vouch::store::sql
