#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

// The evaluator's handle on a JSON value. Internal to the module.
namespace vouch::jmespath::detail {

// Value is either borrowed (points into the searched document, into a literal of the expression,
// or into an owned value further up the evaluation) or owned (built during evaluation). Borrowing
// keeps field and index access free of copies; an owned value hands its members out by move.
//
// Lifetime rule kept by the evaluator: a frame that evaluates children against view() of an owned
// value it holds must not return a borrowed result without copying it first (Evaluator::detach).
class Value {
 public:
  Value() noexcept : ref_(&null_json()) {}
  Value(Value&&) noexcept = default;
  Value& operator=(Value&&) noexcept = default;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
  ~Value() = default;

  static Value borrow(const nlohmann::json& value) noexcept {
    Value v;
    v.ref_ = &value;
    return v;
  }
  static Value own(nlohmann::json&& value) noexcept {
    Value v;
    v.owned_.emplace(std::move(value));
    return v;
  }

  // boolean borrows a shared immutable true or false, so that comparisons allocate nothing.
  static Value boolean(bool b) noexcept {
    static const nlohmann::json kTrue(true);
    static const nlohmann::json kFalse(false);
    return borrow(b ? kTrue : kFalse);
  }

  const nlohmann::json& get() const noexcept { return owned_ ? *owned_ : *ref_; }
  bool is_owned() const noexcept { return owned_.has_value(); }
  // mutable_owned gives the owned value, to move members out of it. Only when is_owned().
  nlohmann::json& mutable_owned() noexcept { return *owned_; }
  // view borrows this value; valid while this Value is alive and unmoved.
  Value view() const noexcept { return borrow(get()); }

 private:
  static const nlohmann::json& null_json() noexcept {
    static const nlohmann::json kNull;
    return kNull;
  }

  const nlohmann::json* ref_;
  // Engaged only when owned, so that the common borrowed Value never runs a json destructor.
  std::optional<nlohmann::json> owned_;
};

}  // namespace vouch::jmespath::detail
