#include "base/encoding.h"
#include "store/check_ids.h"
#include "store/limits.h"
#include "store/sql/internal.h"

namespace vouch::store::sql {
namespace {

constexpr std::string_view kColumns =
    "tenant, id, kind, nonce, context, created_at, expires_at, state, consumed_at, result";

std::string select(std::string_view where) {
  return "SELECT " + std::string(kColumns) + " FROM sessions WHERE " + std::string(where);
}

std::optional<SessionState> parse_state(std::string_view s) {
  for (SessionState st : {SessionState::kPending, SessionState::kConsumed, SessionState::kComplete,
                          SessionState::kFailed}) {
    if (session_state_name(st) == s) {
      return st;
    }
  }
  return std::nullopt;
}

Result<Session> decode(const Row& row) {
  RowReader rd(row);
  Session s;
  s.tenant = rd.text();
  s.id = rd.text();
  s.kind = rd.text();
  s.nonce = rd.blob();
  const std::string context = rd.text();
  s.created_at = rd.time();
  s.expires_at = rd.time();
  const std::string state = rd.text();
  s.consumed_at = rd.opt_time();
  s.result = rd.text();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  VOUCH_TRY(s.context, parse_stored_json(context));
  const std::optional<SessionState> st = parse_state(state);
  if (!st) {
    return fail(ErrorKind::kInternal, checks::kDecode, "unknown session state '" + state + "'");
  }
  s.state = *st;
  return s;
}

tl::unexpected<Error> no_session(std::string_view what) {
  return not_found(checks::kSessionNotFound, "no such session: " + std::string(what));
}

// Explains why a conditional consume changed nothing: the row as it is (if any) tells.
Result<Session> refuse(const std::optional<Row>& row, std::string_view kind, Timestamp now,
                       std::string_view what) {
  if (!row) {
    return no_session(what);
  }
  VOUCH_TRY(const Session s, decode(*row));
  if (s.kind != kind) {
    return no_session(what);
  }
  if (s.state != SessionState::kPending) {
    return fail(ErrorKind::kFailedPrecondition, checks::kSessionConsumed,
                "session '" + s.id + "' was already used (its nonce is single use)");
  }
  if (now >= s.expires_at) {
    return fail(ErrorKind::kFailedPrecondition, checks::kSessionExpired,
                "session '" + s.id + "' expired at " + format_rfc3339(s.expires_at));
  }
  return fail(ErrorKind::kInternal, checks::kSql, "session '" + s.id + "' could not be consumed");
}

class SqlSessionStore final : public SessionStore {
 public:
  explicit SqlSessionStore(Database& db) : db_(db) {}

  Status create(const Session& s) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", s.tenant));
    VOUCH_RETURN_IF_ERROR(check_id("session id", s.id));
    VOUCH_RETURN_IF_ERROR(check_id("session kind", s.kind));
    VOUCH_RETURN_IF_ERROR(check_blob("nonce", s.nonce, limits::kMaxNonce, true));
    VOUCH_RETURN_IF_ERROR(check_text("result", s.result, limits::kMaxBlob, false));
    VOUCH_TRY(const std::string context, object_text("context", s.context, limits::kMaxJson));
    if (s.state != SessionState::kPending || s.consumed_at) {
      return fail(ErrorKind::kInvalidArgument, checks::kArgument, "a new session is pending");
    }
    if (!(s.created_at < s.expires_at)) {
      return fail(ErrorKind::kInvalidArgument, checks::kArgument,
                  "a session must expire after it is created");
    }
    return write(db_, [&](Connection& c) -> Status {
      VOUCH_RETURN_IF_ERROR(require_tenant(c, s.tenant));
      VOUCH_TRY(
          std::optional<Row> same_id,
          c.query_optional("SELECT 1 FROM sessions WHERE tenant = ? AND id = ?", {s.tenant, s.id}));
      if (same_id) {
        return fail(ErrorKind::kAlreadyExists, checks::kSessionExists,
                    "session '" + s.id + "' already exists");
      }
      VOUCH_TRY(std::optional<Row> same_nonce,
                c.query_optional("SELECT 1 FROM sessions WHERE tenant = ? AND nonce = ?",
                                 {s.tenant, s.nonce}));
      if (same_nonce) {
        return fail(ErrorKind::kAlreadyExists, checks::kNonceExists,
                    "this nonce was already issued in tenant '" + s.tenant + "'");
      }
      VOUCH_RETURN_IF_ERROR(insert_racing(
          c,
          "INSERT INTO sessions (" + std::string(kColumns) +
              ") VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', NULL, ?)",
          {s.tenant, s.id, s.kind, s.nonce, context, s.created_at, s.expires_at, s.result},
          "session"));
      return ok();
    });
  }

  Result<Session> get(std::string_view tenant, std::string_view id) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    VOUCH_RETURN_IF_ERROR(check_id("session id", id));
    return read(db_, [&](Connection& c) -> Result<Session> {
      VOUCH_TRY(std::optional<Row> row,
                c.query_optional(select("tenant = ? AND id = ?"), {tenant, id}));
      if (!row) {
        return no_session("'" + std::string(id) + "'");
      }
      return decode(*row);
    });
  }

  Result<Session> consume(std::string_view tenant, std::string_view kind, std::string_view id,
                          Timestamp now) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    VOUCH_RETURN_IF_ERROR(check_id("session kind", kind));
    VOUCH_RETURN_IF_ERROR(check_id("session id", id));
    return consume_where("id = ?", tenant, kind, Param(id), now, "'" + std::string(id) + "'");
  }

  Result<Session> consume_nonce(std::string_view tenant, std::string_view kind, ByteSpan nonce,
                                Timestamp now) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    VOUCH_RETURN_IF_ERROR(check_id("session kind", kind));
    VOUCH_RETURN_IF_ERROR(check_blob("nonce", nonce, limits::kMaxNonce, true));
    return consume_where("nonce = ?", tenant, kind, Param(nonce), now,
                         "nonce " + hex_encode(nonce));
  }

  Result<Session> complete(std::string_view tenant, std::string_view id, SessionState final_state,
                           std::string_view result) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    VOUCH_RETURN_IF_ERROR(check_id("session id", id));
    VOUCH_RETURN_IF_ERROR(check_text("result", result, limits::kMaxBlob, false));
    if (final_state != SessionState::kComplete && final_state != SessionState::kFailed) {
      return fail(ErrorKind::kInvalidArgument, checks::kArgument,
                  "a session completes as complete or failed");
    }
    return write(db_, [&](Connection& c) -> Result<Session> {
      VOUCH_TRY(std::vector<Row> rows,
                c.query("UPDATE sessions SET state = ?, result = ? WHERE tenant = ? AND id = ? "
                        "AND state = 'consumed' RETURNING " +
                            std::string(kColumns),
                        {session_state_name(final_state), result, tenant, id}));
      if (!rows.empty()) {
        return decode(rows.front());
      }
      VOUCH_TRY(std::optional<Row> row,
                c.query_optional(select("tenant = ? AND id = ?"), {tenant, id}));
      if (!row) {
        return no_session("'" + std::string(id) + "'");
      }
      return fail(ErrorKind::kFailedPrecondition, checks::kSessionState,
                  "session '" + std::string(id) + "' is not waiting for a result");
    });
  }

  Status remove(std::string_view tenant, std::string_view id) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    VOUCH_RETURN_IF_ERROR(check_id("session id", id));
    return write(db_, [&](Connection& c) -> Status {
      VOUCH_TRY(const std::int64_t n,
                c.execute("DELETE FROM sessions WHERE tenant = ? AND id = ?", {tenant, id}));
      if (n == 0) {
        return no_session("'" + std::string(id) + "'");
      }
      return ok();
    });
  }

  Result<std::size_t> purge_expired(Timestamp before, std::size_t limit) override {
    VOUCH_RETURN_IF_ERROR(check_page(limit));
    return write(db_, [&](Connection& c) -> Result<std::size_t> {
      VOUCH_TRY(const std::int64_t n,
                c.execute("DELETE FROM sessions WHERE (tenant, id) IN (SELECT tenant, id FROM "
                          "sessions WHERE expires_at < ? ORDER BY expires_at LIMIT ?)",
                          {before, static_cast<std::int64_t>(limit)}));
      return to_size(n);
    });
  }

 private:
  // One conditional UPDATE is the whole single-use guarantee: the row changes only while it is
  // pending and unexpired, and the database applies the UPDATE to one writer at a time.
  Result<Session> consume_where(std::string_view key, std::string_view tenant,
                                std::string_view kind, Param key_value, Timestamp now,
                                const std::string& what) {
    const std::string where = "tenant = ? AND " + std::string(key);
    return write(db_, [&](Connection& c) -> Result<Session> {
      VOUCH_TRY(std::vector<Row> rows,
                c.query("UPDATE sessions SET state = 'consumed', consumed_at = ? WHERE " + where +
                            " AND kind = ? AND state = 'pending' AND expires_at > ? RETURNING " +
                            std::string(kColumns),
                        {now, tenant, key_value, kind, now}));
      if (!rows.empty()) {
        return decode(rows.front());
      }
      VOUCH_TRY(std::optional<Row> row, c.query_optional(select(where), {tenant, key_value}));
      return refuse(row, kind, now, what);
    });
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<SessionStore> make_session_store(Database& db) {
  return std::make_unique<SqlSessionStore>(db);
}

}  // namespace vouch::store::sql
