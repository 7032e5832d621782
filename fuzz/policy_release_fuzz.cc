// fuzz_release_policy: parses a key release policy and evaluates it over a fixed token (or the
// token claims given as JSON after a NUL byte). Invariants checked:
// - the canonical form round-trips: from_json(to_json(p)).to_json() == to_json(p), and the
//   re-parsed policy decides the same;
// - the trace renders as JSON and text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "policy/json_text.h"
#include "policy/release_policy.h"

namespace policy = ::vouch::policy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT
  const std::size_t nul = input.find('\0');
  auto parsed = policy::ReleasePolicy::parse(input.substr(0, nul));
  if (!parsed) {
    return 0;
  }
  const nlohmann::json canonical = parsed->to_json();
  auto again = policy::ReleasePolicy::from_json(canonical);
  if (!again || again->to_json() != canonical) {
    std::abort();
  }
  nlohmann::json token = {
      {"iss", "https://attest.example"}, {"a", 1}, {"b", "x"}, {"c", {{"d", true}, {"e.f", "2"}}}};
  if (nul != std::string_view::npos) {
    auto j = policy::parse_json_text(input.substr(nul + 1), 64, vouch::ErrorKind::kInvalidArgument,
                                     vouch::checks::kJsonParse);
    if (j && j->is_object()) {
      token = std::move(*j);
    }
  }
  for (const auto& a : parsed->authorities()) {
    const policy::ReleaseEvaluation first = parsed->evaluate(token, a.authority);
    const policy::ReleaseEvaluation second = again->evaluate(token, a.authority);
    if (first.decision != second.decision) {
      std::abort();
    }
    (void)policy::release_evaluation_to_json(first).dump();
    (void)policy::release_explain_text(first);
  }
  return 0;
}
