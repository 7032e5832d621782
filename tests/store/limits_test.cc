// Conformance suite, bad input and limits: every kind of field over its limit or malformed is
// refused with (kInvalidArgument, store.limit | store.argument) and writes nothing.

#include "store/limits.h"

#include "tests/store/fixture.h"

namespace vouch::store::testing {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;

const auto kTooLong = FailsWith(ErrorKind::kInvalidArgument, checks::kLimit);
const auto kMalformed = FailsWith(ErrorKind::kInvalidArgument, checks::kArgument);

class LimitsTest : public StoreTest {};

TEST_P(LimitsTest, Identifiers) {
  EXPECT_THAT(store().tenants().create(make_tenant(std::string(limits::kMaxId + 1, 'a'))),
              kTooLong);
  EXPECT_THAT(store().tenants().create(make_tenant(std::string(limits::kMaxId, 'a'))), Succeeds());
  EXPECT_THAT(store().tenants().create(make_tenant("")), kMalformed);
  EXPECT_THAT(store().tenants().create(make_tenant("has space")), kMalformed);
  EXPECT_THAT(store().tenants().create(make_tenant("tab\t")), kMalformed);
  EXPECT_THAT(store().tenants().create(make_tenant("caf\xc3\xa9")), kMalformed);
  EXPECT_THAT(store().tenants().get(""), kMalformed);
  EXPECT_THAT(store().keys().get(kTenant, std::string(200, 'k')), kTooLong);
  EXPECT_THAT(store().sessions().consume(kTenant, "rats", "", kT0), kMalformed);
  EXPECT_THAT(*store().tenants().list(), SizeIs(2));
}

TEST_P(LimitsTest, TextAndJson) {
  Tenant t = make_tenant("big");
  t.issuer = std::string(limits::kMaxUrl + 1, 'u');
  EXPECT_THAT(store().tenants().create(t), kTooLong);
  t = make_tenant("big");
  t.settings = {{"blob", std::string(limits::kMaxJson, 'x')}};
  EXPECT_THAT(store().tenants().create(t), kTooLong);
  EXPECT_THAT(store().tenants().get("big"),
              FailsWith(ErrorKind::kNotFound, checks::kTenantNotFound));

  EXPECT_THAT(store().policies().set(make_policy("Tpm", std::string(limits::kMaxPolicy + 1, 'p'))),
              kTooLong);
  EXPECT_THAT(store().policies().set(make_policy("Tpm", "")), kMalformed);
  NewPolicy p = make_policy("Tpm", "ok");
  p.hash = Bytes(65, 1);
  EXPECT_THAT(store().policies().set(p), kTooLong);
  p.hash.clear();
  EXPECT_THAT(store().policies().set(p), kMalformed);
  p = make_policy("Tpm", std::string("nul\0inside", 10));
  EXPECT_THAT(store().policies().set(p), kMalformed);
  p = make_policy("Tpm", "bad utf-8 \xc3\x28");
  EXPECT_THAT(store().policies().set(p), kMalformed);
  p = make_policy("Tpm", "overlong \xc0\xaf");
  EXPECT_THAT(store().policies().set(p), kMalformed);
  p = make_policy("Tpm", "surrogate \xed\xa0\x80");
  EXPECT_THAT(store().policies().set(p), kMalformed);
  EXPECT_THAT(store().policies().current(kTenant, "Tpm"),
              FailsWith(ErrorKind::kNotFound, checks::kPolicyNotFound));

  EXPECT_THAT(
      store().audit().append(kTenant, kT0, "x", {{"big", std::string(limits::kMaxJson, 'a')}}),
      kTooLong);
  EXPECT_FALSE(store().audit().head(kTenant)->has_value());

  ListEntry e = make_entry("m", std::string(limits::kMaxValue + 1, 'f'));
  EXPECT_THAT(store().reference_values().add(e), kTooLong);
  e = make_entry("m", "ok");
  e.reason = std::string(limits::kMaxShortText + 1, 'r');
  EXPECT_THAT(store().deny_list().add(e), kTooLong);
  EXPECT_THAT(*store().deny_list().list(kTenant, {}), IsEmpty());
}

TEST_P(LimitsTest, Blobs) {
  SigningKey k = make_key("k");
  k.private_key = Bytes(limits::kMaxBlob + 1, 7);
  EXPECT_THAT(store().keys().add(k), kTooLong);
  k = make_key("k");
  k.private_key.clear();
  EXPECT_THAT(store().keys().add(k), kMalformed);

  Session s = make_session("s", std::string(limits::kMaxNonce + 1, 'n'));
  EXPECT_THAT(store().sessions().create(s), kTooLong);

  NewSecret sec = make_secret("x");
  sec.ciphertext = Bytes(limits::kMaxBlob + 1, 1);
  EXPECT_THAT(store().secrets().create(sec), kTooLong);
  sec = make_secret("x");
  sec.trusted_issuers.assign(limits::kMaxTrustedIssuers + 1, "https://i");
  EXPECT_THAT(store().secrets().create(sec), kTooLong);
  EXPECT_THAT(*store().secrets().list(kTenant, true), IsEmpty());

  CollateralEntry c{"key", Bytes(limits::kMaxCollateral + 1, 0), {}, kT0, {}, ""};
  EXPECT_THAT(store().collateral().put(c), kTooLong);
  c = {std::string(limits::kMaxUrl + 1, 'k'), bytes_of("b"), {}, kT0, {}, ""};
  EXPECT_THAT(store().collateral().put(c), kTooLong);

  EnrolledAk ak = make_ak("a");
  ak.ak_name = Bytes(limits::kMaxId + 1, 1);
  EXPECT_THAT(store().enrollment().register_ak(ak), kTooLong);

  // The largest accepted collateral body round-trips.
  c = {"big", Bytes(limits::kMaxCollateral, 0xab), {}, kT0, {}, ""};
  ASSERT_THAT(store().collateral().put(c), Succeeds());
  EXPECT_EQ(store().collateral().get("big")->body.size(), limits::kMaxCollateral);
}

TEST_P(LimitsTest, PageSizes) {
  EXPECT_THAT(store().audit().page(kTenant, 0, 0), kTooLong);
  EXPECT_THAT(store().audit().page(kTenant, 0, limits::kMaxPage + 1), kTooLong);
  EXPECT_THAT(store().policies().history(kTenant, "Tpm", 0, 0), kTooLong);
  ListQuery q;
  q.limit = limits::kMaxPage + 1;
  EXPECT_THAT(store().reference_values().list(kTenant, q), kTooLong);
  EXPECT_THAT(store().sessions().purge_expired(kT0, 0), kTooLong);
  EXPECT_THAT(store().token_status().purge_expired(kT0, limits::kMaxPage + 1), kTooLong);
  EXPECT_THAT(store().audit().page(kTenant, 0, limits::kMaxPage), Succeeds());
}

VOUCH_STORE_BACKENDS(LimitsTest);

}  // namespace
}  // namespace vouch::store::testing
