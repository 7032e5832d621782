#include "base/json_depth.h"

#include <gtest/gtest.h>

#include <string>

namespace vouch {
namespace {

TEST(JsonDepth, CountsObjectsAndArrays) {
  EXPECT_EQ(json_nesting_depth("1"), 0u);
  EXPECT_EQ(json_nesting_depth("{}"), 1u);
  EXPECT_EQ(json_nesting_depth(R"({"a": [1, {"b": []}], "c": {}})"), 4u);
}

TEST(JsonDepth, SkipsBracketsInsideStrings) {
  EXPECT_EQ(json_nesting_depth(R"({"a": "[[[{{{", "b": "\"[[["})"), 1u);
  EXPECT_EQ(json_nesting_depth(R"(["\\", [1]])"), 2u);
}

// A quote ends a string only after an even run of backslashes (strings are skipped quote to
// quote).
TEST(JsonDepth, BackslashRunsBeforeQuotes) {
  EXPECT_EQ(json_nesting_depth(R"(["\\", [1]])"), 2u);      // \\ : ends, then [1]
  EXPECT_EQ(json_nesting_depth(R"(["\\\"[[", [1]])"), 2u);  // \\\" : escaped quote
  EXPECT_EQ(json_nesting_depth(R"(["\"", [[[1]]]])"), 4u);
  EXPECT_EQ(json_nesting_depth(R"("[[[)"), 0u);       // unterminated string
  EXPECT_EQ(json_nesting_depth(R"({"a": "\")"), 1u);  // ends on the escape
  const std::string long_string = "[\"" + std::string(100000, 'A') + "\\\\\", [[]]]";
  EXPECT_EQ(json_nesting_depth(long_string), 3u);
}

TEST(JsonDepth, DeepDocumentsAreMeasuredWithoutRecursion) {
  const std::string deep = std::string(300000, '[') + std::string(300000, ']');
  EXPECT_EQ(json_nesting_depth(deep), 300000u);
  EXPECT_GT(json_nesting_depth(deep), kMaxUntrustedJsonDepth);
}

TEST(JsonDepth, UnbalancedTextDoesNotUnderflow) {
  EXPECT_EQ(json_nesting_depth("]]]}"), 0u);
  EXPECT_EQ(json_nesting_depth("]][[["), 3u);
}

TEST(UntrustedJson, RefusesDeepTextAndNulBytes) {
  EXPECT_EQ(refuse_untrusted_json(R"({"a": [1, {"b": "x"}]})"), JsonRefusal::kNone);
  EXPECT_EQ(refuse_untrusted_json(std::string(kMaxUntrustedJsonDepth, '[') +
                                  std::string(kMaxUntrustedJsonDepth, ']')),
            JsonRefusal::kNone);
  EXPECT_EQ(refuse_untrusted_json(std::string(kMaxUntrustedJsonDepth + 1, '[') +
                                  std::string(kMaxUntrustedJsonDepth + 1, ']')),
            JsonRefusal::kTooDeep);
  EXPECT_EQ(refuse_untrusted_json(std::string("{}\0{\"hidden\": 1}", 15)), JsonRefusal::kNul);
  EXPECT_TRUE(json_refusal_text(JsonRefusal::kNone).empty());
  EXPECT_NE(json_refusal_text(JsonRefusal::kNul), json_refusal_text(JsonRefusal::kTooDeep));
}

}  // namespace
}  // namespace vouch
