#include "store/postgres/postgres_database.h"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "store/check_ids.h"
#include "store/sql/dialect.h"
#include "store/sql/internal.h"
#include "store/sql/migrate.h"
#include "store/sql/sql_store.h"

namespace vouch::store::postgres {
namespace {

using sql::Access;
using sql::Params;
using sql::Row;
using sql::Value;

// Type OIDs (pg_type.dat; stable across releases).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kCharOid = 18;
constexpr Oid kNameOid = 19;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kUnknownOid = 705;
constexpr Oid kBpcharOid = 1042;
constexpr Oid kVarcharOid = 1043;
constexpr Oid kVoidOid = 2278;

constexpr int kTextFormat = 0;
constexpr int kBinaryFormat = 1;

constexpr int kMaxConflictAttempts = 10;  // store.conflict, serialization failure, deadlock
constexpr int kMaxBusyAttempts = 2;       // statement or pool timeout: once more
constexpr int kMinServerVersion = 120000;

struct ClearResult {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ClearResult>;
struct FinishConn {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using ConnPtr = std::unique_ptr<PGconn, FinishConn>;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string trim_message(const char* message) {
  std::string m = message != nullptr ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) {
    m.pop_back();
  }
  return m.empty() ? std::string("no message") : m;
}

// Maps an SQLSTATE to the store's error classes (docs/adr/0009-storage.md).
Error map_sqlstate(std::string_view state, std::string_view what, const std::string& message) {
  std::string detail(what);
  detail.append(": ").append(message);
  if (!state.empty()) {
    detail.append(" (SQLSTATE ").append(state).append(")");
  }
  const auto make = [&](ErrorKind kind, CheckId check) { return Error{kind, check, detail}; };
  if (state == "23505") {
    return make(ErrorKind::kAlreadyExists, checks::kUnique);
  }
  if (state == "23503") {
    return make(ErrorKind::kFailedPrecondition, checks::kForeignKey);
  }
  if (state == "40001" || state == "40P01") {  // serialization failure, deadlock
    return make(ErrorKind::kUnavailable, checks::kConflict);
  }
  if (state == "57014" || state == "55P03" || state == "53300" || state == "57P03") {
    // statement timeout (query canceled), lock timeout, too many connections, starting up
    return make(ErrorKind::kUnavailable, checks::kBusy);
  }
  if (state == "53100") {
    return make(ErrorKind::kUnavailable, checks::kDiskFull);
  }
  if (starts_with(state, "53")) {  // out of memory or other resources
    return make(ErrorKind::kUnavailable, checks::kBusy);
  }
  if (starts_with(state, "08") || starts_with(state, "58") || state == "57P01" ||
      state == "57P02") {
    // connection exception, system (I/O) error, administrator or crash shutdown
    return make(ErrorKind::kUnavailable, checks::kIo);
  }
  if (state == "25006") {  // read-only transaction: a standby, or default_transaction_read_only
    return make(ErrorKind::kUnavailable, checks::kReadOnly);
  }
  if (state == "XX001" || state == "XX002") {
    return make(ErrorKind::kInternal, checks::kCorrupt);
  }
  if (state == "54000" || state == "54001") {
    return make(ErrorKind::kInvalidArgument, checks::kLimit);
  }
  return make(ErrorKind::kInternal, checks::kSql);
}

// How many times a transaction runs in all after this error (see Database::transaction).
int attempts_for(const Error& e) {
  if (e.kind != ErrorKind::kUnavailable) {
    return 1;
  }
  if (e.check == checks::kConflict) {
    return kMaxConflictAttempts;
  }
  return e.check == checks::kBusy ? kMaxBusyAttempts : 1;
}

void backoff(int attempt) {
  thread_local std::minstd_rand rng(static_cast<std::minstd_rand::result_type>(
      std::hash<std::thread::id>{}(std::this_thread::get_id()) ^
      static_cast<std::size_t>(std::chrono::steady_clock::now().time_since_epoch().count())));
  const int base = 1 << std::min(attempt, 6);  // 2, 4, ... 64 ms
  std::uniform_int_distribution<int> jitter(base / 2, base + base / 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
}

std::int64_t read_be(const char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  }
  // Sign-extend shorter integers.
  if (n < 8 && (v & (std::uint64_t{1} << (n * 8 - 1))) != 0) {
    v |= ~std::uint64_t{0} << (n * 8);
  }
  return static_cast<std::int64_t>(v);
}

// PgConnection is one libpq connection. It remembers when the connection broke, so the pool drops
// it instead of handing it out again.
class PgConnection final : public sql::Connection {
 public:
  static Result<std::unique_ptr<PgConnection>> open(const Options& o) {
    // Later entries override earlier ones (PQconnectdbParams, expand_dbname): the URI may set its
    // own connect_timeout and application_name; the client encoding is always UTF-8.
    const std::array<const char*, 5> keys = {"connect_timeout", "application_name", "dbname",
                                             "client_encoding", nullptr};
    const std::array<const char*, 5> values = {"5", "vouch", o.conninfo.c_str(), "UTF8", nullptr};
    ConnPtr conn(PQconnectdbParams(keys.data(), values.data(), 1));
    if (!conn) {
      return fail(ErrorKind::kUnavailable, checks::kIo, "libpq: out of memory");
    }
    if (PQstatus(conn.get()) != CONNECTION_OK) {
      return fail(ErrorKind::kUnavailable, checks::kIo,
                  "cannot connect to PostgreSQL: " + trim_message(PQerrorMessage(conn.get())));
    }
    if (PQserverVersion(conn.get()) < kMinServerVersion) {
      return fail(ErrorKind::kFailedPrecondition, checks::kBackendUnsupported,
                  "PostgreSQL " + std::to_string(PQserverVersion(conn.get())) +
                      " is too old: Vouch needs version 12 or newer (tested with 15)");
    }
    // Notices ("relation already exists, skipping") are not errors: keep them off stderr.
    PQsetNoticeProcessor(
        conn.get(), [](void*, const char*) {}, nullptr);
    auto c = std::unique_ptr<PgConnection>(new PgConnection(std::move(conn)));
    // Integers we format ourselves: no value from outside reaches these statements' text.
    VOUCH_RETURN_IF_ERROR(
        c->exec("SET statement_timeout = " + std::to_string(o.statement_timeout.count())));
    return c;
  }

  Result<std::vector<Row>> query_span(std::string_view sql, Params params) override {
    std::vector<Row> rows;
    VOUCH_TRY(ResultPtr r, run(sql, params));
    VOUCH_RETURN_IF_ERROR(read_rows(r.get(), rows));
    return rows;
  }

  Result<std::int64_t> execute_span(std::string_view sql, Params params) override {
    VOUCH_TRY(ResultPtr r, run(sql, params));
    return changed(r.get());
  }

  Status execute_script(std::string_view sql) override { return exec(std::string(sql)); }

  Status lock(std::string_view key) override {
    // A transaction-scoped advisory lock on a 64-bit hash of the schema and the key (two Vouch
    // databases in two schemas of one PostgreSQL database are independent); a collision only
    // makes two unrelated writers queue.
    const sql::Param param(key);
    return run("SELECT pg_advisory_xact_lock(hashtextextended(COALESCE(current_schema(), '') || "
               "' ' || ?, 0))",
               Params(&param, 1))
        .map([](ResultPtr) {});
  }

  // exec runs parameterless SQL (transaction control, settings, migration scripts).
  Status exec(const std::string& sql) {
    ResultPtr r(PQexec(conn_.get(), sql.c_str()));
    return check(r.get(), "executing SQL");
  }

  // rollback ends an open or failed transaction; a connection that cannot is dropped.
  void rollback() noexcept {
    const PGTransactionStatusType t = PQtransactionStatus(conn_.get());
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR) {
      ResultPtr r(PQexec(conn_.get(), "ROLLBACK"));
      if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
        broken_ = true;
      }
    } else if (t != PQTRANS_IDLE) {
      broken_ = true;
    }
  }

  bool failed_transaction() const noexcept {
    return PQtransactionStatus(conn_.get()) == PQTRANS_INERROR;
  }

  bool broken() const noexcept { return broken_ || PQstatus(conn_.get()) != CONNECTION_OK; }

 private:
  explicit PgConnection(ConnPtr conn) : conn_(std::move(conn)) {}

  // check maps a failed result to an error (and notes a lost connection).
  Status check(PGresult* r, std::string_view what) {
    const ExecStatusType st = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
      return ok();
    }
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
      broken_ = true;
      return fail(ErrorKind::kUnavailable, checks::kIo,
                  std::string(what) + ": lost the connection to PostgreSQL: " +
                      trim_message(PQerrorMessage(conn_.get())));
    }
    if (r == nullptr) {
      return fail(ErrorKind::kUnavailable, checks::kIo,
                  std::string(what) + ": " + trim_message(PQerrorMessage(conn_.get())));
    }
    if (st != PGRES_FATAL_ERROR && st != PGRES_NONFATAL_ERROR) {
      return fail(ErrorKind::kInternal, checks::kSql,
                  std::string(what) + ": unexpected result " + PQresStatus(st));
    }
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    Error e =
        map_sqlstate(state != nullptr ? state : "", what, trim_message(PQresultErrorMessage(r)));
    if (e.check == checks::kIo) {
      broken_ = true;
    }
    return fail(std::move(e));
  }

  Result<ResultPtr> run(std::string_view portable, Params params) {
    if (params.size() > 65535) {
      return fail(ErrorKind::kInternal, checks::kSql, "too many statement parameters");
    }
    const std::string text = sql::Dialect::postgres().statement(portable);
    const std::size_t n = params.size();
    std::vector<Oid> types(n, 0);
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0);
    std::vector<int> formats(n, kTextFormat);
    std::vector<std::string> numbers(n);  // integers as text; stable storage for the call
    static constexpr char kEmpty[] = "";
    for (std::size_t i = 0; i < n; ++i) {
      const auto& v = params[i].get();
      if (const auto* x = std::get_if<std::int64_t>(&v)) {
        numbers[i] = std::to_string(*x);
        types[i] = kInt8Oid;
        values[i] = numbers[i].c_str();
      } else if (const auto* s = std::get_if<std::string_view>(&v)) {
        // Binary text is the bytes themselves: no terminating NUL needed. The server checks the
        // encoding (UTF-8) as for any text.
        types[i] = kTextOid;
        values[i] = s->empty() ? kEmpty : s->data();
        lengths[i] = static_cast<int>(s->size());
        formats[i] = kBinaryFormat;
      } else if (const auto* b = std::get_if<ByteSpan>(&v)) {
        types[i] = kByteaOid;
        values[i] = b->empty() ? kEmpty : reinterpret_cast<const char*>(b->data());  // NOLINT
        lengths[i] = static_cast<int>(b->size());
        formats[i] = kBinaryFormat;
      }
      // NULL: type 0 (the server infers it from the context), value nullptr.
    }
    ResultPtr r(PQexecParams(conn_.get(), text.c_str(), static_cast<int>(n), types.data(),
                             values.data(), lengths.data(), formats.data(), kBinaryFormat));
    VOUCH_RETURN_IF_ERROR(check(r.get(), "running a statement"));
    return r;
  }

  static Result<std::int64_t> changed(PGresult* r) {
    const char* tuples = PQcmdTuples(r);
    if (tuples == nullptr || *tuples == '\0') {
      return std::int64_t{0};
    }
    std::int64_t n = 0;
    const std::size_t len = std::strlen(tuples);
    const auto [end, ec] = std::from_chars(tuples, tuples + len, n);
    if (ec != std::errc() || end != tuples + len) {
      return fail(ErrorKind::kInternal, checks::kSql, "unreadable row count");
    }
    return n;
  }

  static Status read_rows(PGresult* r, std::vector<Row>& rows) {
    const int nrows = PQntuples(r);
    const int ncols = PQnfields(r);
    rows.reserve(static_cast<std::size_t>(nrows));
    for (int row = 0; row < nrows; ++row) {
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(ncols));
      for (int col = 0; col < ncols; ++col) {
        VOUCH_TRY(Value v, read_value(r, row, col));
        values.push_back(std::move(v));
      }
      rows.emplace_back(std::move(values));
    }
    return ok();
  }

  static Result<Value> read_value(PGresult* r, int row, int col) {
    if (PQgetisnull(r, row, col) == 1) {
      return Value(std::monostate{});
    }
    const char* p = PQgetvalue(r, row, col);
    const auto len = static_cast<std::size_t>(PQgetlength(r, row, col));
    const Oid type = PQftype(r, col);
    const auto integer = [&](std::size_t size) -> Result<Value> {
      if (len != size) {
        return fail(ErrorKind::kInternal, checks::kDecode,
                    "column " + std::to_string(col) + ": integer of unexpected size");
      }
      return Value(read_be(p, size));
    };
    switch (type) {
      case kInt8Oid:
        return integer(8);
      case kInt4Oid:
        return integer(4);
      case kInt2Oid:
        return integer(2);
      case kBoolOid:
        return integer(1);
      case kTextOid:
      case kVarcharOid:
      case kNameOid:
      case kBpcharOid:
      case kCharOid:
      case kUnknownOid:
        return Value(std::string(p, len));
      case kByteaOid: {
        const auto* b = reinterpret_cast<const std::uint8_t*>(p);  // NOLINT
        return Value(Bytes(b, b + len));
      }
      case kVoidOid:
        return Value(std::monostate{});
      default:
        return fail(ErrorKind::kInternal, checks::kDecode,
                    "column " + std::to_string(col) + " has the unsupported type OID " +
                        std::to_string(type));
    }
  }

  ConnPtr conn_;
  bool broken_ = false;
};

// PgDatabase is sql::Database over a pool of connections to one PostgreSQL database.
class PgDatabase final : public sql::Database {
 public:
  PgDatabase(Options options, std::unique_ptr<PgConnection> first) : options_(std::move(options)) {
    idle_.push_back(std::move(first));
    open_ = 1;
  }

  const sql::Dialect& dialect() const noexcept override { return sql::Dialect::postgres(); }
  std::string_view backend() const noexcept override { return "postgres"; }

  Status transaction(Access access, const std::function<Status(sql::Connection&)>& body) override {
    for (int attempt = 1;; ++attempt) {
      Status s = once(access, body);
      if (s || attempt >= attempts_for(s.error())) {
        return s;
      }
      backoff(attempt);
    }
  }

  Status check_integrity() override {
    return transaction(Access::kRead, [](sql::Connection& c) -> Status {
      VOUCH_TRY(const std::int64_t n,
                sql::query_int(c, "SELECT count(*) FROM schema_version WHERE version > 0"));
      if (n <= 0) {
        return fail(ErrorKind::kInternal, checks::kCorrupt,
                    "integrity check: no applied migration in schema_version");
      }
      return ok();
    });
  }

 private:
  struct Taken {
    std::unique_ptr<PgConnection> conn;
    bool reused = false;  // came from the idle list: may have gone stale meanwhile
  };

  // once runs one attempt. A pooled connection that turns out to be dead when the transaction
  // begins (the server restarted) is replaced: nothing was sent, so that is safe to redo.
  Status once(Access access, const std::function<Status(sql::Connection&)>& body) {
    const char* begin = access == Access::kWrite
                            ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                            : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    for (std::size_t tries = 0;; ++tries) {
      VOUCH_TRY(Taken taken, take());
      PgConnection& c = *taken.conn;
      Status begun = c.exec(begin);
      if (!begun) {
        const bool stale = taken.reused && c.broken();
        give_back(std::move(taken.conn));
        if (stale && tries <= options_.pool) {
          continue;
        }
        return begun;
      }
      Status s = body(c);
      if (s && c.failed_transaction()) {
        s = fail(ErrorKind::kInternal, checks::kSql,
                 "a statement failed inside the transaction and the body went on");
      }
      if (s) {
        s = c.exec("COMMIT");
        if (!s && s.error().check == checks::kIo) {
          s.error().detail += " (the commit's outcome is unknown)";
        }
      }
      if (!s) {
        c.rollback();
      }
      give_back(std::move(taken.conn));
      return s;
    }
  }

  Result<Taken> take() {
    std::unique_lock<std::mutex> lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + options_.pool_timeout;
    for (;;) {
      if (!idle_.empty()) {
        Taken t{std::move(idle_.back()), true};
        idle_.pop_back();
        return t;
      }
      if (open_ < options_.pool) {
        ++open_;
        lock.unlock();
        auto conn = PgConnection::open(options_);
        if (!conn) {
          lock.lock();
          --open_;
          cv_.notify_one();
          return fail(std::move(conn).error());
        }
        return Taken{std::move(*conn), false};
      }
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= options_.pool) {
        return fail(ErrorKind::kUnavailable, checks::kBusy,
                    "all " + std::to_string(options_.pool) +
                        " PostgreSQL connections stayed busy for " +
                        std::to_string(options_.pool_timeout.count()) + " ms");
      }
    }
  }

  void give_back(std::unique_ptr<PgConnection> conn) {
    const bool broken = conn->broken();
    if (broken) {
      conn.reset();  // closed outside the lock; the next transaction opens a new one
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (broken) {
        --open_;
      } else {
        idle_.push_back(std::move(conn));
      }
    }
    cv_.notify_one();
  }

  const Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::size_t open_ = 0;  // connections in existence (idle or taken)
};

// Refuses a schema that holds tables but not ours.
Status check_ownership(sql::Database& db) {
  return db.transaction(Access::kRead, [](sql::Connection& c) -> Status {
    VOUCH_TRY(const std::int64_t tables,
              sql::query_int(c,
                             "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = "
                             "current_schema()"));
    VOUCH_TRY(const std::int64_t ours,
              sql::query_int(c,
                             "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = "
                             "current_schema() AND tablename = 'schema_version'"));
    if (tables > 0 && ours == 0) {
      return fail(ErrorKind::kFailedPrecondition, checks::kSchemaForeign,
                  "the PostgreSQL schema holds tables but is not a Vouch database");
    }
    return ok();
  });
}

}  // namespace

Result<Options> parse_url(std::string_view url) {
  if (!starts_with(url, "postgres://") && !starts_with(url, "postgresql://")) {
    return sql::url_error("not a postgres:// URL");
  }
  Options o;
  const std::size_t q = url.find('?');
  o.conninfo = std::string(url.substr(0, q));
  std::string passed;  // libpq's own parameters, in order
  std::string_view query = q == std::string_view::npos ? std::string_view() : url.substr(q + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (item.empty()) {
      continue;
    }
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return sql::url_error("option '" + std::string(item) + "' has no value");
    }
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    if (key == "pool") {
      VOUCH_TRY(const std::int64_t n, sql::url_number(key, value, 1, 64));
      o.pool = static_cast<std::size_t>(n);
    } else if (key == "statement_timeout_ms") {
      VOUCH_TRY(const std::int64_t ms, sql::url_number(key, value, 0, 3600000));
      o.statement_timeout = std::chrono::milliseconds(ms);
    } else if (key == "pool_timeout_ms") {
      VOUCH_TRY(const std::int64_t ms, sql::url_number(key, value, 1, 600000));
      o.pool_timeout = std::chrono::milliseconds(ms);
    } else {
      passed.append(passed.empty() ? "?" : "&").append(item);
    }
  }
  o.conninfo += passed;
  // Let libpq judge the rest now, so a typo fails at start-up rather than at the first request.
  char* message = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(o.conninfo.c_str(), &message);
  if (parsed == nullptr) {
    // libpq quotes the offending token, which may be (part of) the password: not repeated.
    const bool oom = message == nullptr;
    PQfreemem(message);
    return sql::url_error(oom ? "PostgreSQL URL: out of memory while parsing it"
                              : "PostgreSQL URL: libpq rejects its connection options");
  }
  PQconninfoFree(parsed);
  return o;
}

Result<std::unique_ptr<sql::Database>> open_database(const Options& options) {
  if (PQisthreadsafe() == 0) {
    return fail(ErrorKind::kInternal, checks::kSql, "libpq was built without thread support");
  }
  VOUCH_TRY(std::unique_ptr<PgConnection> first, PgConnection::open(options));
  return std::unique_ptr<sql::Database>(new PgDatabase(options, std::move(first)));
}

Result<StorePtr> open(const Options& options) {
  VOUCH_TRY(std::unique_ptr<sql::Database> db, open_database(options));
  VOUCH_RETURN_IF_ERROR(check_ownership(*db));
  VOUCH_TRY(const std::int64_t version, sql::migrate(*db));
  return sql::make_sql_store(std::move(db), version);
}

}  // namespace vouch::store::postgres
