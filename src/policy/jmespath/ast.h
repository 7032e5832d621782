#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

// The parsed form of a JMESPath expression. Internal to the module.
namespace vouch::jmespath::detail {

struct FunctionSpec;

enum class NodeKind : std::uint8_t {
  kCurrent,           // @, and the implicit right side of a projection
  kField,             // name: member of an object, null otherwise
  kIndex,             // [index] applied to the current node
  kSlice,             // [start:stop:step] applied to the current node
  kLiteral,           // `json` or 'raw string'
  kSubexpression,     // children applied in sequence (a.b, a[0], a.[b, c])
  kPipe,              // children applied in sequence; unlike kSubexpression, stops projections
  kProjection,        // children: left (must give an array), right (applied to each element)
  kValueProjection,   // children: left (must give an object), right (applied to each value)
  kFilterProjection,  // children: left, right, condition
  kFlatten,           // children: the array to flatten by one level
  kOr,                // children: first truthy value, else the last
  kAnd,               // children: first falsy value, else the last
  kNot,               // children: one operand
  kComparator,        // children: left, right; op
  kMultiSelectList,   // children: one per element; null on a null current node
  kMultiSelectHash,   // children: one per key in `keys`; null on a null current node
  kFunction,          // children: arguments; function
  kExpref,            // children: the referenced expression (&expr)
};

enum class Comparator : std::uint8_t { kEq, kNe, kLt, kLte, kGt, kGte };

struct Node;
using NodePtr = std::unique_ptr<Node>;

// Node is one AST node. Only the fields named in the NodeKind comment are meaningful.
struct Node {
  NodeKind kind = NodeKind::kCurrent;
  std::size_t column = 0;    // 1-based code-point column of the token the node came from
  std::uint32_t height = 1;  // 1 + the largest child height; bounded by kMaxExpressionDepth
  std::vector<NodePtr> children;

  std::string name;                        // kField: member name; kFunction: function name
  std::vector<std::string> keys;           // kMultiSelectHash: one key per child
  nlohmann::json literal;                  // kLiteral
  std::int64_t index = 0;                  // kIndex
  std::optional<std::int64_t> start;       // kSlice
  std::optional<std::int64_t> stop;        // kSlice
  std::int64_t step = 1;                   // kSlice; never 0 (rejected by the parser)
  Comparator op = Comparator::kEq;         // kComparator
  const FunctionSpec* function = nullptr;  // kFunction; resolved by the parser, never null
};

}  // namespace vouch::jmespath::detail
