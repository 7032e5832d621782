#include "store/check_ids.h"
#include "store/limits.h"
#include "store/sql/dialect.h"
#include "store/sql/internal.h"

namespace vouch::store::sql {
namespace {

Result<CollateralEntry> decode(const Row& row) {
  RowReader rd(row);
  CollateralEntry e;
  e.key = rd.text();
  e.body = rd.blob();
  e.issuer_chain = rd.blob();
  e.fetched_at = rd.time();
  e.next_update = rd.opt_time();
  e.source = rd.text();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  return e;
}

Status check_key(std::string_view key) {
  return check_text("collateral key", key, limits::kMaxUrl, true);
}

class SqlCollateralCache final : public CollateralCache {
 public:
  explicit SqlCollateralCache(Database& db)
      : db_(db),
        upsert_(db.dialect().upsert(
            "collateral_cache", {"key"},
            {"key", "body", "issuer_chain", "fetched_at", "next_update", "source"})) {}

  Status put(const CollateralEntry& e) override {
    VOUCH_RETURN_IF_ERROR(check_key(e.key));
    VOUCH_RETURN_IF_ERROR(check_blob("collateral body", e.body, limits::kMaxCollateral, false));
    VOUCH_RETURN_IF_ERROR(
        check_blob("issuer chain", e.issuer_chain, limits::kMaxCollateral, false));
    VOUCH_RETURN_IF_ERROR(check_text("source", e.source, limits::kMaxShortText, false));
    return write(db_, [&](Connection& c) -> Status {
      VOUCH_RETURN_IF_ERROR(c.execute(
          upsert_, {e.key, e.body, e.issuer_chain, e.fetched_at, e.next_update, e.source}));
      return ok();
    });
  }

  Result<CollateralEntry> get(std::string_view key) override {
    VOUCH_RETURN_IF_ERROR(check_key(key));
    return read(db_, [&](Connection& c) -> Result<CollateralEntry> {
      VOUCH_TRY(std::optional<Row> row,
                c.query_optional("SELECT key, body, issuer_chain, fetched_at, next_update, source "
                                 "FROM collateral_cache WHERE key = ?",
                                 {key}));
      if (!row) {
        return not_found(checks::kCollateralNotFound, "no cached collateral for this key");
      }
      return decode(*row);
    });
  }

  Status remove(std::string_view key) override {
    VOUCH_RETURN_IF_ERROR(check_key(key));
    return write(db_, [&](Connection& c) -> Status {
      VOUCH_TRY(const std::int64_t n,
                c.execute("DELETE FROM collateral_cache WHERE key = ?", {key}));
      if (n == 0) {
        return not_found(checks::kCollateralNotFound, "no cached collateral for this key");
      }
      return ok();
    });
  }

  Result<std::size_t> purge(Timestamp before) override {
    return write(db_, [&](Connection& c) -> Result<std::size_t> {
      VOUCH_TRY(const std::int64_t n,
                c.execute("DELETE FROM collateral_cache WHERE next_update < ?", {before}));
      return to_size(n);
    });
  }

 private:
  Database& db_;
  const std::string upsert_;
};

}  // namespace

std::unique_ptr<CollateralCache> make_collateral_cache(Database& db) {
  return std::make_unique<SqlCollateralCache>(db);
}

}  // namespace vouch::store::sql
