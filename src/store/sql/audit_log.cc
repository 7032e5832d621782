#include <limits>

#include "store/audit.h"
#include "store/check_ids.h"
#include "store/limits.h"
#include "store/sql/internal.h"

namespace vouch::store::sql {
namespace {

constexpr std::string_view kSelect =
    "SELECT tenant, seq, time, kind, payload, prev_hash, hash FROM audit_log WHERE tenant = ?";

Result<std::uint64_t> to_sequence(std::int64_t seq) {
  if (seq <= 0) {
    return fail(ErrorKind::kInternal, checks::kDecode, "audit sequence number out of range");
  }
  return static_cast<std::uint64_t>(seq);
}

Result<AuditEntry> decode(const Row& row) {
  RowReader rd(row);
  AuditEntry e;
  e.tenant = rd.text();
  const std::int64_t seq = rd.i64();
  e.time = rd.time();
  e.kind = rd.text();
  e.payload = rd.text();
  e.prev_hash = rd.blob();
  e.hash = rd.blob();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  VOUCH_TRY(e.sequence, to_sequence(seq));
  return e;
}

Result<std::optional<ChainHead>> select_head(Connection& c, std::string_view tenant) {
  VOUCH_TRY(
      std::optional<Row> row,
      c.query_optional("SELECT seq, hash FROM audit_log WHERE tenant = ? ORDER BY seq DESC LIMIT 1",
                       {tenant}));
  if (!row) {
    return std::optional<ChainHead>();
  }
  RowReader rd(*row);
  const std::int64_t seq = rd.i64();
  Bytes hash = rd.blob();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  VOUCH_TRY(const std::uint64_t sequence, to_sequence(seq));
  return std::optional<ChainHead>(ChainHead{sequence, std::move(hash)});
}

class SqlAuditLog final : public AuditLog {
 public:
  explicit SqlAuditLog(Database& db) : db_(db) {}

  Result<AuditEntry> append(std::string_view tenant, Timestamp time, std::string_view kind,
                            const nlohmann::json& payload) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    VOUCH_RETURN_IF_ERROR(check_id("audit kind", kind));
    VOUCH_TRY(const std::string text, object_text("audit payload", payload, limits::kMaxJson));
    return write(db_, [&](Connection& c) { return append_audit(c, tenant, time, kind, text); });
  }

  Result<std::vector<AuditEntry>> page(std::string_view tenant, std::uint64_t after_sequence,
                                       std::size_t limit) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    VOUCH_RETURN_IF_ERROR(check_page(limit));
    if (after_sequence > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::vector<AuditEntry>();
    }
    return read(db_, [&](Connection& c) -> Result<std::vector<AuditEntry>> {
      VOUCH_TRY(const std::vector<Row> rows,
                c.query(std::string(kSelect) + " AND seq > ? ORDER BY seq LIMIT ?",
                        {tenant, static_cast<std::int64_t>(after_sequence),
                         static_cast<std::int64_t>(limit)}));
      return decode_rows(rows, decode);
    });
  }

  Result<std::optional<ChainHead>> head(std::string_view tenant) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    return read(db_, [&](Connection& c) { return select_head(c, tenant); });
  }

  Result<std::vector<std::string>> chains() override {
    return read(db_, [&](Connection& c) -> Result<std::vector<std::string>> {
      VOUCH_TRY(const std::vector<Row> rows,
                c.query("SELECT DISTINCT tenant FROM audit_log ORDER BY tenant"));
      return decode_rows(rows, decode_text);
    });
  }

  Database& db_;
};

}  // namespace

Result<AuditEntry> append_audit(Connection& c, std::string_view tenant, Timestamp time,
                                std::string_view kind, const std::string& text) {
  // Appenders of one chain queue here (on every node) rather than race for the next sequence.
  VOUCH_RETURN_IF_ERROR(c.lock("audit " + std::string(tenant)));
  VOUCH_TRY(std::optional<ChainHead> head, select_head(c, tenant));
  AuditEntry e;
  e.tenant = std::string(tenant);
  e.sequence = head ? head->sequence + 1 : 1;
  e.time = time;
  e.kind = std::string(kind);
  e.payload = text;
  e.prev_hash = head ? head->hash : Bytes(kAuditHashSize, 0);
  e.hash = audit_entry_hash(e);
  // Another node appending this sequence number first makes it a conflict: the transaction body
  // runs again, reads the new head and links to that.
  VOUCH_RETURN_IF_ERROR(insert_racing(
      c,
      "INSERT INTO audit_log (tenant, seq, time, kind, payload, prev_hash, hash) VALUES (?, ?, "
      "?, ?, ?, ?, ?)",
      {e.tenant, static_cast<std::int64_t>(e.sequence), e.time, e.kind, e.payload, e.prev_hash,
       e.hash},
      "audit sequence"));
  return e;
}

std::unique_ptr<AuditLog> make_audit_log(Database& db) {
  return std::make_unique<SqlAuditLog>(db);
}

}  // namespace vouch::store::sql
