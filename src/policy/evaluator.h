#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "policy/ast.h"
#include "policy/policy.h"

// The claim-rule evaluator. Internal to the policy module; callers use Policy::evaluate().
namespace vouch::policy {

namespace detail {

// A cheap hash for claim type strings: the length and the first and last eight bytes (types share
// long prefixes such as "x-ms-sevsnpvm-" but differ at the end). Collisions only cost a compare.
struct TypeHash {
  std::size_t operator()(std::string_view s) const noexcept {
    std::uint64_t head = 0;
    std::uint64_t tail = 0;
    const std::size_t n = s.size() < 8 ? s.size() : 8;
    std::memcpy(&head, s.data(), n);
    std::memcpy(&tail, s.data() + (s.size() - n), n);
    const std::uint64_t h =
        (head ^ (tail * 0x9E3779B97F4A7C15ULL) ^ s.size()) * 0xff51afd7ed558ccdULL;
    return static_cast<std::size_t>(h ^ (h >> 32));
  }
};

// TypeKeys numbers the claim types that `type == "literal"` tests name, so the evaluator can skip
// claims of other types with an integer compare. An open-addressing table (the evaluator looks up
// every incoming claim's type); keys view strings of the policy's tree.
class TypeKeys {
 public:
  // The key of `type`, assigning the next one when it is new.
  std::uint32_t insert(std::string_view type);
  // The key of `type`, or ast::kNoTypeKey.
  std::uint32_t find(std::string_view type) const noexcept;
  std::size_t size() const noexcept { return size_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::string_view type;
    std::uint32_t key = ast::kNoTypeKey;
  };
  void grow();

  std::vector<Slot> slots_;  // size is a power of two, at most half full
  std::size_t size_ = 0;
};

// Assigns Condition::type_key throughout `tree` and returns the keys.
TypeKeys assign_type_keys(ast::Policy& tree);

}  // namespace detail

struct Policy::Impl {
  std::string text;
  std::string hash;
  ast::Policy tree;
  detail::TypeKeys type_keys;  // views into `tree`
};

namespace detail {

// Evaluates `policy` over `claims` (see Policy::evaluate).
Evaluation evaluate(const Policy::Impl& policy, std::span<const Claim> claims,
                    const EvaluateOptions& options);

// The source text between byte offsets [begin, end) with every run of whitespace (and `//`
// comments) collapsed to one space.
std::string source_excerpt(std::string_view text, std::size_t begin, std::size_t end);

}  // namespace detail
}  // namespace vouch::policy
