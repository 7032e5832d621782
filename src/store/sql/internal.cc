#include "store/sql/internal.h"

#include <charconv>

#include "store/audit.h"
#include "store/check_ids.h"
#include "store/limits.h"

namespace vouch::store::sql {

tl::unexpected<Error> url_error(std::string detail) {
  return fail(ErrorKind::kInvalidArgument, checks::kUrl, std::move(detail));
}

Result<std::int64_t> query_int(Connection& c, std::string_view sql) {
  VOUCH_TRY(const std::vector<Row> rows, c.query(sql));
  if (rows.size() != 1) {
    return fail(ErrorKind::kInternal, checks::kSql, std::string(sql) + ": no answer");
  }
  RowReader rd(rows.front());
  const std::int64_t v = rd.i64();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  return v;
}

Result<std::int64_t> url_number(std::string_view key, std::string_view text, std::int64_t min,
                                std::int64_t max) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    return url_error("option " + std::string(key) + " must be an integer in " +
                     std::to_string(min) + ".." + std::to_string(max));
  }
  return v;
}
namespace {

tl::unexpected<Error> bad(std::string_view field, std::string what) {
  return fail(ErrorKind::kInvalidArgument, store::checks::kArgument,
              std::string(field) + ": " + std::move(what));
}

tl::unexpected<Error> too_long(std::string_view field, std::size_t size, std::size_t max) {
  return fail(ErrorKind::kInvalidArgument, store::checks::kLimit,
              std::string(field) + ": " + std::to_string(size) + " bytes, over the limit of " +
                  std::to_string(max));
}

// Returns the length of the UTF-8 sequence at s[i], or 0 when it is invalid.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c < 0x80) {
    return 1;
  } else if ((c & 0xe0) == 0xc0) {
    n = 2;
    cp = c & 0x1fu;
  } else if ((c & 0xf0) == 0xe0) {
    n = 3;
    cp = c & 0x0fu;
  } else if ((c & 0xf8) == 0xf0) {
    n = 4;
    cp = c & 0x07u;
  } else {
    return 0;
  }
  if (n > s.size() - i) {
    return 0;
  }
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (b(i + k) & 0x3fu);
  }
  const bool overlong = (n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    return 0;
  }
  return n;
}

}  // namespace

Status check_id(std::string_view field, std::string_view value) {
  if (value.empty()) {
    return bad(field, "must not be empty");
  }
  if (value.size() > limits::kMaxId) {
    return too_long(field, value.size(), limits::kMaxId);
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x21 || c > 0x7e) {
      return bad(field, "character " + std::to_string(i) +
                            " is not printable ASCII (identifiers have no spaces)");
    }
  }
  return ok();
}

Status check_text(std::string_view field, std::string_view value, std::size_t max, bool required) {
  if (required && value.empty()) {
    return bad(field, "must not be empty");
  }
  if (value.size() > max) {
    return too_long(field, value.size(), max);
  }
  for (std::size_t i = 0; i < value.size();) {
    if (value[i] == '\0') {
      return bad(field, "NUL character at byte " + std::to_string(i));
    }
    const std::size_t n = utf8_sequence(value, i);
    if (n == 0) {
      return bad(field, "invalid UTF-8 at byte " + std::to_string(i));
    }
    i += n;
  }
  return ok();
}

Status check_blob(std::string_view field, ByteSpan value, std::size_t max, bool required) {
  if (required && value.empty()) {
    return bad(field, "must not be empty");
  }
  if (value.size() > max) {
    return too_long(field, value.size(), max);
  }
  return ok();
}

Status check_page(std::size_t limit) {
  if (limit == 0 || limit > limits::kMaxPage) {
    return fail(ErrorKind::kInvalidArgument, store::checks::kLimit,
                "page size " + std::to_string(limit) + " is not within 1.." +
                    std::to_string(limits::kMaxPage));
  }
  return ok();
}

Status check_window(const std::optional<Timestamp>& not_before,
                    const std::optional<Timestamp>& not_after) {
  if (not_before && not_after && !(*not_before < *not_after)) {
    return bad("validity", "not_before must be earlier than not_after");
  }
  return ok();
}

Result<std::string> object_text(std::string_view field, const nlohmann::json& value,
                                std::size_t max) {
  if (!value.is_object()) {
    return bad(field, "must be a JSON object");
  }
  VOUCH_TRY(std::string text, canonical_json(value).map_error(
                                  [&](Error e) { return std::move(e).with_context(field); }));
  if (text.size() > max) {
    return too_long(field, text.size(), max);
  }
  return text;
}

Result<nlohmann::json> parse_stored_json(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return fail(ErrorKind::kInternal, store::checks::kDecode, "stored JSON does not parse");
  }
  return j;
}

Status require_tenant(Connection& c, std::string_view tenant) {
  VOUCH_TRY(std::optional<Row> row,
            c.query_optional("SELECT 1 FROM tenants WHERE name = ?", {tenant}));
  if (!row) {
    return not_found(store::checks::kTenantNotFound,
                     "tenant '" + std::string(tenant) + "' does not exist");
  }
  return ok();
}

Status insert_racing(Connection& c, std::string_view sql, std::initializer_list<Param> params,
                     std::string_view what) {
  auto inserted = c.execute(sql, params);
  if (!inserted) {
    if (inserted.error().check == store::checks::kUnique) {
      return conflict(std::string(what) + " taken by a concurrent writer");
    }
    return fail(std::move(inserted).error());
  }
  return ok();
}

Result<std::string> decode_text(const Row& row) {
  RowReader rd(row);
  std::string v = rd.text();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  return v;
}

Result<std::int64_t> decode_i64(const Row& row) {
  RowReader rd(row);
  const std::int64_t v = rd.i64();
  VOUCH_RETURN_IF_ERROR(rd.finish());
  return v;
}

}  // namespace vouch::store::sql
