#include "store/sql/database.h"

#include "store/check_ids.h"

namespace vouch::store::sql {

const Value* RowReader::next() {
  if (pos_ >= row_.size()) {
    if (problem_.empty()) {
      problem_ = "row has " + std::to_string(row_.size()) + " columns, more were read";
    }
    ++pos_;
    return nullptr;
  }
  return &row_.at(pos_++);
}

void RowReader::mismatch(const char* expected) {
  if (problem_.empty()) {
    problem_ = "column " + std::to_string(pos_ - 1) + " is not " + expected;
  }
}

std::int64_t RowReader::i64() {
  const Value* v = next();
  if (v != nullptr) {
    if (const auto* i = std::get_if<std::int64_t>(v)) {
      return *i;
    }
    mismatch("an integer");
  }
  return 0;
}

std::optional<std::int64_t> RowReader::opt_i64() {
  const Value* v = next();
  if (v == nullptr || std::holds_alternative<std::monostate>(*v)) {
    return std::nullopt;
  }
  if (const auto* i = std::get_if<std::int64_t>(v)) {
    return *i;
  }
  mismatch("an integer or NULL");
  return std::nullopt;
}

bool RowReader::flag() {
  const std::int64_t v = i64();
  if (v != 0 && v != 1) {
    mismatch("0 or 1");
  }
  return v == 1;
}

std::string RowReader::text() {
  const Value* v = next();
  if (v != nullptr) {
    if (const auto* s = std::get_if<std::string>(v)) {
      return *s;
    }
    mismatch("text");
  }
  return {};
}

Bytes RowReader::blob() {
  const Value* v = next();
  if (v != nullptr) {
    if (const auto* b = std::get_if<Bytes>(v)) {
      return *b;
    }
    mismatch("bytes");
  }
  return {};
}

Timestamp RowReader::time() {
  return from_unix_seconds(i64());
}

std::optional<Timestamp> RowReader::opt_time() {
  const std::optional<std::int64_t> v = opt_i64();
  if (!v) {
    return std::nullopt;
  }
  return from_unix_seconds(*v);
}

Status RowReader::finish() const {
  if (problem_.empty() && pos_ != row_.size()) {
    return fail(ErrorKind::kInternal, store::checks::kDecode,
                "row has " + std::to_string(row_.size()) + " columns, " + std::to_string(pos_) +
                    " were read");
  }
  if (!problem_.empty()) {
    return fail(ErrorKind::kInternal, store::checks::kDecode, problem_);
  }
  return ok();
}

Result<std::optional<Row>> Connection::query_optional(std::string_view sql,
                                                      std::initializer_list<Param> params) {
  VOUCH_TRY(std::vector<Row> rows, query(sql, params));
  if (rows.empty()) {
    return std::optional<Row>();
  }
  return std::optional<Row>(std::move(rows.front()));
}

}  // namespace vouch::store::sql
