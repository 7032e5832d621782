// The relying party's and KBS mode's request parsers (service/rp_request.h) on bad input: missing
// members, wrong types, bad base64, oversized members, too deep, trailing garbage. Check ids
// only, never message text.

#include "service/rp_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "base/encoding.h"
#include "base/json_depth.h"
#include "service/check_ids.h"
#include "testing/matchers.h"

namespace vouch::service {
namespace {

using nlohmann::json;
using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

constexpr ErrorKind kBad = ErrorKind::kInvalidArgument;

std::string b64(std::string_view s) {
  return base64_encode(Bytes(s.begin(), s.end()));
}

Bytes bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

std::string deep_array(std::size_t levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

// ---- :attest -------------------------------------------------------------------------------

json attest_body() {
  return {{"nonce", b64("challenge-nonce-32-bytes-long!!!")},
          {"evidence", {{"type", "application/vnd.vouch.tpm-quote+json"}, {"value", b64("{}")}}},
          {"runtimeData", b64(R"({"jwk":{"kty":"EC","crv":"P-256"}})")}};
}

TEST(RpRequest, AttestParses) {
  auto r = parse_rp_attest(attest_body().dump());
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->nonce, bytes("challenge-nonce-32-bytes-long!!!"));
  EXPECT_EQ(r->media_type, "application/vnd.vouch.tpm-quote+json");
  EXPECT_EQ(r->evidence, bytes("{}"));
  ASSERT_TRUE(r->runtime_key.has_value());
  EXPECT_EQ((*r->runtime_key)["kty"], "EC");
}

TEST(RpRequest, AttestRuntimeDataWithoutAKeyOrNotJsonHasNoKey) {
  for (const std::string& runtime : {std::string(R"({"other":1})"), std::string("\x01\x02[[[", 5),
                                     std::string("[1,2]"), std::string(200, '[')}) {
    json body = attest_body();
    body["runtimeData"] = b64(runtime);
    auto r = parse_rp_attest(body.dump());
    ASSERT_THAT(r, Succeeds()) << runtime;
    EXPECT_FALSE(r->runtime_key.has_value()) << runtime;
  }
  // A "jwk" of any type is passed on: the release refuses what is not a JWK.
  json body = attest_body();
  body["runtimeData"] = b64(R"({"jwk":"not a key"})");
  auto r = parse_rp_attest(body.dump());
  ASSERT_THAT(r, Succeeds());
  ASSERT_TRUE(r->runtime_key.has_value());
  EXPECT_TRUE(r->runtime_key->is_string());
}

TEST(RpRequest, AttestRuntimeJsonTooDeepIsRefused) {
  json body = attest_body();
  body["runtimeData"] = b64(R"({"jwk":)" + deep_array(kMaxUntrustedJsonDepth + 10) + "}");
  EXPECT_THAT(parse_rp_attest(body.dump()), FailsWith(kBad, checks::kRequestField));
}

// Runtime data with a NUL byte is not JSON text: no key, whatever (a deep document) follows it.
TEST(RpRequest, AttestRuntimeWithNulHasNoKey) {
  json body = attest_body();
  const std::string text = std::string(R"({"jwk":)") + deep_array(100000) + "}";
  body["runtimeData"] = b64(text + std::string(1, '\0'));  // deep, then NUL
  auto r = parse_rp_attest(body.dump());
  ASSERT_THAT(r, Succeeds());
  EXPECT_FALSE(r->runtime_key.has_value());
  body["runtimeData"] = b64(text.substr(0, 7) + std::string(1, '\0') + text.substr(7));
  r = parse_rp_attest(body.dump());
  ASSERT_THAT(r, Succeeds());
  EXPECT_FALSE(r->runtime_key.has_value());
}

TEST(RpRequest, AttestMissingOrWrongMembers) {
  for (const char* member : {"nonce", "runtimeData", "evidence"}) {
    json body = attest_body();
    body.erase(member);
    EXPECT_THAT(parse_rp_attest(body.dump()), FailsWith(kBad, checks::kRequestField)) << member;
    body[member] = 42;
    EXPECT_THAT(parse_rp_attest(body.dump()), FailsWith(kBad, checks::kRequestField)) << member;
    body[member] = json::array();
    EXPECT_THAT(parse_rp_attest(body.dump()), FailsWith(kBad, checks::kRequestField)) << member;
  }
  for (const char* member : {"type", "value"}) {
    json body = attest_body();
    body["evidence"].erase(member);
    EXPECT_THAT(parse_rp_attest(body.dump()), FailsWith(kBad, checks::kRequestField)) << member;
    body["evidence"][member] = json::object();
    EXPECT_THAT(parse_rp_attest(body.dump()), FailsWith(kBad, checks::kRequestField)) << member;
    body["evidence"][member] = "";
    EXPECT_THAT(parse_rp_attest(body.dump()), FailsWith(kBad, checks::kRequestField)) << member;
  }
  json body = attest_body();
  body["nonce"] = "";
  EXPECT_THAT(parse_rp_attest(body.dump()), FailsWith(kBad, checks::kRequestField));
}

TEST(RpRequest, AttestBadBase64) {
  for (const char* member : {"nonce", "runtimeData"}) {
    json body = attest_body();
    body[member] = "not base64!";
    EXPECT_THAT(parse_rp_attest(body.dump()), FailsWith(kBad, checks::kRequestField)) << member;
  }
  json body = attest_body();
  body["evidence"]["value"] = "a b";
  EXPECT_THAT(parse_rp_attest(body.dump()), FailsWith(kBad, checks::kRequestField));
}

TEST(RpRequest, AttestOversized) {
  json body = attest_body();
  body["nonce"] = std::string(kMaxRpNonceText + 4, 'A');
  EXPECT_THAT(parse_rp_attest(body.dump()), FailsWith(kBad, checks::kRequestField));
  body = attest_body();
  body["evidence"]["type"] = std::string(kMaxRpMediaType + 1, 'a');
  EXPECT_THAT(parse_rp_attest(body.dump()), FailsWith(kBad, checks::kRequestField));
  body = attest_body();
  body["runtimeData"] = std::string(kMaxRpRuntimeText + 4, 'A');
  EXPECT_THAT(parse_rp_attest(body.dump()), FailsWith(kBad, checks::kRequestField));
}

TEST(RpRequest, NotAnObjectTooDeepOrTrailingGarbage) {
  const std::string good = attest_body().dump();
  for (const std::string& text :
       {std::string(""), std::string("null"), std::string("[]"), std::string("\"text\""),
        good + "garbage", good + "}", good.substr(0, good.size() - 1),
        R"({"nonce":)" + deep_array(kMaxUntrustedJsonDepth + 1) + "}"}) {
    EXPECT_THAT(parse_rp_attest(text), FailsWith(kBad, checks::kRequestJson)) << text;
    EXPECT_THAT(parse_rp_release(text), FailsWith(kBad, checks::kRequestJson)) << text;
    EXPECT_THAT(parse_rp_rules(text), FailsWith(kBad, checks::kRequestJson)) << text;
    EXPECT_THAT(parse_rp_secret(text), FailsWith(kBad, checks::kRequestJson)) << text;
  }
}

// ---- :release ------------------------------------------------------------------------------

TEST(RpRequest, ReleaseParses) {
  auto r = parse_rp_release(R"({"token":"a.b.c"})");
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->token, "a.b.c");
  EXPECT_FALSE(r->key.has_value());
  r = parse_rp_release(R"({"token":"a.b.c","key":{"kty":"EC"}})");
  ASSERT_THAT(r, Succeeds());
  ASSERT_TRUE(r->key.has_value());
  EXPECT_EQ((*r->key)["kty"], "EC");
}

TEST(RpRequest, ReleaseBadMembers) {
  for (const char* text : {R"({})", R"({"token":1})", R"({"token":null})", R"({"token":["x"]})",
                           R"({"token":"a.b.c","key":"jwk"})", R"({"token":"a.b.c","key":[]})",
                           R"({"token":"a.b.c","key":null})"}) {
    EXPECT_THAT(parse_rp_release(text), FailsWith(kBad, checks::kRequestField)) << text;
  }
  EXPECT_THAT(parse_rp_release(json{{"token", std::string(kMaxRpToken + 1, 'a')}}.dump()),
              FailsWith(kBad, checks::kRequestField));
}

// ---- PUT secrets and rules ---------------------------------------------------------------------

json secret_body() {
  return {{"value", b64("s3cret")},
          {"releasePolicy", {{"version", "1.0.0"}}},
          {"trustedIssuers", {"https://vouch.example"}}};
}

TEST(RpRequest, SecretParses) {
  auto r = parse_rp_secret(secret_body().dump());
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->value, bytes("s3cret"));
  EXPECT_EQ(json::parse(r->rules.release_policy), json({{"version", "1.0.0"}}));
  EXPECT_EQ(r->rules.trusted_issuers, std::vector<std::string>{"https://vouch.example"});
  // The policy may come as its text.
  json body = secret_body();
  body["releasePolicy"] = R"({"version":"1.0.0"})";
  auto rules = parse_rp_rules(body.dump());
  ASSERT_THAT(rules, Succeeds());
  EXPECT_EQ(rules->release_policy, R"({"version":"1.0.0"})");
}

TEST(RpRequest, SecretBadValue) {
  json body = secret_body();
  body.erase("value");
  EXPECT_THAT(parse_rp_secret(body.dump()), FailsWith(kBad, checks::kRequestField));
  // The rules alone need no value.
  EXPECT_THAT(parse_rp_rules(body.dump()), Succeeds());
  for (const json& v : {json(7), json::object(), json("!!"), json("YQ=a")}) {
    body["value"] = v;
    EXPECT_THAT(parse_rp_secret(body.dump()), FailsWith(kBad, checks::kRequestField)) << v;
  }
  body["value"] = std::string(kMaxRpSecretText + 4, 'A');
  EXPECT_THAT(parse_rp_secret(body.dump()), FailsWith(kBad, checks::kRequestField));
}

TEST(RpRequest, RulesBadMembers) {
  const auto bad = [](const json& body) {
    EXPECT_THAT(parse_rp_rules(body.dump()), FailsWith(kBad, checks::kRequestField)) << body;
    EXPECT_THAT(parse_rp_secret(body.dump()), FailsWith(kBad, checks::kRequestField)) << body;
  };
  json body = secret_body();
  body.erase("releasePolicy");
  bad(body);
  for (const json& p : {json(1), json::array(), json(nullptr), json(true)}) {
    body["releasePolicy"] = p;
    bad(body);
  }
  body = secret_body();
  body.erase("trustedIssuers");
  bad(body);
  for (const json& i :
       {json("https://a"), json::object(), json::array({1}), json::array({"https://a", nullptr})}) {
    body["trustedIssuers"] = i;
    bad(body);
  }
  body = secret_body();
  body["trustedIssuers"] = json::array();
  for (std::size_t i = 0; i <= kMaxRpIssuers; ++i) {
    body["trustedIssuers"].push_back("https://a");
  }
  bad(body);
  body["trustedIssuers"] = {std::string(kMaxRpIssuerText + 1, 'h')};
  bad(body);
  body = secret_body();
  body["releasePolicy"] = std::string(kMaxRpPolicyText + 1, ' ');
  bad(body);
}

// ---- KBS ----------------------------------------------------------------------------------------

TEST(RpRequest, KbsAuth) {
  auto r = parse_kbs_auth(R"({"version":"0.1.1","tee":"snp","extra-params":""})");
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->tee, "snp");
  EXPECT_EQ(r->media_type, kbs_media_type("snp"));
  EXPECT_FALSE(kbs_media_type("tpm").empty());
  EXPECT_TRUE(kbs_media_type("sgx").empty());
  for (const char* text :
       {"", "[]", "null", R"({})", R"({"tee":1})", R"({"tee":["tpm"]})", R"({"tee":"tpm"} x)"}) {
    EXPECT_THAT(parse_kbs_auth(text), FailsWith(kBad, checks::kRequestField)) << text;
  }
  for (const std::string& tee : {std::string("sgx"), std::string(""), std::string(5000, 't')}) {
    EXPECT_THAT(parse_kbs_auth(json{{"tee", tee}}.dump()),
                FailsWith(kBad, checks::kUnsupportedType));
  }
  EXPECT_THAT(parse_kbs_auth(R"({"tee":"tpm","x":)" + deep_array(100) + "}"),
              FailsWith(kBad, checks::kRequestJson));
}

json kbs_attest_body() {
  return {{"runtime-data", {{"tee-pubkey", {{"kty", "EC"}}}, {"nonce", b64("nonce")}}},
          {"tee-evidence", {{"quote", "AA"}}}};
}

TEST(RpRequest, KbsAttestParses) {
  auto r = parse_kbs_attest(kbs_attest_body().dump());
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->nonce, bytes("nonce"));
  // Compact, keys sorted.
  EXPECT_EQ(r->runtime_data, R"({"nonce":")" + b64("nonce") + R"(","tee-pubkey":{"kty":"EC"}})");
  EXPECT_EQ(r->tee_evidence, json({{"quote", "AA"}}));
}

TEST(RpRequest, KbsAttestCarriesInitData) {
  json body = kbs_attest_body();
  EXPECT_FALSE(parse_kbs_attest(body.dump())->init_data.has_value());
  body["init-data"] = {{"format", "toml"}, {"body", "algorithm = \"sha256\"\n"}};
  auto r = parse_kbs_attest(body.dump());
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->init_data, "algorithm = \"sha256\"\n");
  for (const json& bad :
       {json("x"), json{{"format", "toml"}}, json{{"body", "x"}},
        json{{"format", "yaml"}, {"body", "x"}}, json{{"format", "json"}, {"body", 5}},
        json{{"format", "toml"}, {"body", ""}},
        json{{"format", "toml"}, {"body", std::string(kMaxRpInitDataText + 1, 'a')}}}) {
    body["init-data"] = bad;
    EXPECT_THAT(parse_kbs_attest(body.dump()), FailsWith(kBad, checks::kRequestField)) << bad;
  }
}

TEST(RpRequest, KbsAttestBadInput) {
  for (const std::string& text :
       {std::string(""), std::string("[]"), std::string(R"({"runtime-data":{}})"),
        std::string(R"({"tee-evidence":{}})"),
        std::string(R"({"runtime-data":"x","tee-evidence":{}})"),
        std::string(R"({"runtime-data":{},"tee-evidence":{}})"),
        std::string(R"({"runtime-data":{"nonce":5},"tee-evidence":{}})"),
        kbs_attest_body().dump() + ",", kbs_attest_body().dump() + "{}"}) {
    EXPECT_THAT(parse_kbs_attest(text), FailsWith(kBad, checks::kRequestField)) << text;
  }
  json body = kbs_attest_body();
  body["runtime-data"]["nonce"] = "**";
  EXPECT_THAT(parse_kbs_attest(body.dump()),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kKbsNonce));
  body["runtime-data"]["nonce"] = std::string(kMaxRpNonceText + 4, 'A');
  EXPECT_THAT(parse_kbs_attest(body.dump()),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kKbsNonce));
  EXPECT_THAT(parse_kbs_attest(R"({"runtime-data":{"x":)" + deep_array(100) + "}}"),
              FailsWith(kBad, checks::kRequestJson));
}

TEST(RpRequest, KbsEvidenceTpm) {
  const json bundle = {{"quote", "AA"}, {"signature", "AA"}};
  for (const json& ev : {bundle, json(bundle.dump()), json{{"primary_evidence", bundle}},
                         json(json{{"primary_evidence", bundle}}.dump())}) {
    auto r = kbs_evidence("tpm", ev);
    ASSERT_THAT(r, Succeeds()) << ev;
    EXPECT_EQ(json::parse(*r), bundle);
  }
  for (const json& ev :
       {json(5), json::array(), json("not json"), json("[1]"), json(nullptr),
        json{{"primary_evidence", "text"}}, json(R"({"a":)" + deep_array(100) + "}")}) {
    EXPECT_THAT(kbs_evidence("tpm", ev), FailsWith(kBad, checks::kRequestField)) << ev;
  }
}

TEST(RpRequest, KbsEvidenceSnp) {
  auto r = kbs_evidence("snp", json{{"report", b64("report")}});
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(*r, bytes("report"));
  r = kbs_evidence("snp", json(json{{"primary_evidence", {{"report", b64("r")}}}}.dump()));
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(*r, bytes("r"));
  for (const json& ev :
       {json::object(), json{{"report", 1}}, json{{"report", "a b"}}, json{{"report", "=AAA"}},
        json{{"report", std::string(kMaxKbsReportText + 4, 'A')}}, json("{\"report\":\"AA\"} x")}) {
    EXPECT_THAT(kbs_evidence("snp", ev), FailsWith(kBad, checks::kRequestField)) << ev;
  }
  EXPECT_THAT(kbs_evidence("sgx", json{{"report", "AA"}}),
              FailsWith(kBad, checks::kUnsupportedType));
}

TEST(RpRequest, KbsSessionCookie) {
  EXPECT_EQ(kbs_session_cookie("kbs-session-id=abc"), "abc");
  EXPECT_EQ(kbs_session_cookie("a=1;  kbs-session-id=abc; b=2"), "abc");
  EXPECT_EQ(kbs_session_cookie("kbs-session-id=first;kbs-session-id=second"), "first");
  EXPECT_EQ(kbs_session_cookie(""), "");
  EXPECT_EQ(kbs_session_cookie(";;; ;"), "");
  EXPECT_EQ(kbs_session_cookie("xkbs-session-id=abc"), "");
  EXPECT_EQ(kbs_session_cookie("kbs-session-id"), "");
  EXPECT_EQ(kbs_session_cookie("kbs-session-id="), "");
  EXPECT_EQ(kbs_session_cookie("kbs-session-id=" + std::string(kMaxKbsSessionId, 'a')),
            std::string(kMaxKbsSessionId, 'a'));
  EXPECT_EQ(kbs_session_cookie("kbs-session-id=" + std::string(kMaxKbsSessionId + 1, 'a')), "");
}

// Found by fuzz_json_depth: nlohmann's parser stops at a NUL byte and accepts what precedes it,
// so "{...}\0garbage" parsed as the object. A NUL anywhere is refused.
TEST(RpRequest, TrailingGarbageAfterANulByteIsRefused) {
  const std::string nul_garbage = std::string("\0garbage[[", 10);
  EXPECT_THAT(parse_rp_attest(attest_body().dump() + nul_garbage),
              FailsWith(kBad, checks::kRequestJson));
  EXPECT_THAT(parse_rp_release(R"({"token":"a.b.c"})" + nul_garbage),
              FailsWith(kBad, checks::kRequestJson));
  EXPECT_THAT(parse_rp_rules(secret_body().dump() + nul_garbage),
              FailsWith(kBad, checks::kRequestJson));
  EXPECT_THAT(parse_rp_secret(secret_body().dump() + nul_garbage),
              FailsWith(kBad, checks::kRequestJson));
  EXPECT_THAT(parse_kbs_auth(R"({"tee":"tpm"})" + nul_garbage),
              FailsWith(kBad, checks::kRequestJson));
  EXPECT_THAT(parse_kbs_attest(kbs_attest_body().dump() + nul_garbage),
              FailsWith(kBad, checks::kRequestJson));
  EXPECT_THAT(kbs_evidence("tpm", json(R"({"quote":"AA"})" + nul_garbage)),
              FailsWith(kBad, checks::kRequestField));
}

}  // namespace
}  // namespace vouch::service
