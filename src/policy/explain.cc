#include "policy/explain.h"

#include <nlohmann/json.hpp>

namespace vouch::policy {
namespace {

std::string where(const RuleRef& r) {
  return std::string(ast::section_name(r.section)) + " rule " + std::to_string(r.index) +
         " (line " + std::to_string(r.pos.line) + ")";
}

std::string_view deny_reason_name(DenyReason r) noexcept {
  switch (r) {
    case DenyReason::kNone:
      return "none";
    case DenyReason::kNoPermit:
      return "no_permit";
    case DenyReason::kDenyRule:
      return "deny_rule";
    case DenyReason::kError:
      return "error";
  }
  return "none";
}

nlohmann::json claim_json(const Claim& c) {
  return {{"type", c.type}, {"value", c.value.to_json()}, {"issuer", issuer_name(c.issuer)}};
}

nlohmann::json rule_json(const Evaluation& ev, const RuleTrace& r) {
  nlohmann::json conditions = nlohmann::json::array();
  for (std::size_t i = 0; i < r.conditions.size(); ++i) {
    const ConditionTrace& c = r.conditions[i];
    nlohmann::json matched = nlohmann::json::array();
    for (const std::size_t idx : c.matched) {
      if (idx < ev.incoming.size()) {
        matched.push_back(claim_json(ev.incoming[idx]));
      }
    }
    nlohmann::json entry = {{"text", i < r.condition_texts.size() ? r.condition_texts[i] : ""},
                            {"evaluated", c.evaluated},
                            {"satisfied", c.satisfied},
                            {"matched", std::move(matched)}};
    if (!c.reason.empty()) {
      entry["reason"] = c.reason;
    }
    conditions.push_back(std::move(entry));
  }
  nlohmann::json effects = nlohmann::json::array();
  for (const Effect& e : r.effects) {
    effects.push_back({{"action", ast::action_name(e.action)},
                       {"type", e.claim.type},
                       {"value", e.claim.value.to_json()}});
  }
  return {{"section", ast::section_name(r.rule.section)},
          {"rule", r.rule.index},
          {"line", r.rule.pos.line},
          {"column", r.rule.pos.column},
          {"text", r.text},
          {"action", ast::action_name(r.action)},
          {"result", rule_outcome_name(r.outcome)},
          {"conditions", std::move(conditions)},
          {"effects", std::move(effects)}};
}

std::string decision_line(const Evaluation& ev) {
  switch (ev.deny_reason) {
    case DenyReason::kNone:
      return "permitted";
    case DenyReason::kDenyRule:
      return ev.decisive_rule ? "deny() fired in " + where(*ev.decisive_rule) : "deny() fired";
    case DenyReason::kError: {
      std::string out = "evaluation error";
      if (ev.decisive_rule) {
        out += " in " + where(*ev.decisive_rule);
      }
      if (ev.error) {
        out += ": " + ev.error->to_string();
      }
      return out;
    }
    case DenyReason::kNoPermit:
      return "no permit() rule fired in authorizationrules";
  }
  return "";
}

}  // namespace

nlohmann::json claims_to_json(std::span<const Claim> claims) {
  nlohmann::json out = nlohmann::json::object();
  for (const Claim& c : claims) {
    auto it = out.find(c.type);
    if (it == out.end()) {
      out[c.type] = c.value.to_json();
      continue;
    }
    if (!it->is_array()) {
      nlohmann::json first = std::move(*it);
      *it = nlohmann::json::array({std::move(first)});
    }
    it->push_back(c.value.to_json());
  }
  return out;
}

nlohmann::json evaluation_to_json(const Evaluation& ev) {
  nlohmann::json trace = nlohmann::json::array();
  for (const RuleTrace& r : ev.trace) {
    trace.push_back(rule_json(ev, r));
  }
  nlohmann::json out = {{"decision", decision_name(ev.decision)},
                        {"issued", claims_to_json(ev.issued)},
                        {"properties", claims_to_json(ev.properties)},
                        {"summary", short_explanation(ev)},
                        {"trace", std::move(trace)}};
  if (ev.decision == Decision::kDeny) {
    out["reason"] = deny_reason_name(ev.deny_reason);
  }
  if (ev.error) {
    out["error"] = {{"kind", error_kind_name(ev.error->kind)},
                    {"check", ev.error->check.str()},
                    {"detail", ev.error->detail}};
  }
  return out;
}

std::string explain_text(const Evaluation& ev) {
  std::string out =
      "decision: " + std::string(decision_name(ev.decision)) + " (" + decision_line(ev) + ")\n";
  ast::Section section = ast::Section::kConfiguration;
  bool first = true;
  for (const RuleTrace& r : ev.trace) {
    if (first || r.rule.section != section) {
      out += std::string(ast::section_name(r.rule.section)) + "\n";
      section = r.rule.section;
      first = false;
    }
    out += "  rule " + std::to_string(r.rule.index) + " (line " + std::to_string(r.rule.pos.line) +
           "): " + std::string(rule_outcome_name(r.outcome)) + "\n";
    for (std::size_t i = 0; i < r.conditions.size(); ++i) {
      const ConditionTrace& c = r.conditions[i];
      out += "    " + (i < r.condition_texts.size() ? r.condition_texts[i] : "") + "  ";
      if (!c.evaluated) {
        out += "not evaluated\n";
        continue;
      }
      if (!c.satisfied) {
        out += "FAILS: " + c.reason + "\n";
        continue;
      }
      out += "holds";
      if (!c.matched.empty()) {
        out +=
            ": " + std::to_string(c.matched.size()) + " claim" + (c.matched.size() == 1 ? "" : "s");
        if (c.matched.front() < ev.incoming.size()) {
          const Claim& m = ev.incoming[c.matched.front()];
          out += ", e.g. \"" + m.type + "\" = " + m.value.to_display(48);
        }
      }
      out += "\n";
    }
    for (const Effect& e : r.effects) {
      out += "    -> " + std::string(ast::action_name(e.action)) + " \"" + e.claim.type +
             "\" = " + e.claim.value.to_display(64) + "\n";
    }
  }
  if (!ev.issued.empty()) {
    out += "issued: " + claims_to_json(ev.issued).dump() + "\n";
  }
  if (!ev.properties.empty()) {
    out += "properties: " + claims_to_json(ev.properties).dump() + "\n";
  }
  return out;
}

std::string short_explanation(const Evaluation& ev, std::size_t max_chars) {
  std::string out = decision_line(ev);
  if (ev.deny_reason == DenyReason::kNoPermit) {
    for (const RuleTrace& r : ev.trace) {
      if (r.rule.section != ast::Section::kAuthorization || r.action != ast::ActionKind::kPermit ||
          r.outcome != RuleOutcome::kNotMatched) {
        continue;
      }
      for (std::size_t i = 0; i < r.conditions.size(); ++i) {
        if (r.conditions[i].evaluated && !r.conditions[i].satisfied) {
          out += "; rule " + std::to_string(r.rule.index) + " (line " +
                 std::to_string(r.rule.pos.line) +
                 "): " + (i < r.condition_texts.size() ? r.condition_texts[i] : "") +
                 " failed: " + r.conditions[i].reason;
          break;
        }
      }
    }
  }
  if (out.size() > max_chars) {
    out.resize(max_chars > 3 ? max_chars - 3 : 0);
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) {
      out.pop_back();  // never cut a UTF-8 sequence
    }
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) {
      out.pop_back();
    }
    out += "...";
  }
  return out;
}

}  // namespace vouch::policy
