#pragma once

#include <cstdint>
#include <memory>

#include "store/sql/database.h"
#include "store/store.h"

namespace vouch::store::sql {

// make_sql_store builds a Store whose every concern runs on `db` (already migrated to
// `schema_version`). The Store owns the database.
StorePtr make_sql_store(std::unique_ptr<Database> db, std::int64_t schema_version);

}  // namespace vouch::store::sql
