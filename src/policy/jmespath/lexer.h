#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

// Tokenizer for JMESPath expressions. Internal to the module.
namespace vouch::jmespath::detail {

enum class TokenType : std::uint8_t {
  kEof,
  kUnquotedIdentifier,  // foo
  kQuotedIdentifier,    // "foo"
  kRawString,           // 'foo'
  kLiteral,             // `json`
  kNumber,              // -12
  kDot,                 // .
  kStar,                // *
  kFlatten,             // []
  kFilter,              // [?
  kLbracket,            // [
  kRbracket,            // ]
  kLbrace,              // {
  kRbrace,              // }
  kLparen,              // (
  kRparen,              // )
  kComma,               // ,
  kColon,               // :
  kPipe,                // |
  kOr,                  // ||
  kAnd,                 // &&
  kNot,                 // !
  kExpref,              // &
  kCurrent,             // @
  kEq,                  // ==
  kNe,                  // !=
  kLt,                  // <
  kLte,                 // <=
  kGt,                  // >
  kGte,                 // >=
};

// Token is one lexeme. `text` holds the decoded name of an identifier; `value` the value of a raw
// string or JSON literal; `number` the value of a number (saturated to the int64 range, which
// changes no index or slice result because no array is that long).
struct Token {
  TokenType type = TokenType::kEof;
  std::size_t column = 0;  // 1-based, in code points
  std::string text;
  nlohmann::json value;
  std::int64_t number = 0;
};

// describe returns a short human description of a token for error messages ("']'",
// "identifier 'foo'", "end of expression").
std::string describe(const Token& token);

// tokenize splits `text` into tokens ending with kEof. Errors are checks::kSyntax (bad character,
// unterminated string, invalid JSON in a quoted identifier or literal, invalid UTF-8) or
// checks::kDepthLimit (a literal nested deeper than kMaxDataDepth).
[[nodiscard]] Result<std::vector<Token>> tokenize(std::string_view text);

}  // namespace vouch::jmespath::detail
