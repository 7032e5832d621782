#include "policy/lexer.h"

#include <cstdio>

#include "policy/check_ids.h"
#include "policy/limits.h"

namespace vouch::policy::detail {
namespace {

bool is_ident_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
bool is_ident_char(char c) noexcept {
  return is_ident_start(c) || is_digit(c);
}

std::string code_point_name(std::uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

struct Punct {
  std::string_view text;
  TokenKind kind;
};

// Longest first, so "=>" and "==" win over "=".
constexpr Punct kPunctuation[] = {
    {"=>", TokenKind::kArrow},   {"==", TokenKind::kEq},       {"!=", TokenKind::kNe},
    {"<=", TokenKind::kLe},      {">=", TokenKind::kGe},       {"&&", TokenKind::kAndAnd},
    {"=", TokenKind::kAssign},   {"!", TokenKind::kNot},       {"<", TokenKind::kLt},
    {">", TokenKind::kGt},       {"{", TokenKind::kLBrace},    {"}", TokenKind::kRBrace},
    {"[", TokenKind::kLBracket}, {"]", TokenKind::kRBracket},  {"(", TokenKind::kLParen},
    {")", TokenKind::kRParen},   {";", TokenKind::kSemicolon}, {",", TokenKind::kComma},
    {":", TokenKind::kColon},    {".", TokenKind::kDot},       {"-", TokenKind::kMinus},
};

}  // namespace

std::string_view token_kind_description(TokenKind kind) noexcept {
  switch (kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kIdent:
      return "a name";
    case TokenKind::kString:
      return "a string";
    case TokenKind::kInteger:
      return "an integer";
    case TokenKind::kDecimal:
      return "a decimal number";
    case TokenKind::kLBrace:
      return "'{'";
    case TokenKind::kRBrace:
      return "'}'";
    case TokenKind::kLBracket:
      return "'['";
    case TokenKind::kRBracket:
      return "']'";
    case TokenKind::kLParen:
      return "'('";
    case TokenKind::kRParen:
      return "')'";
    case TokenKind::kSemicolon:
      return "';'";
    case TokenKind::kComma:
      return "','";
    case TokenKind::kColon:
      return "':'";
    case TokenKind::kDot:
      return "'.'";
    case TokenKind::kMinus:
      return "'-'";
    case TokenKind::kArrow:
      return "'=>'";
    case TokenKind::kAndAnd:
      return "'&&'";
    case TokenKind::kAssign:
      return "'='";
    case TokenKind::kEq:
      return "'=='";
    case TokenKind::kNe:
      return "'!='";
    case TokenKind::kLt:
      return "'<'";
    case TokenKind::kLe:
      return "'<='";
    case TokenKind::kGt:
      return "'>'";
    case TokenKind::kGe:
      return "'>='";
    case TokenKind::kNot:
      return "'!'";
  }
  return "a token";
}

std::optional<CodePoint> decode_utf8(std::string_view text, std::size_t at) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(at);
  if (b0 < 0x80) {
    return CodePoint{b0, 1};
  }
  std::size_t len = 0;
  std::uint32_t cp = 0;
  std::uint32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1Fu;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0Fu;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07u;
    min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (len > text.size() - at) {
    return std::nullopt;
  }
  for (std::size_t i = 1; i < len; ++i) {
    const unsigned char b = byte(at + i);
    if ((b & 0xC0) != 0x80) {
      return std::nullopt;
    }
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return std::nullopt;
  }
  return CodePoint{cp, len};
}

void Lexer::advance_byte() noexcept {
  if (text_[pos_.offset] == '\n') {
    ++pos_.line;
    pos_.column = 1;
  } else {
    ++pos_.column;
  }
  ++pos_.offset;
}

void Lexer::advance_code_point(std::size_t n) noexcept {
  ++pos_.column;
  pos_.offset += static_cast<std::uint32_t>(n);
}

void Lexer::skip_space_and_comments() noexcept {
  if (pos_.offset == 0 && text_.substr(0, 3) == "\xEF\xBB\xBF") {
    pos_.offset = 3;  // a byte order mark is not a column
  }
  while (pos_.offset < text_.size()) {
    const char c = text_[pos_.offset];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      advance_byte();
    } else if (c == '/' && text_.substr(pos_.offset, 2) == "//") {
      while (pos_.offset < text_.size() && text_[pos_.offset] != '\n') {
        const auto cp = decode_utf8(text_, pos_.offset);
        advance_code_point(cp ? cp->length : 1);
      }
    } else {
      return;
    }
  }
}

Diagnostic Lexer::error_at(SourcePos pos, std::string message) const {
  return Diagnostic{Severity::kError, checks::kSyntax, pos, std::move(message)};
}

Diagnostic Lexer::unexpected_character(SourcePos pos) const {
  const char c = text_[pos.offset];
  const auto cp = decode_utf8(text_, pos.offset);
  if (!cp) {
    return error_at(pos, "invalid UTF-8");
  }
  if (cp->value == 0x201C || cp->value == 0x201D) {
    return error_at(pos, "unexpected typographic quote " + code_point_name(cp->value) +
                             "; strings use the straight double quote '\"'");
  }
  if (cp->value == 0x2018 || cp->value == 0x2019 || c == '\'') {
    return error_at(pos, "unexpected quote; strings use the straight double quote '\"'");
  }
  if (c == '&') {
    return error_at(pos, "unexpected '&'; conditions are joined with '&&'");
  }
  if (c == '|') {
    return error_at(pos,
                    "unexpected '|'; the language has no '||': write one rule per alternative");
  }
  if (cp->length == 1 && c >= 0x21 && c < 0x7F) {
    return error_at(pos, std::string("unexpected character '") + c + "'");
  }
  return error_at(pos, "unexpected character " + code_point_name(cp->value));
}

bool Lexer::lex_string(Token& tok, Diagnostic& out_error) {
  const SourcePos start = pos_;
  advance_byte();  // opening quote
  while (true) {
    if (pos_.offset >= text_.size()) {
      out_error = error_at(start, "unterminated string");
      return false;
    }
    const char c = text_[pos_.offset];
    if (c == '"') {
      advance_byte();
      break;
    }
    if (c == '\\' && pos_.offset + 1 < text_.size()) {
      const char e = text_[pos_.offset + 1];
      if (e == '"' || e == '\\') {
        tok.text += e;
        advance_byte();
        advance_byte();
        continue;
      }
      tok.text += c;  // any other escape is kept as written
      advance_byte();
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x80) {
      tok.text += c;
      advance_byte();
    } else {
      const auto cp = decode_utf8(text_, pos_.offset);
      if (!cp) {
        out_error = error_at(pos_, "invalid UTF-8 in string");
        return false;
      }
      tok.text.append(text_.substr(pos_.offset, cp->length));
      advance_code_point(cp->length);
    }
    if (tok.text.size() > limits::kMaxStringLiteralBytes) {
      out_error = Diagnostic{Severity::kError, checks::kLimit, start,
                             "string literal longer than " +
                                 std::to_string(limits::kMaxStringLiteralBytes) + " bytes"};
      return false;
    }
  }
  tok.kind = TokenKind::kString;
  return true;
}

bool Lexer::lex_number(Token& tok, Diagnostic& out_error) {
  const SourcePos start = pos_;
  std::uint64_t value = 0;
  bool overflow = false;
  while (pos_.offset < text_.size() && is_digit(text_[pos_.offset])) {
    const auto digit = static_cast<std::uint64_t>(text_[pos_.offset] - '0');
    if (value > (static_cast<std::uint64_t>(INT64_MAX) - digit) / 10) {
      overflow = true;
    } else {
      value = value * 10 + digit;
    }
    advance_byte();
  }
  tok.kind = TokenKind::kInteger;
  if (pos_.offset + 1 < text_.size() && text_[pos_.offset] == '.' &&
      is_digit(text_[pos_.offset + 1])) {
    advance_byte();
    while (pos_.offset < text_.size() && is_digit(text_[pos_.offset])) {
      advance_byte();
    }
    tok.kind = TokenKind::kDecimal;
  }
  if (pos_.offset < text_.size() && is_ident_char(text_[pos_.offset])) {
    out_error = error_at(start, "malformed number (only decimal integers are supported)");
    return false;
  }
  if (tok.kind == TokenKind::kInteger && overflow) {
    out_error = error_at(start, "integer out of range (the largest is 9223372036854775807)");
    return false;
  }
  tok.integer = static_cast<std::int64_t>(value);
  return true;
}

std::optional<Token> Lexer::next(Diagnostic& out_error) {
  skip_space_and_comments();
  Token tok;
  tok.pos = pos_;
  if (pos_.offset >= text_.size()) {
    tok.kind = TokenKind::kEnd;
    return tok;
  }
  const char c = text_[pos_.offset];
  bool ok = true;
  if (is_ident_start(c)) {
    while (pos_.offset < text_.size() && is_ident_char(text_[pos_.offset])) {
      advance_byte();
    }
    tok.kind = TokenKind::kIdent;
  } else if (is_digit(c)) {
    ok = lex_number(tok, out_error);
  } else if (c == '"') {
    ok = lex_string(tok, out_error);
  } else {
    ok = false;
    for (const auto& p : kPunctuation) {
      if (text_.substr(pos_.offset, p.text.size()) == p.text) {
        for (std::size_t i = 0; i < p.text.size(); ++i) {
          advance_byte();
        }
        tok.kind = p.kind;
        ok = true;
        break;
      }
    }
    if (!ok) {
      out_error = unexpected_character(pos_);
    }
  }
  if (!ok) {
    return std::nullopt;
  }
  tok.raw = text_.substr(tok.pos.offset, pos_.offset - tok.pos.offset);
  return tok;
}

}  // namespace vouch::policy::detail
