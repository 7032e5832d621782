#include "policy/policy.h"

#include "base/encoding.h"
#include "crypto/digest.h"
#include "policy/evaluator.h"
#include "policy/parser.h"

namespace vouch::policy {

std::string_view decision_name(Decision d) noexcept {
  return d == Decision::kPermit ? "permit" : "deny";
}

std::string_view rule_outcome_name(RuleOutcome o) noexcept {
  switch (o) {
    case RuleOutcome::kFired:
      return "fired";
    case RuleOutcome::kNotMatched:
      return "not_matched";
    case RuleOutcome::kNotEvaluated:
      return "not_evaluated";
    case RuleOutcome::kError:
      return "error";
  }
  return "not_evaluated";
}

Result<Policy> Policy::compile(std::string_view text) {
  detail::ParseOutput parsed = detail::parse_policy(text);
  if (!parsed.errors.empty()) {
    return fail(parsed.errors.front().to_error());
  }
  auto impl = std::make_shared<Impl>();
  impl->text = std::string(text);
  impl->hash = policy_hash(text);
  impl->tree = std::move(*parsed.policy);
  impl->type_keys = detail::assign_type_keys(impl->tree);  // after the move: keys view the tree
  return Policy(std::move(impl));
}

Evaluation Policy::evaluate(std::span<const Claim> claims, const EvaluateOptions& options) const {
  return detail::evaluate(*impl_, claims, options);
}

const std::string& Policy::text() const noexcept {
  return impl_->text;
}

const std::string& Policy::hash() const noexcept {
  return impl_->hash;
}

ast::Version Policy::version() const noexcept {
  return impl_->tree.version;
}

const ast::Policy& Policy::tree() const noexcept {
  return impl_->tree;
}

std::string policy_hash(std::string_view text) {
  const std::string encoded = base64url_encode(as_bytes(text));
  const Bytes digest = crypto::digest(crypto::HashAlg::kSha256, as_bytes(encoded));
  return base64url_encode(digest);
}

}  // namespace vouch::policy
