#include "rp/release.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "crypto/jwk.h"
#include "jose/encryption.h"
#include "jose/signature.h"
#include "rp/check_ids.h"
#include "store/check_ids.h"
#include "testing/matchers.h"
#include "tests/rp/fixtures.h"
#include "token/check_ids.h"
#include "token/profiles.h"
#include "token/status_list.h"

namespace vouch::rp {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;
namespace tc = ::vouch::token::checks;

const std::string kListUri = std::string(test::kIssuer) + "/status-lists/1";
const std::string kSecret = "db-password";
const std::string kValue = "correct-horse-battery-staple-0123456789";
const std::string kPolicy =
    R"({"version": "1.0.0", "anyOf": [{"authority": "https://verifier.test",
        "allOf": [{"claim": "x-ms-attestation-type", "equals": "sevsnpvm"},
                  {"claim": "x-ms-compliance-status", "equals": "azure-compliant-cvm"}]}]})";

// Serves status list tokens from memory; a missing uri is unavailable.
class FakeStatusLists final : public token::StatusListFetcher {
 public:
  Result<std::string> fetch(std::string_view uri) override {
    ++calls;
    const auto it = lists.find(std::string(uri));
    if (it == lists.end()) {
      return fail(ErrorKind::kUnavailable, tc::kResultStatusUnavailable, "503");
    }
    return it->second;
  }
  std::map<std::string, std::string> lists;
  int calls = 0;
};

struct AuditRecord {
  std::string tenant;
  std::string kind;
  nlohmann::json payload;
};

class Releasing : public ::testing::Test {
 protected:
  Releasing()
      : clock_(from_unix_seconds(test::kNow + 10)),
        kek_(crypto::random_bytes(32).value()),
        secrets_(store_.secrets(), kek_, "kek-1", random_, clock_),
        jwks_(http_.getter(), clock_) {
    http_.serve_issuer(test::kIssuer, {&test::verifier_signer()});
    token::StatusList list(64);
    EXPECT_THAT(list.set(3, 1), Succeeds());  // entry 3 is revoked
    status_lists_.lists[kListUri] =
        token::issue_status_list_token(test::verifier_signer(), list,
                                       {kListUri, test::kIssuer, from_unix_seconds(test::kNow),
                                        std::chrono::seconds(3600), std::nullopt})
            .value();
    EXPECT_THAT(put(kValue), Succeeds());
  }

  Result<SecretInfo> put(const std::string& value,
                         std::vector<std::string> issuers = {test::kIssuer}) {
    return secrets_.put(test::kTenant, kSecret, as_bytes(value),
                        ReleaseRules{kPolicy, std::move(issuers)});
  }

  static nlohmann::json tee_jwk(const crypto::PrivateKey& key = test::tee_ec_key()) {
    return crypto::public_key_to_jwk(key.public_key());
  }

  static nlohmann::json claims(std::uint64_t status_idx = 1) {
    return {{"iss", test::kIssuer},
            {"iat", test::kNow},
            {"nbf", test::kNow},
            {"exp", test::kNow + 600},
            {"jti", "4f1c0d7e9a2b"},
            {"x-ms-attestation-type", "sevsnpvm"},
            {"x-ms-compliance-status", "azure-compliant-cvm"},
            {"status", token::status_claim({status_idx, kListUri})},
            {"cnf", {{"jwk", tee_jwk()}}}};
  }

  static std::string sign(const nlohmann::json& c,
                          const token::Signer& signer = test::verifier_signer()) {
    return token::issue_jwt(signer, {{"typ", "JWT"}}, c).value();
  }

  Releaser releaser(ReleaseOptions options = {}, SecretManager* secrets = nullptr) {
    Releaser::Deps deps;
    deps.secrets = secrets != nullptr ? secrets : &secrets_;
    deps.issuer_keys = &jwks_;
    deps.status_lists = &status_lists_;
    deps.audit = [this](std::string_view tenant, std::string_view kind,
                        const nlohmann::json& payload) -> Status {
      if (audit_fails_) {
        return fail(ErrorKind::kUnavailable, store::checks::kBusy, "the audit log is busy");
      }
      audit_.push_back({std::string(tenant), std::string(kind), payload});
      return ok();
    };
    deps.clock = &clock_;
    return Releaser(std::move(deps), std::move(options));
  }

  ReleaseRequest request(std::string token) {
    ReleaseRequest r;
    r.tenant = test::kTenant;
    r.secret = kSecret;
    r.token = std::move(token);
    r.flow = "passport";
    r.client_address = "192.0.2.7";
    r.request_id = "req-1";
    return r;
  }

  Result<Release> release(const std::string& token, ReleaseOptions options = {}) {
    return releaser(std::move(options)).release(request(token));
  }

  // The last audit record is a refusal naming `check`.
  void expect_refusal_audited(CheckId check) {
    ASSERT_FALSE(audit_.empty());
    const AuditRecord& r = audit_.back();
    EXPECT_EQ(r.tenant, test::kTenant);
    EXPECT_EQ(r.kind, "secret.refuse");
    EXPECT_EQ(r.payload.value("check", ""), check.str());
    EXPECT_EQ(r.payload.value("secret", ""), kSecret);
    EXPECT_EQ(r.payload.value("flow", ""), "passport");
    EXPECT_EQ(r.payload.value("client", ""), "192.0.2.7");
    EXPECT_EQ(r.payload.value("request_id", ""), "req-1");
    EXPECT_TRUE(r.payload.contains("detail"));
  }

  void advance(std::int64_t seconds) { clock_.set(clock_.now() + std::chrono::seconds(seconds)); }

  test::TestStore store_;
  FixedClock clock_;
  crypto::SystemRandom random_;
  Bytes kek_;
  SecretManager secrets_;
  test::FakeHttp http_;
  JwksCache jwks_;
  FakeStatusLists status_lists_;
  std::vector<AuditRecord> audit_;
  bool audit_fails_ = false;
};

std::string plaintext_of(const std::string& jwe, const crypto::PrivateKey& key) {
  auto d = jose::jwe_decrypt_compact(jwe, key);
  EXPECT_THAT(d, Succeeds());
  if (!d) {
    return {};
  }
  EXPECT_EQ(d->header.value("kid", ""), kSecret);
  return std::string(d->plaintext.begin(), d->plaintext.end());
}

TEST_F(Releasing, ReleasesToTheBoundKey) {
  ReleaseRequest r = request(sign(claims()));
  r.presented_key = tee_jwk();
  auto released = releaser().release(r);
  ASSERT_THAT(released, Succeeds());
  EXPECT_EQ(plaintext_of(released->jwe, test::tee_ec_key()), kValue);
  EXPECT_EQ(released->secret, kSecret);
  EXPECT_EQ(released->version, 1);
  EXPECT_EQ(released->issuer, test::kIssuer);
  EXPECT_EQ(released->jti, "4f1c0d7e9a2b");
  EXPECT_EQ(released->key_thumbprint, crypto::jwk_thumbprint(test::tee_ec_key().public_key()));
  ASSERT_EQ(audit_.size(), 1U);
  const AuditRecord& a = audit_[0];
  EXPECT_EQ(a.tenant, test::kTenant);
  EXPECT_EQ(a.kind, "secret.release");
  EXPECT_EQ(a.payload["secret"], kSecret);
  EXPECT_EQ(a.payload["version"], 1);
  EXPECT_EQ(a.payload["issuer"], test::kIssuer);
  EXPECT_EQ(a.payload["jti"], "4f1c0d7e9a2b");
  EXPECT_EQ(a.payload["flow"], "passport");
  EXPECT_EQ(a.payload["client"], "192.0.2.7");
  EXPECT_EQ(a.payload["request_id"], "req-1");
  EXPECT_EQ(a.payload["key_thumbprint"], released->key_thumbprint);
  EXPECT_EQ(a.payload["revocation"], "valid");
  EXPECT_FALSE(a.payload.contains("check"));
  EXPECT_EQ(status_lists_.calls, 1);
}

TEST_F(Releasing, ReleasesToAnRsaKeyInXMsRuntime) {
  nlohmann::json c = claims();
  c.erase("cnf");
  c["x-ms-runtime"] = {{"keys", {tee_jwk(test::tee_rsa_key())}}};
  auto released = release(sign(c));
  ASSERT_THAT(released, Succeeds());
  EXPECT_EQ(plaintext_of(released->jwe, test::tee_rsa_key()), kValue);
  EXPECT_EQ(released->key_thumbprint, crypto::jwk_thumbprint(test::tee_rsa_key().public_key()));
}

TEST_F(Releasing, TrustedIssuerTrailingSlashIsIgnored) {
  ASSERT_THAT(put(kValue, {std::string(test::kIssuer) + "/"}), Succeeds());
  ASSERT_THAT(release(sign(claims())), Succeeds());
}

TEST_F(Releasing, SecretNotFound) {
  ReleaseRequest r = request(sign(claims()));
  r.secret = "no-such-secret";
  EXPECT_THAT(releaser().release(r),
              FailsWith(ErrorKind::kNotFound, store::checks::kSecretNotFound));
  ASSERT_EQ(audit_.size(), 1U);
  EXPECT_EQ(audit_[0].payload["check"], store::checks::kSecretNotFound.str());
  EXPECT_EQ(http_.calls, 0);
}

TEST_F(Releasing, StoredPolicyThatDoesNotParse) {
  store::NewSecret s;
  s.tenant = test::kTenant;
  s.name = "broken";
  s.release_policy = "{";
  s.release_policy_kind = "key-release";
  s.trusted_issuers = {test::kIssuer};
  s.wrapped_key = Bytes(60, 1);
  s.ciphertext = Bytes(40, 2);
  s.kek_id = "kek-1";
  s.created_at = from_unix_seconds(test::kNow);
  ASSERT_THAT(store_.secrets().create(s), Succeeds());
  ReleaseRequest r = request(sign(claims()));
  r.secret = "broken";
  EXPECT_THAT(releaser().release(r),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSecretConfig));
  EXPECT_EQ(http_.calls, 0);
}

TEST_F(Releasing, UntrustedIssuerFetchesNothing) {
  nlohmann::json c = claims();
  c["iss"] = "https://evil.test";
  http_.serve_issuer("https://evil.test", {&test::verifier_signer()});
  EXPECT_THAT(release(sign(c)), FailsWith(ErrorKind::kPolicyDenied, checks::kIssuerUntrusted));
  EXPECT_EQ(http_.calls, 0);
  EXPECT_EQ(status_lists_.calls, 0);
  expect_refusal_audited(checks::kIssuerUntrusted);
  EXPECT_EQ(audit_.back().payload["issuer"], "https://evil.test");
  // A prefix or case variant of a trusted issuer is not trusted either.
  c["iss"] = std::string(test::kIssuer) + ".evil.test";
  EXPECT_THAT(release(sign(c)), FailsWith(ErrorKind::kPolicyDenied, checks::kIssuerUntrusted));
  c["iss"] = "https://VERIFIER.test";
  EXPECT_THAT(release(sign(c)), FailsWith(ErrorKind::kPolicyDenied, checks::kIssuerUntrusted));
  EXPECT_EQ(http_.calls, 0);
}

TEST_F(Releasing, MalformedToken) {
  EXPECT_THAT(release("not-a-jwt"), FailsWith(ErrorKind::kMalformedEvidence, tc::kResultFormat));
  expect_refusal_audited(tc::kResultFormat);
  EXPECT_EQ(http_.calls, 0);
}

TEST_F(Releasing, JwksUnreachable) {
  http_.pages.clear();
  EXPECT_THAT(release(sign(claims())),
              FailsWith(ErrorKind::kUnavailable, checks::kJwksUnavailable));
  expect_refusal_audited(checks::kJwksUnavailable);
  EXPECT_EQ(audit_.back().payload["issuer"], test::kIssuer);
}

TEST_F(Releasing, UnknownKidRefreshesTheJwksOnce) {
  // The cache holds the verifier's old key set; then the verifier rotates to a new key.
  http_.serve_issuer(test::kIssuer, {&test::other_signer()});
  ASSERT_THAT(jwks_.keys(test::kIssuer, false), Succeeds());
  ASSERT_EQ(http_.calls, 2);
  advance(60);
  http_.serve_issuer(test::kIssuer, {&test::other_signer(), &test::verifier_signer()});
  ASSERT_THAT(release(sign(claims())), Succeeds());
  EXPECT_EQ(http_.calls, 4);  // exactly one refresh: discovery and JWKS once each
}

TEST_F(Releasing, UnknownKidRefreshIsRateBounded) {
  ASSERT_THAT(jwks_.keys(test::kIssuer, false), Succeeds());
  advance(60);
  // Tokens naming a kid the issuer never published: one refresh, then none within 30 s.
  const std::string forged = sign(claims(), test::other_signer());
  EXPECT_THAT(release(forged), FailsWith(ErrorKind::kEvidenceRejected, tc::kResultKid));
  expect_refusal_audited(tc::kResultKid);
  EXPECT_EQ(http_.calls, 4);
  for (int i = 0; i < 5; ++i) {
    advance(5);
    EXPECT_THAT(release(forged), FailsWith(ErrorKind::kEvidenceRejected, tc::kResultKid));
  }
  EXPECT_EQ(http_.calls, 4);
  advance(5);  // 30 s after the refresh
  EXPECT_THAT(release(forged), FailsWith(ErrorKind::kEvidenceRejected, tc::kResultKid));
  EXPECT_EQ(http_.calls, 6);
}

TEST_F(Releasing, AlgNone) {
  const std::string none = jose::make_unsecured_jwt({{"typ", "JWT"}}, claims()).value();
  EXPECT_THAT(release(none), FailsWith(ErrorKind::kEvidenceRejected, tc::kResultAlg));
  expect_refusal_audited(tc::kResultAlg);
}

TEST_F(Releasing, BadSignature) {
  const std::string token = sign(claims());
  nlohmann::json changed = claims();
  changed["x-ms-compliance-status"] = "azure-compliant-cvm ";
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  const std::string tampered = token.substr(0, first + 1) +
                               base64url_encode(as_bytes(changed.dump())) + token.substr(second);
  EXPECT_THAT(release(tampered), FailsWith(ErrorKind::kEvidenceRejected, tc::kResultSignature));
  expect_refusal_audited(tc::kResultSignature);
  EXPECT_FALSE(audit_.back().payload.contains("jti"));  // nothing unverified is recorded as such
}

TEST_F(Releasing, Expired) {
  nlohmann::json c = claims();
  c["exp"] = test::kNow - 100;
  EXPECT_THAT(release(sign(c)), FailsWith(ErrorKind::kEvidenceRejected, tc::kResultExp));
  expect_refusal_audited(tc::kResultExp);
  // Inside the configured skew it passes.
  c["exp"] = test::kNow - 10;
  EXPECT_THAT(release(sign(c)), Succeeds());
  ReleaseOptions strict;
  strict.skew = std::chrono::seconds(0);
  EXPECT_THAT(release(sign(c), strict), FailsWith(ErrorKind::kEvidenceRejected, tc::kResultExp));
}

TEST_F(Releasing, NotYetValid) {
  nlohmann::json c = claims();
  c["nbf"] = test::kNow + 1000;
  EXPECT_THAT(release(sign(c)), FailsWith(ErrorKind::kEvidenceRejected, tc::kResultNbf));
  expect_refusal_audited(tc::kResultNbf);
}

TEST_F(Releasing, WrongAudience) {
  ReleaseOptions options;
  options.audience = "https://rp.test";
  nlohmann::json c = claims();
  c["aud"] = "https://other-rp.test";
  EXPECT_THAT(release(sign(c), options), FailsWith(ErrorKind::kEvidenceRejected, tc::kResultAud));
  expect_refusal_audited(tc::kResultAud);
  c.erase("aud");
  EXPECT_THAT(release(sign(c), options), FailsWith(ErrorKind::kEvidenceRejected, tc::kResultAud));
  c["aud"] = {"https://a.test", "https://rp.test"};
  EXPECT_THAT(release(sign(c), options), Succeeds());
}

TEST_F(Releasing, RevokedThroughTheStatusList) {
  EXPECT_THAT(release(sign(claims(3))),
              FailsWith(ErrorKind::kEvidenceRejected, tc::kResultRevoked));
  expect_refusal_audited(tc::kResultRevoked);
  EXPECT_FALSE(audit_.back().payload.contains("jti"));  // known only once every token check passed
  ReleaseOptions open;
  open.revocation = token::RevocationMode::kFailOpen;
  EXPECT_THAT(release(sign(claims(3)), open),
              FailsWith(ErrorKind::kEvidenceRejected, tc::kResultRevoked));
}

TEST_F(Releasing, StatusListUnavailableFailsClosed) {
  status_lists_.lists.clear();
  EXPECT_THAT(release(sign(claims())),
              FailsWith(ErrorKind::kRevocationUnavailable, tc::kResultStatusUnavailable));
  expect_refusal_audited(tc::kResultStatusUnavailable);
  // No fetcher at all is the same.
  Releaser::Deps deps;
  deps.secrets = &secrets_;
  deps.issuer_keys = &jwks_;
  deps.status_lists = nullptr;
  deps.audit = [](std::string_view, std::string_view, const nlohmann::json&) { return ok(); };
  deps.clock = &clock_;
  Releaser no_fetcher(std::move(deps), {});
  EXPECT_THAT(no_fetcher.release(request(sign(claims()))),
              FailsWith(ErrorKind::kRevocationUnavailable, tc::kResultStatusUnavailable));
}

TEST_F(Releasing, StatusListUnavailableFailOpenIsAudited) {
  status_lists_.lists.clear();
  ReleaseOptions open;
  open.revocation = token::RevocationMode::kFailOpen;
  auto released = release(sign(claims()), open);
  ASSERT_THAT(released, Succeeds());
  EXPECT_EQ(plaintext_of(released->jwe, test::tee_ec_key()), kValue);
  ASSERT_EQ(audit_.size(), 1U);
  EXPECT_EQ(audit_[0].kind, "secret.release");
  EXPECT_EQ(audit_[0].payload["revocation"], "unavailable_fail_open");
  EXPECT_TRUE(audit_[0].payload.contains("revocation_detail"));
}

TEST_F(Releasing, TokenWithoutStatusIsRecorded) {
  nlohmann::json c = claims();
  c.erase("status");
  ASSERT_THAT(release(sign(c)), Succeeds());
  EXPECT_EQ(audit_.back().payload["revocation"], "no_status");
}

TEST_F(Releasing, ReleasePolicyDeny) {
  nlohmann::json c = claims();
  c["x-ms-compliance-status"] = "not-compliant";
  EXPECT_THAT(release(sign(c)), FailsWith(ErrorKind::kPolicyDenied, checks::kReleasePolicy));
  expect_refusal_audited(checks::kReleasePolicy);
  EXPECT_FALSE(audit_.back().payload["detail"].get<std::string>().empty());
  EXPECT_EQ(audit_.back().payload["jti"], "4f1c0d7e9a2b");
  c.erase("x-ms-compliance-status");
  EXPECT_THAT(release(sign(c)), FailsWith(ErrorKind::kPolicyDenied, checks::kReleasePolicy));
}

TEST_F(Releasing, MissingTeeKey) {
  nlohmann::json c = claims();
  c.erase("cnf");
  EXPECT_THAT(release(sign(c)), FailsWith(ErrorKind::kInvalidArgument, checks::kTeeKeyMissing));
  expect_refusal_audited(checks::kTeeKeyMissing);
  c["x-ms-runtime"] = {{"keys", {tee_jwk(), tee_jwk(test::tee_rsa_key())}}};
  EXPECT_THAT(release(sign(c)), FailsWith(ErrorKind::kInvalidArgument, checks::kTeeKeyMissing));
}

TEST_F(Releasing, MismatchedPresentedKey) {
  ReleaseRequest r = request(sign(claims()));
  r.presented_key = tee_jwk(test::tee_rsa_key());
  EXPECT_THAT(releaser().release(r), FailsWith(ErrorKind::kPolicyDenied, checks::kTeeKeyMismatch));
  expect_refusal_audited(checks::kTeeKeyMismatch);
  EXPECT_EQ(audit_.back().payload["key_thumbprint"],
            crypto::jwk_thumbprint(test::tee_ec_key().public_key()));
  r.presented_key = nlohmann::json{{"kty", "EC"}};
  EXPECT_THAT(releaser().release(r), FailsWith(ErrorKind::kPolicyDenied, checks::kTeeKeyMismatch));
}

TEST_F(Releasing, RotationReleasesTheNewestVersion) {
  ASSERT_THAT(put("the-second-value"), Succeeds());
  auto released = release(sign(claims()));
  ASSERT_THAT(released, Succeeds());
  EXPECT_EQ(released->version, 2);
  EXPECT_EQ(plaintext_of(released->jwe, test::tee_ec_key()), "the-second-value");
  EXPECT_EQ(audit_.back().payload["version"], 2);
}

TEST_F(Releasing, RemovedSecretIsNotFound) {
  ASSERT_THAT(secrets_.remove(test::kTenant, kSecret), Succeeds());
  EXPECT_THAT(release(sign(claims())),
              FailsWith(ErrorKind::kNotFound, store::checks::kSecretNotFound));
  expect_refusal_audited(store::checks::kSecretNotFound);
}

TEST_F(Releasing, WrongKekRefusesToUnseal) {
  SecretManager wrong(store_.secrets(), crypto::random_bytes(32).value(), "kek-1", random_, clock_);
  EXPECT_THAT(releaser({}, &wrong).release(request(sign(claims()))),
              FailsWith(ErrorKind::kInternal, checks::kSecretUnseal));
  expect_refusal_audited(checks::kSecretUnseal);
}

TEST_F(Releasing, AuditFailureRefuses) {
  audit_fails_ = true;
  EXPECT_THAT(release(sign(claims())), FailsWith(ErrorKind::kUnavailable, store::checks::kBusy));
  nlohmann::json c = claims();
  c["iss"] = "https://evil.test";
  EXPECT_THAT(release(sign(c)), FailsWith(ErrorKind::kUnavailable, store::checks::kBusy));
  Releaser::Deps deps;
  deps.secrets = &secrets_;
  deps.issuer_keys = &jwks_;
  deps.status_lists = &status_lists_;
  deps.clock = &clock_;
  Releaser no_sink(std::move(deps), {});
  EXPECT_THAT(no_sink.release(request(sign(claims()))),
              FailsWith(ErrorKind::kInternal, vouch::checks::kInternal));
}

TEST_F(Releasing, AuditRecordsNeverContainTheValue) {
  ReleaseOptions open;
  open.revocation = token::RevocationMode::kFailOpen;
  ASSERT_THAT(release(sign(claims())), Succeeds());
  ASSERT_THAT(release(sign(claims()), open), Succeeds());
  nlohmann::json c = claims();
  c["x-ms-compliance-status"] = "no";
  EXPECT_THAT(release(sign(c)), FailsWith(ErrorKind::kPolicyDenied, checks::kReleasePolicy));
  c = claims();
  c.erase("cnf");
  EXPECT_THAT(release(sign(c)), FailsWith(ErrorKind::kInvalidArgument, checks::kTeeKeyMissing));
  SecretManager wrong(store_.secrets(), crypto::random_bytes(32).value(), "kek-1", random_, clock_);
  EXPECT_THAT(releaser({}, &wrong).release(request(sign(claims()))),
              FailsWith(ErrorKind::kInternal, checks::kSecretUnseal));
  ASSERT_EQ(audit_.size(), 5U);
  const ByteSpan value = as_bytes(kValue);
  const std::vector<std::string> encodings = {kValue, base64_encode(value), base64url_encode(value),
                                              hex_encode(value), kValue.substr(0, 16)};
  for (const AuditRecord& r : audit_) {
    const std::string text = r.payload.dump();
    for (const std::string& e : encodings) {
      EXPECT_EQ(text.find(e), std::string::npos) << r.kind << " record holds the value: " << text;
    }
  }
}

TEST(BoundTeeKey, CnfComesFirst) {
  const nlohmann::json ec = crypto::public_key_to_jwk(test::tee_ec_key().public_key());
  const nlohmann::json rsa = crypto::public_key_to_jwk(test::tee_rsa_key().public_key());
  auto k = bound_tee_key({{"cnf", {{"jwk", ec}}}, {"x-ms-runtime", {{"jwk", rsa}}}});
  ASSERT_THAT(k, Succeeds());
  EXPECT_TRUE(k->equals(test::tee_ec_key().public_key()));
  k = bound_tee_key({{"x-ms-runtime", {{"jwk", rsa}}}});
  ASSERT_THAT(k, Succeeds());
  EXPECT_TRUE(k->equals(test::tee_rsa_key().public_key()));
  k = bound_tee_key({{"x-ms-runtime", {{"keys", {ec}}}}});
  ASSERT_THAT(k, Succeeds());
  EXPECT_TRUE(k->equals(test::tee_ec_key().public_key()));
  // cnf without a jwk falls back to x-ms-runtime.
  k = bound_tee_key({{"cnf", {{"jkt", "abc"}}}, {"x-ms-runtime", {{"jwk", rsa}}}});
  ASSERT_THAT(k, Succeeds());
  EXPECT_TRUE(k->equals(test::tee_rsa_key().public_key()));
}

TEST(BoundTeeKey, ExactlyOneKey) {
  const nlohmann::json ec = crypto::public_key_to_jwk(test::tee_ec_key().public_key());
  const auto missing = [](const nlohmann::json& claims) {
    EXPECT_THAT(bound_tee_key(claims),
                FailsWith(ErrorKind::kInvalidArgument, checks::kTeeKeyMissing))
        << claims.dump();
  };
  missing(nlohmann::json::object());
  missing(nlohmann::json::array());
  missing({{"cnf", {{"jkt", "abc"}}}});
  missing({{"cnf", {{"jwk", {{"kty", "EC"}}}}}});
  missing({{"x-ms-runtime", "key"}});
  missing({{"x-ms-runtime", {{"keys", nlohmann::json::array()}}}});
  missing({{"x-ms-runtime", {{"keys", {ec, ec}}}}});
  missing({{"x-ms-runtime", {{"keys", ec}}}});
  missing({{"x-ms-runtime", {{"keys", {ec}}, {"jwk", ec}}}});
  missing({{"x-ms-runtime", {{"other", ec}}}});
  missing({{"x-ms-runtime", {{"jwk", {{"kty", "oct"}, {"k", "AAAA"}}}}}});
}

}  // namespace
}  // namespace vouch::rp
