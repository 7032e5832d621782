#include "policy/jmespath/jmespath.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "testing/matchers.h"

namespace vouch::jmespath {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

// Evaluates `expression` on `data`, failing the test (and returning a marker) on error.
json eval(std::string_view expression, const json& data = json::object()) {
  auto result = search(expression, data);
  EXPECT_THAT(result, Succeeds()) << "expression: " << expression;
  return result ? *result : json("<error>");
}

// Returns the error of `expression` on `data`, failing the test if there is none.
Error error_of(std::string_view expression, const json& data = json::object()) {
  auto result = search(expression, data);
  EXPECT_FALSE(result.has_value()) << expression << " gave " << (result ? result->dump() : "");
  return result ? Error{ErrorKind::kInternal, ::vouch::checks::kInternal, ""} : result.error();
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) {
    out.append(s);
  }
  return out;
}

// A JSON document of `depth` nested arrays, built without recursion.
json nested_arrays(std::size_t depth) {
  return json::parse(repeat("[", depth) + repeat("]", depth));
}

const json& people() {
  static const json kPeople = json::parse(R"({
    "people": [
      {"name": "ana", "age": 31, "tags": ["admin", "dev"]},
      {"name": "bo", "age": 25, "tags": []},
      {"name": "cy", "age": 40, "tags": ["dev"]}
    ]
  })");
  return kPeople;
}

// --- API ---

TEST(JmesPathApi, CompileOnceSearchMany) {
  auto expr = Expression::compile("people[?age > `30`].name");
  ASSERT_THAT(expr, Succeeds());
  EXPECT_EQ(expr->text(), "people[?age > `30`].name");
  EXPECT_EQ(*expr->search(people()), json({"ana", "cy"}));
  EXPECT_EQ(*expr->search(json::object()), json(nullptr));
  EXPECT_EQ(*expr->search(json::parse(R"({"people": [{"age": 99, "name": "z"}]})")), json({"z"}));
}

TEST(JmesPathApi, CopiesShareTheCompiledTree) {
  std::optional<Expression> copy;
  {
    auto expr = Expression::compile("sort_by(people, &age)[].name");
    ASSERT_THAT(expr, Succeeds());
    copy = *expr;
  }
  EXPECT_EQ(*copy->search(people()), json({"bo", "ana", "cy"}));
}

TEST(JmesPathApi, ConcurrentSearchesOfOneExpression) {
  auto expr = Expression::compile("people[?contains(tags, 'dev')] | sort_by(@, &age)[].name");
  ASSERT_THAT(expr, Succeeds());
  std::vector<std::thread> threads;
  std::vector<int> good(4, 0);
  for (std::size_t t = 0; t < good.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto r = expr->search(people());
        good[t] += (r && *r == json({"ana", "cy"})) ? 1 : 0;
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  for (const int g : good) {
    EXPECT_EQ(g, 200);
  }
}

TEST(JmesPathApi, ErrorsAreInvalidArgumentWithModuleCheckIds) {
  EXPECT_THAT(search("foo[", json()), FailsWith(ErrorKind::kInvalidArgument, checks::kSyntax));
  EXPECT_THAT(search("abs('x')", json()),
              FailsWith(ErrorKind::kInvalidArgument, checks::kInvalidType));
  EXPECT_THAT(search("abs()", json()),
              FailsWith(ErrorKind::kInvalidArgument, checks::kInvalidArity));
  EXPECT_THAT(search("nope()", json()),
              FailsWith(ErrorKind::kInvalidArgument, checks::kUnknownFunction));
  EXPECT_THAT(search("[::0]", json()),
              FailsWith(ErrorKind::kInvalidArgument, checks::kInvalidValue));
}

// --- Error positions and messages (the detail is for humans; these pin its quality) ---

TEST(JmesPathErrors, SyntaxErrorsNameTheColumnAndWhatWasExpected) {
  struct Case {
    const char* expression;
    const char* detail;
  };
  const Case cases[] = {
      {"foo.",
       "column 5: expected an identifier, '*', '[' or '{' after '.', found end of expression"},
      {"foo[?bar==]", "column 11: expected an expression, found ']'"},
      {"foo[*]bar", "column 7: expected end of expression or an operator, found identifier 'bar'"},
      {"foo[*]*", "column 7: expected '.', '[' or '[?' after a projection, found '*'"},
      {"a{foo: bar}", "column 2: '{' cannot follow an expression here"},
      {"foo[abc]",
       "column 5: expected a number, ':', '*' or '?' after '[', found identifier 'abc'"},
      {"{a: b", "column 6: expected ',' or '}' in the multi-select hash, found end of expression"},
      {"[a b]", "column 4: expected ',' or ']' in the multi-select list, found identifier 'b'"},
      {"a b", "column 3: expected end of expression or an operator, found identifier 'b'"},
      {"foo = bar", "column 5: expected '==', found '='"},
      {"\"foo", "column 1: unterminated quoted identifier"},
      {"'foo", "column 1: unterminated raw string"},
      {"`1", "column 1: unterminated literal"},
      {"foo | #", "column 7: unexpected character '#'"},
      {"-", "column 1: expected a digit after '-'"},
      {"[1:2:3:4]", "column 7: expected a number or ']' (a slice has at most two ':')"},
      {"[1 2]", "column 4: expected ']' after the index, found number 2"},
      {"\"f\"(@)", "column 1: a function name cannot be a quoted identifier"},
      {"@(foo)", "column 2: '(' must follow a function name"},
      {"abs(@,)", "column 7: expected an expression, found ')'"},
      {"\"\\u\"", "column 1: invalid quoted identifier"},
  };
  for (const auto& c : cases) {
    const Error e = error_of(c.expression);
    EXPECT_EQ(e.check, checks::kSyntax) << c.expression << ": " << e.detail;
    EXPECT_THAT(e.detail, HasSubstr(c.detail)) << c.expression;
  }
}

TEST(JmesPathErrors, ColumnsCountCodePointsNotBytes) {
  // ✓ is three bytes in UTF-8 but one column.
  EXPECT_THAT(error_of("'✓✓' | [").detail, HasSubstr("column 9: expected an expression"));
  EXPECT_THAT(error_of("\"✓\".🙂").detail, HasSubstr("column 5: unexpected character"));
}

TEST(JmesPathErrors, InvalidUtf8InTheExpressionIsASyntaxError) {
  const Error e = error_of(std::string("'ab\xC3'"));
  EXPECT_EQ(e.check, checks::kSyntax);
  EXPECT_THAT(e.detail, HasSubstr("column 4: invalid UTF-8"));
  EXPECT_EQ(error_of(std::string("'\xED\xA0\x80'")).check, checks::kSyntax);  // a surrogate
  EXPECT_EQ(error_of(std::string("'\xC0\xAF'")).check, checks::kSyntax);      // overlong '/'
}

TEST(JmesPathErrors, LiteralNumbersOutOfRangeAreSyntaxErrors) {
  // nlohmann reports these as out_of_range rather than parse_error (found by fuzz_jmespath).
  const Error e = error_of("`3e323`");
  EXPECT_EQ(e.check, checks::kSyntax);
  EXPECT_THAT(e.detail, HasSubstr("column 1: invalid JSON literal (number overflow"));
  EXPECT_EQ(error_of("\"\\ud800\"").check, checks::kSyntax);  // lone surrogate escape
}

TEST(JmesPathErrors, DeprecatedBareLiteralIsRejectedWithAHint) {
  const Error e = error_of("`foo`");
  EXPECT_EQ(e.check, checks::kSyntax);
  EXPECT_THAT(e.detail, HasSubstr("column 1: invalid JSON literal"));
  EXPECT_THAT(e.detail, HasSubstr("write a string as 'text'"));
  EXPECT_EQ(eval("`\"foo\"`"), json("foo"));
  EXPECT_EQ(eval("'foo'"), json("foo"));
}

TEST(JmesPathErrors, FunctionErrorsAreFoundAtCompileTime) {
  auto unknown = Expression::compile("people[?nope(name)]");
  EXPECT_THAT(unknown, FailsWith(ErrorKind::kInvalidArgument, checks::kUnknownFunction));
  EXPECT_THAT(unknown.error().detail, HasSubstr("column 9: unknown function 'nope'"));
  auto arity = Expression::compile("a || starts_with(a)");
  EXPECT_THAT(arity, FailsWith(ErrorKind::kInvalidArgument, checks::kInvalidArity));
  EXPECT_THAT(arity.error().detail, HasSubstr("column 6: starts_with() takes 2 arguments, got 1"));
  EXPECT_THAT(Expression::compile("merge()").error().detail,
              HasSubstr("merge() takes at least 1 argument, got 0"));
  auto step = Expression::compile("foo[1:2:0]");
  EXPECT_THAT(step, FailsWith(ErrorKind::kInvalidArgument, checks::kInvalidValue));
  EXPECT_THAT(step.error().detail, HasSubstr("column 9: slice step cannot be 0"));
  // A syntax error anywhere wins over these, whatever comes first.
  EXPECT_EQ(Expression::compile("nope(a) | [").error().check, checks::kSyntax);
}

TEST(JmesPathErrors, TypeErrorsNameTheFunctionArgumentAndTypes) {
  EXPECT_THAT(error_of("abs('x')").detail,
              HasSubstr("column 1: abs() argument 1: expected number, got string"));
  EXPECT_THAT(error_of("foo | max(@)", json::parse(R"({"foo": [1, "a"]})")).detail,
              HasSubstr("max() argument 1: expected array of numbers or array of strings, got an "
                        "array of numbers with a string element"));
  EXPECT_THAT(error_of("sort_by(people, name)", people()).detail,
              HasSubstr("sort_by() argument 2: expected expression reference (&...), got null"));
  EXPECT_THAT(error_of("sort_by(people, &tags)", people()).detail,
              HasSubstr("sort_by(): the expression returned array; expected number or string"));
  EXPECT_THAT(
      error_of("max_by(`[{\"k\": 1}, {\"k\": \"a\"}]`, &k)").detail,
      HasSubstr("max_by(): the expression returned string after number; keys must all be numbers"));
}

TEST(JmesPathErrors, ExpressionReferencesAreOnlyFunctionArguments) {
  EXPECT_EQ(error_of("&foo").check, checks::kInvalidType);
  EXPECT_EQ(error_of("[&foo]").check, checks::kInvalidType);
  EXPECT_EQ(error_of("not_null(&foo)").check, checks::kInvalidType);
  EXPECT_EQ(eval("map(&a, `[{\"a\": 1}]`)"), json({1}));
  EXPECT_EQ(eval("map((&a), `[{\"a\": 1}]`)"), json({1}));
}

// --- Hostile input ---

TEST(JmesPathLimits, DeepExpressionNestingIsAnErrorNotACrash) {
  constexpr std::size_t kDeep = 20000;  // far beyond kMaxExpressionDepth
  for (const std::string& text : {
           repeat("(", kDeep) + "a" + repeat(")", kDeep),
           repeat("!", kDeep) + "a",
           repeat("[", kDeep),
           repeat("{a:", kDeep),
           repeat("a[*].", kDeep) + "a",
           repeat("a == ", kDeep) + "a",
           repeat("abs(", kDeep) + "@" + repeat(")", kDeep),
           repeat("& ", kDeep) + "a",
       }) {
    auto compiled = Expression::compile(text);
    ASSERT_FALSE(compiled.has_value()) << text.substr(0, 20);
    EXPECT_EQ(compiled.error().check, checks::kDepthLimit) << compiled.error().detail;
  }
}

TEST(JmesPathLimits, LongFlatChainsAreNotNesting) {
  // Sequences and associative operators are kept flat, so their length is not depth.
  json deep = json::object();
  EXPECT_EQ(eval(repeat("a.", 20000) + "a", deep), json(nullptr));
  EXPECT_EQ(eval(repeat("@ | ", 20000) + "a", json::parse(R"({"a": 1})")), json(1));
  EXPECT_EQ(eval(repeat("x || ", 20000) + "a", json::parse(R"({"a": 1})")), json(1));
  EXPECT_EQ(eval(repeat("a && ", 20000) + "a", json::parse(R"({"a": 1})")), json(1));
  EXPECT_EQ(eval("[0]" + repeat("[0]", 20000), json::array({1})), json(nullptr));
  // The nesting the limit allows is ample for real expressions (the compliance suite's deepest
  // projection chain has 104 levels).
  EXPECT_THAT(Expression::compile(repeat("a[*].", 120) + "a"), Succeeds());
}

TEST(JmesPathLimits, DeeplyNestedLiteralIsRejected) {
  const Error e = error_of("`" + repeat("[", 2000) + repeat("]", 2000) + "`");
  EXPECT_EQ(e.check, checks::kDepthLimit);
  EXPECT_EQ(eval("`" + repeat("[", 100) + repeat("]", 100) + "` | length(@)"), json(1));
}

TEST(JmesPathLimits, DeeplyNestedDocumentIsAnErrorOnlyWhereItWouldRecurse) {
  const json deep = nested_arrays(100000);
  // Navigation and length() do not recurse into the data.
  EXPECT_EQ(eval("length(@)", deep), json(1));
  EXPECT_EQ(eval("[0][0][0] | length(@)", deep), json(1));
  EXPECT_EQ(eval("type(@)", deep), json("array"));
  // Copying, comparing and serialising it would; they fail cleanly instead.
  EXPECT_EQ(error_of("@", deep).check, checks::kDepthLimit);
  EXPECT_EQ(error_of("@ == @", deep).check, checks::kDepthLimit);
  EXPECT_EQ(error_of("to_string(@)", deep).check, checks::kDepthLimit);
  EXPECT_EQ(error_of("[@]", deep).check, checks::kDepthLimit);
  EXPECT_EQ(error_of("contains(@, @)", deep).check, checks::kDepthLimit);
  // A comparison that needs no recursion still works.
  EXPECT_EQ(eval("contains(`[1]`, @)", deep), json(false));
}

TEST(JmesPathLimits, ResultsBuiltDeeperThanTheLimitAreRejected) {
  // Each pipe stage wraps the value once more; the tree stays flat but the result would not be.
  EXPECT_EQ(error_of(repeat("[@] | ", kMaxDataDepth + 10) + "@", json(1)).check,
            checks::kDepthLimit);
  EXPECT_EQ(eval(repeat("[@] | ", 100) + "length(@)", json(1)), json(1));
}

TEST(JmesPathLimits, ExponentialBlowUpHitsTheWorkLimit) {
  EXPECT_EQ(error_of(repeat("join('', [@, @]) | ", 60) + "@", json("0123456789abcdef")).check,
            checks::kWorkLimit);
  // With the default budget these take about a second each before failing; a smaller budget
  // exercises the same accounting quickly.
  const SearchLimits small{.max_work_units = 1 << 16};
  for (const std::string& text :
       {repeat("[@, @].", 60) + "[@]", repeat("{a: @, b: @} | ", 60) + "@",
        repeat("[@, @] | to_array(@) | ", 60) + "@"}) {
    auto expr = Expression::compile(text);
    ASSERT_THAT(expr, Succeeds());
    EXPECT_THAT(expr->search(json("x"), small),
                FailsWith(ErrorKind::kInvalidArgument, checks::kWorkLimit));
  }
  // Modest duplication is fine.
  EXPECT_EQ(eval(repeat("[@, @] | ", 10) + "length(@)", json("x")), json(2));
}

TEST(JmesPathLimits, RepeatedScansOfLargeDataHitTheWorkLimit) {
  json big = json::array();
  for (int i = 0; i < 100000; ++i) {
    big.push_back(i);
  }
  EXPECT_EQ(eval("max(@)", big), json(99999));
  std::string many = "[max(@)";
  for (int i = 0; i < 100; ++i) {
    many += ", max(@)";
  }
  EXPECT_EQ(error_of(many + "]", big).check, checks::kWorkLimit);
}

TEST(JmesPathLimits, CallersCanTightenTheWorkBudget) {
  auto expr = Expression::compile("people[*].{n: name, t: tags}");
  ASSERT_THAT(expr, Succeeds());
  EXPECT_THAT(expr->search(people()), Succeeds());
  EXPECT_THAT(expr->search(people(), SearchLimits{.max_work_units = 10}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kWorkLimit));
}

TEST(JmesPathLimits, HugeIndicesAndSlicesAreSafe) {
  const json a = json::array({0, 1, 2, 3, 4});
  EXPECT_EQ(eval("[99999999999999999999999]", a), json(nullptr));
  EXPECT_EQ(eval("[-99999999999999999999999]", a), json(nullptr));
  EXPECT_EQ(eval("[-9223372036854775808]", a), json(nullptr));
  EXPECT_EQ(eval("[-99999999999999999999:99999999999999999999]", a), a);
  EXPECT_EQ(eval("[::9223372036854775807]", a), json::array({0}));
  EXPECT_EQ(eval("[::-9223372036854775808]", a), json({4}));
  EXPECT_EQ(eval("[::-99999999999999999999]", a), json({4}));
  EXPECT_EQ(eval("[3::-9223372036854775807]", a), json({3}));
  EXPECT_EQ(eval("[99999999999999999999::-1]", a), json({4, 3, 2, 1, 0}));
}

// 128-bit so the reference needs no overflow care of its own.
__extension__ typedef __int128 Wide;

// Python's slice semantics, computed naively, for cross-checking.
json reference_slice(const json& a, std::optional<std::int64_t> start,
                     std::optional<std::int64_t> stop, std::int64_t step) {
  const auto len = static_cast<Wide>(a.size());
  const auto bound = [&](std::optional<std::int64_t> v, bool is_start) -> Wide {
    if (!v) {
      return step < 0 ? (is_start ? len - 1 : -1) : (is_start ? 0 : len);
    }
    Wide b = *v;
    if (b < 0) {
      b += len;
      if (b < 0) {
        b = step < 0 ? -1 : 0;
      }
    } else if (b >= len) {
      b = step < 0 ? len - 1 : len;
    }
    return b;
  };
  json out = json::array();
  for (Wide i = bound(start, true); step > 0 ? i < bound(stop, false) : i > bound(stop, false);
       i += step) {
    out.push_back(a[static_cast<std::size_t>(i)]);
  }
  return out;
}

TEST(JmesPathSlices, MatchPythonSemanticsExhaustively) {
  const std::vector<std::optional<std::int64_t>> bounds = {
      std::nullopt,
      -9,
      -6,
      -5,
      -4,
      -2,
      -1,
      0,
      1,
      2,
      4,
      5,
      6,
      9,
      std::numeric_limits<std::int64_t>::min(),
      std::numeric_limits<std::int64_t>::max()};
  const std::vector<std::int64_t> steps = {-7,
                                           -3,
                                           -2,
                                           -1,
                                           1,
                                           2,
                                           3,
                                           7,
                                           std::numeric_limits<std::int64_t>::min(),
                                           std::numeric_limits<std::int64_t>::max()};
  const auto text = [](std::optional<std::int64_t> v) { return v ? std::to_string(*v) : ""; };
  int checked = 0;
  for (std::size_t len = 0; len <= 5; ++len) {
    json a = json::array();
    for (std::size_t i = 0; i < len; ++i) {
      a.push_back(i);
    }
    for (const auto& start : bounds) {
      for (const auto& stop : bounds) {
        for (const auto step : steps) {
          const std::string expr =
              "[" + text(start) + ":" + text(stop) + ":" + std::to_string(step) + "]";
          ASSERT_EQ(eval(expr, a), reference_slice(a, start, stop, step)) << expr << " len " << len;
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 6 * 16 * 16 * 10);
}

// --- Semantics ---

TEST(JmesPathSemantics, ProjectionsStopAtPipesAndFlatten) {
  const json d = json::parse(R"({"a": [{"b": [1, 2]}, {"b": [3]}, {"c": 1}]})");
  EXPECT_EQ(eval("a[*].b[0]", d), json({1, 3}));
  EXPECT_EQ(eval("a[*].b | [0]", d), json({1, 2}));
  EXPECT_EQ(eval("a[].b[]", d), json({1, 2, 3}));
  EXPECT_EQ(eval("a[*].b[] | length(@)", d), json(3));
  EXPECT_EQ(eval("a[?b].b[-1]", d), json({2, 3}));
  EXPECT_EQ(eval("a[1:].b", d), json::parse("[[3]]"));
  EXPECT_EQ(eval("a[*].c.*", d), json::array());
}

TEST(JmesPathSemantics, OrAndReturnOperandsWithJmesPathTruthiness) {
  const json d = json::parse(R"({"e": [], "s": "", "z": 0, "o": {}, "t": "yes"})");
  EXPECT_EQ(eval("e || s || o || missing || z", d), json(0));
  EXPECT_EQ(eval("e || s || o", d), json::object());
  EXPECT_EQ(eval("t && z && e && t", d), json::array());
  EXPECT_EQ(eval("t && z && t", d), json("yes"));
  EXPECT_EQ(eval("!z", d), json(false));
  EXPECT_EQ(eval("!e", d), json(true));
}

TEST(JmesPathSemantics, NumbersCompareByValueAcrossIntegerAndFloat) {
  EXPECT_EQ(eval("`1` == `1.0`"), json(true));
  EXPECT_EQ(eval("`[1, {\"a\": 2}]` == `[1.0, {\"a\": 2.0}]`"), json(true));
  // Exact: 2^53 + 1 is not the double 2^53 (json == would say it is).
  EXPECT_EQ(eval("`9007199254740993` == `9007199254740992.0`"), json(false));
  EXPECT_EQ(eval("`9007199254740993` > `9007199254740992.0`"), json(true));
  EXPECT_EQ(eval("`18446744073709551615` > `-1`"), json(true));
  EXPECT_EQ(eval("`-1` < `0.5`"), json(true));
  EXPECT_EQ(eval("`0` == `false`"), json(false));
  EXPECT_EQ(eval("'1' == `1`"), json(false));
  // Ordering is for numbers only.
  EXPECT_EQ(eval("'a' < 'b'"), json(nullptr));
  EXPECT_EQ(eval("`[1]` < `[2]`"), json(nullptr));
}

TEST(JmesPathSemantics, ArithmeticKeepsIntegersAndAvoidsOverflow) {
  auto kind_and_value = [](const json& j) { return std::make_pair(j.is_number_float(), j); };
  EXPECT_EQ(kind_and_value(eval("length('abc')")), kind_and_value(json(3)));
  EXPECT_EQ(kind_and_value(eval("avg(`[2, 2]`)")), kind_and_value(json(2.0)));
  EXPECT_EQ(kind_and_value(eval("sum(`[1, 2]`)")), kind_and_value(json(3)));
  EXPECT_EQ(kind_and_value(eval("sum(`[1, 2.5]`)")), kind_and_value(json(3.5)));
  EXPECT_EQ(eval("sum(`[9223372036854775807, 1]`)"), json(9223372036854775808.0));
  EXPECT_EQ(eval("abs(`-9223372036854775808`)"), json(std::uint64_t{9223372036854775808U}));
  EXPECT_EQ(eval("abs(`-2.5`)"), json(2.5));
  EXPECT_EQ(kind_and_value(eval("floor(`-1.5`)")), kind_and_value(json(-2)));
  EXPECT_EQ(kind_and_value(eval("ceil(`1e300`)")), kind_and_value(json(1e300)));
  EXPECT_EQ(eval("max(`[1, 3.5, 2]`)"), json(3.5));
  EXPECT_EQ(eval("min(`[18446744073709551615, -1]`)"), json(-1));
}

TEST(JmesPathSemantics, ToNumberAcceptsExactlyJsonNumbers) {
  EXPECT_EQ(eval("to_number('42')"), json(42));
  EXPECT_EQ(eval("to_number('-0')"), json(0));
  EXPECT_EQ(eval("to_number('18446744073709551615')"), json(std::uint64_t{18446744073709551615U}));
  EXPECT_EQ(eval("to_number('99999999999999999999')"), json(1e20));
  EXPECT_EQ(eval("to_number('2.5e-3')"), json(0.0025));
  for (const char* bad : {"'01'", "' 1'", "'1 '", "'+1'", "'1.'", "'.5'", "'1e'", "'0x10'", "'nan'",
                          "'inf'", "'1e999'", "''", "'-'"}) {
    EXPECT_EQ(eval(std::string("to_number(") + bad + ")"), json(nullptr)) << bad;
  }
}

TEST(JmesPathSemantics, StringsAreCodePoints) {
  EXPECT_EQ(eval("length('✓𝄞a')"), json(3));
  EXPECT_EQ(eval("reverse('a✓𝄞')"), json("𝄞✓a"));
  EXPECT_EQ(eval("sort(['b', '😀', 'é', 'a', 'z'])"), json({"a", "b", "z", "é", "😀"}));
  EXPECT_EQ(eval("max(['b', 'é', 'z'])"), json("é"));
  EXPECT_EQ(eval("sort_by(`[{\"k\": \"é\"}, {\"k\": \"e\"}]`, &k)[].k"), json({"e", "é"}));
  EXPECT_EQ(eval("starts_with('✓x', '✓')"), json(true));
  EXPECT_EQ(eval("to_string(`[\"✓\"]`)"), json("[\"✓\"]"));
}

TEST(JmesPathSemantics, ContainsOnStringsMatchesFind) {
  // contains() uses its own linear-time search; cross-check it against std::string::find on
  // repetitive inputs, where naive searches go quadratic.
  const std::vector<std::string> haystacks = {
      "", "a", "ab", "aab", "abab", "aaaaab", "abcabcabd", "✓a✓", repeat("a", 50) + "b"};
  const std::vector<std::string> needles = {
      "", "a", "b", "ab", "aab", "aaab", "abd", "abcabd", "✓", "a✓", repeat("a", 49) + "b", "ba"};
  for (const auto& h : haystacks) {
    for (const auto& n : needles) {
      EXPECT_EQ(eval("contains(h, n)", json{{"h", h}, {"n", n}}),
                json(h.find(n) != std::string::npos))
          << h << " / " << n;
    }
  }
  const std::string hay = repeat("a", 1 << 20);
  EXPECT_EQ(eval("contains(h, n)", json{{"h", hay}, {"n", repeat("a", 1 << 19) + "b"}}),
            json(false));
}

TEST(JmesPathSemantics, StringEscapes) {
  EXPECT_EQ(eval(R"('it\'s')"), json("it's"));
  EXPECT_EQ(eval(R"('a\nb')"), json("a\\nb"));   // raw strings keep other backslashes
  EXPECT_EQ(eval(R"(`"a\nb"`)"), json("a\nb"));  // JSON literals decode them
  EXPECT_EQ(eval(R"(`"tick\`"`)"), json("tick`"));
  EXPECT_EQ(eval(R"("a\u00e9")", json::parse(R"({"aé": 1})")), json(1));
}

TEST(JmesPathSemantics, FunctionsOnObjectsAndMixedValues) {
  const json d = json::parse(R"({"o": {"b": 2, "a": 1}, "p": {"a": 3, "c": [1]}})");
  EXPECT_EQ(eval("keys(o)", d), json({"a", "b"}));  // nlohmann objects keep keys sorted
  EXPECT_EQ(eval("values(o)", d), json({1, 2}));
  EXPECT_EQ(eval("merge(o, p)", d), json::parse(R"({"a": 3, "b": 2, "c": [1]})"));
  EXPECT_EQ(eval("to_string(p)", d), json(R"({"a":3,"c":[1]})"));
  EXPECT_EQ(eval("to_array(o)[*].length(@)", d), json({2}));
  EXPECT_EQ(eval("contains('abc', `1`)", d), json(false));
  EXPECT_EQ(eval("contains(`[[1], {\"a\": 1}]`, p.c)", d), json(true));
  EXPECT_EQ(eval("join('-', ['a', 'b', 'c'])", d), json("a-b-c"));
  EXPECT_EQ(eval("not_null(missing, `null`, o.a)", d), json(1));
  EXPECT_EQ(eval("type(p.c)", d), json("array"));
  EXPECT_EQ(eval("ends_with('abc', '')", d), json(true));
}

TEST(JmesPathSemantics, ResultsDerivedFromIntermediateValuesStayValid) {
  // Each of these returns part of a value that was built during evaluation and has since been
  // released; under ASan this checks the borrowing rules of the evaluator.
  const json d = json::parse(R"({"a": [3, 1, 2], "b": {"c": "x"}})");
  EXPECT_EQ(eval("[b][0].c", d), json("x"));
  EXPECT_EQ(eval("{k: b} | not_null(k)", d), json::parse(R"({"c": "x"})"));
  EXPECT_EQ(eval("[a] | max_by(@, &[0])", d), json({3, 1, 2}));
  EXPECT_EQ(eval("sort(a) | [-1]", d), json(3));
  EXPECT_EQ(eval("[a, b] | [1] || [0]", d), json::parse(R"({"c": "x"})"));
  EXPECT_EQ(eval("[missing, [b]] | [1] && [1][0]", d), json::parse(R"({"c": "x"})"));
  EXPECT_EQ(eval("map(&[@][0], a) | [1]", d), json(1));
  EXPECT_EQ(eval("[a][?length(@) > `1`] | [0][2]", d), json(2));
  EXPECT_EQ(eval("[{x: b}] | [0].x.c", d), json("x"));
  EXPECT_EQ(eval("[b.c, b.c] | min_by([{v: [0]}], &v).v", d), json("x"));
}

TEST(JmesPathSemantics, StricterThanTheReferenceParserOnMalformedInput) {
  // jmespath.py accepts these; they are not in the grammar.
  EXPECT_EQ(error_of("abs(@,)").check, checks::kSyntax);     // trailing comma in arguments
  EXPECT_EQ(error_of("[1:2 3]").check, checks::kSyntax);     // second number in one slice part
  EXPECT_EQ(error_of("(abs)(`1`)").check, checks::kSyntax);  // parenthesised function name
  EXPECT_EQ(error_of("`foo`").check, checks::kSyntax);       // JEP-12 deprecated literal
}

}  // namespace
}  // namespace vouch::jmespath
