#pragma once

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>

#include "policy/policy.h"

// Renderings of an Evaluation: JSON (the CLI's --json and the service's explain endpoint), a
// readable multi-line explanation, and the one-line summary denied attestations carry in their
// error details.
namespace vouch::policy {

// claims_to_json renders claims as one JSON object: type -> value, and type -> array of values
// when the type repeats (in order).
nlohmann::json claims_to_json(std::span<const Claim> claims);

// evaluation_to_json renders {"decision", "issued", "properties", "summary", "trace"} and, on deny,
// "reason" ("no_permit", "deny_rule" or "error") and, after an evaluation error,
// "error": {"kind", "check", "detail"}. "trace" is empty unless the evaluation was explained; each
// entry is {"section", "rule", "line", "column", "text", "action", "result", "conditions":
// [{"text", "evaluated", "satisfied", "matched": [{"type", "value", "issuer"}], "reason"}],
// "effects":
// [{"action", "type", "value"}]}.
nlohmann::json evaluation_to_json(const Evaluation& evaluation);

// explain_text renders the decision and, for an explained evaluation, every rule with what became
// of each condition, several lines per rule.
std::string explain_text(const Evaluation& evaluation);

// short_explanation is one line saying why: "permitted", "deny() fired in authorizationrules rule 2
// (line 7)", "evaluation error in issuancerules rule 1 (line 12): ...", or "no permit() rule fired"
// followed, when the evaluation was explained, by the first failed condition of each permit rule
// and why it failed. At most `max_chars` characters.
std::string short_explanation(const Evaluation& evaluation, std::size_t max_chars = 1024);

}  // namespace vouch::policy
