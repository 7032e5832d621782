// fuzz_policy: compiles the policy text (and lints it), then evaluates it over fixed claims plus
// any claims given as JSON after a NUL byte. Invariants checked:
// - compile() succeeds exactly when lint() reports no error, and then reports the first error;
// - a compiled policy keeps its text and its hash is policy_hash(text);
// - evaluation with and without the explain trace reaches the same decision, issued claims,
//   properties and error, and the trace renders as JSON and text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "policy/claim_input.h"
#include "policy/explain.h"
#include "policy/json_text.h"
#include "policy/lint.h"
#include "policy/policy.h"

namespace policy = ::vouch::policy;

namespace {

std::vector<policy::Claim> fixed_claims() {
  using policy::Value;
  std::vector<policy::Claim> claims = {
      {"x-ms-sgx-is-debuggable", Value::boolean(false)},
      {"x-ms-sgx-svn", Value::integer(2)},
      {"x-ms-sgx-mrsigner", Value::string("abcd")},
      {"a", Value::integer(1)},
      {"a", Value::string("1")},
      {"events", Value::string(R"({"Events":[{"EventSeq":1,"PcrIndex":7,"a":[true,1,"x"]}]})")},
      {"c", Value::boolean(true), policy::Issuer::kCustomClaim},
  };
  claims.push_back({"pcrs", Value::string(R"({"PCRs":[{"Index":0}]})"),
                    policy::Issuer::kAttestationService, true});
  return claims;
}

bool same_outcome(const policy::Evaluation& a, const policy::Evaluation& b) {
  return a.decision == b.decision && a.deny_reason == b.deny_reason && a.issued == b.issued &&
         a.properties == b.properties && a.error.has_value() == b.error.has_value() &&
         (!a.error || a.error->check == b.error->check);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT
  const std::size_t nul = input.find('\0');
  const std::string_view text = input.substr(0, nul);

  auto compiled = policy::Policy::compile(text);
  const auto diagnostics = policy::lint(text);
  const std::size_t errors = policy::count_errors(diagnostics);
  if (compiled.has_value() != (errors == 0)) {
    std::abort();
  }
  if (!compiled) {
    return 0;
  }
  if (compiled->text() != text || compiled->hash() != policy::policy_hash(text)) {
    std::abort();
  }
  std::vector<policy::Claim> claims = fixed_claims();
  if (nul != std::string_view::npos) {
    auto j = policy::parse_json_text(input.substr(nul + 1), 64, vouch::ErrorKind::kInvalidArgument,
                                     vouch::checks::kJsonParse);
    if (j) {
      auto extra = policy::claims_from_json(*j, policy::Issuer::kAttestationService);
      if (extra && extra->size() <= 256) {
        claims.insert(claims.end(), extra->begin(), extra->end());
      }
    }
  }
  const policy::Evaluation quiet = compiled->evaluate(claims);
  const policy::Evaluation explained =
      compiled->evaluate(claims, policy::EvaluateOptions{.explain = true});
  if (!same_outcome(quiet, explained)) {
    std::abort();
  }
  (void)policy::evaluation_to_json(explained).dump();
  (void)policy::explain_text(explained);
  (void)policy::short_explanation(explained);
  return 0;
}
