#include "token/result_check.h"

#include <gtest/gtest.h>

#include <map>

#include "base/encoding.h"
#include "crypto/jwk.h"
#include "crypto/kdf.h"
#include "jose/signature.h"
#include "testing/matchers.h"
#include "testing/vectors.h"
#include "tests/token/fixtures.h"
#include "token/check_ids.h"
#include "token/profiles.h"
#include "token/status_list.h"

namespace vouch::token {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

const std::string kListUri = "https://vouch.test/status-lists/1";

// Serves status list tokens from memory; a missing uri is "unavailable".
class FakeFetcher final : public StatusListFetcher {
 public:
  Result<std::string> fetch(std::string_view uri) override {
    ++calls;
    const auto it = lists.find(std::string(uri));
    if (it == lists.end()) {
      return fail(ErrorKind::kCollateralUnavailable, checks::kResultStatusUnavailable,
                  "503 from the status list endpoint");
    }
    return it->second;
  }
  std::map<std::string, std::string> lists;
  int calls = 0;
};

class ResultCheck : public ::testing::Test {
 protected:
  ResultCheck() : clock_(from_unix_seconds(test::kNow + 10)) {
    options_.trusted_issuers = {test::kIssuer};
    StatusList list(64);
    EXPECT_THAT(list.set(3, 1), Succeeds());  // entry 3 is revoked
    fetcher_.lists[kListUri] =
        issue_status_list_token(signer(), list,
                                {kListUri, test::kIssuer, from_unix_seconds(test::kNow),
                                 std::chrono::seconds(3600), std::nullopt})
            .value();
  }

  static const LocalSigner& signer() { return test::signer(jose::JwsAlg::kEs256); }

  static nlohmann::json claims(std::uint64_t idx = 1) {
    return {{"iss", test::kIssuer},     {"iat", test::kNow},
            {"nbf", test::kNow},        {"exp", test::kNow + 600},
            {"aud", "https://rp.test"}, {"status", status_claim({idx, kListUri})}};
  }

  static std::string issue(const nlohmann::json& c,
                           nlohmann::json header = nlohmann::json::object()) {
    return issue_jwt(signer(), std::move(header), c).value();
  }

  Result<CheckedResult> check(const std::string& token) {
    return check_result_token(token, test::keys_of(signer()), options_, clock_, &fetcher_);
  }

  FixedClock clock_;
  ResultCheckOptions options_;
  FakeFetcher fetcher_;
};

TEST_F(ResultCheck, AcceptsAGoodToken) {
  options_.audience = "https://rp.test";
  auto r = check(issue(claims()));
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->revocation, RevocationOutcome::kValid);
  EXPECT_EQ(r->kid, signer().kid());
  EXPECT_EQ(r->claims["iss"], test::kIssuer);
  EXPECT_EQ(fetcher_.calls, 1);
}

TEST_F(ResultCheck, RefusesAlgNoneAndAlgorithmConfusion) {
  const std::string none = jose::make_unsecured_jwt({{"typ", "JWT"}}, claims()).value();
  EXPECT_THAT(check(none), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultAlg));
  // HS256 keyed with the issuer's public key.
  const std::string input = base64url_encode(as_bytes(R"({"alg":"HS256"})")) + "." +
                            base64url_encode(as_bytes(claims().dump()));
  const Bytes secret = to_bytes(as_bytes(signer().public_jwk().key.pem()));
  const std::string hs =
      input + "." +
      base64url_encode(crypto::hmac(crypto::HashAlg::kSha256, secret, as_bytes(input)));
  EXPECT_THAT(check(hs), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultAlg));
  options_.allowed_algs = {jose::JwsAlg::kRs256};
  EXPECT_THAT(check(issue(claims())), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultAlg));
}

TEST_F(ResultCheck, RefusesKeysFromTheTokenHeader) {
  const LocalSigner& attacker = test::signer(jose::JwsAlg::kEs384);
  const nlohmann::json header = {{"jwk", crypto::public_key_to_jwk(attacker.public_jwk().key)},
                                 {"x5c", {base64_encode(attacker.public_jwk().x5c[0].der())}}};
  // issue_jwt sets the attacker's kid, which the issuer's JWKS does not have.
  const std::string forged = issue_jwt(attacker, header, claims()).value();
  EXPECT_THAT(check(forged), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultKid));
  // Without a kid the header key is still ignored.
  const std::string no_kid =
      jose::jwt_sign_compact(jose::JwsAlg::kEs384, header, claims(), [&](ByteSpan in) {
        return attacker.sign(in);
      }).value();
  EXPECT_THAT(check(no_kid), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultSignature));
}

TEST_F(ResultCheck, RefusesTamperingAndMalformedTokens) {
  const std::string token = issue(claims());
  nlohmann::json changed = claims();
  changed["exp"] = test::kNow + 86400;
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  const std::string tampered = token.substr(0, first + 1) +
                               base64url_encode(as_bytes(changed.dump())) + token.substr(second);
  EXPECT_THAT(check(tampered), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultSignature));
  EXPECT_THAT(check("a.b"), FailsWith(ErrorKind::kMalformedEvidence, checks::kResultFormat));
  EXPECT_THAT(check("!!.e30.AA"), FailsWith(ErrorKind::kMalformedEvidence, checks::kResultFormat));
}

TEST_F(ResultCheck, IssuerAndAudience) {
  nlohmann::json c = claims();
  c["iss"] = "https://evil.test";
  EXPECT_THAT(check(issue(c)), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultIss));
  c.erase("iss");
  EXPECT_THAT(check(issue(c)), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultIss));
  options_.audience = "https://other-rp.test";
  EXPECT_THAT(check(issue(claims())), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultAud));
  c = claims();
  c["aud"] = {"https://a.test", "https://other-rp.test"};
  EXPECT_THAT(check(issue(c)), Succeeds());
  c.erase("aud");
  EXPECT_THAT(check(issue(c)), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultAud));
  options_.audience.reset();
  EXPECT_THAT(check(issue(c)), Succeeds());
}

TEST_F(ResultCheck, ExpiryAndNotBeforeWithSkew) {
  options_.skew = std::chrono::seconds(30);
  nlohmann::json c = claims();
  c["exp"] = test::kNow - 10;  // expired 20 s ago: inside the skew
  EXPECT_THAT(check(issue(c)), Succeeds());
  c["exp"] = test::kNow - 25;  // 35 s ago: outside
  EXPECT_THAT(check(issue(c)), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultExp));
  c.erase("exp");
  EXPECT_THAT(check(issue(c)), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultExp));
  c = claims();
  c["nbf"] = test::kNow + 35;  // 25 s ahead: inside
  EXPECT_THAT(check(issue(c)), Succeeds());
  c["nbf"] = test::kNow + 50;  // 40 s ahead: outside
  EXPECT_THAT(check(issue(c)), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultNbf));
  c = claims();
  c.erase("nbf");
  c["iat"] = test::kNow + 35;  // issued by a clock 25 s ahead: inside
  EXPECT_THAT(check(issue(c)), Succeeds());
  c["iat"] = test::kNow + 100;  // 90 s ahead (EAR has no nbf): outside
  EXPECT_THAT(check(issue(c)), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultNbf));
  options_.skew = std::chrono::seconds(0);
  c = claims();
  c["exp"] = test::kNow + 10;  // exactly now
  EXPECT_THAT(check(issue(c)), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultExp));
}

TEST_F(ResultCheck, RevokedThroughTheStatusList) {
  EXPECT_THAT(check(issue(claims(3))),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kResultRevoked));
  EXPECT_THAT(check(issue(claims(4))), Succeeds());
}

TEST_F(ResultCheck, StatusListUnavailableFailsClosedByDefault) {
  fetcher_.lists.clear();
  EXPECT_THAT(check(issue(claims())),
              FailsWith(ErrorKind::kRevocationUnavailable, checks::kResultStatusUnavailable));
  EXPECT_THAT(
      check_result_token(issue(claims()), test::keys_of(signer()), options_, clock_, nullptr),
      FailsWith(ErrorKind::kRevocationUnavailable, checks::kResultStatusUnavailable));
  options_.revocation = RevocationMode::kFailOpen;
  auto r = check(issue(claims()));
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->revocation, RevocationOutcome::kUnavailableFailOpen);
  ASSERT_TRUE(r->revocation_error.has_value());
  EXPECT_EQ(r->revocation_error->check, checks::kResultStatusUnavailable);
  // Fail-open never turns a revoked entry into a valid one.
  StatusList list(64);
  ASSERT_THAT(list.set(3, 1), Succeeds());
  fetcher_.lists[kListUri] =
      issue_status_list_token(
          signer(), list,
          {kListUri, test::kIssuer, from_unix_seconds(test::kNow), std::nullopt, std::nullopt})
          .value();
  EXPECT_THAT(check(issue(claims(3))),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kResultRevoked));
}

TEST_F(ResultCheck, ForgedOrStaleStatusListsAreUnavailable) {
  // Signed by a key the issuer does not publish.
  fetcher_.lists[kListUri] =
      issue_status_list_token(
          test::signer(jose::JwsAlg::kEs384), StatusList(64),
          {kListUri, test::kIssuer, from_unix_seconds(test::kNow), std::nullopt, std::nullopt})
          .value();
  EXPECT_THAT(check(issue(claims())),
              FailsWith(ErrorKind::kRevocationUnavailable, checks::kResultStatusUnavailable));
  // Expired list.
  fetcher_.lists[kListUri] =
      issue_status_list_token(signer(), StatusList(64),
                              {kListUri, test::kIssuer, from_unix_seconds(test::kNow - 7200),
                               std::chrono::seconds(60), std::nullopt})
          .value();
  EXPECT_THAT(check(issue(claims())),
              FailsWith(ErrorKind::kRevocationUnavailable, checks::kResultStatusUnavailable));
  // An index beyond the list.
  fetcher_.lists[kListUri] =
      issue_status_list_token(
          signer(), StatusList(8),
          {kListUri, test::kIssuer, from_unix_seconds(test::kNow), std::nullopt, std::nullopt})
          .value();
  EXPECT_THAT(check(issue(claims(100))),
              FailsWith(ErrorKind::kRevocationUnavailable, checks::kResultStatusUnavailable));
}

TEST_F(ResultCheck, StatusClaimRules) {
  nlohmann::json c = claims();
  c.erase("status");
  auto r = check(issue(c));
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->revocation, RevocationOutcome::kNoStatusClaim);
  options_.require_status = true;
  EXPECT_THAT(check(issue(c)), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultStatusClaim));
  c["status"] = {{"status_list", {{"idx", "1"}, {"uri", kListUri}}}};
  EXPECT_THAT(check(issue(c)), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultStatusClaim));
}

TEST_F(ResultCheck, ChecksRunInTheDocumentedOrder) {
  // A token wrong in every way fails at the earliest step: the algorithm, then the signature,
  // then the issuer.
  nlohmann::json c = claims(3);
  c["iss"] = "https://evil.test";
  c["exp"] = 1;
  EXPECT_THAT(check(issue(c)), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultIss));
  c["iss"] = test::kIssuer;
  EXPECT_THAT(check(issue(c)), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultExp));
  options_.trusted_issuers.clear();
  EXPECT_THAT(check(issue(claims())), FailsWith(ErrorKind::kEvidenceRejected, checks::kResultIss));
  EXPECT_EQ(fetcher_.calls, 0);
}

TEST(PeekIssuer, ReadsWithoutVerifying) {
  const std::string token = issue_jwt(test::signer(jose::JwsAlg::kEs256), nlohmann::json::object(),
                                      {{"iss", "https://vouch.test"}})
                                .value();
  EXPECT_EQ(peek_issuer(token).value(), "https://vouch.test");
  EXPECT_THAT(peek_issuer("x.y"), FailsWith(ErrorKind::kMalformedEvidence, checks::kResultFormat));
}

// Real tokens (MANIFEST.md): MAA RS256 tokens checked at their recording time (2022-05-31T23:00Z)
// as a relying party trusting that instance; the Trustee EAR is expired.
TEST(ResultCheckVectors, MaaTokensPassAtTheirRecordedTime) {
  VOUCH_REQUIRE_VECTORS();
  const std::string dir = "tokens/azure-sdk-for-cpp-maa/";
  for (const std::string name :
       {"AttestWithRuntimeData-SgxEnclave_Shared", "AttestWithRuntimeData-OpenEnclave_Shared",
        "AttestWithRuntimeData-SgxEnclave_Isolated"}) {
    const auto keys =
        jose::parse_jwks(::vouch::testing::read_vector_text(dir + name + ".certs.derived.json"));
    ASSERT_THAT(keys, Succeeds());
    std::string token = ::vouch::testing::read_vector_text(dir + name + ".token.derived.jwt");
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
      token.pop_back();
    }
    ResultCheckOptions options;
    options.allowed_algs = {jose::JwsAlg::kRs256};
    options.trusted_issuers = {peek_issuer(token).value()};
    FixedClock at(parse_rfc3339("2022-05-31T23:00:00Z").value());
    auto r = check_result_token(token, *keys, options, at, nullptr);
    ASSERT_THAT(r, Succeeds()) << name;
    EXPECT_EQ(r->revocation, RevocationOutcome::kNoStatusClaim);
    // A day later they have expired; and another issuer is not trusted.
    FixedClock later(parse_rfc3339("2022-06-02T00:00:00Z").value());
    EXPECT_THAT(check_result_token(token, *keys, options, later, nullptr),
                FailsWith(ErrorKind::kEvidenceRejected, checks::kResultExp));
    options.trusted_issuers = {"https://vouch.test"};
    EXPECT_THAT(check_result_token(token, *keys, options, at, nullptr),
                FailsWith(ErrorKind::kEvidenceRejected, checks::kResultIss));
  }
}

TEST(ResultCheckVectors, TrusteeEarIsExpired) {
  VOUCH_REQUIRE_VECTORS();
  std::string token =
      ::vouch::testing::read_vector_text("ear/veraison-ear/ear-trustee-realm-expired.derived.jwt");
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
    token.pop_back();
  }
  // Pin the key out of band (the one its header carries; the header itself is never trusted).
  const auto parts = jose::parse_jws_compact(token).value();
  jose::JwkSet pinned;
  pinned.keys.push_back(
      jose::Jwk{crypto::public_key_from_jwk(parts.header["jwk"]).value(), "", "", "", {}});
  ResultCheckOptions options;
  options.trusted_issuers = {};
  FixedClock now(parse_rfc3339("2026-01-01T00:00:00Z").value());
  // It has no "iss": a relying party cannot trust its issuer.
  EXPECT_THAT(check_result_token(token, pinned, options, now, nullptr),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kResultIss));
  // Had it one we trusted, expiry would refuse it (exp 1752059439 = 2025-07-09).
  nlohmann::json claims =
      nlohmann::json::parse(std::string(parts.payload.begin(), parts.payload.end()));
  EXPECT_EQ(claims["exp"], 1752059439);
  EXPECT_LT(claims["exp"].get<std::int64_t>(), unix_seconds(now.now()));
  // With the header's key absent from the caller's keys, the signature step refuses it first.
  EXPECT_THAT(check_result_token(token, test::keys_of(test::signer(jose::JwsAlg::kEs256)), options,
                                 now, nullptr),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kResultSignature));
}

}  // namespace
}  // namespace vouch::token
