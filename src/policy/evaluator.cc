#include "policy/evaluator.h"

#include <array>
#include <deque>
#include <forward_list>
#include <string>
#include <utility>
#include <vector>

#include "policy/check_ids.h"
#include "policy/functions.h"
#include "policy/limits.h"

namespace vouch::policy::detail {
namespace {

using ast::ActionKind;
using ast::CompareOp;
using ast::Expr;
using ast::Property;
using ast::Section;

// Operand is a resolved property-test operand: the values it stands for (a literal is one value;
// `c.value` is one value per claim `c` matched; a function result is its elements) and storage
// for values computed on the spot. Pointers stay valid until reset().
class Operand {
 public:
  void reset() noexcept {
    single_ = nullptr;
    many_.clear();
    owned_.clear();
  }
  void add(const Value* v) {
    if (single_ == nullptr && many_.empty()) {
      single_ = v;
      return;
    }
    if (single_ != nullptr) {
      many_.push_back(single_);
      single_ = nullptr;
    }
    many_.push_back(v);
  }
  // Keeps `v` and adds its elements (a Set contributes each element, Empty none).
  void add_owned(Value v) {
    owned_.push_front(std::move(v));
    for (const Value* e : elements(owned_.front())) {
      add(e);
    }
  }
  std::size_t size() const noexcept { return single_ != nullptr ? 1 : many_.size(); }
  const Value& at(std::size_t i) const noexcept {
    return single_ != nullptr ? *single_ : *many_[i];
  }

  std::string describe() const {
    if (size() == 1) {
      return at(0).to_display();
    }
    std::string out = "one of {";
    for (std::size_t i = 0; i < size(); ++i) {
      out += (i > 0 ? ", " : "") + at(i).to_display(32);
      if (i == 7 && size() > 8) {
        out += ", ...";
        break;
      }
    }
    return out + "}";
  }

 private:
  const Value* single_ = nullptr;
  std::vector<const Value*> many_;
  std::forward_list<Value> owned_;  // stable addresses; no allocation until used
};

bool order_holds(std::int64_t a, CompareOp op, std::int64_t b) noexcept {
  switch (op) {
    case CompareOp::kEq:
      return a == b;
    case CompareOp::kNe:
      return a != b;
    case CompareOp::kLt:
      return a < b;
    case CompareOp::kLe:
      return a <= b;
    case CompareOp::kGt:
      return a > b;
    case CompareOp::kGe:
      return a >= b;
  }
  return false;
}

// `lhs op rhs` for two values of the same kind; values of different kinds never compare (not even
// with !=), and only Integers are ordered.
bool compare(const Value& lhs, CompareOp op, const Value& rhs) noexcept {
  if (lhs.kind() != rhs.kind()) {
    return false;
  }
  if (op == CompareOp::kEq) {
    return lhs == rhs;
  }
  if (op == CompareOp::kNe) {
    return !(lhs == rhs);
  }
  const std::int64_t* a = lhs.if_integer();
  const std::int64_t* b = rhs.if_integer();
  return a != nullptr && b != nullptr && order_holds(*a, op, *b);
}

bool compare_string(std::string_view lhs, CompareOp op, const Value& rhs) noexcept {
  const std::string* s = rhs.if_string();
  if (s == nullptr) {
    return false;
  }
  if (op == CompareOp::kEq) {
    return lhs == *s;
  }
  return op == CompareOp::kNe && lhs != *s;
}

// A test against an operand standing for several values: == and the orderings hold for some
// value, != holds for every value (it means "not one of them").
template <typename Cmp>
bool against_operand(CompareOp op, const Operand& operand, Cmp cmp) {
  const std::size_t n = operand.size();
  if (op == CompareOp::kNe) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!cmp(operand.at(i))) {
        return false;
      }
    }
    return true;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (cmp(operand.at(i))) {
      return true;
    }
  }
  return false;
}

bool test_claim(const Claim& claim, const ast::PropertyTest& test, const Operand& operand) {
  switch (test.property) {
    case Property::kType:
      return against_operand(
          test.op, operand, [&](const Value& v) { return compare_string(claim.type, test.op, v); });
    case Property::kIssuer:
      return against_operand(test.op, operand, [&](const Value& v) {
        return compare_string(issuer_name(claim.issuer), test.op, v);
      });
    case Property::kValueType:
      return against_operand(test.op, operand, [&](const Value& v) {
        return compare_string(value_kind_name(claim.value.kind()), test.op, v);
      });
    case Property::kValue:
      return against_operand(test.op, operand,
                             [&](const Value& v) { return compare(claim.value, test.op, v); });
  }
  return false;
}

std::string describe_claim(const Claim& c) {
  return "\"" + c.type + "\" = " + c.value.to_display(48) + " (" +
         std::string(issuer_name(c.issuer)) + ")";
}

class Evaluator {
 public:
  Evaluator(const Policy::Impl& policy, const EvaluateOptions& options, Evaluation& out)
      : policy_(policy), explain_(options.explain), out_(out) {}

  void run(std::span<const Claim> claims) {
    if (load(claims)) {
      for (const auto& block : policy_.tree.sections) {
        run_section(block);
      }
    }
    finish();
  }

 private:
  bool load(std::span<const Claim> claims) {
    if (claims.size() > limits::kMaxClaims) {
      stop_with(Error{ErrorKind::kPolicyDenied, checks::kEvalLimit,
                      "more than " + std::to_string(limits::kMaxClaims) + " incoming claims"},
                std::nullopt);
      return false;
    }
    incoming_.reserve(claims.size() + 16);
    next_.reserve(claims.size() + 16);
    chains_.assign(policy_.type_keys.size(), Chain{});
    for (const Claim& c : claims) {
      if (!c.value.is_scalar()) {
        stop_with(Error{ErrorKind::kPolicyDenied, checks::kInput,
                        "incoming claim \"" + c.type + "\" has a " +
                            std::string(value_kind_name(c.value.kind())) +
                            " value; give one claim per value"},
                  std::nullopt);
        return false;
      }
      incoming_.push_back(&c);
      link(incoming_.size() - 1, policy_.type_keys.find(c.type));
    }
    return true;
  }

  // Appends incoming claim `idx` to the chain of claims of type key `key`.
  void link(std::size_t idx, std::uint32_t key) {
    next_.push_back(kEndOfChain);
    if (key == ast::kNoTypeKey) {
      return;
    }
    Chain& chain = chains_[key];
    if (chain.head == kEndOfChain) {
      chain.head = idx;
    } else {
      next_[chain.tail] = idx;
    }
    chain.tail = idx;
  }

  void run_section(const ast::SectionBlock& block) {
    const bool skip = stopped_ || (block.section == Section::kIssuance && !permitted());
    for (const auto& rule : block.rules) {
      RuleTrace* trace = nullptr;
      if (explain_) {
        trace = &out_.trace.emplace_back();
        trace->rule = RuleRef{block.section, rule.index, rule.pos};
        trace->action = rule.action.kind;
        trace->text = source_excerpt(policy_.text, rule.begin, rule.end);
        for (const auto& c : rule.conditions) {
          trace->condition_texts.push_back(source_excerpt(policy_.text, c.begin, c.end));
        }
        trace->conditions.resize(rule.conditions.size());
      }
      if (skip || stopped_) {
        continue;  // kNotEvaluated
      }
      const RuleOutcome outcome = run_rule(block.section, rule, trace);
      if (trace != nullptr) {
        trace->outcome = outcome;
      }
    }
  }

  bool permitted() const noexcept { return permitted_ && !denied_ && !stopped_; }

  void finish() {
    if (out_.error) {
      out_.decision = Decision::kDeny;
      out_.deny_reason = DenyReason::kError;
    } else if (denied_) {
      out_.decision = Decision::kDeny;
      out_.deny_reason = DenyReason::kDenyRule;
    } else if (permitted_) {
      out_.decision = Decision::kPermit;
      out_.deny_reason = DenyReason::kNone;
    } else {
      out_.decision = Decision::kDeny;
      out_.deny_reason = DenyReason::kNoPermit;
    }
    if (explain_) {
      out_.incoming.reserve(incoming_.size());
      for (const Claim* c : incoming_) {
        out_.incoming.push_back(*c);
      }
    }
    if (out_.decision == Decision::kPermit) {
      // The claims are no longer needed as incoming claims: move them out.
      out_.issued.reserve(issued_.size());
      for (const std::size_t i : issued_) {
        out_.issued.push_back(std::move(added_[i]));
      }
      out_.properties.reserve(properties_.size());
      for (const std::size_t i : properties_) {
        out_.properties.push_back(std::move(added_[i]));
      }
    }
  }

  void stop_with(Error error, std::optional<RuleRef> rule) {
    out_.error = std::move(error);
    out_.decisive_rule = rule;
    stopped_ = true;
  }

  RuleOutcome run_rule(Section section, const ast::Rule& rule, RuleTrace* trace) {
    const RuleRef ref{section, rule.index, rule.pos};
    if (matches_.size() < rule.conditions.size()) {
      matches_.resize(rule.conditions.size());
    }
    for (std::size_t i = 0; i < rule.conditions.size(); ++i) {
      const ast::Condition& cond = rule.conditions[i];
      auto& matched = matches_[i];
      matched.clear();
      for (std::size_t k = 0; k < cond.tests.size(); ++k) {
        operands_[k].reset();
        if (auto status = resolve(cond.tests[k].operand, operands_[k]); !status) {
          stop_with(std::move(status).error(), ref);
          return RuleOutcome::kError;
        }
      }
      if (cond.type_key != ast::kNoTypeKey) {
        // Only the claims of the type the condition names, in order.
        for (std::size_t idx = chains_[cond.type_key].head; idx != kEndOfChain; idx = next_[idx]) {
          if (passes(*incoming_[idx], cond)) {
            matched.push_back(idx);
          }
        }
      } else {
        for (std::size_t idx = 0; idx < incoming_.size(); ++idx) {
          if (passes(*incoming_[idx], cond)) {
            matched.push_back(idx);
          }
        }
      }
      const bool satisfied = cond.negated ? matched.empty() : !matched.empty();
      if (trace != nullptr) {
        ConditionTrace& ct = trace->conditions[i];
        ct.evaluated = true;
        ct.satisfied = satisfied;
        ct.matched = matched;
        if (!satisfied) {
          ct.reason = explain_failure(cond, matched);
        }
      }
      if (!satisfied) {
        return RuleOutcome::kNotMatched;
      }
    }
    if (auto status = fire(rule, trace); !status) {
      stop_with(std::move(status).error(), ref);
      return RuleOutcome::kError;
    }
    if (rule.action.kind == ActionKind::kDeny) {
      denied_ = true;
      stopped_ = true;
      out_.decisive_rule = ref;
    }
    return RuleOutcome::kFired;
  }

  bool passes(const Claim& claim, const ast::Condition& cond) const {
    for (std::size_t k = 0; k < cond.tests.size(); ++k) {
      if (!test_claim(claim, cond.tests[k], operands_[k])) {
        return false;
      }
    }
    return true;
  }

  // ---- expressions ---------------------------------------------------------------------------

  Status resolve(const Expr& e, Operand& out) {
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        out.add(&e.literal);
        return ok();
      case Expr::Kind::kBinding:
        if (e.property == Property::kValue) {
          for (const std::size_t idx : matches_[e.binding]) {
            out.add(&incoming_[idx]->value);
          }
        } else {
          for (const std::size_t idx : matches_[e.binding]) {
            out.add_owned(Value::string(std::string(claim_property(*incoming_[idx], e.property))));
          }
        }
        return ok();
      case Expr::Kind::kCall: {
        VOUCH_TRY(Evaluated result, eval(e));
        out.add_owned(std::move(result).take());
        return ok();
      }
    }
    return ok();
  }

  static std::string_view claim_property(const Claim& c, Property p) noexcept {
    switch (p) {
      case Property::kType:
        return c.type;
      case Property::kIssuer:
        return issuer_name(c.issuer);
      case Property::kValueType:
        return value_kind_name(c.value.kind());
      case Property::kValue:
        break;
    }
    return {};
  }

  Result<Evaluated> eval(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        return Evaluated::borrow(e.literal, false);
      case Expr::Kind::kBinding: {
        const auto& matched = matches_[e.binding];
        bool read_only = false;
        for (const std::size_t idx : matched) {
          read_only = read_only || incoming_[idx]->read_only;
        }
        if (e.property == Property::kValue && matched.size() == 1) {
          return Evaluated::borrow(incoming_[matched[0]]->value, read_only);
        }
        std::vector<Value> values;
        values.reserve(matched.size());
        for (const std::size_t idx : matched) {
          const Claim& c = *incoming_[idx];
          values.push_back(e.property == Property::kValue
                               ? c.value
                               : Value::string(std::string(claim_property(c, e.property))));
        }
        if (values.size() == 1) {
          return Evaluated::own(std::move(values[0]), read_only);
        }
        return Evaluated::own(Value::set(std::move(values)), read_only);
      }
      case Expr::Kind::kCall: {
        std::vector<Evaluated> args;
        args.reserve(e.args.size());
        for (const auto& a : e.args) {
          VOUCH_TRY(Evaluated v, eval(a));
          args.push_back(std::move(v));
        }
        return call_function(e, args, json_);
      }
    }
    return Evaluated::own(Value(), false);
  }

  // ---- actions -------------------------------------------------------------------------------

  Status fire(const ast::Rule& rule, RuleTrace* trace) {
    const ast::Action& action = rule.action;
    if (action.kind == ActionKind::kPermit) {
      permitted_ = true;
      return ok();
    }
    if (action.kind == ActionKind::kDeny) {
      return ok();
    }
    std::vector<Claim>& made = made_;
    made.clear();
    if (action.claim) {
      for (const std::size_t idx : matches_[*action.claim]) {
        const Claim& src = *incoming_[idx];
        made.push_back(Claim{src.type, src.value, Issuer::kAttestationPolicy, src.read_only});
      }
    } else {
      VOUCH_TRY(Evaluated type, eval(action.type));
      const std::string* type_text = type.get().if_string();
      if (type_text == nullptr) {
        return eval_error(checks::kEvalType, "a claim type must be a String, found " +
                                                 std::string(value_kind_name(type.get().kind())));
      }
      VOUCH_TRY(Evaluated value, eval(action.value));
      const bool read_only = value.read_only();
      Value v = std::move(value).take();
      if (v.kind() == ValueKind::kSet) {
        for (auto& e : std::move(v).take_elements()) {
          made.push_back(Claim{*type_text, std::move(e), Issuer::kAttestationPolicy, read_only});
        }
      } else if (v.kind() != ValueKind::kEmpty) {
        made.push_back(Claim{*type_text, std::move(v), Issuer::kAttestationPolicy, read_only});
      }
    }
    return emit(action.kind, made, action.claim ? ast::kNoTypeKey : action.type_key, trace);
  }

  // Adds `made` to the incoming claims (and to the issued claims or properties). `type_key` is the
  // key of their type when the policy spelled it out.
  Status emit(ActionKind kind, std::vector<Claim>& made, std::uint32_t type_key, RuleTrace* trace) {
    if (kind != ActionKind::kAdd) {
      for (const Claim& c : made) {
        if (c.read_only) {
          return eval_error(checks::kEvalReadOnly,
                            "\"" + c.type + "\" derives from a read-only claim and cannot be " +
                                std::string(ast::action_name(kind)) + "d (use add())");
        }
      }
    }
    if (made.size() > limits::kMaxClaims - incoming_.size()) {
      return eval_error(checks::kEvalLimit,
                        "more than " + std::to_string(limits::kMaxClaims) + " incoming claims");
    }
    for (const Claim& c : made) {
      const std::string* s = c.value.if_string();
      added_bytes_ += c.type.size() + (s != nullptr ? s->size() : 0);
    }
    if (added_bytes_ > limits::kMaxAddedBytes) {
      return eval_error(checks::kEvalLimit, "the rules added more than " +
                                                std::to_string(limits::kMaxAddedBytes) +
                                                " bytes of claims");
    }
    for (Claim& c : made) {
      if (kind == ActionKind::kIssue) {
        issued_.push_back(added_.size());
      } else if (kind == ActionKind::kIssueProperty) {
        properties_.push_back(added_.size());
      }
      if (trace != nullptr) {
        trace->effects.push_back(Effect{kind, c});
      }
      const std::uint32_t key =
          type_key != ast::kNoTypeKey ? type_key : policy_.type_keys.find(c.type);
      added_.push_back(std::move(c));
      incoming_.push_back(&added_.back());
      link(incoming_.size() - 1, key);
    }
    return ok();
  }

  // ---- explanations --------------------------------------------------------------------------

  std::string explain_failure(const ast::Condition& cond, const std::vector<std::size_t>& matched) {
    if (cond.negated) {
      std::string out = "a claim it excludes is present: " + describe_claim(*incoming_[matched[0]]);
      if (matched.size() > 1) {
        out += " (and " + std::to_string(matched.size() - 1) + " more)";
      }
      return out;
    }
    bool has_type_test = false;
    for (const auto& t : cond.tests) {
      has_type_test = has_type_test || t.property == Property::kType;
    }
    if (!has_type_test) {
      return incoming_.empty() ? "there are no incoming claims" : "no claim passes every test";
    }
    std::vector<std::size_t> candidates;
    for (std::size_t idx = 0; idx < incoming_.size(); ++idx) {
      bool ok = true;
      for (std::size_t k = 0; k < cond.tests.size() && ok; ++k) {
        if (cond.tests[k].property == Property::kType) {
          ok = test_claim(*incoming_[idx], cond.tests[k], operands_[k]);
        }
      }
      if (ok) {
        candidates.push_back(idx);
      }
    }
    if (candidates.empty()) {
      for (std::size_t k = 0; k < cond.tests.size(); ++k) {
        const auto& t = cond.tests[k];
        if (t.property == Property::kType && t.op == CompareOp::kEq) {
          return "no claim of type " + operands_[k].describe();
        }
      }
      return "no claim passes the type test";
    }
    std::string out;
    const std::size_t shown = std::min<std::size_t>(candidates.size(), 3);
    for (std::size_t n = 0; n < shown; ++n) {
      if (n > 0) {
        out += "; ";
      }
      out += explain_claim(*incoming_[candidates[n]], cond);
    }
    if (candidates.size() > shown) {
      out += "; and " + std::to_string(candidates.size() - shown) + " more claims of that type";
    }
    return out;
  }

  std::string explain_claim(const Claim& claim, const ast::Condition& cond) const {
    for (std::size_t k = 0; k < cond.tests.size(); ++k) {
      const auto& t = cond.tests[k];
      if (t.property == Property::kType || test_claim(claim, t, operands_[k])) {
        continue;
      }
      const std::string need = std::string(ast::property_name(t.property)) + " " +
                               std::string(ast::op_text(t.op)) + " " + operands_[k].describe();
      switch (t.property) {
        case Property::kValue: {
          std::string out = "\"" + claim.type + "\" is " + claim.value.to_display(48) + " (" +
                            std::string(value_kind_name(claim.value.kind())) + ")";
          const bool kind_differs =
              operands_[k].size() == 1 && operands_[k].at(0).kind() != claim.value.kind();
          if (kind_differs) {
            return out + ", but the condition compares with " + need + " (" +
                   std::string(value_kind_name(operands_[k].at(0).kind())) +
                   "; values of different types never match)";
          }
          return out + "; the condition needs " + need;
        }
        case Property::kIssuer:
          return "\"" + claim.type + "\" has issuer " + std::string(issuer_name(claim.issuer)) +
                 "; the condition needs " + need;
        case Property::kValueType:
          return "\"" + claim.type + "\" has valueType " +
                 std::string(value_kind_name(claim.value.kind())) + "; the condition needs " + need;
        case Property::kType:
          break;
      }
    }
    return "\"" + claim.type + "\" does not pass every test";
  }

  const Policy::Impl& policy_;
  const bool explain_;
  Evaluation& out_;
  std::vector<const Claim*> incoming_;
  // Claims chained by type key (ast::Condition::type_key), so a condition that names its claim
  // type visits only claims of that type: chains_[key] is the first and last claim of the type,
  // next_[claim] the next one.
  static constexpr std::size_t kEndOfChain = static_cast<std::size_t>(-1);
  struct Chain {
    std::size_t head = kEndOfChain;
    std::size_t tail = kEndOfChain;
  };
  std::vector<Chain> chains_;
  std::vector<std::size_t> next_;
  std::deque<Claim> added_;              // deque: incoming_ points into it
  std::vector<std::size_t> issued_;      // indices into added_, in issue order
  std::vector<std::size_t> properties_;  // indices into added_
  std::vector<Claim> made_;              // scratch of fire()
  std::vector<std::vector<std::size_t>> matches_;
  std::array<Operand, limits::kMaxPropertiesPerCondition> operands_;
  JsonCache json_;
  std::size_t added_bytes_ = 0;
  bool permitted_ = false;
  bool denied_ = false;
  bool stopped_ = false;
};

}  // namespace

std::uint32_t TypeKeys::insert(std::string_view type) {
  if (const std::uint32_t key = find(type); key != ast::kNoTypeKey) {
    return key;
  }
  if (2 * (size_ + 1) > slots_.size()) {
    grow();
  }
  const std::uint64_t h = TypeHash{}(type);
  std::size_t i = static_cast<std::size_t>(h) & (slots_.size() - 1);
  while (slots_[i].key != ast::kNoTypeKey) {
    i = (i + 1) & (slots_.size() - 1);
  }
  const auto key = static_cast<std::uint32_t>(size_++);
  slots_[i] = Slot{h, type, key};
  return key;
}

std::uint32_t TypeKeys::find(std::string_view type) const noexcept {
  if (slots_.empty()) {
    return ast::kNoTypeKey;
  }
  const std::uint64_t h = TypeHash{}(type);
  for (std::size_t i = static_cast<std::size_t>(h) & (slots_.size() - 1);;
       i = (i + 1) & (slots_.size() - 1)) {
    const Slot& slot = slots_[i];
    if (slot.key == ast::kNoTypeKey) {
      return ast::kNoTypeKey;
    }
    if (slot.hash == h && slot.type == type) {
      return slot.key;
    }
  }
}

void TypeKeys::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 16 : 2 * old.size(), Slot{});
  for (const Slot& slot : old) {
    if (slot.key == ast::kNoTypeKey) {
      continue;
    }
    std::size_t i = static_cast<std::size_t>(slot.hash) & (slots_.size() - 1);
    while (slots_[i].key != ast::kNoTypeKey) {
      i = (i + 1) & (slots_.size() - 1);
    }
    slots_[i] = slot;
  }
}

TypeKeys assign_type_keys(ast::Policy& tree) {
  TypeKeys keys;
  for (auto& block : tree.sections) {
    for (auto& rule : block.rules) {
      for (auto& cond : rule.conditions) {
        for (const auto& t : cond.tests) {
          const std::string* type =
              t.operand.kind == Expr::Kind::kLiteral ? t.operand.literal.if_string() : nullptr;
          if (t.property == Property::kType && t.op == CompareOp::kEq && type != nullptr) {
            cond.type_key = keys.insert(*type);
            break;
          }
        }
      }
      auto& action = rule.action;
      const std::string* type =
          action.type.kind == Expr::Kind::kLiteral ? action.type.literal.if_string() : nullptr;
      if (type != nullptr) {
        action.type_key = keys.insert(*type);
      }
    }
  }
  return keys;
}

Evaluation evaluate(const Policy::Impl& policy, std::span<const Claim> claims,
                    const EvaluateOptions& options) {
  Evaluation out;
  Evaluator(policy, options, out).run(claims);
  return out;
}

std::string source_excerpt(std::string_view text, std::size_t begin, std::size_t end) {
  std::string out;
  end = std::min(end, text.size());
  bool in_string = false;
  bool pending_space = false;
  for (std::size_t i = begin; i < end; ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < end) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '/' && i + 1 < end && text[i + 1] == '/') {
      while (i < end && text[i] != '\n') {
        ++i;
      }
      pending_space = true;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) {
      out += ' ';
    }
    pending_space = false;
    out += c;
    in_string = c == '"';
  }
  return out;
}

}  // namespace vouch::policy::detail
