#pragma once

// The seam between the SQL stores (src/store/sql/*.cc, shared by every SQL backend) and a
// database driver (src/store/sqlite, src/store/postgres). Statements are written once in Vouch's
// portable SQL with `?` markers; values are always bound as parameters, never spliced into text.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"

namespace vouch::store::sql {

class Dialect;

// Param is one bound statement parameter: NULL, a 64-bit integer, text or bytes. It borrows text
// and bytes for the duration of the call that binds it. Integer types other than int64_t, int,
// uint32_t and bool must be converted explicitly (so a size_t never slips in unchecked).
class Param {
 public:
  using Variant = std::variant<std::monostate, std::int64_t, std::string_view, ByteSpan>;

  Param(std::nullptr_t) noexcept {}                                  // NOLINT: implicit
  Param(std::int64_t v) noexcept : v_(v) {}                          // NOLINT: implicit
  Param(int v) noexcept : v_(std::int64_t{v}) {}                     // NOLINT: implicit
  Param(std::uint32_t v) noexcept : v_(std::int64_t{v}) {}           // NOLINT: implicit
  Param(bool v) noexcept : v_(std::int64_t{v ? 1 : 0}) {}            // NOLINT: implicit
  Param(std::string_view v) noexcept : v_(v) {}                      // NOLINT: implicit
  Param(const std::string& v) noexcept : v_(std::string_view(v)) {}  // NOLINT: implicit
  Param(const char* v) noexcept : v_(std::string_view(v)) {}         // NOLINT: implicit
  Param(ByteSpan v) noexcept : v_(v) {}                              // NOLINT: implicit
  Param(const Bytes& v) noexcept : v_(ByteSpan(v)) {}                // NOLINT: implicit
  Param(Timestamp t) noexcept : v_(unix_seconds(t)) {}               // NOLINT: implicit
  Param(const std::optional<Timestamp>& t) noexcept {                // NOLINT: implicit
    if (t) {
      v_ = unix_seconds(*t);
    }
  }

  const Variant& get() const noexcept { return v_; }

 private:
  Variant v_;
};

using Params = std::span<const Param>;

// Value is one column value read back.
using Value = std::variant<std::monostate, std::int64_t, std::string, Bytes>;

// Row is one result row.
class Row {
 public:
  Row() = default;
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  std::size_t size() const noexcept { return values_.size(); }
  const Value& at(std::size_t i) const { return values_.at(i); }

 private:
  std::vector<Value> values_;
};

// RowReader reads a row's columns in order. A column of the wrong type or a missing column reads
// as a zero value and makes finish() fail, so decoders read every column and check once.
class RowReader {
 public:
  explicit RowReader(const Row& row) noexcept : row_(row) {}
  std::int64_t i64();
  std::optional<std::int64_t> opt_i64();
  bool flag();  // an integer 0 or 1
  std::string text();
  Bytes blob();
  Timestamp time();
  std::optional<Timestamp> opt_time();
  // finish fails with kInternal / store.decode when a column was missing or of the wrong type, or
  // columns were left unread.
  [[nodiscard]] Status finish() const;

 private:
  const Value* next();
  void mismatch(const char* expected);

  const Row& row_;
  std::size_t pos_ = 0;
  std::string problem_;
};

// Connection runs statements inside one transaction (see Database::transaction).
class Connection {
 public:
  virtual ~Connection() = default;
  // query_span runs one statement and returns all its rows. Fails with the driver's mapped error
  // (kAlreadyExists / store.sql.unique for a unique-constraint violation, kUnavailable for busy
  // or full, ...).
  [[nodiscard]] virtual Result<std::vector<Row>> query_span(std::string_view sql,
                                                            Params params) = 0;
  // execute_span runs one statement and returns how many rows it changed.
  [[nodiscard]] virtual Result<std::int64_t> execute_span(std::string_view sql, Params params) = 0;
  // execute_script runs several parameterless statements (migrations only).
  [[nodiscard]] virtual Status execute_script(std::string_view sql) = 0;
  // lock serializes this write transaction, until it ends, against every other transaction that
  // locks the same `key` (any process or node). Bodies take it before reading what they are about
  // to extend (an audit chain head, the newest status list, the latest version), so concurrent
  // writers on several nodes queue instead of racing to a conflict and a rerun. A driver whose
  // write transactions are already serialized (SQLite: one writer) does nothing. Keys are
  // constants of the caller plus identifiers; take several in one fixed order (status before
  // audit) so two transactions cannot wait on each other.
  [[nodiscard]] virtual Status lock(std::string_view key) {
    (void)key;
    return ok();
  }

  [[nodiscard]] Result<std::vector<Row>> query(std::string_view sql,
                                               std::initializer_list<Param> params = {}) {
    return query_span(sql, Params(params.begin(), params.size()));
  }
  [[nodiscard]] Result<std::int64_t> execute(std::string_view sql,
                                             std::initializer_list<Param> params = {}) {
    return execute_span(sql, Params(params.begin(), params.size()));
  }
  // query_optional returns the first row, or nullopt when there is none.
  [[nodiscard]] Result<std::optional<Row>> query_optional(std::string_view sql,
                                                          std::initializer_list<Param> params = {});
};

// Access says whether a transaction writes.
enum class Access : std::uint8_t { kRead, kWrite };

// Database is an open database behind a driver.
class Database {
 public:
  virtual ~Database() = default;
  virtual const Dialect& dialect() const noexcept = 0;
  virtual std::string_view backend() const noexcept = 0;

  // transaction runs `body` in one transaction on a connection that no other thread uses
  // meanwhile, and commits when it returns ok; otherwise rolls back and returns its error. Do not
  // rely on write transactions being serialized against each other: SQLite's are, PostgreSQL's
  // run at READ COMMITTED on many nodes at once. A body stays correct with conditional UPDATEs
  // (re-checked on the row a concurrent writer changed), unique keys (a lost race is
  // store.conflict) and Connection::lock before it reads what it extends. A body must return as
  // soon as a statement fails (PostgreSQL refuses further statements in that transaction). When
  // the database is busy or a concurrent writer conflicts (kUnavailable / store.busy or
  // store.conflict, from the driver or returned by `body`), the whole body is run again, a
  // bounded number of times: `body` must only assign, never accumulate, its results.
  // A driver may run `body` on another thread while the caller waits (SQLite's group commit), so
  // `body` must not start a transaction itself nor rely on thread-local state.
  [[nodiscard]] virtual Status transaction(Access access,
                                           const std::function<Status(Connection&)>& body) = 0;
  // write_async is transaction(kWrite, body) with its outcome handed to `done` once committed (or
  // failed), so that the caller need not wait for the commit. A driver that commits in the
  // background (SQLite) returns at once and calls `done` from its committing thread, in commit
  // order; there `done` must not wait for another write (it may start one: it runs inline). By
  // default the write runs on the calling thread and `done` is called before this returns.
  virtual void write_async(std::function<Status(Connection&)> body,
                           std::function<void(Status)> done) {
    done(transaction(Access::kWrite, body));
  }
  // wait_for_writes returns once every write_async before it has been committed and answered.
  virtual void wait_for_writes() {}
  // check_integrity runs the backend's consistency check (kInternal / store.corrupt on failure).
  [[nodiscard]] virtual Status check_integrity() = 0;
};

namespace internal {
template <typename T>
struct ResultValue;
template <typename T>
struct ResultValue<Result<T>> {
  using type = T;
};
}  // namespace internal

// run_transaction runs `body` (Connection& -> Result<T>) in a transaction and returns its value.
template <typename F>
auto run_transaction(Database& db, Access access, F&& body)
    -> std::invoke_result_t<F&, Connection&> {
  using R = std::invoke_result_t<F&, Connection&>;
  using T = typename internal::ResultValue<R>::type;
  if constexpr (std::is_void_v<T>) {
    return db.transaction(access, [&](Connection& c) -> Status { return body(c); });
  } else {
    std::optional<T> out;
    Status s = db.transaction(access, [&](Connection& c) -> Status {
      R r = body(c);
      if (!r) {
        return fail(std::move(r).error());
      }
      out = std::move(*r);
      return ok();
    });
    if (!s) {
      return fail(std::move(s).error());
    }
    return std::move(*out);
  }
}

// read and write are run_transaction for Access::kRead and Access::kWrite.
template <typename F>
auto read(Database& db, F&& body) {
  return run_transaction(db, Access::kRead, std::forward<F>(body));
}
template <typename F>
auto write(Database& db, F&& body) {
  return run_transaction(db, Access::kWrite, std::forward<F>(body));
}

}  // namespace vouch::store::sql
