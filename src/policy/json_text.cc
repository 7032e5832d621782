#include "policy/json_text.h"

#include <nlohmann/json.hpp>

namespace vouch::policy {
namespace {

// Line and column (1-based, bytes) of byte offset `at` in `text`.
std::string describe_offset(std::string_view text, std::size_t at) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < at && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

std::string dump_json(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool json_text_nests_deeper_than(std::string_view text, std::size_t max_depth) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // skip the escaped character
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return true;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

Result<nlohmann::json> parse_json_text(std::string_view text, std::size_t max_depth, ErrorKind kind,
                                       CheckId check) {
  if (json_text_nests_deeper_than(text, max_depth)) {
    return fail(kind, check, "JSON nests deeper than " + std::to_string(max_depth) + " levels");
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // The adapter boundary: nlohmann reports where parsing stopped only through its exception.
    const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
    return fail(kind, check, "not JSON (" + describe_offset(text, at) + ")");
  } catch (const nlohmann::json::exception& e) {
    return fail(kind, check, std::string("not JSON: ") + e.what());
  }
}

}  // namespace vouch::policy
