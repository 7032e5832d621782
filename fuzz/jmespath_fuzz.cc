// Fuzzes the JMESPath compiler and evaluator. Input: "<expression>\0<JSON document>"; without a
// NUL, or when the document does not parse, a fixed claims-like document is searched.
//
// Beyond "no crash, no sanitizer report", it checks that every failure carries one of the
// module's check ids (never kInternal) and that every result serialises as strict UTF-8 JSON.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "policy/jmespath/jmespath.h"

namespace {

using nlohmann::json;

const json& fixed_document() {
  static const json kDoc = json::parse(R"({
    "a": [1, -2, 3.5, "x", null, true, [4, [5]], {"b": "c"}],
    "events": [
      {"n": 0, "pcr": 7, "type": "EV_SEPARATOR", "digest": "00", "tags": ["boot"]},
      {"n": 1, "pcr": 0, "type": "EV_S_CRTM_VERSION", "digest": "0a1b", "tags": []},
      {"n": 2.5, "pcr": 7, "type": "EV_EFI_VARIABLE_DRIVER_CONFIG", "digest": "ff", "tags": ["sb"]}
    ],
    "s": "h\u00e9llo \u2713",
    "o": {"k1": {"k2": {"k3": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}}, "e": {}, "l": []},
    "big": 18446744073709551615, "neg": -9223372036854775808, "f": 1e300
  })");
  return kDoc;
}

bool known_check(vouch::CheckId check) {
  namespace c = vouch::jmespath::checks;
  return check == c::kSyntax || check == c::kInvalidType || check == c::kInvalidValue ||
         check == c::kInvalidArity || check == c::kUnknownFunction || check == c::kDepthLimit ||
         check == c::kWorkLimit;
}

void require_known(const vouch::Error& error) {
  if (error.kind != vouch::ErrorKind::kInvalidArgument || !known_check(error.check)) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  const std::string input(bytes.begin(), bytes.end());
  const std::size_t nul = input.find('\0');
  const std::string_view expression = std::string_view(input).substr(0, nul);

  json parsed;
  const json* document = &fixed_document();
  if (nul != std::string::npos) {
    parsed = json::parse(input.substr(nul + 1), nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) {
      document = &parsed;
    }
  }

  auto compiled = vouch::jmespath::Expression::compile(expression);
  if (!compiled) {
    require_known(compiled.error());
    return 0;
  }
  // A smaller work budget than the default keeps each run fast; the limit logic is the same.
  auto result =
      compiled->search(*document, vouch::jmespath::SearchLimits{.max_work_units = 200000});
  if (!result) {
    require_known(result.error());
    return 0;
  }
  try {
    (void)result->dump();  // strict UTF-8 handler: throws on an invalid string
  } catch (const json::exception&) {
    std::abort();
  }
  return 0;
}
