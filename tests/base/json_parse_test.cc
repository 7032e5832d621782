#include "base/json_parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vouch {
namespace {

// Same value and the same type everywhere (nlohmann's == calls 1 and 1u equal).
bool strictly_equal(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type()) {
    return false;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) {
      return false;
    }
    for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt) {
      if (it.key() != jt.key() || !strictly_equal(it.value(), jt.value())) {
        return false;
      }
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) {
      return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!strictly_equal(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }
  if (a.is_number_float()) {
    return a.dump() == b.dump();  // -0.0 and 0.0 too
  }
  return a == b;
}

void expect_as_nlohmann(const std::string& text) {
  const nlohmann::json fast = parse_json(text);
  const nlohmann::json reference = nlohmann::json::parse(text, nullptr, false);
  EXPECT_EQ(fast.is_discarded(), reference.is_discarded()) << text;
  if (!fast.is_discarded() && !reference.is_discarded()) {
    EXPECT_TRUE(strictly_equal(fast, reference)) << text << " -> " << fast.dump();
  }
}

TEST(JsonParse, SameValuesAsNlohmann) {
  for (const std::string& text : std::vector<std::string>{
           R"({"a": 1, "b": [true, false, null], "c": {"d": "e"}})",
           R"({"x": 1, "x": {"deeper": [1]}, "x": 3})",  // repeated name: the last wins
           R"([0, -0, 5, -5, 9223372036854775807, 9223372036854775808, -9223372036854775808])",
           R"({"a": "-0", "b": 0, "c": "x\"-0"})",
           "-0",
           "0",
           R"([-0e1, -0.0, -00, -0])",
           R"([18446744073709551615, 18446744073709551616, -9223372036854775809])",  // beyond 64
                                                                                     // bits
           R"([1.5, -0.0, 1e2, 1E-2, 2.5e+3, 1e400, 1e-400, 0.1])",
           R"(["\u00e9\u0000\ud83d\ude00", "tab\tnot-allowed"])",
           R"(["\ud800"])",                     // lone surrogate: both refuse
           "[\"\xc3\xa9\", \"\xed\xa0\x80\"]",  // UTF-8 of a surrogate: refused
           "\xef\xbb\xbf{\"bom\": 1}",          // byte order mark
           "  {\"ws\": [ ]}  \n",
           std::string("{}\0{\"hidden\": 1}", 15),  // NUL: nlohmann's reading
           std::string("[\"a\0b\"]", 7),
           "{\"a\": 1,}",
           "[1 2]",
           "{",
           "",
           "nul",
           "\"open",
           "01",
           "[.5]",
           "{} {}",
       }) {
    expect_as_nlohmann(text);
  }
}

// An empty view may point nowhere: simdjson must not be handed it (UBSan: memcpy from null).
TEST(JsonParse, EmptyTextIsNotJson) {
  EXPECT_TRUE(parse_json(std::string_view()).is_discarded());
  EXPECT_TRUE(parse_json("").is_discarded());
}

TEST(JsonParse, LargeAndDeepDocuments) {
  // Base64-sized strings, beyond the reused parser's 256 KiB and back.
  for (const std::size_t n : {std::size_t{13'000}, std::size_t{300'000}, std::size_t{20}}) {
    const std::string text = R"({"report": ")" + std::string(n, 'Q') + R"(", "n": [1, 2]})";
    const nlohmann::json j = parse_json(text);
    ASSERT_TRUE(j.is_object()) << n;
    EXPECT_EQ(j["report"].get_ref<const std::string&>().size(), n);
    expect_as_nlohmann(text);
  }
  // Deeper than simdjson is allowed here: nlohmann's answer.
  const std::string deep = std::string(300, '[') + std::string(300, ']');
  expect_as_nlohmann(deep);
  EXPECT_TRUE(parse_json(deep).is_array());
}

}  // namespace
}  // namespace vouch
