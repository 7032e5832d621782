// Conformance suite, part 1: tenants, policies, signing keys, reference values and deny lists,
// API keys. Written against the interfaces only; runs on every backend.

#include "store/limits.h"
#include "tests/store/fixture.h"

namespace vouch::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// ---------------------------------------------------------------------------------------------
// Tenants

class TenantStoreTest : public StoreTest {};

TEST_P(TenantStoreTest, CreateReturnsRevisionOneAndGetReadsItBack) {
  Tenant t = make_tenant("acme");
  t.created_at = at(5);
  auto created = store().tenants().create(t);
  ASSERT_THAT(created, Succeeds());
  EXPECT_EQ(created->revision, 1);
  EXPECT_EQ(created->updated_at, at(5));
  auto got = store().tenants().get("acme");
  ASSERT_THAT(got, Succeeds());
  EXPECT_EQ(got->name, "acme");
  EXPECT_EQ(got->issuer, t.issuer);
  EXPECT_EQ(got->settings, t.settings);
  EXPECT_EQ(got->created_at, at(5));
}

TEST_P(TenantStoreTest, CreateRefusesATakenName) {
  EXPECT_THAT(store().tenants().create(make_tenant(kTenant)),
              FailsWith(ErrorKind::kAlreadyExists, checks::kTenantExists));
}

TEST_P(TenantStoreTest, GetUnknownIsNotFound) {
  EXPECT_THAT(store().tenants().get("nobody"),
              FailsWith(ErrorKind::kNotFound, checks::kTenantNotFound));
}

TEST_P(TenantStoreTest, ListIsSortedByName) {
  ASSERT_THAT(store().tenants().create(make_tenant("zeta")), Succeeds());
  ASSERT_THAT(store().tenants().create(make_tenant("alpha")), Succeeds());
  auto list = store().tenants().list();
  ASSERT_THAT(list, Succeeds());
  std::vector<std::string> names;
  for (const Tenant& t : *list) {
    names.push_back(t.name);
  }
  EXPECT_THAT(names, ElementsAre("alpha", kTenant, "zeta"));
}

TEST_P(TenantStoreTest, UpdateReplacesIssuerAndSettingsAndBumpsRevision) {
  TenantUpdate u{kTenant, "https://new.example", {{"alg", "RS256"}}, at(10), 1};
  auto updated = store().tenants().update(u);
  ASSERT_THAT(updated, Succeeds());
  EXPECT_EQ(updated->revision, 2);
  EXPECT_EQ(updated->issuer, "https://new.example");
  EXPECT_EQ(updated->settings, nlohmann::json({{"alg", "RS256"}}));
  EXPECT_EQ(updated->created_at, kT0);
  EXPECT_EQ(updated->updated_at, at(10));
  // The same expected revision is now stale.
  EXPECT_THAT(store().tenants().update(u),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kTenantRevision));
  u.expected_revision.reset();
  EXPECT_THAT(store().tenants().update(u), Succeeds());
  EXPECT_EQ(store().tenants().get(kTenant)->revision, 3);
}

TEST_P(TenantStoreTest, UpdateUnknownIsNotFound) {
  EXPECT_THAT(store().tenants().update({"nobody", "https://x", nlohmann::json::object(), kT0, {}}),
              FailsWith(ErrorKind::kNotFound, checks::kTenantNotFound));
}

TEST_P(TenantStoreTest, SettingsMustBeAnObject) {
  Tenant t = make_tenant("acme");
  t.settings = nlohmann::json::array({1, 2});
  EXPECT_THAT(store().tenants().create(t),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
}

TEST_P(TenantStoreTest, RemoveDeletesEverythingButTheAuditChain) {
  ASSERT_THAT(store().policies().set(make_policy("Tpm", "p")), Succeeds());
  ASSERT_THAT(store().keys().add(make_key("k1")), Succeeds());
  ASSERT_THAT(store().reference_values().add(make_entry("m", "aa")), Succeeds());
  ASSERT_THAT(store().deny_list().add(make_entry("m", "bb")), Succeeds());
  ASSERT_THAT(store().api_keys().add(make_api_key("a1", Role::kAuditor)), Succeeds());
  ASSERT_THAT(store().sessions().create(make_session("s1", "n1")), Succeeds());
  ASSERT_THAT(store().token_status().allocate(make_allocation("j1")), Succeeds());
  ASSERT_THAT(store().secrets().create(make_secret("sec")), Succeeds());
  ASSERT_THAT(store().enrollment().register_ak(make_ak("ak")), Succeeds());
  ASSERT_THAT(store().enrollment().add_challenge(make_challenge("c1")), Succeeds());
  ASSERT_THAT(store().audit().append(kTenant, kT0, "tenant.create", {{"n", 1}}), Succeeds());

  ASSERT_THAT(store().tenants().remove(kTenant), Succeeds());
  EXPECT_THAT(store().tenants().remove(kTenant),
              FailsWith(ErrorKind::kNotFound, checks::kTenantNotFound));

  // Recreate the name: nothing of the old tenant is visible, except its audit chain.
  ASSERT_THAT(store().tenants().create(make_tenant(kTenant)), Succeeds());
  EXPECT_THAT(store().policies().current(kTenant, "Tpm"),
              FailsWith(ErrorKind::kNotFound, checks::kPolicyNotFound));
  EXPECT_THAT(*store().keys().list(kTenant), IsEmpty());
  EXPECT_THAT(*store().reference_values().list(kTenant, {}), IsEmpty());
  EXPECT_THAT(*store().deny_list().list(kTenant, {}), IsEmpty());
  EXPECT_THAT(*store().api_keys().list(kTenant), IsEmpty());
  EXPECT_THAT(store().sessions().get(kTenant, "s1"),
              FailsWith(ErrorKind::kNotFound, checks::kSessionNotFound));
  EXPECT_THAT(*store().token_status().list_ids(kTenant), IsEmpty());
  EXPECT_THAT(*store().secrets().list(kTenant, true), IsEmpty());
  EXPECT_THAT(*store().enrollment().list_aks(kTenant), IsEmpty());
  EXPECT_THAT(store().enrollment().take_challenge(kTenant, "c1", kT0),
              FailsWith(ErrorKind::kNotFound, checks::kChallengeNotFound));
  auto head = store().audit().head(kTenant);
  ASSERT_THAT(head, Succeeds());
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->sequence, 1u);
}

TEST_P(TenantStoreTest, TenantScopedWritesNeedTheTenant) {
  NewPolicy p = make_policy("Tpm", "p");
  p.tenant = "ghost";
  EXPECT_THAT(store().policies().set(p), FailsWith(ErrorKind::kNotFound, checks::kTenantNotFound));
  SigningKey k = make_key("k");
  k.tenant = "ghost";
  EXPECT_THAT(store().keys().add(k), FailsWith(ErrorKind::kNotFound, checks::kTenantNotFound));
  ListEntry e = make_entry("m", "v");
  e.tenant = "ghost";
  EXPECT_THAT(store().deny_list().add(e), FailsWith(ErrorKind::kNotFound, checks::kTenantNotFound));
  Session s = make_session("s", "n");
  s.tenant = "ghost";
  EXPECT_THAT(store().sessions().create(s),
              FailsWith(ErrorKind::kNotFound, checks::kTenantNotFound));
  StatusAllocation a = make_allocation("j");
  a.tenant = "ghost";
  EXPECT_THAT(store().token_status().allocate(a),
              FailsWith(ErrorKind::kNotFound, checks::kTenantNotFound));
  NewSecret sec = make_secret("x");
  sec.tenant = "ghost";
  EXPECT_THAT(store().secrets().create(sec),
              FailsWith(ErrorKind::kNotFound, checks::kTenantNotFound));
}

VOUCH_STORE_BACKENDS(TenantStoreTest);

// ---------------------------------------------------------------------------------------------
// Policies

class PolicyStoreTest : public StoreTest {};

TEST_P(PolicyStoreTest, CurrentIsNotFoundBeforeAnySet) {
  EXPECT_THAT(store().policies().current(kTenant, "Tpm"),
              FailsWith(ErrorKind::kNotFound, checks::kPolicyNotFound));
}

TEST_P(PolicyStoreTest, SetAddsVersionsAndNeverOverwrites) {
  for (int i = 1; i <= 3; ++i) {
    NewPolicy p = make_policy("Tpm", "policy " + std::to_string(i));
    p.created_at = at(i);
    auto v = store().policies().set(p);
    ASSERT_THAT(v, Succeeds());
    EXPECT_EQ(v->version, i);
    EXPECT_FALSE(v->is_default);
  }
  auto current = store().policies().current(kTenant, "Tpm");
  ASSERT_THAT(current, Succeeds());
  EXPECT_EQ(current->version, 3);
  EXPECT_EQ(current->text, "policy 3");
  EXPECT_EQ(current->hash, bytes_of("hash:policy 3"));
  EXPECT_EQ(current->author, "admin");
  EXPECT_EQ(current->created_at, at(3));
  auto first = store().policies().version(kTenant, "Tpm", 1);
  ASSERT_THAT(first, Succeeds());
  EXPECT_EQ(first->text, "policy 1");
  EXPECT_EQ(first->created_at, at(1));
  EXPECT_THAT(store().policies().version(kTenant, "Tpm", 4),
              FailsWith(ErrorKind::kNotFound, checks::kPolicyNotFound));
  // Types are independent.
  EXPECT_THAT(store().policies().current(kTenant, "SevSnpVm"),
              FailsWith(ErrorKind::kNotFound, checks::kPolicyNotFound));
}

TEST_P(PolicyStoreTest, ResetAddsADefaultVersion) {
  ASSERT_THAT(store().policies().set(make_policy("Tpm", "custom")), Succeeds());
  auto reset = store().policies().reset(make_policy("Tpm", "default"));
  ASSERT_THAT(reset, Succeeds());
  EXPECT_EQ(reset->version, 2);
  EXPECT_TRUE(reset->is_default);
  EXPECT_TRUE(store().policies().current(kTenant, "Tpm")->is_default);
  EXPECT_EQ(store().policies().version(kTenant, "Tpm", 1)->text, "custom");
}

TEST_P(PolicyStoreTest, ExpectedVersionGuardsConcurrentEdits) {
  NewPolicy p = make_policy("Tpm", "a");
  p.expected_version = 0;
  ASSERT_THAT(store().policies().set(p), Succeeds());
  EXPECT_THAT(store().policies().set(p),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kPolicyVersion));
  p.expected_version = 1;
  EXPECT_THAT(store().policies().set(p), Succeeds());
}

TEST_P(PolicyStoreTest, HistoryPagesNewestFirst) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_THAT(store().policies().set(make_policy("Tpm", "v" + std::to_string(i))), Succeeds());
  }
  auto page1 = store().policies().history(kTenant, "Tpm", 0, 2);
  ASSERT_THAT(page1, Succeeds());
  ASSERT_THAT(*page1, SizeIs(2));
  EXPECT_EQ((*page1)[0].version, 5);
  EXPECT_EQ((*page1)[1].version, 4);
  auto page2 = store().policies().history(kTenant, "Tpm", (*page1)[1].version, 10);
  ASSERT_THAT(page2, Succeeds());
  ASSERT_THAT(*page2, SizeIs(3));
  EXPECT_EQ((*page2)[0].version, 3);
  EXPECT_EQ((*page2)[2].version, 1);
  EXPECT_THAT(*store().policies().history(kTenant, "Other", 0, 10), IsEmpty());
}

VOUCH_STORE_BACKENDS(PolicyStoreTest);

// ---------------------------------------------------------------------------------------------
// Signing keys

class KeyStoreTest : public StoreTest {};

TEST_P(KeyStoreTest, AddGetActiveAndList) {
  ASSERT_THAT(store().keys().add(make_key("k1")), Succeeds());
  auto k = store().keys().get(kTenant, "k1");
  ASSERT_THAT(k, Succeeds());
  EXPECT_EQ(k->algorithm, "ES256");
  EXPECT_EQ(k->private_key, bytes_of("encrypted:k1"));
  EXPECT_EQ(k->public_jwk["kid"], "k1");
  EXPECT_EQ(k->certificate_der, bytes_of("cert:k1"));
  EXPECT_EQ(k->state, KeyState::kActive);
  EXPECT_EQ(store().keys().active(kTenant)->kid, "k1");
  EXPECT_THAT(*store().keys().list(kTenant), SizeIs(1));
  EXPECT_THAT(store().keys().get(kTenant, "nope"),
              FailsWith(ErrorKind::kNotFound, checks::kKeyNotFound));
}

TEST_P(KeyStoreTest, ActiveIsNotFoundWithoutKeys) {
  EXPECT_THAT(store().keys().active(kTenant),
              FailsWith(ErrorKind::kNotFound, checks::kKeyNotFound));
}

TEST_P(KeyStoreTest, AddRefusesTakenKidSecondActiveAndRetiringWithoutNotAfter) {
  ASSERT_THAT(store().keys().add(make_key("k1")), Succeeds());
  EXPECT_THAT(store().keys().add(make_key("k1", KeyState::kRetired)),
              FailsWith(ErrorKind::kAlreadyExists, checks::kKeyExists));
  EXPECT_THAT(store().keys().add(make_key("k2")),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kKeyActiveExists));
  SigningKey retiring = make_key("k3", KeyState::kRetiring);
  retiring.not_after.reset();
  EXPECT_THAT(store().keys().add(retiring),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
  EXPECT_THAT(store().keys().add(make_key("k4", KeyState::kRetiring)), Succeeds());
}

TEST_P(KeyStoreTest, RotateRetiresTheOldKeyAndPublishesBothUntilNotAfter) {
  ASSERT_THAT(store().keys().add(make_key("k1")), Succeeds());
  SigningKey k2 = make_key("k2");
  k2.created_at = at(10);
  auto rotated = store().keys().rotate(k2, at(100));
  ASSERT_THAT(rotated, Succeeds());
  EXPECT_EQ(rotated->kid, "k2");
  EXPECT_EQ(store().keys().active(kTenant)->kid, "k2");
  auto old = store().keys().get(kTenant, "k1");
  ASSERT_THAT(old, Succeeds());
  EXPECT_EQ(old->state, KeyState::kRetiring);
  EXPECT_EQ(old->not_after, at(100));

  auto kids = [&](Timestamp now) {
    std::vector<std::string> out;
    auto published = store().keys().published(kTenant, now);
    EXPECT_THAT(published, Succeeds());
    for (const SigningKey& k : published.value_or(std::vector<SigningKey>{})) {
      out.push_back(k.kid);
    }
    return out;
  };
  EXPECT_THAT(kids(at(99)), ElementsAre("k1", "k2"));
  EXPECT_THAT(kids(at(100)), ElementsAre("k2"));

  auto retired = store().keys().retire_expired(kTenant, at(99));
  ASSERT_THAT(retired, Succeeds());
  EXPECT_EQ(*retired, 0u);
  retired = store().keys().retire_expired(kTenant, at(100));
  ASSERT_THAT(retired, Succeeds());
  EXPECT_EQ(*retired, 1u);
  EXPECT_EQ(store().keys().get(kTenant, "k1")->state, KeyState::kRetired);
  EXPECT_EQ(store().keys().get(kTenant, "k1")->retired_at, at(100));
}

TEST_P(KeyStoreTest, RotateWithATakenKidChangesNothing) {
  ASSERT_THAT(store().keys().add(make_key("k1")), Succeeds());
  EXPECT_THAT(store().keys().rotate(make_key("k1"), at(100)),
              FailsWith(ErrorKind::kAlreadyExists, checks::kKeyExists));
  // The old key was not moved to retiring: the transaction rolled back.
  EXPECT_EQ(store().keys().get(kTenant, "k1")->state, KeyState::kActive);
  EXPECT_THAT(store().keys().rotate(make_key("k2", KeyState::kRetiring), at(100)),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
}

TEST_P(KeyStoreTest, RetireMovesToRetiredOnce) {
  ASSERT_THAT(store().keys().add(make_key("k1")), Succeeds());
  auto r = store().keys().retire(kTenant, "k1", at(5));
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->state, KeyState::kRetired);
  EXPECT_EQ(r->retired_at, at(5));
  EXPECT_THAT(store().keys().retire(kTenant, "k1", at(6)),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kKeyState));
  EXPECT_THAT(store().keys().retire(kTenant, "k9", at(6)),
              FailsWith(ErrorKind::kNotFound, checks::kKeyNotFound));
  EXPECT_THAT(*store().keys().published(kTenant, at(6)), IsEmpty());
  // With the active key retired, a new one may be added.
  EXPECT_THAT(store().keys().add(make_key("k2")), Succeeds());
}

VOUCH_STORE_BACKENDS(KeyStoreTest);

// ---------------------------------------------------------------------------------------------
// Reference values and deny lists: one suite over both stores.

struct ListCase {
  Backend backend;
  bool deny;
};

void PrintTo(const ListCase& c, std::ostream* os) {
  *os << c.backend.name << (c.deny ? "/deny_list" : "/reference_values");
}

class ListStoreTest : public ::testing::TestWithParam<ListCase> {
 protected:
  void SetUp() override {
    if (const std::string why = skip_reason(GetParam().backend); !why.empty()) {
      GTEST_SKIP() << why;
    }
    auto opened = GetParam().backend.open(dir_.path());
    ASSERT_THAT(opened, Succeeds());
    store_ = std::move(*opened);
    ASSERT_THAT(store_->tenants().create(make_tenant(kTenant)), Succeeds());
  }
  ListStore& lists() {
    return GetParam().deny ? static_cast<ListStore&>(store_->deny_list())
                           : static_cast<ListStore&>(store_->reference_values());
  }
  ListStore& other() {
    return GetParam().deny ? static_cast<ListStore&>(store_->reference_values())
                           : static_cast<ListStore&>(store_->deny_list());
  }

  vouch::testing::TempDir dir_;
  StorePtr store_;
};

TEST_P(ListStoreTest, AddGetRemove) {
  ListEntry e = make_entry("snp.measurement", "ab12");
  e.not_before = at(10);
  e.not_after = at(20);
  ASSERT_THAT(lists().add(e), Succeeds());
  auto got = lists().get(kTenant, "snp.measurement", "ab12");
  ASSERT_THAT(got, Succeeds());
  EXPECT_EQ(got->reason, "test");
  EXPECT_EQ(got->metadata, e.metadata);
  EXPECT_EQ(got->not_before, at(10));
  EXPECT_EQ(got->not_after, at(20));
  EXPECT_EQ(got->created_at, kT0);
  // The two lists are separate tables.
  EXPECT_THAT(other().get(kTenant, "snp.measurement", "ab12"),
              FailsWith(ErrorKind::kNotFound, checks::kListEntryNotFound));
  EXPECT_THAT(lists().add(e), FailsWith(ErrorKind::kAlreadyExists, checks::kListEntryExists));
  ASSERT_THAT(lists().remove(kTenant, "snp.measurement", "ab12"), Succeeds());
  EXPECT_THAT(lists().remove(kTenant, "snp.measurement", "ab12"),
              FailsWith(ErrorKind::kNotFound, checks::kListEntryNotFound));
  EXPECT_THAT(lists().get(kTenant, "snp.measurement", "ab12"),
              FailsWith(ErrorKind::kNotFound, checks::kListEntryNotFound));
}

TEST_P(ListStoreTest, FindHonoursTheValidityWindow) {
  ListEntry e = make_entry("chip_id", "c0ffee");
  e.not_before = at(10);
  e.not_after = at(20);
  ASSERT_THAT(lists().add(e), Succeeds());
  ASSERT_THAT(lists().add(make_entry("chip_id", "forever")), Succeeds());
  auto find = [&](const std::string& value, Timestamp t) {
    auto r = lists().find(kTenant, "chip_id", value, t);
    EXPECT_THAT(r, Succeeds());
    return r.has_value() && r->has_value();
  };
  EXPECT_FALSE(find("c0ffee", at(9)));
  EXPECT_TRUE(find("c0ffee", at(10)));
  EXPECT_TRUE(find("c0ffee", at(19)));
  EXPECT_FALSE(find("c0ffee", at(20)));
  EXPECT_TRUE(find("forever", at(-1000000)));
  EXPECT_FALSE(find("absent", at(15)));
  EXPECT_TRUE(e.valid_at(at(10)));
  EXPECT_FALSE(e.valid_at(at(20)));
}

TEST_P(ListStoreTest, AddRefusesAnEmptyWindow) {
  ListEntry e = make_entry("tcb", "7");
  e.not_before = at(10);
  e.not_after = at(10);
  EXPECT_THAT(lists().add(e), FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
}

TEST_P(ListStoreTest, ListFiltersAndPagesByKindAndValue) {
  for (const char* v : {"03", "01", "02"}) {
    ASSERT_THAT(lists().add(make_entry("b.kind", v)), Succeeds());
  }
  ListEntry expired = make_entry("a.kind", "old");
  expired.not_after = at(1);
  ASSERT_THAT(lists().add(expired), Succeeds());
  ASSERT_THAT(lists().add(make_entry("a.kind", "zz")), Succeeds());

  auto keys = [](const std::vector<ListEntry>& entries) {
    std::vector<std::string> out;
    for (const ListEntry& e : entries) {
      out.push_back(e.kind + "/" + e.value);
    }
    return out;
  };
  ListQuery q;
  q.limit = 2;
  auto page = lists().list(kTenant, q);
  ASSERT_THAT(page, Succeeds());
  EXPECT_THAT(keys(*page), ElementsAre("a.kind/old", "a.kind/zz"));
  q.after_kind = page->back().kind;
  q.after_value = page->back().value;
  page = lists().list(kTenant, q);
  ASSERT_THAT(page, Succeeds());
  EXPECT_THAT(keys(*page), ElementsAre("b.kind/01", "b.kind/02"));
  q.after_value = page->back().value;
  q.after_kind = page->back().kind;
  page = lists().list(kTenant, q);
  EXPECT_THAT(keys(*page), ElementsAre("b.kind/03"));

  ListQuery by_kind;
  by_kind.kind = "a.kind";
  EXPECT_THAT(keys(*lists().list(kTenant, by_kind)), ElementsAre("a.kind/old", "a.kind/zz"));
  ListQuery valid;
  valid.valid_at = at(5);
  valid.kind = "a.kind";
  EXPECT_THAT(keys(*lists().list(kTenant, valid)), ElementsAre("a.kind/zz"));
}

std::vector<ListCase> list_cases() {
  std::vector<ListCase> out;
  for (const Backend& b : backends()) {
    out.push_back({b, false});
    out.push_back({b, true});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Backends, ListStoreTest, ::testing::ValuesIn(list_cases()),
                         [](const ::testing::TestParamInfo<ListCase>& p) {
                           return p.param.backend.name +
                                  (p.param.deny ? "_deny_list" : "_reference_values");
                         });

// ---------------------------------------------------------------------------------------------
// API keys

class ApiKeyStoreTest : public StoreTest {};

TEST_P(ApiKeyStoreTest, AddGetListEveryRole) {
  const Role roles[] = {Role::kVerifierOwner, Role::kRpOwner, Role::kAuditor, Role::kAttester};
  int n = 0;
  for (Role r : roles) {
    ApiKey k = make_api_key("key" + std::to_string(n), r);
    k.created_at = at(n++);
    ASSERT_THAT(store().api_keys().add(k), Succeeds());
  }
  auto list = store().api_keys().list(kTenant);
  ASSERT_THAT(list, Succeeds());
  ASSERT_THAT(*list, SizeIs(4));
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ((*list)[i].role, roles[i]);
    EXPECT_EQ(parse_role(role_name(roles[i])), roles[i]);
  }
  EXPECT_FALSE(parse_role("admin").has_value());
  auto got = store().api_keys().get(kTenant, "key0");
  ASSERT_THAT(got, Succeeds());
  EXPECT_EQ(got->salt, bytes_of("salt:key0"));
  EXPECT_EQ(got->secret_hash, bytes_of("hash:key0"));
  EXPECT_EQ(got->label, "key key0");
  EXPECT_FALSE(got->revoked_at.has_value());
  EXPECT_THAT(store().api_keys().add(make_api_key("key0", Role::kAuditor)),
              FailsWith(ErrorKind::kAlreadyExists, checks::kApiKeyExists));
  EXPECT_THAT(store().api_keys().get(kTenant, "nope"),
              FailsWith(ErrorKind::kNotFound, checks::kApiKeyNotFound));
}

TEST_P(ApiKeyStoreTest, AddFirstStoresOnlyTheTenantsFirstKey) {
  auto first = store().api_keys().add_first(make_api_key("boot1", Role::kVerifierOwner));
  ASSERT_THAT(first, Succeeds());
  EXPECT_TRUE(*first);
  auto second = store().api_keys().add_first(make_api_key("boot2", Role::kVerifierOwner));
  ASSERT_THAT(second, Succeeds());
  EXPECT_FALSE(*second);
  ASSERT_THAT(store().api_keys().list(kTenant), Succeeds());
  EXPECT_EQ(store().api_keys().list(kTenant)->size(), 1u);
  EXPECT_THAT(store().api_keys().get(kTenant, "boot2"),
              FailsWith(ErrorKind::kNotFound, checks::kApiKeyNotFound));
}

TEST_P(ApiKeyStoreTest, RevokeKeepsTheFirstTime) {
  ApiKey k = make_api_key("k", Role::kAttester);
  k.expires_at = at(100);
  ASSERT_THAT(store().api_keys().add(k), Succeeds());
  EXPECT_TRUE(store().api_keys().get(kTenant, "k")->usable_at(at(99)));
  EXPECT_FALSE(store().api_keys().get(kTenant, "k")->usable_at(at(100)));
  auto revoked = store().api_keys().revoke(kTenant, "k", at(5));
  ASSERT_THAT(revoked, Succeeds());
  EXPECT_EQ(revoked->revoked_at, at(5));
  EXPECT_FALSE(revoked->usable_at(at(6)));
  revoked = store().api_keys().revoke(kTenant, "k", at(9));
  ASSERT_THAT(revoked, Succeeds());
  EXPECT_EQ(revoked->revoked_at, at(5));
  EXPECT_THAT(store().api_keys().revoke(kTenant, "zz", at(9)),
              FailsWith(ErrorKind::kNotFound, checks::kApiKeyNotFound));
}

VOUCH_STORE_BACKENDS(ApiKeyStoreTest);

}  // namespace
}  // namespace vouch::store::testing
