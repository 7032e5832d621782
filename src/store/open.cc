#include "store/check_ids.h"
#include "store/postgres/postgres_database.h"
#include "store/sqlite/sqlite_database.h"
#include "store/store.h"

namespace vouch::store {

Result<StorePtr> open_store(const std::string& url) {
  const std::string_view u(url);
  if (u.starts_with("sqlite:")) {
    VOUCH_TRY(const sqlite::Options options, sqlite::parse_url(u));
    return sqlite::open(options);
  }
  if (u.starts_with("postgres://") || u.starts_with("postgresql://")) {
    VOUCH_TRY(const postgres::Options options, postgres::parse_url(u));
    return postgres::open(options);
  }
  return fail(ErrorKind::kInvalidArgument, checks::kUrl,
              "unknown store URL scheme (expected sqlite:PATH or postgres://...)");
}

}  // namespace vouch::store
