#include "store/check_ids.h"
#include "store/limits.h"
#include "store/sql/internal.h"

namespace vouch::store::sql {
namespace {

constexpr std::string_view kColumns =
    "tenant, kind, value, reason, metadata, not_before, not_after, created_at";

Result<ListEntry> decode(const Row& row) {
  RowReader rd(row);
  ListEntry e;
  e.tenant = rd.text();
  e.kind = rd.text();
  e.value = rd.text();
  e.reason = rd.text();
  const std::string metadata = rd.text();
  e.not_before = rd.opt_time();
  e.not_after = rd.opt_time();
  e.created_at = rd.time();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  VOUCH_TRY(e.metadata, parse_stored_json(metadata));
  return e;
}

Status check_entry_key(std::string_view tenant, std::string_view kind, std::string_view value) {
  VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
  VOUCH_RETURN_IF_ERROR(check_id("kind", kind));
  return check_text("value", value, limits::kMaxValue, true);
}

// The validity condition on a timestamp parameter, for both tables.
constexpr std::string_view kValidAt =
    " AND (not_before IS NULL OR not_before <= ?) AND (not_after IS NULL OR ? < not_after)";

// SqlListStore implements ListStore over one table; `Interface` is ReferenceValueStore or
// DenyListStore, `table` a constant table name.
template <typename Interface>
class SqlListStore final : public Interface {
 public:
  SqlListStore(Database& db, std::string_view table, std::string_view what)
      : db_(db),
        what_(what),
        select_("SELECT " + std::string(kColumns) + " FROM " + std::string(table) +
                " WHERE tenant = ?"),
        insert_("INSERT INTO " + std::string(table) + " (" + std::string(kColumns) +
                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
        delete_("DELETE FROM " + std::string(table) +
                " WHERE tenant = ? AND kind = ? AND value = ?") {}

  Status add(const ListEntry& e) override {
    VOUCH_RETURN_IF_ERROR(check_entry_key(e.tenant, e.kind, e.value));
    VOUCH_RETURN_IF_ERROR(check_text("reason", e.reason, limits::kMaxShortText, false));
    VOUCH_RETURN_IF_ERROR(check_window(e.not_before, e.not_after));
    VOUCH_TRY(const std::string metadata, object_text("metadata", e.metadata, limits::kMaxJson));
    return write(db_, [&](Connection& c) -> Status {
      VOUCH_RETURN_IF_ERROR(require_tenant(c, e.tenant));
      VOUCH_RETURN_IF_ERROR(c.execute(insert_, {e.tenant, e.kind, e.value, e.reason, metadata,
                                                e.not_before, e.not_after, e.created_at})
                                .map_error(relabel_unique(checks::kListEntryExists)));
      return ok();
    });
  }

  Result<ListEntry> get(std::string_view tenant, std::string_view kind,
                        std::string_view value) override {
    VOUCH_RETURN_IF_ERROR(check_entry_key(tenant, kind, value));
    return read(db_, [&](Connection& c) -> Result<ListEntry> {
      VOUCH_TRY(std::optional<Row> row,
                c.query_optional(select_ + " AND kind = ? AND value = ?", {tenant, kind, value}));
      if (!row) {
        return missing(tenant, kind);
      }
      return decode(*row);
    });
  }

  Status remove(std::string_view tenant, std::string_view kind, std::string_view value) override {
    VOUCH_RETURN_IF_ERROR(check_entry_key(tenant, kind, value));
    return write(db_, [&](Connection& c) -> Status {
      VOUCH_TRY(const std::int64_t n, c.execute(delete_, {tenant, kind, value}));
      if (n == 0) {
        return missing(tenant, kind);
      }
      return ok();
    });
  }

  Result<std::vector<ListEntry>> list(std::string_view tenant, const ListQuery& q) override {
    VOUCH_RETURN_IF_ERROR(check_id("tenant", tenant));
    VOUCH_RETURN_IF_ERROR(check_page(q.limit));
    if (q.kind) {
      VOUCH_RETURN_IF_ERROR(check_id("kind", *q.kind));
    }
    if (!q.after_kind.empty()) {
      VOUCH_RETURN_IF_ERROR(check_entry_key(tenant, q.after_kind, q.after_value));
    }
    // The statement is assembled from constant fragments only; every value is bound.
    std::string sql = select_;
    std::vector<Param> params{tenant};
    if (q.kind) {
      sql += " AND kind = ?";
      params.emplace_back(*q.kind);
    }
    if (q.valid_at) {
      sql += kValidAt;
      params.emplace_back(*q.valid_at);
      params.emplace_back(*q.valid_at);
    }
    if (!q.after_kind.empty()) {
      sql += " AND (kind > ? OR (kind = ? AND value > ?))";
      params.emplace_back(q.after_kind);
      params.emplace_back(q.after_kind);
      params.emplace_back(q.after_value);
    }
    sql += " ORDER BY kind, value LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(q.limit));
    return read(db_, [&](Connection& c) -> Result<std::vector<ListEntry>> {
      VOUCH_TRY(const std::vector<Row> rows, c.query_span(sql, params));
      return decode_rows(rows, decode);
    });
  }

  Result<std::optional<ListEntry>> find(std::string_view tenant, std::string_view kind,
                                        std::string_view value, Timestamp at) override {
    VOUCH_RETURN_IF_ERROR(check_entry_key(tenant, kind, value));
    return read(db_, [&](Connection& c) -> Result<std::optional<ListEntry>> {
      VOUCH_TRY(std::optional<Row> row,
                c.query_optional(select_ + " AND kind = ? AND value = ?" + std::string(kValidAt),
                                 {tenant, kind, value, at, at}));
      if (!row) {
        return std::optional<ListEntry>();
      }
      VOUCH_TRY(ListEntry e, decode(*row));
      return std::optional<ListEntry>(std::move(e));
    });
  }

 private:
  tl::unexpected<Error> missing(std::string_view tenant, std::string_view kind) const {
    return not_found(checks::kListEntryNotFound, "no such " + std::string(kind) + " " + what_ +
                                                     " in tenant '" + std::string(tenant) + "'");
  }

  Database& db_;
  const std::string what_;
  const std::string select_;
  const std::string insert_;
  const std::string delete_;
};

}  // namespace

std::unique_ptr<ReferenceValueStore> make_reference_value_store(Database& db) {
  return std::make_unique<SqlListStore<ReferenceValueStore>>(db, "reference_values",
                                                             "reference value");
}

std::unique_ptr<DenyListStore> make_deny_list_store(Database& db) {
  return std::make_unique<SqlListStore<DenyListStore>>(db, "deny_list", "deny-list entry");
}

}  // namespace vouch::store::sql
