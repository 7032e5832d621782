#include "policy/jmespath/jmespath.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "policy/jmespath/ast.h"
#include "policy/jmespath/evaluator.h"
#include "policy/jmespath/json_util.h"
#include "policy/jmespath/parser.h"

namespace vouch::jmespath {

Expression::Expression(std::string text, std::shared_ptr<const detail::Node> root)
    : text_(std::move(text)), root_(std::move(root)) {}

Result<Expression> Expression::compile(std::string_view text) {
  try {
    VOUCH_TRY(detail::NodePtr root, detail::parse(text));
    return Expression(std::string(text), std::shared_ptr<const detail::Node>(std::move(root)));
  } catch (const nlohmann::json::exception& e) {
    // Not expected: the parser calls no throwing nlohmann API on unchecked input. Kept so that a
    // bug surfaces as an error instead of an exception crossing the module boundary.
    return fail(ErrorKind::kInternal, ::vouch::checks::kInternal,
                std::string("JMESPath compile: ") + e.what());
  }
}

Result<nlohmann::json> Expression::search(const nlohmann::json& data) const {
  return search(data, SearchLimits{});
}

Result<nlohmann::json> Expression::search(const nlohmann::json& data,
                                          const SearchLimits& limits) const {
  try {
    detail::Evaluator evaluator(limits.max_work_units);
    VOUCH_TRY(detail::Value result, evaluator.eval(*root_, detail::Value::borrow(data)));
    const bool built = result.is_owned();
    VOUCH_TRY(nlohmann::json out, evaluator.take(std::move(result)));
    // A built result can nest deeper than its inputs (`[@] | [@] | ...`); the caller must be able
    // to copy and serialise it with recursive code. (A borrowed one was checked by take.)
    if (built && detail::nesting_exceeds(out, kMaxDataDepth)) {
      return fail(ErrorKind::kInvalidArgument, checks::kDepthLimit,
                  "the result nests deeper than " + std::to_string(kMaxDataDepth) + " levels");
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return fail(ErrorKind::kInternal, ::vouch::checks::kInternal,
                std::string("JMESPath search: ") + e.what());
  }
}

Result<nlohmann::json> search(std::string_view expression, const nlohmann::json& data) {
  VOUCH_TRY(const Expression compiled, Expression::compile(expression));
  return compiled.search(data);
}

}  // namespace vouch::jmespath
