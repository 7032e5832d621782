// JMESPath, as the policy engine's JmesPath() function uses it: compile a query once, then search
// a claims document per appraisal.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "policy/jmespath/jmespath.h"

namespace {

using json = nlohmann::json;

// A filter over event-log events plus a projection to a hash, the shape of an MAA 1.2 policy that
// checks Secure Boot configuration events in PCR 7.
constexpr char kQuery[] =
    "events[?EventType == 'EV_EFI_VARIABLE_DRIVER_CONFIG' && PCRIndex == `7`]"
    ".{name: Event.UnicodeName, digest: Digests[?AlgorithmId == 'sha256'] | [0].Digest}";

// A function-heavy query over the same document.
constexpr char kFunctionQuery[] =
    "length(events[?contains(['SecureBoot', 'PK', 'KEK'], Event.UnicodeName)]) > `2` && "
    "max_by(events, &EventNum).EventNum";

std::string hex_digest(int seed, int len) {
  std::string out;
  for (int i = 0; i < len; ++i) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", (seed * 131 + i * 17) & 0xFF);
    out += buf;
  }
  return out;
}

// An attestation-claims document: a few scalar claims and a TCG event log of 50 events.
json claims_document() {
  static const char* const kTypes[] = {"EV_NO_ACTION", "EV_S_CRTM_VERSION",
                                       "EV_EFI_VARIABLE_DRIVER_CONFIG", "EV_SEPARATOR",
                                       "EV_EFI_BOOT_SERVICES_APPLICATION"};
  static const char* const kNames[] = {"SecureBoot", "PK", "KEK", "db", "dbx"};
  json events = json::array();
  for (int i = 0; i < 50; ++i) {
    json event = {
        {"EventNum", i},
        {"PCRIndex", i % 5 == 2 ? 7 : i % 7},
        {"EventType", kTypes[i % 5]},
        {"Digests", json::array({{{"AlgorithmId", "sha1"}, {"Digest", hex_digest(i, 20)}},
                                 {{"AlgorithmId", "sha256"}, {"Digest", hex_digest(i, 32)}}})},
        {"Event", {{"UnicodeName", kNames[i % 5]}, {"VariableData", hex_digest(i + 7, 16)}}},
    };
    events.push_back(std::move(event));
  }
  return {
      {"x-ms-attestation-type", "azurevm"},
      {"x-ms-azurevm-is-windows", false},
      {"x-ms-azurevm-bootdebug-enabled", false},
      {"secureboot", true},
      {"events", std::move(events)},
  };
}

void BM_JmesPathCompile(benchmark::State& state) {
  for (auto _ : state) {
    auto expr = vouch::jmespath::Expression::compile(kQuery);
    benchmark::DoNotOptimize(expr);
  }
}
BENCHMARK(BM_JmesPathCompile);

void BM_JmesPathSearch(benchmark::State& state) {
  const json doc = claims_document();
  const auto expr = vouch::jmespath::Expression::compile(kQuery);
  if (!expr || !expr->search(doc) || expr->search(doc)->size() != 10) {
    state.SkipWithError("query does not select the 10 expected events");
    return;
  }
  for (auto _ : state) {
    auto result = expr->search(doc);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_JmesPathSearch);

void BM_JmesPathSearchFunctions(benchmark::State& state) {
  const json doc = claims_document();
  const auto expr = vouch::jmespath::Expression::compile(kFunctionQuery);
  if (!expr || !expr->search(doc) || *expr->search(doc) != json(49)) {
    state.SkipWithError("function query does not give 49");
    return;
  }
  for (auto _ : state) {
    auto result = expr->search(doc);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_JmesPathSearchFunctions);

}  // namespace
