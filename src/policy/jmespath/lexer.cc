#include "policy/jmespath/lexer.h"

#include <cstdio>
#include <limits>
#include <utility>

#include "policy/jmespath/check_ids.h"
#include "policy/jmespath/jmespath.h"
#include "policy/jmespath/json_util.h"
#include "policy/jmespath/utf8.h"

namespace vouch::jmespath::detail {
namespace {

bool is_identifier_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_identifier_char(char c) noexcept {
  return is_identifier_start(c) || (c >= '0' && c <= '9');
}

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// nlohmann's parse_error text is "[json.exception.parse_error.101] parse error at line 1, column 4:
// syntax error while parsing value - invalid string: ..."; keep the part after the last " - ".
// Other parse failures (out_of_range.406, "number overflow parsing '1e999'") lose the "[...] ".
std::string json_reason(const nlohmann::json::exception& e) {
  std::string_view what = e.what();
  if (const auto dash = what.rfind(" - "); dash != std::string_view::npos) {
    what.remove_prefix(dash + 3);
  } else if (const auto bracket = what.find("] "); bracket != std::string_view::npos) {
    what.remove_prefix(bracket + 2);
  }
  return std::string(what);
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<std::vector<Token>> run() {
    if (const std::size_t valid = valid_utf8_prefix(text_); valid != text_.size()) {
      return error(valid, "invalid UTF-8 in expression");
    }
    std::vector<Token> tokens;
    while (true) {
      skip_whitespace();
      Token token;
      token.column = column_of(pos_);
      if (pos_ == text_.size()) {
        token.type = TokenType::kEof;
        tokens.push_back(std::move(token));
        return tokens;
      }
      VOUCH_RETURN_IF_ERROR(next(token));
      tokens.push_back(std::move(token));
    }
  }

 private:
  // Column of byte `offset`, counted incrementally because tokens are produced left to right.
  std::size_t column_of(std::size_t offset) {
    if (offset < col_offset_) {
      col_offset_ = 0;
      col_ = 1;
    }
    col_ += code_point_count(text_.substr(col_offset_, offset - col_offset_));
    col_offset_ = offset;
    return col_;
  }

  tl::unexpected<Error> error(std::size_t offset, std::string_view what) {
    std::string detail = "column " + std::to_string(column_of(offset)) + ": ";
    detail.append(what);
    return fail(ErrorKind::kInvalidArgument, checks::kSyntax, std::move(detail));
  }

  void skip_whitespace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool peek_is(char c) const { return pos_ + 1 < text_.size() && text_[pos_ + 1] == c; }

  // Consumes one character token, or two when the second character matches `second`.
  void one_or_two(Token& token, char second, TokenType one, TokenType two) {
    if (peek_is(second)) {
      token.type = two;
      pos_ += 2;
    } else {
      token.type = one;
      pos_ += 1;
    }
  }

  Status next(Token& token) {
    const char c = text_[pos_];
    if (is_identifier_start(c)) {
      const std::size_t begin = pos_;
      while (pos_ < text_.size() && is_identifier_char(text_[pos_])) {
        ++pos_;
      }
      token.type = TokenType::kUnquotedIdentifier;
      token.text = std::string(text_.substr(begin, pos_ - begin));
      return ok();
    }
    if (is_digit(c) || c == '-') {
      return number(token);
    }
    switch (c) {
      case '"':
        return quoted_identifier(token);
      case '\'':
        return raw_string(token);
      case '`':
        return literal(token);
      case '.':
        return single(token, TokenType::kDot);
      case '*':
        return single(token, TokenType::kStar);
      case ']':
        return single(token, TokenType::kRbracket);
      case '{':
        return single(token, TokenType::kLbrace);
      case '}':
        return single(token, TokenType::kRbrace);
      case '(':
        return single(token, TokenType::kLparen);
      case ')':
        return single(token, TokenType::kRparen);
      case ',':
        return single(token, TokenType::kComma);
      case ':':
        return single(token, TokenType::kColon);
      case '@':
        return single(token, TokenType::kCurrent);
      case '[':
        if (peek_is('?')) {
          token.type = TokenType::kFilter;
          pos_ += 2;
        } else {
          one_or_two(token, ']', TokenType::kLbracket, TokenType::kFlatten);
        }
        return ok();
      case '&':
        one_or_two(token, '&', TokenType::kExpref, TokenType::kAnd);
        return ok();
      case '|':
        one_or_two(token, '|', TokenType::kPipe, TokenType::kOr);
        return ok();
      case '!':
        one_or_two(token, '=', TokenType::kNot, TokenType::kNe);
        return ok();
      case '<':
        one_or_two(token, '=', TokenType::kLt, TokenType::kLte);
        return ok();
      case '>':
        one_or_two(token, '=', TokenType::kGt, TokenType::kGte);
        return ok();
      case '=':
        if (!peek_is('=')) {
          return error(pos_, "expected '==', found '='");
        }
        token.type = TokenType::kEq;
        pos_ += 2;
        return ok();
      default:
        return unexpected_character();
    }
  }

  Status single(Token& token, TokenType type) {
    token.type = type;
    ++pos_;
    return ok();
  }

  Status unexpected_character() {
    const auto c = static_cast<unsigned char>(text_[pos_]);
    char buf[32];
    if (c >= 0x21 && c < 0x7F) {
      std::snprintf(buf, sizeof buf, "'%c'", static_cast<char>(c));
    } else if (c < 0x80) {
      std::snprintf(buf, sizeof buf, "byte 0x%02X", static_cast<unsigned>(c));
    } else {
      std::snprintf(buf, sizeof buf, "non-ASCII character");
    }
    return error(pos_, std::string("unexpected character ") + buf);
  }

  Status number(Token& token) {
    const std::size_t begin = pos_;
    const bool negative = text_[pos_] == '-';
    if (negative) {
      ++pos_;
      if (pos_ == text_.size() || !is_digit(text_[pos_])) {
        return error(begin, "expected a digit after '-'");
      }
    }
    // Saturate instead of failing: an index or slice bound beyond int64 selects the same elements
    // as one at the int64 limit.
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    std::int64_t value = 0;
    while (pos_ < text_.size() && is_digit(text_[pos_])) {
      const int digit = text_[pos_] - '0';
      if (negative) {
        value = value < (kMin + digit) / 10 ? kMin : value * 10 - digit;
      } else {
        value = value > (kMax - digit) / 10 ? kMax : value * 10 + digit;
      }
      ++pos_;
    }
    token.type = TokenType::kNumber;
    token.number = value;
    return ok();
  }

  // Finds the closing `quote` of a string starting at pos_, stepping over backslash escapes.
  // Returns its offset, or text_.size() when unterminated.
  std::size_t find_close(char quote) const {
    std::size_t i = pos_ + 1;
    while (i < text_.size()) {
      if (text_[i] == '\\') {
        i += 2;
      } else if (text_[i] == quote) {
        return i;
      } else {
        ++i;
      }
    }
    return text_.size();
  }

  Status quoted_identifier(Token& token) {
    const std::size_t begin = pos_;
    const std::size_t close = find_close('"');
    if (close >= text_.size()) {
      return error(begin, "unterminated quoted identifier, expected closing '\"'");
    }
    // A quoted identifier is a JSON string, escapes included.
    const std::string_view lexeme = text_.substr(begin, close + 1 - begin);
    try {
      token.text = nlohmann::json::parse(lexeme).get<std::string>();
    } catch (const nlohmann::json::exception& e) {
      return error(begin, "invalid quoted identifier: " + json_reason(e));
    }
    token.type = TokenType::kQuotedIdentifier;
    pos_ = close + 1;
    return ok();
  }

  Status raw_string(Token& token) {
    const std::size_t begin = pos_;
    const std::size_t close = find_close('\'');
    if (close >= text_.size()) {
      return error(begin, "unterminated raw string, expected closing \"'\"");
    }
    // Only \' is an escape; every other backslash is kept (compliance suite: '\\' is two
    // backslashes).
    std::string value;
    for (std::size_t i = begin + 1; i < close; ++i) {
      if (text_[i] == '\\' && text_[i + 1] == '\'') {
        value.push_back('\'');
        ++i;
      } else if (text_[i] == '\\') {
        value.append(text_.substr(i, 2));
        ++i;
      } else {
        value.push_back(text_[i]);
      }
    }
    token.type = TokenType::kRawString;
    token.value = std::move(value);
    pos_ = close + 1;
    return ok();
  }

  Status literal(Token& token) {
    const std::size_t begin = pos_;
    const std::size_t close = find_close('`');
    if (close >= text_.size()) {
      return error(begin, "unterminated literal, expected closing '`'");
    }
    // \` is the only escape of the literal itself; everything else is JSON text.
    std::string body;
    for (std::size_t i = begin + 1; i < close; ++i) {
      if (text_[i] == '\\' && text_[i + 1] == '`') {
        body.push_back('`');
        ++i;
      } else if (text_[i] == '\\') {
        body.append(text_.substr(i, 2));
        ++i;
      } else {
        body.push_back(text_[i]);
      }
    }
    nlohmann::json value;
    try {
      value = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception& e) {
      std::string what = "invalid JSON literal (" + json_reason(e) + ")";
      // JEP-12 deprecated `foo` as a spelling of "foo" and this implementation rejects it; say how
      // to write a string instead.
      const std::size_t first = body.find_first_not_of(" \t\n\r");
      const std::string_view rest =
          first == std::string::npos ? std::string_view() : std::string_view(body).substr(first);
      const bool looks_like_json =
          !rest.empty() &&
          (std::string_view("\"[{-0123456789").find(rest.front()) != std::string_view::npos ||
           rest.starts_with("true") || rest.starts_with("false") || rest.starts_with("null"));
      if (!looks_like_json) {
        what += "; write a string as 'text' or `\"text\"`";
      }
      return error(begin, what);
    }
    if (nesting_exceeds(value, kMaxDataDepth)) {
      return fail(ErrorKind::kInvalidArgument, checks::kDepthLimit,
                  "column " + std::to_string(column_of(begin)) +
                      ": JSON literal nests deeper than " + std::to_string(kMaxDataDepth) +
                      " levels");
    }
    token.type = TokenType::kLiteral;
    token.value = std::move(value);
    pos_ = close + 1;
    return ok();
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t col_offset_ = 0;
  std::size_t col_ = 1;
};

}  // namespace

std::string describe(const Token& token) {
  switch (token.type) {
    case TokenType::kEof:
      return "end of expression";
    case TokenType::kUnquotedIdentifier:
      return "identifier '" + token.text + "'";
    case TokenType::kQuotedIdentifier:
      return "quoted identifier \"" + token.text + "\"";
    case TokenType::kRawString:
      return "raw string";
    case TokenType::kLiteral:
      return "literal";
    case TokenType::kNumber:
      return "number " + std::to_string(token.number);
    case TokenType::kDot:
      return "'.'";
    case TokenType::kStar:
      return "'*'";
    case TokenType::kFlatten:
      return "'[]'";
    case TokenType::kFilter:
      return "'[?'";
    case TokenType::kLbracket:
      return "'['";
    case TokenType::kRbracket:
      return "']'";
    case TokenType::kLbrace:
      return "'{'";
    case TokenType::kRbrace:
      return "'}'";
    case TokenType::kLparen:
      return "'('";
    case TokenType::kRparen:
      return "')'";
    case TokenType::kComma:
      return "','";
    case TokenType::kColon:
      return "':'";
    case TokenType::kPipe:
      return "'|'";
    case TokenType::kOr:
      return "'||'";
    case TokenType::kAnd:
      return "'&&'";
    case TokenType::kNot:
      return "'!'";
    case TokenType::kExpref:
      return "'&'";
    case TokenType::kCurrent:
      return "'@'";
    case TokenType::kEq:
      return "'=='";
    case TokenType::kNe:
      return "'!='";
    case TokenType::kLt:
      return "'<'";
    case TokenType::kLte:
      return "'<='";
    case TokenType::kGt:
      return "'>'";
    case TokenType::kGte:
      return "'>='";
  }
  return "token";
}

Result<std::vector<Token>> tokenize(std::string_view text) {
  return Lexer(text).run();
}

}  // namespace vouch::jmespath::detail
