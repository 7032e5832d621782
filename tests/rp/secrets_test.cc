#include "rp/secrets.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>

#include "crypto/aead.h"
#include "rp/check_ids.h"
#include "store/check_ids.h"
#include "testing/matchers.h"
#include "tests/rp/fixtures.h"

namespace vouch::rp {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

const std::string kPolicy =
    R"({"version": "1.0.0", "anyOf": [{"authority": "https://verifier.test",
        "allOf": [{"claim": "x-ms-attestation-type", "equals": "sevsnpvm"}]}]})";

ReleaseRules rules(std::vector<std::string> issuers = {test::kIssuer}) {
  return ReleaseRules{kPolicy, std::move(issuers)};
}

Bytes bytes_of(std::string_view s) {
  return to_bytes(as_bytes(s));
}

bool contains(ByteSpan haystack, ByteSpan needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

class Secrets : public ::testing::Test {
 protected:
  Secrets()
      : clock_(from_unix_seconds(test::kNow)),
        kek_(crypto::random_bytes(32).value()),
        manager_(store_.secrets(), kek_, "kek-1", random_, clock_) {}

  test::TestStore store_;
  FixedClock clock_;
  crypto::SystemRandom random_;
  Bytes kek_;
  SecretManager manager_;
};

TEST_F(Secrets, PutCreatesVersionOneThatOpens) {
  auto info = manager_.put(test::kTenant, "db-password", as_bytes("hunter2"), rules());
  ASSERT_THAT(info, Succeeds());
  EXPECT_EQ(info->version, 1);
  EXPECT_EQ(info->name, "db-password");
  EXPECT_EQ(info->tenant, test::kTenant);
  EXPECT_EQ(info->rules.release_policy, kPolicy);
  EXPECT_EQ(info->rules.trusted_issuers, std::vector<std::string>{test::kIssuer});
  EXPECT_EQ(info->created_at, from_unix_seconds(test::kNow));
  auto opened = manager_.open(test::kTenant, "db-password");
  ASSERT_THAT(opened, Succeeds());
  EXPECT_EQ(opened->version, 1);
  EXPECT_EQ(opened->value, bytes_of("hunter2"));
}

TEST_F(Secrets, StoredRowsAreEnvelopeEncrypted) {
  const std::string value = "a-rather-recognisable-secret-value";
  ASSERT_THAT(manager_.put(test::kTenant, "app/key/one", as_bytes(value), rules()), Succeeds());
  auto row = store_.secrets().current(test::kTenant, "app/key/one");
  ASSERT_THAT(row, Succeeds());
  EXPECT_EQ(row->kek_id, "kek-1");
  // nonce || sealed 32-byte data key || tag, and nonce || sealed value || tag.
  EXPECT_EQ(row->wrapped_key.size(), crypto::kGcmNonceSize + 32 + crypto::kGcmTagSize);
  EXPECT_EQ(row->ciphertext.size(), crypto::kGcmNonceSize + value.size() + crypto::kGcmTagSize);
  EXPECT_FALSE(contains(row->ciphertext, as_bytes(value)));
  EXPECT_FALSE(contains(row->wrapped_key, kek_));
  // A fresh data key per version: the same value twice gives unrelated rows.
  ASSERT_THAT(manager_.put(test::kTenant, "app/key/one", as_bytes(value), rules()), Succeeds());
  auto row2 = store_.secrets().current(test::kTenant, "app/key/one");
  ASSERT_THAT(row2, Succeeds());
  EXPECT_EQ(row2->version, 2);
  EXPECT_NE(row2->wrapped_key, row->wrapped_key);
  EXPECT_NE(row2->ciphertext, row->ciphertext);
}

TEST_F(Secrets, PutAgainAddsAVersionAndReplacesTheRules) {
  ASSERT_THAT(manager_.put(test::kTenant, "s", as_bytes("v1"), rules()), Succeeds());
  clock_.set(from_unix_seconds(test::kNow + 60));
  auto info = manager_.put(test::kTenant, "s", as_bytes("v2"), rules({"https://other.test/"}));
  ASSERT_THAT(info, Succeeds());
  EXPECT_EQ(info->version, 2);
  EXPECT_EQ(info->rules.trusted_issuers, std::vector<std::string>{"https://other.test/"});
  EXPECT_EQ(info->updated_at, from_unix_seconds(test::kNow + 60));
  auto opened = manager_.open(test::kTenant, "s");
  ASSERT_THAT(opened, Succeeds());
  EXPECT_EQ(opened->version, 2);
  EXPECT_EQ(opened->value, bytes_of("v2"));
  // The older version still opens under its own associated data.
  auto v1 = store_.secrets().version(test::kTenant, "s", 1);
  ASSERT_THAT(v1, Succeeds());
}

TEST_F(Secrets, SetRulesKeepsTheValue) {
  ASSERT_THAT(manager_.put(test::kTenant, "s", as_bytes("value"), rules()), Succeeds());
  auto info =
      manager_.set_rules(test::kTenant, "s", rules({"https://a.test", "http://b.test:8080"}));
  ASSERT_THAT(info, Succeeds());
  EXPECT_EQ(info->version, 1);
  EXPECT_EQ(info->rules.trusted_issuers.size(), 2U);
  auto opened = manager_.open(test::kTenant, "s");
  ASSERT_THAT(opened, Succeeds());
  EXPECT_EQ(opened->value, bytes_of("value"));
  EXPECT_THAT(manager_.set_rules(test::kTenant, "absent", rules()),
              FailsWith(ErrorKind::kNotFound, store::checks::kSecretNotFound));
}

TEST_F(Secrets, InfoAndList) {
  ASSERT_THAT(manager_.put(test::kTenant, "b", as_bytes("1"), rules()), Succeeds());
  ASSERT_THAT(manager_.put(test::kTenant, "a/x/y", as_bytes("2"), rules()), Succeeds());
  auto list = manager_.list(test::kTenant);
  ASSERT_THAT(list, Succeeds());
  ASSERT_EQ(list->size(), 2U);
  EXPECT_EQ((*list)[0].name, "a/x/y");
  EXPECT_EQ((*list)[1].name, "b");
  auto info = manager_.info(test::kTenant, "b");
  ASSERT_THAT(info, Succeeds());
  EXPECT_EQ(info->version, 1);
  EXPECT_THAT(manager_.info(test::kTenant, "c"),
              FailsWith(ErrorKind::kNotFound, store::checks::kSecretNotFound));
}

TEST_F(Secrets, NameValidation) {
  const std::vector<std::string> good = {"db-password", "repo/type/tag",       "a",
                                         "A.b_c-9",     std::string(128, 'x'), "a..b/.c"};
  for (const std::string& name : good) {
    EXPECT_THAT(check_secret_name(name), Succeeds()) << name;
  }
  const std::vector<std::string> bad = {"",       std::string(129, 'x'),
                                        "a//b",   "/a",
                                        "a/",     "a b",
                                        "a/../b", "./a",
                                        "a%2Fb",  "caf\xc3\xa9",
                                        "a\nb",   std::string("a\0b", 3)};
  for (const std::string& name : bad) {
    EXPECT_THAT(check_secret_name(name),
                FailsWith(ErrorKind::kInvalidArgument, checks::kSecretName))
        << name;
  }
  EXPECT_THAT(manager_.put(test::kTenant, "a//b", as_bytes("v"), rules()),
              FailsWith(ErrorKind::kInvalidArgument, checks::kSecretName));
  EXPECT_THAT(manager_.open(test::kTenant, "a b"),
              FailsWith(ErrorKind::kInvalidArgument, checks::kSecretName));
  EXPECT_THAT(manager_.remove(test::kTenant, ""),
              FailsWith(ErrorKind::kInvalidArgument, checks::kSecretName));
}

TEST_F(Secrets, ValueValidation) {
  EXPECT_THAT(manager_.put(test::kTenant, "s", ByteSpan(), rules()),
              FailsWith(ErrorKind::kInvalidArgument, checks::kSecretValue));
  const Bytes too_big(kMaxSecretValue + 1, 0x41);
  EXPECT_THAT(manager_.put(test::kTenant, "s", too_big, rules()),
              FailsWith(ErrorKind::kInvalidArgument, checks::kSecretValue));
  const Bytes max(kMaxSecretValue, 0x42);
  ASSERT_THAT(manager_.put(test::kTenant, "s", max, rules()), Succeeds());
  auto opened = manager_.open(test::kTenant, "s");
  ASSERT_THAT(opened, Succeeds());
  EXPECT_EQ(opened->value, max);
}

TEST_F(Secrets, ConfigValidation) {
  const auto bad = [&](const ReleaseRules& r) {
    EXPECT_THAT(manager_.put(test::kTenant, "s", as_bytes("v"), r),
                FailsWith(ErrorKind::kInvalidArgument, checks::kSecretConfig));
  };
  bad(ReleaseRules{"not json", {test::kIssuer}});
  bad(ReleaseRules{R"({"version": "1.0.0", "anyOf": [{"authority": "x", "allOf": [
                     {"claim": "a", "frobnicates": 1}]}]})",
                   {test::kIssuer}});
  bad(rules({}));
  bad(rules(std::vector<std::string>(17, test::kIssuer)));
  bad(rules({"ftp://verifier.test"}));
  bad(rules({"https://"}));
  bad(rules({"https://user@verifier.test"}));
  bad(rules({"https://verifier.test/ a"}));
  bad(rules({"verifier.test"}));
  EXPECT_THAT(manager_.put(test::kTenant, "s", as_bytes("v"),
                           rules(std::vector<std::string>(16, test::kIssuer))),
              Succeeds());
  EXPECT_THAT(manager_.set_rules(test::kTenant, "s", rules({})),
              FailsWith(ErrorKind::kInvalidArgument, checks::kSecretConfig));
}

TEST_F(Secrets, RemoveErasesEveryVersion) {
  ASSERT_THAT(manager_.put(test::kTenant, "s", as_bytes("v1"), rules()), Succeeds());
  ASSERT_THAT(manager_.put(test::kTenant, "s", as_bytes("v2"), rules()), Succeeds());
  ASSERT_THAT(manager_.remove(test::kTenant, "s"), Succeeds());
  EXPECT_THAT(manager_.open(test::kTenant, "s"),
              FailsWith(ErrorKind::kNotFound, store::checks::kSecretNotFound));
  EXPECT_THAT(manager_.info(test::kTenant, "s"),
              FailsWith(ErrorKind::kNotFound, store::checks::kSecretNotFound));
  // Purged, not just marked: the store has no trace of it.
  EXPECT_THAT(store_.secrets().get(test::kTenant, "s"),
              FailsWith(ErrorKind::kNotFound, store::checks::kSecretNotFound));
  EXPECT_THAT(manager_.remove(test::kTenant, "s"),
              FailsWith(ErrorKind::kNotFound, store::checks::kSecretNotFound));
  // The name is free again and starts over at version 1.
  auto info = manager_.put(test::kTenant, "s", as_bytes("v3"), rules());
  ASSERT_THAT(info, Succeeds());
  EXPECT_EQ(info->version, 1);
}

TEST_F(Secrets, RemoveFinishesAnInterruptedRemove) {
  ASSERT_THAT(manager_.put(test::kTenant, "s", as_bytes("v1"), rules()), Succeeds());
  ASSERT_THAT(store_.secrets().remove(test::kTenant, "s", from_unix_seconds(test::kNow)),
              Succeeds());
  EXPECT_THAT(manager_.open(test::kTenant, "s"),
              FailsWith(ErrorKind::kNotFound, store::checks::kSecretNotFound));
  EXPECT_THAT(manager_.info(test::kTenant, "s"),
              FailsWith(ErrorKind::kNotFound, store::checks::kSecretNotFound));
  ASSERT_THAT(manager_.remove(test::kTenant, "s"), Succeeds());
  EXPECT_THAT(store_.secrets().get(test::kTenant, "s"),
              FailsWith(ErrorKind::kNotFound, store::checks::kSecretNotFound));
}

TEST_F(Secrets, WrongKekDoesNotUnseal) {
  ASSERT_THAT(manager_.put(test::kTenant, "s", as_bytes("value"), rules()), Succeeds());
  SecretManager other(store_.secrets(), crypto::random_bytes(32).value(), "kek-1", random_, clock_);
  EXPECT_THAT(other.open(test::kTenant, "s"),
              FailsWith(ErrorKind::kInternal, checks::kSecretUnseal));
  SecretManager renamed(store_.secrets(), kek_, "kek-2", random_, clock_);
  EXPECT_THAT(renamed.open(test::kTenant, "s"),
              FailsWith(ErrorKind::kInternal, checks::kSecretUnseal));
  SecretManager short_kek(store_.secrets(), Bytes(16, 1), "kek-1", random_, clock_);
  EXPECT_THAT(short_kek.open(test::kTenant, "s"),
              FailsWith(ErrorKind::kInternal, checks::kSecretUnseal));
}

TEST_F(Secrets, RowsMovedToAnotherSecretOrVersionDoNotUnseal) {
  ASSERT_THAT(manager_.put(test::kTenant, "a", as_bytes("value-of-a"), rules()), Succeeds());
  auto row = store_.secrets().current(test::kTenant, "a");
  ASSERT_THAT(row, Succeeds());
  // Copied under another name.
  store::NewSecret copy;
  copy.tenant = test::kTenant;
  copy.name = "b";
  copy.release_policy = kPolicy;
  copy.release_policy_kind = "key-release";
  copy.trusted_issuers = {test::kIssuer};
  copy.wrapped_key = row->wrapped_key;
  copy.ciphertext = row->ciphertext;
  copy.kek_id = "kek-1";
  copy.created_at = from_unix_seconds(test::kNow);
  ASSERT_THAT(store_.secrets().create(copy), Succeeds());
  EXPECT_THAT(manager_.open(test::kTenant, "b"),
              FailsWith(ErrorKind::kInternal, checks::kSecretUnseal));
  // Replayed as the next version of the same secret.
  store::NewSecretVersion replay;
  replay.tenant = test::kTenant;
  replay.name = "a";
  replay.wrapped_key = row->wrapped_key;
  replay.ciphertext = row->ciphertext;
  replay.kek_id = "kek-1";
  replay.created_at = from_unix_seconds(test::kNow);
  ASSERT_THAT(store_.secrets().rotate(replay), Succeeds());
  EXPECT_THAT(manager_.open(test::kTenant, "a"),
              FailsWith(ErrorKind::kInternal, checks::kSecretUnseal));
  // A flipped ciphertext bit.
  ASSERT_THAT(manager_.put(test::kTenant, "c", as_bytes("value-of-c"), rules()), Succeeds());
  auto c = store_.secrets().current(test::kTenant, "c");
  ASSERT_THAT(c, Succeeds());
  replay.name = "c";
  replay.wrapped_key = c->wrapped_key;
  replay.ciphertext = c->ciphertext;
  replay.ciphertext[crypto::kGcmNonceSize] ^= 1;
  ASSERT_THAT(store_.secrets().rotate(replay), Succeeds());
  EXPECT_THAT(manager_.open(test::kTenant, "c"),
              FailsWith(ErrorKind::kInternal, checks::kSecretUnseal));
}

TEST_F(Secrets, TenantsAreSeparate) {
  store::Tenant t2;
  t2.name = "t2";
  t2.issuer = "https://verifier.test/t2";
  t2.created_at = from_unix_seconds(test::kNow);
  ASSERT_THAT(store_.get().tenants().create(t2), Succeeds());
  ASSERT_THAT(manager_.put(test::kTenant, "s", as_bytes("one"), rules()), Succeeds());
  EXPECT_THAT(manager_.open("t2", "s"),
              FailsWith(ErrorKind::kNotFound, store::checks::kSecretNotFound));
  ASSERT_THAT(manager_.put("t2", "s", as_bytes("two"), rules()), Succeeds());
  EXPECT_EQ(manager_.open("t2", "s")->value, bytes_of("two"));
  EXPECT_EQ(manager_.open(test::kTenant, "s")->value, bytes_of("one"));
}

TEST_F(Secrets, ConcurrentPutsOfOneManagerAllOpen) {
  ASSERT_THAT(manager_.put(test::kTenant, "s", as_bytes("v0"), rules()), Succeeds());
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 5; ++i) {
        const std::string value = "w" + std::to_string(w) + "-" + std::to_string(i);
        if (!manager_.put(test::kTenant, "s", as_bytes(value), rules())) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : writers) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  auto opened = manager_.open(test::kTenant, "s");
  ASSERT_THAT(opened, Succeeds());
  EXPECT_EQ(opened->version, 21);
}

}  // namespace
}  // namespace vouch::rp
