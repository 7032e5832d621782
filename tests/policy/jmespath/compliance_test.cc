// Runs the official JMESPath compliance suite (../shared/vectors/jmespath-compliance, 908 cases in
// 16 files; see its README.md) against Expression::compile + Expression::search.

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "policy/jmespath/jmespath.h"
#include "testing/vectors.h"

namespace vouch::jmespath {
namespace {

using json = nlohmann::json;

constexpr char kSuiteDir[] = "jmespath-compliance";
constexpr int kSuiteCases = 908;

// Stricter than json ==: besides equal values, numbers must be of the same kind (integer or
// float), so `length` must give 3 and `avg` 2.75, and `to_number('1.0')` must not give 1. Integer
// results compare exactly (json == would compare them through double).
bool same_json(const json& expected, const json& actual) {
  if (expected.is_number() || actual.is_number()) {
    if (!expected.is_number() || !actual.is_number() ||
        expected.is_number_float() != actual.is_number_float()) {
      return false;
    }
    if (expected.is_number_float()) {
      return expected.get<double>() == actual.get<double>();
    }
    if (expected.is_number_unsigned() != actual.is_number_unsigned()) {
      const json& s = expected.is_number_unsigned() ? actual : expected;
      const json& u = expected.is_number_unsigned() ? expected : actual;
      return s.get<std::int64_t>() >= 0 &&
             static_cast<std::uint64_t>(s.get<std::int64_t>()) == u.get<std::uint64_t>();
    }
    return expected == actual;
  }
  if (expected.type() != actual.type()) {
    return false;
  }
  if (expected.is_array()) {
    return expected.size() == actual.size() &&
           std::equal(expected.begin(), expected.end(), actual.begin(), same_json);
  }
  if (expected.is_object()) {
    if (expected.size() != actual.size()) {
      return false;
    }
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      const auto other = actual.find(it.key());
      if (other == actual.end() || !same_json(it.value(), *other)) {
        return false;
      }
    }
    return true;
  }
  return expected == actual;
}

// The suite's error names, one check id each.
std::optional<CheckId> check_for(const std::string& error) {
  if (error == "syntax") {
    return checks::kSyntax;
  }
  if (error == "invalid-type") {
    return checks::kInvalidType;
  }
  if (error == "invalid-value") {
    return checks::kInvalidValue;
  }
  if (error == "invalid-arity") {
    return checks::kInvalidArity;
  }
  if (error == "unknown-function") {
    return checks::kUnknownFunction;
  }
  return std::nullopt;
}

// Runs one case; returns an empty string on success, else what went wrong.
std::string run_case(const json& given, const json& c) {
  const std::string expression = c.at("expression").get<std::string>();
  auto compiled = Expression::compile(expression);
  Result<json> result = compiled ? compiled->search(given) : tl::unexpected(compiled.error());
  if (c.contains("error")) {
    const std::string kind = c.at("error").get<std::string>();
    const auto check = check_for(kind);
    if (!check) {
      return "unknown error kind '" + kind + "' in the suite";
    }
    if (result) {
      return "expected error " + kind + ", got result " + result->dump();
    }
    if (result.error().check != *check || result.error().kind != ErrorKind::kInvalidArgument) {
      return "expected error " + kind + ", got " +
             std::string(error_kind_name(result.error().kind)) + " / " + result.error().to_string();
    }
    return "";
  }
  if (!result) {
    return "unexpected error " + result.error().to_string();
  }
  if (c.contains("result") && !same_json(c.at("result"), *result)) {
    return "expected " + c.at("result").dump() + ", got " + result->dump();
  }
  // benchmarks.json cases without a result only have to compile and run.
  return "";
}

TEST(JmesPathCompliance, EveryCaseOfEveryFilePasses) {
  VOUCH_REQUIRE_VECTORS();
  const std::filesystem::path dir = ::vouch::testing::vector_path(kSuiteDir);
  if (!std::filesystem::is_directory(dir)) {
    GTEST_SKIP() << dir << " not found; skipping the JMESPath compliance suite";
  }
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") {
      files.push_back(entry.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "no *.json files in " << dir;

  int total_run = 0;
  int total_passed = 0;
  std::ostringstream table;
  for (const auto& file : files) {
    const json suite =
        json::parse(::vouch::testing::read_vector_text(std::string(kSuiteDir) + "/" + file),
                    nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(suite.is_array()) << file << " is not a JSON array of groups";
    int run = 0;
    int passed = 0;
    for (std::size_t g = 0; g < suite.size(); ++g) {
      const json& group = suite[g];
      const json& cases = group.at("cases");
      for (std::size_t i = 0; i < cases.size(); ++i) {
        ++run;
        const std::string problem = run_case(group.at("given"), cases[i]);
        if (problem.empty()) {
          ++passed;
        } else {
          ADD_FAILURE() << file << " group " << g << " case " << i << " `"
                        << cases[i].at("expression").get<std::string>() << "`: " << problem;
        }
      }
    }
    table << "  " << std::left << std::setw(18) << file << std::right << std::setw(4) << passed
          << " / " << run << " passed\n";
    ::testing::Test::RecordProperty(file, std::to_string(passed) + "/" + std::to_string(run));
    total_run += run;
    total_passed += passed;
  }
  std::cout << "JMESPath compliance suite (" << files.size() << " files):\n"
            << table.str() << "  total             " << std::setw(4) << total_passed << " / "
            << total_run << " passed\n";
  EXPECT_EQ(total_run, kSuiteCases) << "the suite's README promises " << kSuiteCases << " cases";
  EXPECT_EQ(total_passed, total_run);
}

}  // namespace
}  // namespace vouch::jmespath
