#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policy/diagnostic.h"

// Tokens of the claim-rule language. Internal to the policy module (the parser's input).
namespace vouch::policy::detail {

enum class TokenKind : std::uint8_t {
  kEnd,
  kIdent,
  kString,   // "..." (text holds the unescaped contents)
  kInteger,  // 123 (integer holds the value)
  kDecimal,  // 1.0 (only meaningful as the version)
  kLBrace,
  kRBrace,
  kLBracket,
  kRBracket,
  kLParen,
  kRParen,
  kSemicolon,
  kComma,
  kColon,
  kDot,
  kMinus,
  kArrow,   // =>
  kAndAnd,  // &&
  kAssign,  // =
  kEq,      // ==
  kNe,      // !=
  kLt,
  kLe,
  kGt,
  kGe,
  kNot,  // !
};

// How a token kind is named in messages ("'=>'", "a string", "end of input").
std::string_view token_kind_description(TokenKind kind) noexcept;

struct Token {
  TokenKind kind = TokenKind::kEnd;
  SourcePos pos;
  std::string_view raw;  // the token's source text
  std::string text;      // kString: unescaped contents
  std::int64_t integer = 0;
};

// Lexer turns policy text into tokens, skipping whitespace, a leading UTF-8 byte order mark and
// `//` comments. Strings are double-quoted; `\"` and `\\` are escapes and any other backslash is
// kept as written (so JSON and JMESPath escapes pass through). Columns count code points.
class Lexer {
 public:
  explicit Lexer(std::string_view text) noexcept : text_(text) {}

  // next returns the next token, or a Diagnostic for a lexical error (an unexpected character,
  // invalid UTF-8, an unterminated or too long string, an integer out of range).
  [[nodiscard]] std::optional<Token> next(Diagnostic& out_error);

 private:
  SourcePos here() const noexcept { return pos_; }
  void advance_byte() noexcept;                     // one ASCII byte (or a newline)
  void advance_code_point(std::size_t n) noexcept;  // one code point of n bytes
  void skip_space_and_comments() noexcept;
  [[nodiscard]] bool lex_string(Token& tok, Diagnostic& out_error);
  [[nodiscard]] bool lex_number(Token& tok, Diagnostic& out_error);
  Diagnostic error_at(SourcePos pos, std::string message) const;
  Diagnostic unexpected_character(SourcePos pos) const;

  std::string_view text_;
  SourcePos pos_;
};

// Decodes the UTF-8 sequence at text[at]: its code point and length, or nullopt when invalid
// (overlong, surrogate, out of range, truncated).
struct CodePoint {
  std::uint32_t value;
  std::size_t length;
};
std::optional<CodePoint> decode_utf8(std::string_view text, std::size_t at) noexcept;

}  // namespace vouch::policy::detail
