// The policy hash (and its SHA-256), the value model, claims from JSON and from a ClaimSet, and
// the incoming-claim catalogue.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "base/encoding.h"
#include "claims/claim_set.h"
#include "crypto/digest.h"
#include "policy/catalogue.h"
#include "policy/check_ids.h"
#include "policy/claim_input.h"
#include "policy/policy.h"
#include "testing/matchers.h"

namespace vouch::policy {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;
using json = nlohmann::json;

TEST(PolicyHash, IsSha256OfTheBase64UrlText) {
  // BASE64URL(SHA256(BASE64URL(text))): "abc" -> "YWJj" -> SHA-256 -> base64url.
  const Bytes digest = crypto::digest(crypto::HashAlg::kSha256, as_bytes(std::string_view("YWJj")));
  EXPECT_EQ(policy_hash("abc"), base64url_encode(digest));
  EXPECT_EQ(policy_hash("abc").size(), 43u);  // no padding
  // Every byte counts: a trailing newline is a different policy.
  EXPECT_NE(policy_hash("version=1.0;"), policy_hash("version=1.0;\n"));
}

TEST(PolicyValue, KindsEqualityAndRendering) {
  EXPECT_EQ(Value().kind(), ValueKind::kEmpty);
  EXPECT_EQ(Value::boolean(true).kind(), ValueKind::kBoolean);
  EXPECT_EQ(Value::integer(1).kind(), ValueKind::kInteger);
  EXPECT_EQ(Value::string("a").kind(), ValueKind::kString);
  EXPECT_EQ(Value::set({}).kind(), ValueKind::kSet);
  EXPECT_NE(Value::integer(1), Value::string("1"));
  EXPECT_NE(Value::boolean(true), Value::integer(1));
  // Sets flatten and drop Empty elements.
  const Value s = Value::set({Value::integer(1), Value(), Value::set({Value::string("x")})});
  EXPECT_EQ(s, Value::set({Value::integer(1), Value::string("x")}));
  EXPECT_EQ(s.to_json(), json::array({1, "x"}));
  EXPECT_EQ(s.to_display(), "{1, \"x\"}");
  EXPECT_EQ(Value().to_json(), nullptr);
  EXPECT_EQ(Value().to_display(), "<empty>");
  EXPECT_EQ(Value::string("a\"b").to_display(), "\"a\\\"b\"");
  EXPECT_EQ(Value::string(std::string(200, 'x')).to_display(8), "\"xxxxxxxx\"... (200 bytes)");
  // JSON values are Strings holding the JSON text, with the parse kept.
  const Value j = Value::json(json{{"b", 1}, {"a", "\xff"}});
  EXPECT_EQ(j.kind(), ValueKind::kString);
  EXPECT_EQ(*j.if_string(), "{\"a\":\"\xEF\xBF\xBD\",\"b\":1}");  // invalid UTF-8 replaced
  ASSERT_NE(j.parsed_json(), nullptr);
  EXPECT_EQ(j, Value::string(*j.if_string()));
  EXPECT_EQ(value_kind_name(ValueKind::kInteger), "Integer");
  EXPECT_EQ(parse_issuer("AttestationPolicy"), Issuer::kAttestationPolicy);
  EXPECT_EQ(parse_issuer("attestationpolicy"), std::nullopt);
}

TEST(PolicyClaimsInput, ObjectForm) {
  auto claims = claims_from_json(json{{"b", true},
                                      {"i", 7},
                                      {"s", "x"},
                                      {"set", {1, 2}},
                                      {"obj", {{"k", 1}}},
                                      {"nested", json::array({json::array({1})})},
                                      {"empty", json::array()}},
                                 Issuer::kAttestationService);
  ASSERT_THAT(claims, Succeeds());
  ASSERT_EQ(claims->size(), 7u);  // object members come sorted by name
  EXPECT_EQ((*claims)[0].type, "b");
  EXPECT_EQ((*claims)[0].value, Value::boolean(true));
  EXPECT_EQ((*claims)[1].value, Value::integer(7));
  EXPECT_EQ((*claims)[2].type, "nested");
  EXPECT_EQ((*claims)[2].value, Value::string("[[1]]"));
  EXPECT_EQ((*claims)[3].type, "obj");
  EXPECT_EQ((*claims)[3].value, Value::string("{\"k\":1}"));
  EXPECT_NE((*claims)[3].value.parsed_json(), nullptr);
  EXPECT_EQ((*claims)[4].value, Value::string("x"));
  EXPECT_EQ((*claims)[5].type, "set");
  EXPECT_EQ((*claims)[6].type, "set");
  EXPECT_EQ((*claims)[6].value, Value::integer(2));
  for (const auto& c : *claims) {
    EXPECT_EQ(c.issuer, Issuer::kAttestationService);
    EXPECT_FALSE(c.read_only);
  }
}

TEST(PolicyClaimsInput, ArrayForm) {
  auto claims = claims_from_json(json::parse(R"([
      {"type": "a", "value": 1},
      {"type": "a", "value": "x", "issuer": "CustomClaim"},
      {"type": "pcrs", "value": {"PCRs": []}},
      {"type": "pcrs", "value": {"PCRs": []}, "issuer": "CustomClaim"},
      {"type": "q", "value": true, "readOnly": true}])"),
                                 Issuer::kAttestationService);
  ASSERT_THAT(claims, Succeeds());
  ASSERT_EQ(claims->size(), 5u);
  EXPECT_EQ((*claims)[1].issuer, Issuer::kCustomClaim);
  EXPECT_TRUE((*claims)[2].read_only);  // the service's pcrs claim is read-only
  EXPECT_FALSE((*claims)[3].read_only);
  EXPECT_TRUE((*claims)[4].read_only);
}

TEST(PolicyClaimsInput, RejectsWhatIsNoClaim) {
  for (const char* text :
       {"1", "\"x\"", "[1]", R"([{"value": 1}])", R"([{"type": 1, "value": 1}])",
        R"([{"type": "a"}])", R"([{"type": "a", "value": 1, "issuer": "Me"}])",
        R"([{"type": "a", "value": 1, "extra": 1}])",
        R"([{"type": "a", "value": 1, "readOnly": 1}])", R"({"a": null})", R"({"a": 1.5})",
        R"({"a": [1, 1.5]})", R"({"a": 18446744073709551615})"}) {
    EXPECT_THAT(claims_from_json(json::parse(text), Issuer::kCustomClaim),
                FailsWith(ErrorKind::kInvalidArgument, checks::kInput))
        << text;
  }
}

TEST(PolicyClaimsInput, FromAVerifiedClaimSet) {
  claims::ClaimSet set;
  set.set("tpm.quote.nonce", Bytes{0xab, 0xcd});
  set.set("tpm.clock.safe", true);
  set.set("tpm.clock", std::int64_t{42});
  const auto claims = claims_from_claim_set(set, Issuer::kAttestationService);
  ASSERT_EQ(claims.size(), 3u);
  EXPECT_EQ(claims[0].type, "tpm.clock");
  EXPECT_EQ(claims[0].value, Value::integer(42));
  EXPECT_EQ(claims[1].value, Value::boolean(true));
  EXPECT_EQ(claims[2].value, Value::string("abcd"));  // bytes as lowercase hex
}

TEST(PolicyCatalogue, IsSortedAndNamesTypes) {
  const auto all = incoming_claim_catalogue();
  for (std::size_t i = 1; i < all.size(); ++i) {
    EXPECT_LT(all[i - 1].type, all[i].type);
  }
  for (const auto& spec : all) {
    EXPECT_NE(spec.attestation_types, 0) << spec.type;
    EXPECT_FALSE(spec.description.empty()) << spec.type;
    if (!spec.replacement.empty()) {
      EXPECT_NE(find_incoming_claim(spec.replacement, std::nullopt), nullptr) << spec.type;
    }
  }
  const IncomingClaimSpec* svn = find_incoming_claim("x-ms-sgx-svn", AttestationType::kSgx);
  ASSERT_NE(svn, nullptr);
  EXPECT_EQ(svn->value_type, CatalogueType::kInteger);
  EXPECT_EQ(find_incoming_claim("x-ms-sgx-svn", AttestationType::kTdx), nullptr);
  EXPECT_NE(find_incoming_claim("x-ms-attestation-type", AttestationType::kTpm), nullptr);
  EXPECT_TRUE(is_read_only_claim("pcrs", Issuer::kAttestationService));
  EXPECT_FALSE(is_read_only_claim("pcrs", Issuer::kAttestationPolicy));
  EXPECT_FALSE(is_read_only_claim("events", Issuer::kAttestationService));
  for (const char* name : {"sgx", "tdx", "sevsnp", "tpm", "azurevm"}) {
    const auto t = parse_attestation_type(name);
    ASSERT_TRUE(t.has_value()) << name;
    EXPECT_EQ(attestation_type_name(*t), name);
  }
  EXPECT_EQ(parse_attestation_type("snp"), std::nullopt);
  const PropertySpec* mask =
      find_property("required_pcr_mask", ast::Section::kConfiguration, AttestationType::kTpm);
  ASSERT_NE(mask, nullptr);
  EXPECT_EQ(mask->value_type, CatalogueType::kInteger);
  EXPECT_EQ(find_property("required_pcr_mask", ast::Section::kIssuance, AttestationType::kTpm),
            nullptr);
}

}  // namespace
}  // namespace vouch::policy
