#include "policy/jmespath/parser.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "policy/jmespath/check_ids.h"
#include "policy/jmespath/functions.h"
#include "policy/jmespath/jmespath.h"
#include "policy/jmespath/lexer.h"

namespace vouch::jmespath::detail {
namespace {

// Binding powers, as in the reference implementation: how strongly a token binds to the
// expression on its left (the loop in expression() continues while the token's power exceeds the
// caller's), and the right binding power each operator parses its operand with.
constexpr int kBpExpref = 0;
constexpr int kBpPipe = 1;
constexpr int kBpOr = 2;
constexpr int kBpAnd = 3;
constexpr int kBpComparator = 5;
constexpr int kBpFlatten = 9;
constexpr int kBpStar = 20;
constexpr int kBpFilter = 21;
constexpr int kBpDot = 40;
constexpr int kBpNot = 45;
constexpr int kBpLbrace = 50;
constexpr int kBpLbracket = 55;
constexpr int kBpLparen = 60;

// Tokens with a binding power below this end a projection's right-hand side, so `a[*].b | c`
// applies `c` to the projected list while `a[*].b.c` applies `.c` to each element.
constexpr int kProjectionStop = 10;

int binding_power(TokenType type) {
  switch (type) {
    case TokenType::kPipe:
      return kBpPipe;
    case TokenType::kOr:
      return kBpOr;
    case TokenType::kAnd:
      return kBpAnd;
    case TokenType::kEq:
    case TokenType::kNe:
    case TokenType::kLt:
    case TokenType::kLte:
    case TokenType::kGt:
    case TokenType::kGte:
      return kBpComparator;
    case TokenType::kFlatten:
      return kBpFlatten;
    case TokenType::kStar:
      return kBpStar;
    case TokenType::kFilter:
      return kBpFilter;
    case TokenType::kDot:
      return kBpDot;
    case TokenType::kNot:
      return kBpNot;
    case TokenType::kLbrace:
      return kBpLbrace;
    case TokenType::kLbracket:
      return kBpLbracket;
    case TokenType::kLparen:
      return kBpLparen;
    // Tokens that never continue an expression.
    case TokenType::kEof:
    case TokenType::kUnquotedIdentifier:
    case TokenType::kQuotedIdentifier:
    case TokenType::kRawString:
    case TokenType::kLiteral:
    case TokenType::kNumber:
    case TokenType::kRbracket:
    case TokenType::kRbrace:
    case TokenType::kRparen:
    case TokenType::kComma:
    case TokenType::kColon:
    case TokenType::kExpref:
    case TokenType::kCurrent:
      return 0;
  }
  return 0;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<NodePtr> run() {
    VOUCH_TRY(NodePtr root, expression(0));
    if (current().type != TokenType::kEof) {
      return expected("end of expression or an operator");
    }
    // Semantic errors (unknown function, arity, zero step) are reported only for an expression
    // that is otherwise well-formed, so a syntax error later in the text wins.
    if (semantic_error_) {
      return fail(std::move(*semantic_error_));
    }
    return root;
  }

 private:
  // --- token access ---

  const Token& current() const { return tokens_[pos_]; }
  const Token& lookahead(std::size_t k) const {
    return tokens_[std::min(pos_ + k, tokens_.size() - 1)];
  }
  // Consumes the current token and returns it (the final kEof is never consumed).
  Token& advance() {
    Token& token = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) {
      ++pos_;
    }
    return token;
  }

  tl::unexpected<Error> syntax_error(std::size_t column, std::string_view what) const {
    std::string detail = "column " + std::to_string(column) + ": ";
    detail.append(what);
    return fail(ErrorKind::kInvalidArgument, checks::kSyntax, std::move(detail));
  }
  // "column N: expected <what>, found <current token>".
  tl::unexpected<Error> expected(std::string_view what) const {
    return syntax_error(current().column,
                        "expected " + std::string(what) + ", found " + describe(current()));
  }
  Status match(TokenType type, std::string_view what) {
    if (current().type != type) {
      return expected(what);
    }
    advance();
    return ok();
  }
  void semantic(std::size_t column, CheckId check, std::string what) {
    if (!semantic_error_) {
      semantic_error_ = Error{ErrorKind::kInvalidArgument, check,
                              "column " + std::to_string(column) + ": " + what};
    }
  }

  // --- node construction ---

  // Builds a node and enforces the height limit, which bounds evaluation recursion.
  Result<NodePtr> make(NodeKind kind, std::size_t column, std::vector<NodePtr> children = {}) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->column = column;
    for (auto& child : children) {
      node->height = std::max(node->height, child->height + 1);
    }
    node->children = std::move(children);
    VOUCH_RETURN_IF_ERROR(check_height(*node));
    return node;
  }
  Status check_height(const Node& node) const {
    if (node.height > kMaxExpressionDepth) {
      return fail(ErrorKind::kInvalidArgument, checks::kDepthLimit,
                  "column " + std::to_string(node.column) + ": expression nests deeper than " +
                      std::to_string(kMaxExpressionDepth) + " levels");
    }
    return ok();
  }
  // Sequences (a.b.c, a|b|c) and the associative a||b||c and a&&b&&c are kept flat: a long chain
  // is legitimate and must not count against the depth limit.
  Result<NodePtr> chain(NodeKind kind, std::size_t column, NodePtr left, NodePtr right) {
    if (left->kind == kind) {
      left->height = std::max(left->height, right->height + 1);
      left->children.push_back(std::move(right));
      VOUCH_RETURN_IF_ERROR(check_height(*left));
      return left;
    }
    std::vector<NodePtr> children;
    children.push_back(std::move(left));
    children.push_back(std::move(right));
    return make(kind, column, std::move(children));
  }
  Result<NodePtr> identity(std::size_t column) { return make(NodeKind::kCurrent, column); }
  Result<NodePtr> binary(NodeKind kind, std::size_t column, NodePtr a, NodePtr b) {
    std::vector<NodePtr> children;
    children.push_back(std::move(a));
    children.push_back(std::move(b));
    return make(kind, column, std::move(children));
  }

  // --- the Pratt loop ---

  Result<NodePtr> expression(int rbp) {
    // Recursion depth, separate from node height: "((((a))))" nests without building nodes.
    if (depth_ >= kMaxExpressionDepth) {
      return fail(ErrorKind::kInvalidArgument, checks::kDepthLimit,
                  "column " + std::to_string(current().column) + ": expression nests deeper than " +
                      std::to_string(kMaxExpressionDepth) + " levels");
    }
    ++depth_;
    auto result = expression_body(rbp);
    --depth_;
    return result;
  }

  Result<NodePtr> expression_body(int rbp) {
    VOUCH_TRY(NodePtr left, nud(advance()));
    while (rbp < binding_power(current().type)) {
      VOUCH_TRY(left, led(advance(), std::move(left)));
    }
    return left;
  }

  // Null denotation: a token that starts an expression.
  Result<NodePtr> nud(Token& token) {
    const std::size_t col = token.column;
    switch (token.type) {
      case TokenType::kLiteral:
      case TokenType::kRawString: {
        VOUCH_TRY(NodePtr node, make(NodeKind::kLiteral, col));
        node->literal = std::move(token.value);
        return node;
      }
      case TokenType::kUnquotedIdentifier:
      case TokenType::kQuotedIdentifier: {
        if (token.type == TokenType::kQuotedIdentifier && current().type == TokenType::kLparen) {
          return syntax_error(col, "a function name cannot be a quoted identifier");
        }
        VOUCH_TRY(NodePtr node, make(NodeKind::kField, col));
        node->name = std::move(token.text);
        return node;
      }
      case TokenType::kStar: {
        VOUCH_TRY(NodePtr left, identity(col));
        VOUCH_TRY(NodePtr right, projection_rhs(kBpStar));
        return binary(NodeKind::kValueProjection, col, std::move(left), std::move(right));
      }
      case TokenType::kFilter: {
        VOUCH_TRY(NodePtr left, identity(col));
        return filter(col, std::move(left));
      }
      case TokenType::kLbrace:
        return multi_select_hash(col);
      case TokenType::kFlatten: {
        VOUCH_TRY(NodePtr left, identity(col));
        return flatten(col, std::move(left));
      }
      case TokenType::kLbracket: {
        if (current().type == TokenType::kNumber || current().type == TokenType::kColon) {
          VOUCH_TRY(NodePtr index, index_expression(col));
          return project_if_slice(col, nullptr, std::move(index));
        }
        if (current().type == TokenType::kStar && lookahead(1).type == TokenType::kRbracket) {
          advance();
          advance();
          VOUCH_TRY(NodePtr left, identity(col));
          VOUCH_TRY(NodePtr right, projection_rhs(kBpStar));
          return binary(NodeKind::kProjection, col, std::move(left), std::move(right));
        }
        return multi_select_list(col);
      }
      case TokenType::kCurrent:
        return identity(col);
      case TokenType::kExpref: {
        VOUCH_TRY(NodePtr operand, expression(kBpExpref));
        std::vector<NodePtr> children;
        children.push_back(std::move(operand));
        return make(NodeKind::kExpref, col, std::move(children));
      }
      case TokenType::kNot: {
        VOUCH_TRY(NodePtr operand, expression(kBpNot));
        std::vector<NodePtr> children;
        children.push_back(std::move(operand));
        return make(NodeKind::kNot, col, std::move(children));
      }
      case TokenType::kLparen: {
        VOUCH_TRY(NodePtr inner, expression(0));
        VOUCH_RETURN_IF_ERROR(match(TokenType::kRparen, "')'"));
        return inner;
      }
      case TokenType::kEof:
      case TokenType::kNumber:
      case TokenType::kDot:
      case TokenType::kRbracket:
      case TokenType::kRbrace:
      case TokenType::kRparen:
      case TokenType::kComma:
      case TokenType::kColon:
      case TokenType::kPipe:
      case TokenType::kOr:
      case TokenType::kAnd:
      case TokenType::kEq:
      case TokenType::kNe:
      case TokenType::kLt:
      case TokenType::kLte:
      case TokenType::kGt:
      case TokenType::kGte:
        break;
    }
    return syntax_error(col, "expected an expression, found " + describe(token));
  }

  // Left denotation: a token that continues the expression `left`.
  Result<NodePtr> led(Token& token, NodePtr left) {
    const std::size_t col = token.column;
    switch (token.type) {
      case TokenType::kDot: {
        if (current().type == TokenType::kStar) {
          advance();
          VOUCH_TRY(NodePtr right, projection_rhs(kBpDot));
          return binary(NodeKind::kValueProjection, col, std::move(left), std::move(right));
        }
        VOUCH_TRY(NodePtr right, dot_rhs(kBpDot));
        return chain(NodeKind::kSubexpression, col, std::move(left), std::move(right));
      }
      case TokenType::kPipe: {
        VOUCH_TRY(NodePtr right, expression(kBpPipe));
        return chain(NodeKind::kPipe, col, std::move(left), std::move(right));
      }
      case TokenType::kOr: {
        VOUCH_TRY(NodePtr right, expression(kBpOr));
        return chain(NodeKind::kOr, col, std::move(left), std::move(right));
      }
      case TokenType::kAnd: {
        VOUCH_TRY(NodePtr right, expression(kBpAnd));
        return chain(NodeKind::kAnd, col, std::move(left), std::move(right));
      }
      case TokenType::kLparen:
        return function_call(col, std::move(left));
      case TokenType::kFilter:
        return filter(col, std::move(left));
      case TokenType::kEq:
        return comparator(col, Comparator::kEq, std::move(left));
      case TokenType::kNe:
        return comparator(col, Comparator::kNe, std::move(left));
      case TokenType::kLt:
        return comparator(col, Comparator::kLt, std::move(left));
      case TokenType::kLte:
        return comparator(col, Comparator::kLte, std::move(left));
      case TokenType::kGt:
        return comparator(col, Comparator::kGt, std::move(left));
      case TokenType::kGte:
        return comparator(col, Comparator::kGte, std::move(left));
      case TokenType::kFlatten:
        return flatten(col, std::move(left));
      case TokenType::kLbracket: {
        if (current().type == TokenType::kNumber || current().type == TokenType::kColon) {
          VOUCH_TRY(NodePtr index, index_expression(col));
          return project_if_slice(col, std::move(left), std::move(index));
        }
        if (current().type != TokenType::kStar) {
          return expected("a number, ':', '*' or '?' after '['");
        }
        advance();
        VOUCH_RETURN_IF_ERROR(match(TokenType::kRbracket, "']' after '[*'"));
        VOUCH_TRY(NodePtr right, projection_rhs(kBpStar));
        return binary(NodeKind::kProjection, col, std::move(left), std::move(right));
      }
      case TokenType::kEof:
      case TokenType::kUnquotedIdentifier:
      case TokenType::kQuotedIdentifier:
      case TokenType::kRawString:
      case TokenType::kLiteral:
      case TokenType::kNumber:
      case TokenType::kStar:
      case TokenType::kRbracket:
      case TokenType::kLbrace:
      case TokenType::kRbrace:
      case TokenType::kRparen:
      case TokenType::kComma:
      case TokenType::kColon:
      case TokenType::kNot:
      case TokenType::kExpref:
      case TokenType::kCurrent:
        break;
    }
    return syntax_error(col, describe(token) + " cannot follow an expression here");
  }

  // --- grammar pieces ---

  // The part after `.`: an identifier (or function call), `*`, a multi-select list or hash.
  Result<NodePtr> dot_rhs(int rbp) {
    switch (current().type) {
      case TokenType::kUnquotedIdentifier:
      case TokenType::kQuotedIdentifier:
      case TokenType::kStar:
        return expression(rbp);
      case TokenType::kLbracket: {
        const std::size_t col = advance().column;
        return multi_select_list(col);
      }
      case TokenType::kLbrace: {
        const std::size_t col = advance().column;
        return multi_select_hash(col);
      }
      default:
        return expected("an identifier, '*', '[' or '{' after '.'");
    }
  }

  // What a projection applies to each element. A token that binds weaker than kProjectionStop
  // (pipe, comparators, `||`, `&&`, `[]`, end) ends the projection: the right side is @.
  Result<NodePtr> projection_rhs(int rbp) {
    const TokenType type = current().type;
    if (binding_power(type) < kProjectionStop) {
      return identity(current().column);
    }
    if (type == TokenType::kLbracket || type == TokenType::kFilter) {
      return expression(rbp);
    }
    if (type == TokenType::kDot) {
      advance();
      return dot_rhs(rbp);
    }
    return expected("'.', '[' or '[?' after a projection");
  }

  Result<NodePtr> flatten(std::size_t col, NodePtr left) {
    std::vector<NodePtr> children;
    children.push_back(std::move(left));
    VOUCH_TRY(NodePtr flat, make(NodeKind::kFlatten, col, std::move(children)));
    VOUCH_TRY(NodePtr right, projection_rhs(kBpFlatten));
    return binary(NodeKind::kProjection, col, std::move(flat), std::move(right));
  }

  Result<NodePtr> filter(std::size_t col, NodePtr left) {
    VOUCH_TRY(NodePtr condition, expression(0));
    VOUCH_RETURN_IF_ERROR(match(TokenType::kRbracket, "']' to close the filter '[?'"));
    NodePtr right;
    if (current().type == TokenType::kFlatten) {
      VOUCH_TRY(right, identity(current().column));
    } else {
      VOUCH_TRY(right, projection_rhs(kBpFilter));
    }
    std::vector<NodePtr> children;
    children.push_back(std::move(left));
    children.push_back(std::move(right));
    children.push_back(std::move(condition));
    return make(NodeKind::kFilterProjection, col, std::move(children));
  }

  Result<NodePtr> comparator(std::size_t col, Comparator op, NodePtr left) {
    VOUCH_TRY(NodePtr right, expression(kBpComparator));
    VOUCH_TRY(NodePtr node, binary(NodeKind::kComparator, col, std::move(left), std::move(right)));
    node->op = op;
    return node;
  }

  // After '[' when a number or ':' follows: an index `[n]` or a slice `[a:b:c]`.
  Result<NodePtr> index_expression(std::size_t col) {
    if (current().type == TokenType::kColon || lookahead(1).type == TokenType::kColon) {
      return slice(col);
    }
    VOUCH_TRY(NodePtr node, make(NodeKind::kIndex, col));
    node->index = advance().number;
    VOUCH_RETURN_IF_ERROR(match(TokenType::kRbracket, "']' after the index"));
    return node;
  }

  Result<NodePtr> slice(std::size_t col) {
    std::optional<std::int64_t> parts[3];
    std::size_t part = 0;
    std::size_t step_column = col;
    while (current().type != TokenType::kRbracket) {
      if (current().type == TokenType::kColon) {
        if (part == 2) {
          return expected("a number or ']' (a slice has at most two ':')");
        }
        ++part;
        advance();
      } else if (current().type == TokenType::kNumber && !parts[part]) {
        if (part == 2) {
          step_column = current().column;
        }
        parts[part] = advance().number;
      } else {
        return expected(parts[part] ? "':' or ']' in the slice"
                                    : "a number, ':' or ']' in the slice");
      }
    }
    advance();
    VOUCH_TRY(NodePtr node, make(NodeKind::kSlice, col));
    node->start = parts[0];
    node->stop = parts[1];
    if (parts[2]) {
      if (*parts[2] == 0) {
        semantic(step_column, checks::kInvalidValue, "slice step cannot be 0");
      } else {
        node->step = *parts[2];
      }
    }
    return node;
  }

  // `left[index]` is an index expression; `left[slice]` also starts a projection.
  Result<NodePtr> project_if_slice(std::size_t col, NodePtr left, NodePtr index) {
    const bool is_slice = index->kind == NodeKind::kSlice;
    NodePtr indexed;
    if (left) {
      VOUCH_TRY(indexed, chain(NodeKind::kSubexpression, col, std::move(left), std::move(index)));
    } else {
      indexed = std::move(index);
    }
    if (!is_slice) {
      return indexed;
    }
    VOUCH_TRY(NodePtr right, projection_rhs(kBpStar));
    return binary(NodeKind::kProjection, col, std::move(indexed), std::move(right));
  }

  Result<NodePtr> multi_select_list(std::size_t col) {
    std::vector<NodePtr> elements;
    while (true) {
      VOUCH_TRY(NodePtr element, expression(0));
      elements.push_back(std::move(element));
      if (current().type == TokenType::kRbracket) {
        advance();
        break;
      }
      VOUCH_RETURN_IF_ERROR(match(TokenType::kComma, "',' or ']' in the multi-select list"));
    }
    return make(NodeKind::kMultiSelectList, col, std::move(elements));
  }

  Result<NodePtr> multi_select_hash(std::size_t col) {
    std::vector<NodePtr> values;
    std::vector<std::string> keys;
    while (true) {
      if (current().type != TokenType::kUnquotedIdentifier &&
          current().type != TokenType::kQuotedIdentifier) {
        return expected("an identifier as multi-select hash key");
      }
      keys.push_back(std::move(advance().text));
      VOUCH_RETURN_IF_ERROR(match(TokenType::kColon, "':' after the key"));
      VOUCH_TRY(NodePtr value, expression(0));
      values.push_back(std::move(value));
      if (current().type == TokenType::kRbrace) {
        advance();
        break;
      }
      VOUCH_RETURN_IF_ERROR(match(TokenType::kComma, "',' or '}' in the multi-select hash"));
    }
    VOUCH_TRY(NodePtr node, make(NodeKind::kMultiSelectHash, col, std::move(values)));
    node->keys = std::move(keys);
    return node;
  }

  // `name(args...)`; `left` must be the unquoted identifier just before '('.
  Result<NodePtr> function_call(std::size_t col, NodePtr left) {
    if (left->kind != NodeKind::kField || pos_ < 2 ||
        tokens_[pos_ - 2].type != TokenType::kUnquotedIdentifier) {
      return syntax_error(col, "'(' must follow a function name");
    }
    std::vector<NodePtr> args;
    if (current().type == TokenType::kRparen) {
      advance();
    } else {
      while (true) {
        VOUCH_TRY(NodePtr arg, expression(0));
        args.push_back(std::move(arg));
        if (current().type == TokenType::kRparen) {
          advance();
          break;
        }
        VOUCH_RETURN_IF_ERROR(match(TokenType::kComma, "',' or ')' in the function arguments"));
      }
    }
    const std::size_t name_col = left->column;
    std::string name = std::move(left->name);
    const FunctionSpec* spec = find_function(name);
    if (spec == nullptr) {
      semantic(name_col, checks::kUnknownFunction, "unknown function '" + name + "'");
    } else if (spec->variadic ? args.size() < spec->num_args : args.size() != spec->num_args) {
      semantic(name_col, checks::kInvalidArity,
               name + "() takes " + (spec->variadic ? "at least " : "") +
                   std::to_string(spec->num_args) +
                   (spec->num_args == 1 ? " argument" : " arguments") + ", got " +
                   std::to_string(args.size()));
    }
    VOUCH_TRY(NodePtr node, make(NodeKind::kFunction, name_col, std::move(args)));
    node->name = std::move(name);
    node->function = spec;
    return node;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  std::optional<Error> semantic_error_;
};

}  // namespace

Result<NodePtr> parse(std::string_view text) {
  VOUCH_TRY(std::vector<Token> tokens, tokenize(text));
  return Parser(std::move(tokens)).run();
}

}  // namespace vouch::jmespath::detail
