// The policy engine on a realistic appraisal: a 10-rule SEV-SNP policy (authorization on the
// debug, VMPL, firmware and microcode claims; issuance of measurements, TCB and compliance claims)
// over the 40 incoming claims of an Azure confidential VM. Compile once, evaluate many times.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "policy/lint.h"
#include "policy/policy.h"
#include "policy/release_policy.h"

namespace {

namespace policy = ::vouch::policy;
using policy::Value;

constexpr std::string_view kPolicy = R"(version=1.2;
authorizationrules {
  [type=="x-ms-sevsnpvm-is-debuggable", value==false] && [type=="x-ms-sevsnpvm-vmpl", value==0]
    && [type=="x-ms-sevsnpvm-snpfw-svn", value>=8] && [type=="x-ms-sevsnpvm-microcode-svn", value>=115]
    => permit();
  [type=="x-ms-sevsnpvm-migration-allowed", value==true] => deny();
};
issuancerules {
  c:[type=="x-ms-sevsnpvm-launchmeasurement"] => issue(type="measurement", value=c.value);
  c:[type=="x-ms-sevsnpvm-hostdata"] => issue(type="hostdata", value=c.value);
  c:[type=="x-ms-sevsnpvm-guestsvn", issuer=="AttestationService"] => issue(type="guestsvn", value=c.value);
  [type=="x-ms-sevsnpvm-bootloader-svn", value>=3] && [type=="x-ms-sevsnpvm-tee-svn", value>=0]
    => issue(type="tcb-ok", value=true);
  ![type=="x-ms-sevsnpvm-reportdata"] => issue(type="no-report-data", value=true);
  [type=="x-ms-compliance-status", value=="azure-compliant-cvm"] => issue(type="compliant", value=true);
  c:[type=="x-ms-sevsnpvm-familyId"] && [type=="x-ms-sevsnpvm-imageId"] => issue(type="family", value=c.value);
  c:[type=="x-ms-attestation-type"] => issue(type="tee", value=c.value);
};)";

std::string hex(char c, std::size_t n) {
  return std::string(n, c);
}

std::vector<policy::Claim> azure_cvm_claims() {
  std::vector<policy::Claim> claims = {
      {"x-ms-attestation-type", Value::string("sevsnpvm")},
      {"x-ms-compliance-status", Value::string("azure-compliant-cvm")},
      {"x-ms-sevsnpvm-authorkeydigest", Value::string(hex('0', 96))},
      {"x-ms-sevsnpvm-bootloader-svn", Value::integer(3)},
      {"x-ms-sevsnpvm-familyId", Value::string("01000000000000000000000000000000")},
      {"x-ms-sevsnpvm-guestsvn", Value::integer(2)},
      {"x-ms-sevsnpvm-hostdata", Value::string(hex('7', 64))},
      {"x-ms-sevsnpvm-idkeydigest", Value::string(hex('8', 96))},
      {"x-ms-sevsnpvm-imageId", Value::string("02000000000000000000000000000000")},
      {"x-ms-sevsnpvm-is-debuggable", Value::boolean(false)},
      {"x-ms-sevsnpvm-launchmeasurement", Value::string(hex('c', 96))},
      {"x-ms-sevsnpvm-microcode-svn", Value::integer(115)},
      {"x-ms-sevsnpvm-migration-allowed", Value::boolean(false)},
      {"x-ms-sevsnpvm-reportdata", Value::string(hex('4', 128))},
      {"x-ms-sevsnpvm-reportid", Value::string(hex('a', 64))},
      {"x-ms-sevsnpvm-smt-allowed", Value::boolean(true)},
      {"x-ms-sevsnpvm-snpfw-svn", Value::integer(8)},
      {"x-ms-sevsnpvm-tee-svn", Value::integer(0)},
      {"x-ms-sevsnpvm-vmpl", Value::integer(0)},
      {"x-ms-runtime", Value::json(nlohmann::json{
                           {"keys", {{{"kid", "HCLAkPub"}, {"kty", "RSA"}, {"e", "AQAB"}}}},
                           {"vm-configuration", {{"secure-boot", true}, {"tpm-enabled", true}}}})},
      {"secureboot", Value::boolean(true)},
      {"x-ms-azurevm-attestation-protocol-ver", Value::string("2.0")},
      {"x-ms-azurevm-bootdebug-enabled", Value::boolean(false)},
      {"x-ms-azurevm-dbvalidated", Value::boolean(true)},
      {"x-ms-azurevm-dbxvalidated", Value::boolean(true)},
      {"x-ms-azurevm-debuggersdisabled", Value::boolean(true)},
      {"x-ms-azurevm-default-securebootkeysvalidated", Value::boolean(true)},
      {"x-ms-azurevm-elam-enabled", Value::boolean(false)},
      {"x-ms-azurevm-flightsigning-enabled", Value::boolean(false)},
      {"x-ms-azurevm-hvci-policy", Value::integer(0)},
      {"x-ms-azurevm-hypervisordebug-enabled", Value::boolean(false)},
      {"x-ms-azurevm-is-windows", Value::boolean(false)},
      {"x-ms-azurevm-kerneldebug-enabled", Value::boolean(false)},
      {"x-ms-azurevm-osbuild", Value::string("NotApplication")},
      {"x-ms-azurevm-osdistro", Value::string("Ubuntu")},
      {"x-ms-azurevm-ostype", Value::string("Linux")},
      {"x-ms-azurevm-osversion-major", Value::integer(22)},
      {"x-ms-azurevm-osversion-minor", Value::integer(4)},
      {"x-ms-azurevm-signingdisabled", Value::boolean(true)},
      {"x-ms-azurevm-vmid", Value::string("AE5CBB2A-7E47-4D7D-8E6A-0A9E2C35C0A4")},
  };
  return claims;
}

void BM_PolicyEvaluate(benchmark::State& state) {
  const auto compiled = policy::Policy::compile(kPolicy);
  const auto claims = azure_cvm_claims();
  if (!compiled || claims.size() != 40 ||
      compiled->evaluate(claims).decision != policy::Decision::kPermit) {
    state.SkipWithError("policy does not permit");
    return;
  }
  for (auto _ : state) {
    auto ev = compiled->evaluate(claims);
    benchmark::DoNotOptimize(ev);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PolicyEvaluate);

void BM_PolicyEvaluateExplain(benchmark::State& state) {
  const auto compiled = policy::Policy::compile(kPolicy);
  const auto claims = azure_cvm_claims();
  if (!compiled) {
    state.SkipWithError("compile failed");
    return;
  }
  for (auto _ : state) {
    auto ev = compiled->evaluate(claims, policy::EvaluateOptions{.explain = true});
    benchmark::DoNotOptimize(ev);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PolicyEvaluateExplain);

void BM_PolicyCompile(benchmark::State& state) {
  for (auto _ : state) {
    auto compiled = policy::Policy::compile(kPolicy);
    benchmark::DoNotOptimize(compiled);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPolicy.size()));
}
BENCHMARK(BM_PolicyCompile);

void BM_PolicyLint(benchmark::State& state) {
  for (auto _ : state) {
    auto found = policy::lint(kPolicy, policy::LintOptions{policy::AttestationType::kSevSnp});
    benchmark::DoNotOptimize(found);
  }
}
BENCHMARK(BM_PolicyLint);

// Version 1.2 functions: secure boot from a 200-event log with JmesPath and JsonToClaimValue.
void BM_PolicyEvaluateJmesPath(benchmark::State& state) {
  const auto compiled = policy::Policy::compile(R"(version=1.2;
authorizationrules { => permit(); };
issuancerules {
  c:[type=="events", issuer=="AttestationService"] => add(type="efiConfigVariables", value=JmesPath(c.value, "Events[?EventTypeString == 'EV_EFI_VARIABLE_DRIVER_CONFIG' && ProcessedData.VariableGuid == '8BE4DF61-93CA-11D2-AA0D-00E098032B8C']"));
  c:[type=="efiConfigVariables", issuer=="AttestationPolicy"] => issue(type="secureBootEnabled", value=JsonToClaimValue(JmesPath(c.value, "[?ProcessedData.UnicodeName == 'SecureBoot'] | length(@) == `1` && @[0].ProcessedData.VariableData == 'AQ'")));
  ![type=="secureBootEnabled", issuer=="AttestationPolicy"] => issue(type="secureBootEnabled", value=false);
};)");
  nlohmann::json events = {{"Events", nlohmann::json::array()}};
  for (int i = 0; i < 200; ++i) {
    const bool sb = i == 17;
    events["Events"].push_back(
        {{"EventSeq", i},
         {"PcrIndex", i % 8},
         {"EventTypeString", sb || i % 5 == 0 ? "EV_EFI_VARIABLE_DRIVER_CONFIG" : "EV_EFI_ACTION"},
         {"ProcessedData",
          {{"VariableGuid", "8BE4DF61-93CA-11D2-AA0D-00E098032B8C"},
           {"UnicodeName", sb ? "SecureBoot" : "db"},
           {"VariableData", sb ? "AQ" : "AAAA"}}}});
  }
  const std::vector<policy::Claim> claims = {{"events", Value::json(events)}};
  if (!compiled || compiled->evaluate(claims).issued.size() != 1) {
    state.SkipWithError("policy failed");
    return;
  }
  for (auto _ : state) {
    auto ev = compiled->evaluate(claims);
    benchmark::DoNotOptimize(ev);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PolicyEvaluateJmesPath);

void BM_PolicyHash(benchmark::State& state) {
  for (auto _ : state) {
    auto h = policy::policy_hash(kPolicy);
    benchmark::DoNotOptimize(h);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPolicy.size()));
}
BENCHMARK(BM_PolicyHash);

void BM_ReleasePolicyEvaluate(benchmark::State& state) {
  const auto release = policy::ReleasePolicy::parse(R"({"version": "1.0.0", "anyOf": [{
      "authority": "https://sharedweu.weu.attest.azure.net",
      "allOf": [{"claim": "x-ms-isolation-tee.x-ms-attestation-type", "equals": "sevsnpvm"},
                {"claim": "x-ms-isolation-tee.x-ms-compliance-status", "equals": "azure-compliant-cvm"},
                {"claim": "x-ms-isolation-tee.x-ms-sevsnpvm-guestsvn", "greaterOrEquals": 2}]}]})");
  const nlohmann::json token = {{"iss", "https://sharedweu.weu.attest.azure.net"},
                                {"x-ms-isolation-tee",
                                 {{"x-ms-attestation-type", "sevsnpvm"},
                                  {"x-ms-compliance-status", "azure-compliant-cvm"},
                                  {"x-ms-sevsnpvm-guestsvn", 2}}}};
  if (!release) {
    state.SkipWithError("parse failed");
    return;
  }
  for (auto _ : state) {
    auto ev = release->evaluate(token, "https://sharedweu.weu.attest.azure.net");
    benchmark::DoNotOptimize(ev);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReleasePolicyEvaluate);

}  // namespace
