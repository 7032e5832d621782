#pragma once

// Helpers shared by the policy engine tests.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/lint.h"
#include "policy/policy.h"

namespace vouch::policy::testutil {

inline Value I(std::int64_t i) {
  return Value::integer(i);
}
inline Value S(std::string s) {
  return Value::string(std::move(s));
}
inline Value B(bool b) {
  return Value::boolean(b);
}

// A claim from the AttestationService (the verifier), the usual incoming claim.
inline Claim svc(std::string type, Value v) {
  return Claim{std::move(type), std::move(v), Issuer::kAttestationService, false};
}
inline Claim with_issuer(std::string type, Value v, Issuer issuer) {
  return Claim{std::move(type), std::move(v), issuer, false};
}

// The first error lint() reports for `text`, or nullopt when it compiles.
inline std::optional<Diagnostic> first_error(std::string_view text) {
  for (auto& d : lint(text)) {
    if (d.severity == Severity::kError) {
      return d;
    }
  }
  return std::nullopt;
}

// Where an error is expected: line, column and check.
struct At {
  std::uint32_t line;
  std::uint32_t column;
  CheckId check;
};

// Asserts that `text` fails to compile with its first error exactly at `at`, and that compile()
// reports the same check.
inline ::testing::AssertionResult rejected_at(std::string_view text, At at) {
  auto diag = first_error(text);
  if (!diag) {
    return ::testing::AssertionFailure() << "the policy compiled";
  }
  auto compiled = Policy::compile(text);
  if (compiled) {
    return ::testing::AssertionFailure() << "lint reported an error but compile() succeeded";
  }
  if (compiled.error().check != at.check || diag->check != at.check || diag->pos.line != at.line ||
      diag->pos.column != at.column || compiled.error().kind != ErrorKind::kInvalidArgument) {
    return ::testing::AssertionFailure()
           << "got " << diag->to_string("policy") << " [" << diag->check.str()
           << "], compile(): " << compiled.error().check.str() << "; expected " << at.line << ":"
           << at.column << " [" << at.check.str() << "]";
  }
  return ::testing::AssertionSuccess();
}

// Compiles `text`, failing the test (and returning nullopt) when it does not compile.
inline std::optional<Policy> compiled(std::string_view text) {
  auto p = Policy::compile(text);
  if (!p) {
    ADD_FAILURE() << "compile failed: " << p.error().to_string();
    return std::nullopt;
  }
  return std::move(*p);
}

// Evaluates with the trace on.
inline Evaluation run(const Policy& p, const std::vector<Claim>& claims) {
  return p.evaluate(claims, EvaluateOptions{.explain = true});
}

inline const Claim* find_claim(const std::vector<Claim>& claims, std::string_view type) {
  for (const auto& c : claims) {
    if (c.type == type) {
      return &c;
    }
  }
  return nullptr;
}

}  // namespace vouch::policy::testutil
