#include "store/check_ids.h"
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
    return fail(ErrorKind::kInvalidArgument, checks::kBackendUnsupported,
                "the PostgreSQL store is not built yet (issue 8); use sqlite:PATH");
  }
  return fail(ErrorKind::kInvalidArgument, checks::kUrl,
              "unknown store URL scheme (expected sqlite:PATH)");
}

}  // namespace vouch::store
