// The MAA SevSnpVm request body and its report wrapper (maa.md section 1.5.4).

#include "evidence/sevsnp/maa.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "evidence/sevsnp/check_ids.h"
#include "testing/matchers.h"

namespace vouch::sevsnp {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

std::string wrapper(const Bytes& report, const std::string& chain_pem) {
  nlohmann::json w = {{"SnpReport", base64url_encode(report)},
                      {"VcekCertChain", base64_encode(as_bytes(chain_pem))}};
  return base64url_encode(as_bytes(w.dump()));
}

TEST(MaaSevSnp, ParsesTheWholeRequest) {
  const Bytes report(1184, 7);
  const std::string runtime = R"({"keys":[]})";
  nlohmann::json body = {
      {"report", wrapper(report, "PEM")},
      {"runtimeData", {{"data", base64url_encode(as_bytes(runtime))}, {"dataType", "JSON"}}},
      {"inittimeData", {{"data", base64_encode(Bytes{1, 2, 3})}, {"dataType", "Binary"}}},
      {"nonce", "noncesevsnp987"},
      {"draftPolicyForAttestation", "version=1.0;"}};
  auto r = parse_maa_sevsnp_request(body.dump());
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->report.report, report);
  EXPECT_EQ(r->report.vcek_cert_chain, to_bytes(as_bytes(std::string("PEM"))));
  ASSERT_TRUE(r->runtime_data.has_value());
  EXPECT_EQ(r->runtime_data->type, MaaData::Type::kJson);
  EXPECT_EQ(r->runtime_data->data, to_bytes(as_bytes(runtime)));
  ASSERT_TRUE(r->init_time_data.has_value());  // "inittimeData": matched case-insensitively
  EXPECT_EQ(r->init_time_data->data, (Bytes{1, 2, 3}));
  EXPECT_EQ(r->nonce, "noncesevsnp987");
  EXPECT_EQ(r->draft_policy, "version=1.0;");
}

TEST(MaaSevSnp, MinimalRequest) {
  nlohmann::json body = {{"report", wrapper(Bytes(1184, 1), "")}};
  auto r = parse_maa_sevsnp_request(body.dump());
  ASSERT_THAT(r, Succeeds());
  EXPECT_FALSE(r->runtime_data || r->init_time_data || r->nonce || r->draft_policy);
}

TEST(MaaSevSnp, RejectsMalformedBodies) {
  const auto bad = [](const std::string& body) {
    EXPECT_THAT(parse_maa_sevsnp_request(body),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kMaaRequest))
        << body;
  };
  bad("not json");
  bad("[]");
  bad("{}");
  bad(R"({"report": 5})");
  bad(R"({"report": "!!!"})");
  bad(R"({"report": ")" + base64url_encode(as_bytes(std::string("[1]"))) + "\"}");
  bad(R"({"report": ")" + base64url_encode(as_bytes(std::string("{}"))) + "\"}");
  const std::string w = wrapper(Bytes(1184, 1), "");
  bad(R"({"report": ")" + w + R"(", "Report": ")" + w + "\"}");
  bad(R"({"report": ")" + w + R"(", "runtimeData": "x"})");
  bad(R"({"report": ")" + w + R"(", "runtimeData": {"dataType": "JSON"}})");
  bad(R"({"report": ")" + w + R"(", "runtimeData": {"data": "AAEC", "dataType": "XML"}})");
  bad(R"({"report": ")" + w + R"(", "runtimeData": {"data": "AAEC", "dataType": "JSON"}})");
  bad(R"({"report": ")" + w + R"(", "nonce": 3})");
}

}  // namespace
}  // namespace vouch::sevsnp
