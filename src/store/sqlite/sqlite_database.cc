#include "store/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/check_ids.h"
#include "store/sql/dialect.h"
#include "store/sql/internal.h"
#include "store/sql/migrate.h"
#include "store/sql/sql_store.h"

namespace vouch::store::sqlite {
namespace {

using sql::Access;
using sql::Params;
using sql::Row;
using sql::Value;

constexpr int kMaxAttempts = 6;
constexpr std::size_t kMaxGroup = 64;  // write transactions committed together at most
constexpr std::size_t kMaxCachedStatements = 256;
// WAL checkpoints (SqliteDatabase::committed): the background starts at SQLite's usual 1,000
// pages; the committer copies what is left once at most 256 are, or whatever is left past 4,096
// (16 MiB of 4 KiB pages), when the background cannot keep up.
constexpr int kCheckpointPages = 1000;
constexpr int kCatchUpPages = 256;
constexpr int kMaxWalPages = 4096;
constexpr int kMaxLength = 64 << 20;  // SQLITE_LIMIT_LENGTH: above every store limit

struct CloseDb {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct FinalizeStmt {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, CloseDb>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, FinalizeStmt>;

// Maps an SQLite result code to the store's error classes.
Error map_error(int code, std::string_view what, std::string_view message) {
  std::string detail(what);
  detail.append(": ").append(message).append(" (SQLite code ").append(std::to_string(code));
  detail.append(")");
  const auto make = [&](ErrorKind kind, CheckId check) { return Error{kind, check, detail}; };
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return make(ErrorKind::kUnavailable, checks::kBusy);
    case SQLITE_FULL:
      return make(ErrorKind::kUnavailable, checks::kDiskFull);
    case SQLITE_READONLY:
      return make(ErrorKind::kUnavailable, checks::kReadOnly);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
    case SQLITE_PROTOCOL:
      return make(ErrorKind::kUnavailable, checks::kIo);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return make(ErrorKind::kInternal, checks::kCorrupt);
    case SQLITE_TOOBIG:
      return make(ErrorKind::kInvalidArgument, checks::kLimit);
    case SQLITE_CONSTRAINT:
      if (code == SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLITE_CONSTRAINT_UNIQUE) {
        return make(ErrorKind::kAlreadyExists, checks::kUnique);
      }
      if (code == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return make(ErrorKind::kFailedPrecondition, checks::kForeignKey);
      }
      return make(ErrorKind::kInternal, checks::kSql);
    default:
      return make(ErrorKind::kInternal, checks::kSql);
  }
}

Error db_error(sqlite3* db, int code, std::string_view what) {
  return map_error(code, what, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code));
}

// How many times a transaction runs in all after this error: a conflict with a concurrent writer
// (another node took the row) is retried quickly; SQLite's own busy handler has already waited
// busy_timeout for a busy database, so that gets one more attempt only; anything else none.
int attempts_for(const Error& e) {
  if (e.kind != ErrorKind::kUnavailable) {
    return 1;
  }
  if (e.check == checks::kConflict) {
    return kMaxAttempts;
  }
  return e.check == checks::kBusy ? 2 : 1;
}

// SqliteConnection is one sqlite3 handle with its prepared-statement cache.
class SqliteConnection final : public sql::Connection {
 public:
  static Result<std::unique_ptr<SqliteConnection>> open(const Options& o, bool writer) {
    sqlite3* raw = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    if (writer) {
      flags |= SQLITE_OPEN_CREATE;
    }
    const int rc = sqlite3_open_v2(o.path.c_str(), &raw, flags, nullptr);
    DbPtr db(raw);  // sqlite3_open_v2 allocates a handle even when it fails
    if (rc != SQLITE_OK) {
      return fail(db_error(db.get(), rc, "opening " + o.path));
    }
    auto conn = std::unique_ptr<SqliteConnection>(new SqliteConnection(std::move(db)));
    VOUCH_RETURN_IF_ERROR(conn->configure(o, writer));
    return conn;
  }

  Result<std::vector<Row>> query_span(std::string_view sql, Params params) override {
    std::vector<Row> rows;
    VOUCH_RETURN_IF_ERROR(run(sql, params, &rows));
    return rows;
  }

  Result<std::int64_t> execute_span(std::string_view sql, Params params) override {
    VOUCH_RETURN_IF_ERROR(run(sql, params, nullptr));
    return static_cast<std::int64_t>(sqlite3_changes64(db_.get()));
  }

  Status execute_script(std::string_view sql) override { return exec(std::string(sql)); }

  // exec runs parameterless SQL (transaction control, pragmas, scripts).
  Status exec(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      Error e = map_error(rc, "executing SQL", message != nullptr ? message : sqlite3_errstr(rc));
      sqlite3_free(message);
      return fail(std::move(e));
    }
    return ok();
  }

  // rollback ends an open transaction, if SQLite has not already rolled it back.
  void rollback() noexcept {
    if (in_transaction()) {
      sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }

  bool read_only() const noexcept { return sqlite3_db_readonly(db_.get(), "main") == 1; }

  bool in_transaction() const noexcept { return sqlite3_get_autocommit(db_.get()) == 0; }

  // checkpoint copies WAL frames into the database file without waiting for or blocking any
  // writer (PASSIVE). Returns the frames in the WAL and how many of them are now copied, or
  // nullopt when SQLite could not run it.
  std::optional<std::pair<int, int>> checkpoint() noexcept {
    int frames = 0;
    int copied = 0;
    if (sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames,
                                  &copied) != SQLITE_OK) {
      return std::nullopt;
    }
    return std::make_pair(frames, copied);
  }

  // on_commit calls `hook` after each commit with the WAL's size in frames; it replaces
  // SQLite's automatic checkpoint (which would run inside the commit).
  void on_commit(int (*hook)(void*, sqlite3*, const char*, int), void* arg) noexcept {
    sqlite3_wal_hook(db_.get(), hook, arg);
  }

 private:
  explicit SqliteConnection(DbPtr db) : db_(std::move(db)) {}

  Status configure(const Options& o, bool writer) {
    sqlite3* db = db_.get();
    sqlite3_extended_result_codes(db, 1);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, kMaxLength);
    sqlite3_busy_timeout(db, static_cast<int>(o.busy_timeout.count()));
    if (read_only()) {
      return fail(ErrorKind::kUnavailable, checks::kReadOnly,
                  "the database file " + o.path + " cannot be written (permissions?)");
    }
    if (writer) {
      // The first statement that reads the file: a file that is not a database fails here.
      VOUCH_TRY(const std::vector<Row> mode, query("PRAGMA journal_mode = WAL"));
      const auto* m = mode.empty() ? nullptr : std::get_if<std::string>(&mode.front().at(0));
      if (m == nullptr || *m != "wal") {
        return fail(ErrorKind::kUnavailable, checks::kIo,
                    "cannot switch " + o.path +
                        " to WAL mode (file system without shared "
                        "memory support?)");
      }
      VOUCH_RETURN_IF_ERROR(exec("PRAGMA journal_size_limit = 67108864"));
    } else {
      VOUCH_RETURN_IF_ERROR(exec("PRAGMA query_only = ON"));
    }
    VOUCH_RETURN_IF_ERROR(exec(o.synchronous == Synchronous::kFull
                                   ? "PRAGMA synchronous = FULL"
                                   : "PRAGMA synchronous = NORMAL"));
    return exec("PRAGMA foreign_keys = ON");
  }

  Result<sqlite3_stmt*> prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end()) {
      return it->second.get();
    }
    if (cache_.size() >= kMaxCachedStatements) {
      cache_.clear();
    }
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StmtPtr stmt(raw);
    if (rc != SQLITE_OK) {
      return fail(db_error(db_.get(), rc, "preparing a statement"));
    }
    if (!stmt) {
      return fail(ErrorKind::kInternal, checks::kSql, "empty statement");
    }
    sqlite3_stmt* out = stmt.get();
    cache_.emplace(std::move(key), std::move(stmt));
    return out;
  }

  Status bind(sqlite3_stmt* st, Params params) {
    if (sqlite3_bind_parameter_count(st) != static_cast<int>(params.size())) {
      return fail(ErrorKind::kInternal, checks::kSql,
                  "statement takes " + std::to_string(sqlite3_bind_parameter_count(st)) +
                      " parameters, " + std::to_string(params.size()) + " given");
    }
    static constexpr char kEmpty[] = "";
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i + 1);
      const auto& v = params[i].get();
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(st, idx);
      } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(st, idx, *n);
      } else if (const auto* s = std::get_if<std::string_view>(&v)) {
        // A null data pointer would bind NULL, not an empty string.
        rc = sqlite3_bind_text64(st, idx, s->empty() ? kEmpty : s->data(), s->size(), SQLITE_STATIC,
                                 SQLITE_UTF8);
      } else if (const auto* b = std::get_if<ByteSpan>(&v)) {
        rc = b->empty() ? sqlite3_bind_zeroblob(st, idx, 0)
                        : sqlite3_bind_blob64(st, idx, b->data(), b->size(), SQLITE_STATIC);
      }
      if (rc != SQLITE_OK) {
        return fail(db_error(db_.get(), rc, "binding parameter " + std::to_string(idx)));
      }
    }
    return ok();
  }

  static Result<Row> read_row(sqlite3_stmt* st) {
    const int n = sqlite3_column_count(st);
    std::vector<Value> values;
    values.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER:
          values.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(st, i)));
          break;
        case SQLITE_TEXT: {
          const auto* p = sqlite3_column_text(st, i);
          const auto len = static_cast<std::size_t>(sqlite3_column_bytes(st, i));
          values.emplace_back(std::string(reinterpret_cast<const char*>(p), len));  // NOLINT
          break;
        }
        case SQLITE_BLOB: {
          const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st, i));
          const auto len = static_cast<std::size_t>(sqlite3_column_bytes(st, i));
          values.emplace_back(p == nullptr ? Bytes{} : Bytes(p, p + len));
          break;
        }
        case SQLITE_NULL:
          values.emplace_back(std::monostate{});
          break;
        default:
          return fail(ErrorKind::kInternal, checks::kDecode,
                      "column " + std::to_string(i) + " holds a floating-point value");
      }
    }
    return Row(std::move(values));
  }

  Status run(std::string_view sql, Params params, std::vector<Row>* rows) {
    VOUCH_TRY(sqlite3_stmt * st, prepare(sql));
    struct Reset {
      sqlite3_stmt* st;
      ~Reset() {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
      }
    } reset{st};
    VOUCH_RETURN_IF_ERROR(bind(st, params));
    for (;;) {
      const int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) {
        return ok();
      }
      if (rc != SQLITE_ROW) {
        return fail(db_error(db_.get(), rc, "running a statement"));
      }
      if (rows != nullptr) {
        VOUCH_TRY(Row row, read_row(st));
        rows->push_back(std::move(row));
      }
    }
  }

  DbPtr db_;
  std::unordered_map<std::string, StmtPtr> cache_;  // destroyed before db_
};

// SqliteDatabase is sql::Database over one file: a guarded writer and a pool of readers.
class SqliteDatabase final : public sql::Database {
 public:
  SqliteDatabase(Options options, std::unique_ptr<SqliteConnection> writer)
      : options_(std::move(options)), writer_(std::move(writer)) {
    writer_->on_commit(&SqliteDatabase::committed, this);
    checkpointer_ = std::thread([this] { checkpoint_loop(); });
    committer_ = std::thread([this] { commit_loop(); });
  }
  ~SqliteDatabase() override {
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    committer_.join();  // after committing what is queued
    {
      std::lock_guard<std::mutex> lock(checkpoint_mu_);
      checkpoint_stopping_ = true;
    }
    checkpoint_cv_.notify_all();
    checkpointer_.join();
  }
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  const sql::Dialect& dialect() const noexcept override { return sql::Dialect::sqlite(); }
  std::string_view backend() const noexcept override { return "sqlite"; }

  Status transaction(Access access, const std::function<Status(sql::Connection&)>& body) override {
    for (int attempt = 1;; ++attempt) {
      Status s = access == Access::kWrite ? write_once(body) : read_once(body);
      if (s || attempt >= attempts_for(s.error())) {
        return s;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1 << attempt));
    }
  }

  Status check_integrity() override {
    return transaction(Access::kRead, [](sql::Connection& c) -> Status {
      VOUCH_TRY(const std::vector<Row> rows, c.query("PRAGMA integrity_check"));
      for (const Row& row : rows) {
        const auto* s = std::get_if<std::string>(&row.at(0));
        if (s == nullptr || *s != "ok") {
          return fail(ErrorKind::kInternal, checks::kCorrupt,
                      "integrity check: " + (s != nullptr ? *s : std::string("no answer")));
        }
      }
      return ok();
    });
  }

  // with_writer runs `fn` on the write connection outside any transaction (open-time pragmas).
  template <typename F>
  auto with_writer(F&& fn) {
    std::lock_guard<std::mutex> lock(write_mu_);
    return fn(*writer_);
  }

 private:
  static Status run_in_transaction(SqliteConnection& c, const char* begin,
                                   const std::function<Status(sql::Connection&)>& body) {
    VOUCH_RETURN_IF_ERROR(c.exec(begin));
    Status s = body(c);
    if (s) {
      s = c.exec("COMMIT");
      if (s) {
        return s;
      }
    }
    c.rollback();
    return s;
  }

  // Group commit on a committing thread. Every write transaction joins a queue; the committer
  // takes what is queued (up to kMaxGroup), runs the bodies in one SQLite transaction, each in
  // its own savepoint (a failing body rolls back only its own changes), and commits once: one
  // fsync for the group. Synchronous writers wait for the commit that holds their changes;
  // write_async callers get their result through `done`, called on the committer after the
  // commit, in queue order, so a request thread never blocks on an fsync. A write started from
  // such a `done` runs inline (the committer cannot wait for itself).
  struct WriteRequest {
    const std::function<Status(sql::Connection&)>* body = nullptr;
    Status result = ok();
    bool done = false;  // synchronous requests: set under queue_mu_
    // write_async: the request owns its body and is deleted by the committer.
    std::function<Status(sql::Connection&)> owned_body;
    std::function<void(Status)> on_done;
    int attempt = 1;
  };

  static thread_local const SqliteDatabase* committing_;  // set on each database's committer

  Status write_once(const std::function<Status(sql::Connection&)>& body) {
    WriteRequest request;
    request.body = &body;
    if (committing_ == this) {
      run_alone(request);
      return std::move(request.result);
    }
    std::unique_lock<std::mutex> lock(queue_mu_);
    queue_.push_back(&request);
    queue_cv_.notify_one();
    done_cv_.wait(lock, [&] { return request.done; });
    return std::move(request.result);
  }

  void write_async(std::function<Status(sql::Connection&)> body,
                   std::function<void(Status)> done) override {
    auto request = std::make_unique<WriteRequest>();
    request->owned_body = std::move(body);
    request->body = &request->owned_body;
    request->on_done = std::move(done);
    if (committing_ == this) {
      run_alone(*request);
      request->on_done(std::move(request->result));
      return;
    }
    std::lock_guard<std::mutex> lock(queue_mu_);
    ++async_outstanding_;
    queue_.push_back(request.release());
    queue_cv_.notify_one();
  }

  // Waits until every write_async call so far has been answered (retried ones included). On
  // the committer itself it cannot wait (it would wait for itself) and returns at once.
  void wait_for_writes() override {
    if (committing_ == this) {
      return;
    }
    std::unique_lock<std::mutex> lock(queue_mu_);
    done_cv_.wait(lock, [this] { return async_outstanding_ == 0; });
  }

  void run_alone(WriteRequest& request) {
    std::lock_guard<std::mutex> lock(write_mu_);
    run_group({&request});
  }

  void commit_loop() {
    committing_ = this;
    std::unique_lock<std::mutex> lock(queue_mu_);
    for (;;) {
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping, and every queued write has been committed
      }
      std::vector<WriteRequest*> group;
      while (!queue_.empty() && group.size() < kMaxGroup) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
      lock.unlock();
      {
        std::lock_guard<std::mutex> writing(write_mu_);
        run_group(group);
      }
      std::vector<std::unique_ptr<WriteRequest>> finished;
      lock.lock();
      for (WriteRequest* r : group) {
        if (r->on_done) {
          finished.emplace_back(r);
        } else {
          r->done = true;  // the waiting caller owns it from here on
        }
      }
      lock.unlock();
      done_cv_.notify_all();
      finish_async(std::move(finished));
      catch_up_checkpoint();
      lock.lock();
    }
  }

  // Checkpoints. SQLite's automatic checkpoint runs inside a commit: every 1,000 WAL pages one
  // commit also copied the WAL into the database file and synced it, and every attestation
  // queued behind it waited (p99 0.13 to 0.26 s at 2,000 attestations/s). Instead a thread with
  // its own connection copies frames in the background (PASSIVE: it never blocks the writer).
  // Under steady writes it can never copy the very last frames, so the WAL would only grow:
  // once it is nearly caught up, the committer copies the few frames left between two groups,
  // and the next write transaction starts the WAL over. Past kMaxWalPages the committer does so
  // whatever the background achieved (once per kCheckpointPages new frames), so the WAL stays
  // near that bound unless a reader keeps an old snapshot open that long.
  static int committed(void* self, sqlite3*, const char*, int frames) {
    auto* db = static_cast<SqliteDatabase*>(self);
    db->wal_frames_.store(frames, std::memory_order_relaxed);
    if (frames >= kCheckpointPages) {
      {
        std::lock_guard<std::mutex> lock(db->checkpoint_mu_);
        db->checkpoint_due_ = true;
      }
      db->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  void checkpoint_loop() {
    std::unique_ptr<SqliteConnection> conn;
    std::unique_lock<std::mutex> lock(checkpoint_mu_);
    for (;;) {
      // Not while the committer's catch-up is pending: two checkpoints at once make one busy.
      checkpoint_cv_.wait(lock, [this] {
        return checkpoint_stopping_ ||
               (checkpoint_due_ && !catch_up_.load(std::memory_order_relaxed));
      });
      if (checkpoint_stopping_) {
        return;
      }
      checkpoint_due_ = false;
      lock.unlock();
      if (conn == nullptr) {
        auto opened = SqliteConnection::open(options_, false);
        conn = opened ? std::move(*opened) : nullptr;  // else the committer's bound still holds
      }
      if (conn != nullptr) {
        std::optional<std::pair<int, int>> done;
        {
          std::lock_guard<std::mutex> running(checkpoint_run_mu_);
          done = conn->checkpoint();
        }
        if (done && done->first - done->second <= kCatchUpPages) {
          catch_up_.store(true, std::memory_order_relaxed);
        }
      }
      lock.lock();
    }
  }

  void catch_up_checkpoint() {
    const bool wanted = catch_up_.load(std::memory_order_relaxed);
    const int frames = wal_frames_.load(std::memory_order_relaxed);
    // Past the bound at most once per kCheckpointPages new frames: when a reader's old snapshot
    // keeps the WAL from starting over, checkpointing after every group would stall them all.
    const bool over = frames >= kMaxWalPages && frames >= forced_at_ + kCheckpointPages;
    if (!wanted && !over) {
      return;
    }
    {
      // After a background checkpoint still running (two at once would make one busy): with
      // the writer idle meanwhile, this one copies every frame no reader still needs.
      std::lock_guard<std::mutex> running(checkpoint_run_mu_);
      std::lock_guard<std::mutex> writing(write_mu_);
      (void)writer_->checkpoint();  // a failure leaves the WAL longer; the next one tries again
    }
    forced_at_ = over ? frames : 0;
    if (wanted) {
      {
        std::lock_guard<std::mutex> lock(checkpoint_mu_);
        catch_up_.store(false, std::memory_order_relaxed);
      }
      checkpoint_cv_.notify_one();  // the background may go on
    }
  }

  // Hands asynchronous results to their callers in commit order, or queues a write again after
  // a busy or conflicting database (as transaction() would run it again): ahead of newer
  // writes, in its order, after one backoff for the group.
  void finish_async(std::vector<std::unique_ptr<WriteRequest>> finished) {
    std::vector<std::unique_ptr<WriteRequest>> again;
    int backoff = 0;
    std::size_t answered = 0;
    for (auto& r : finished) {
      if (!r->result && r->attempt < attempts_for(r->result.error())) {
        backoff = std::max(backoff, r->attempt);
        ++r->attempt;
        r->result = ok();
        again.push_back(std::move(r));
        continue;
      }
      try {
        r->on_done(std::move(r->result));
      } catch (...) {  // NOLINT(bugprone-empty-catch): a caller's bug must not stop all commits
      }
      ++answered;
    }
    if (!again.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1 << backoff));
    }
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      for (auto it = again.rbegin(); it != again.rend(); ++it) {
        queue_.push_front(it->release());
      }
      async_outstanding_ -= answered;
    }
    if (answered > 0) {
      done_cv_.notify_all();
    }
  }

  // A body that throws (a bug: bodies return errors) fails alone, on the committing thread,
  // instead of ending the process; its savepoint or transaction is rolled back.
  static std::function<Status(sql::Connection&)> guarded(const WriteRequest& r) {
    return [body = r.body](sql::Connection& c) -> Status {
      try {
        return (*body)(c);
      } catch (const std::exception& e) {
        return fail(ErrorKind::kInternal, checks::kSql,
                    std::string("a write transaction threw: ") + e.what());
      }
    };
  }

  void run_group(const std::vector<WriteRequest*>& group) {
    SqliteConnection& c = *writer_;
    if (group.size() == 1) {
      group.front()->result = run_in_transaction(c, "BEGIN IMMEDIATE", guarded(*group.front()));
      return;
    }
    const auto fail_all = [&](const Error& e) {
      for (WriteRequest* r : group) {
        r->result = fail(e);
      }
    };
    if (Status begun = c.exec("BEGIN IMMEDIATE"); !begun) {
      fail_all(begun.error());
      return;
    }
    for (WriteRequest* r : group) {
      Status s = c.exec("SAVEPOINT vouch_write");
      if (s) {
        s = guarded(*r)(c);
        if (s) {
          s = c.exec("RELEASE vouch_write");
        }
      }
      if (!s && !c.in_transaction()) {
        // SQLite rolled the whole transaction back (I/O error, full disk): the group is lost.
        c.rollback();
        fail_all(s.error());
        return;
      }
      if (!s) {
        (void)c.exec("ROLLBACK TO vouch_write");
        (void)c.exec("RELEASE vouch_write");
      }
      r->result = std::move(s);
    }
    if (Status committed = c.exec("COMMIT"); !committed) {
      c.rollback();
      for (WriteRequest* r : group) {
        if (r->result) {
          r->result = fail(committed.error());
        }
      }
    }
  }

  Status read_once(const std::function<Status(sql::Connection&)>& body) {
    VOUCH_TRY(std::unique_ptr<SqliteConnection> conn, take_reader());
    Status s = run_in_transaction(*conn, "BEGIN", body);
    give_back(std::move(conn));
    return s;
  }

  Result<std::unique_ptr<SqliteConnection>> take_reader() {
    std::unique_lock<std::mutex> lock(pool_mu_);
    for (;;) {
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return conn;
      }
      if (open_readers_ < options_.readers) {
        ++open_readers_;
        lock.unlock();
        auto conn = SqliteConnection::open(options_, false);
        if (!conn) {
          lock.lock();
          --open_readers_;
          pool_cv_.notify_one();
        }
        return conn;
      }
      pool_cv_.wait(lock);
    }
  }

  void give_back(std::unique_ptr<SqliteConnection> conn) {
    {
      std::lock_guard<std::mutex> lock(pool_mu_);
      idle_.push_back(std::move(conn));
    }
    pool_cv_.notify_one();
  }

  const Options options_;
  std::mutex queue_mu_;               // guards queue_, stopping_ and requests' `done`
  std::condition_variable queue_cv_;  // the committer waits here for writes
  std::condition_variable done_cv_;   // synchronous writers wait here for their commit
  std::deque<WriteRequest*> queue_;
  bool stopping_ = false;
  std::mutex write_mu_;  // guards writer_
  std::unique_ptr<SqliteConnection> writer_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;
  std::size_t open_readers_ = 0;
  std::atomic<int> wal_frames_{0};     // the WAL's size after the last commit
  std::atomic<bool> catch_up_{false};  // the background checkpoint nearly caught up
  int forced_at_ = 0;                  // the WAL's size at the last checkpoint past the bound
  std::size_t async_outstanding_ = 0;  // write_async calls not yet answered (queue_mu_)
  std::mutex checkpoint_mu_;           // guards checkpoint_due_, checkpoint_stopping_
  std::mutex checkpoint_run_mu_;       // held while either thread runs a checkpoint
  std::condition_variable checkpoint_cv_;
  bool checkpoint_due_ = false;
  bool checkpoint_stopping_ = false;
  std::thread checkpointer_;
  std::thread committer_;  // last: started once everything above exists
};

thread_local const SqliteDatabase* SqliteDatabase::committing_ = nullptr;

// Refuses a file written by another program: a foreign application_id, or tables without our
// schema_version table.
Status check_ownership(SqliteConnection& c, const std::string& path) {
  VOUCH_TRY(const std::int64_t app_id, sql::query_int(c, "PRAGMA application_id"));
  if (app_id != 0 && app_id != kApplicationId) {
    return fail(
        ErrorKind::kFailedPrecondition, checks::kSchemaForeign,
        path + " belongs to another application (application_id " + std::to_string(app_id) + ")");
  }
  VOUCH_TRY(const std::int64_t tables,
            sql::query_int(c, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"));
  VOUCH_TRY(const std::int64_t ours,
            sql::query_int(c,
                           "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                           "name = 'schema_version'"));
  if (tables > 0 && ours == 0) {
    return fail(ErrorKind::kFailedPrecondition, checks::kSchemaForeign,
                path + " holds tables but is not a Vouch database");
  }
  return ok();
}

}  // namespace

Result<Options> parse_url(std::string_view url) {
  constexpr std::string_view kScheme = "sqlite:";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return sql::url_error("not a sqlite: URL");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);
    if (rest.empty() || rest.front() != '/') {
      return sql::url_error(
          "sqlite:// must be followed by an absolute path (sqlite:///var/lib/...)");
    }
  }
  Options o;
  const std::size_t q = rest.find('?');
  o.path = std::string(rest.substr(0, q));
  if (o.path.empty()) {
    return sql::url_error("sqlite: URL without a path");
  }
  if (q == std::string_view::npos) {
    return o;
  }
  std::string_view query = rest.substr(q + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return sql::url_error("option '" + std::string(item) + "' has no value");
    }
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    if (key == "synchronous") {
      if (value == "full") {
        o.synchronous = Synchronous::kFull;
      } else if (value == "normal") {
        o.synchronous = Synchronous::kNormal;
      } else {
        return sql::url_error("synchronous must be full or normal");
      }
    } else if (key == "busy_timeout_ms") {
      VOUCH_TRY(const std::int64_t ms, sql::url_number(key, value, 0, 600000));
      o.busy_timeout = std::chrono::milliseconds(ms);
    } else if (key == "readers") {
      VOUCH_TRY(const std::int64_t n, sql::url_number(key, value, 1, 64));
      o.readers = static_cast<std::size_t>(n);
    } else {
      return sql::url_error("unknown option '" + std::string(key) + "'");
    }
  }
  return o;
}

Result<std::unique_ptr<sql::Database>> open_database(const Options& options) {
  if (sqlite3_threadsafe() == 0) {
    return fail(ErrorKind::kInternal, checks::kSql, "SQLite was built without thread support");
  }
  if (options.path.empty()) {
    return fail(ErrorKind::kInvalidArgument, checks::kUrl, "empty database path");
  }
  VOUCH_TRY(std::unique_ptr<SqliteConnection> writer, SqliteConnection::open(options, true));
  return std::unique_ptr<sql::Database>(new SqliteDatabase(options, std::move(writer)));
}

Result<StorePtr> open(const Options& options) {
  VOUCH_TRY(std::unique_ptr<sql::Database> db, open_database(options));
  auto& sqlite_db = static_cast<SqliteDatabase&>(*db);
  VOUCH_RETURN_IF_ERROR(
      sqlite_db.with_writer([&](SqliteConnection& c) { return check_ownership(c, options.path); }));
  VOUCH_TRY(const std::int64_t version, sql::migrate(*db));
  VOUCH_RETURN_IF_ERROR(sqlite_db.with_writer([](SqliteConnection& c) -> Status {
    VOUCH_TRY(const std::int64_t app_id, sql::query_int(c, "PRAGMA application_id"));
    if (app_id == kApplicationId) {
      return ok();
    }
    return c.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
  }));
  return sql::make_sql_store(std::move(db), version);
}

}  // namespace vouch::store::sqlite
