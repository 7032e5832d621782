#include "store/sql/dialect.h"

#include <algorithm>

#include "store/check_ids.h"

namespace vouch::store::sql {
namespace {

// SQLite: STRICT tables make column types enforced, as PostgreSQL's are.
constexpr Dialect kSqlite("sqlite", Dialect::Markers::kQuestion,
                          {.int64 = "INTEGER", .bytes = "BLOB", .table_options = "STRICT"});
constexpr Dialect kPostgres("postgres", Dialect::Markers::kDollarNumber,
                            {.int64 = "BIGINT", .bytes = "BYTEA", .table_options = ""});

void append_list(std::string& out, std::initializer_list<std::string_view> items,
                 std::string_view sep) {
  bool first = true;
  for (std::string_view item : items) {
    if (!first) {
      out.append(sep);
    }
    out.append(item);
    first = false;
  }
}

}  // namespace

const Dialect& Dialect::sqlite() noexcept {
  return kSqlite;
}

const Dialect& Dialect::postgres() noexcept {
  return kPostgres;
}

std::string Dialect::statement(std::string_view portable) const {
  if (markers_ == Markers::kQuestion) {
    return std::string(portable);
  }
  std::string out;
  out.reserve(portable.size() + 16);
  bool in_literal = false;
  int n = 0;
  for (char c : portable) {
    if (c == '\'') {
      in_literal = !in_literal;  // '' inside a literal toggles twice: still inside
    }
    if (c == '?' && !in_literal) {
      out.push_back('$');
      out.append(std::to_string(++n));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<std::string> Dialect::ddl(std::string_view script) const {
  std::string out;
  out.reserve(script.size());
  std::size_t pos = 0;
  while (pos < script.size()) {
    const std::size_t open = script.find("${", pos);
    if (open == std::string_view::npos) {
      out.append(script.substr(pos));
      break;
    }
    out.append(script.substr(pos, open - pos));
    const std::size_t close = script.find('}', open);
    if (close == std::string_view::npos) {
      return fail(ErrorKind::kInternal, checks::kSql, "migration: unterminated ${");
    }
    const std::string_view name = script.substr(open + 2, close - open - 2);
    if (name == "int64") {
      out.append(types_.int64);
    } else if (name == "bytes") {
      out.append(types_.bytes);
    } else if (name == "table_options") {
      out.append(types_.table_options);
    } else {
      return fail(ErrorKind::kInternal, checks::kSql,
                  "migration: unknown placeholder ${" + std::string(name) + "}");
    }
    pos = close + 1;
  }
  return out;
}

std::string Dialect::upsert(std::string_view table, std::initializer_list<std::string_view> keys,
                            std::initializer_list<std::string_view> columns) const {
  std::string sql = "INSERT INTO ";
  sql.append(table).append(" (");
  append_list(sql, columns, ", ");
  sql.append(") VALUES (");
  for (std::size_t i = 0; i < columns.size(); ++i) {
    sql.append(i == 0 ? "?" : ", ?");
  }
  sql.append(") ON CONFLICT (");
  append_list(sql, keys, ", ");
  sql.append(") DO UPDATE SET ");
  bool first = true;
  for (std::string_view col : columns) {
    if (std::find(keys.begin(), keys.end(), col) != keys.end()) {
      continue;
    }
    if (!first) {
      sql.append(", ");
    }
    sql.append(col).append(" = excluded.").append(col);
    first = false;
  }
  return sql;
}

}  // namespace vouch::store::sql
