// Conformance suite, part 2: sessions, token status lists, audit log, collateral cache, secrets,
// TPM enrolment, and the Store itself. Written against the interfaces only.

#include "store/audit.h"
#include "tests/store/fixture.h"

namespace vouch::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// ---------------------------------------------------------------------------------------------
// Sessions and nonces

class SessionStoreTest : public StoreTest {};

TEST_P(SessionStoreTest, CreateGetConsumeComplete) {
  ASSERT_THAT(store().sessions().create(make_session("s1", "nonce-1")), Succeeds());
  auto got = store().sessions().get(kTenant, "s1");
  ASSERT_THAT(got, Succeeds());
  EXPECT_EQ(got->state, SessionState::kPending);
  EXPECT_EQ(got->nonce, bytes_of("nonce-1"));
  EXPECT_EQ(got->kind, "rats");
  EXPECT_EQ(got->context["accept"][0], "application/eat+jwt");
  EXPECT_EQ(got->expires_at, at(60));

  auto consumed = store().sessions().consume(kTenant, "rats", "s1", at(30));
  ASSERT_THAT(consumed, Succeeds());
  EXPECT_EQ(consumed->state, SessionState::kConsumed);
  EXPECT_EQ(consumed->consumed_at, at(30));

  auto done = store().sessions().complete(kTenant, "s1", SessionState::kComplete, "ear.jwt");
  ASSERT_THAT(done, Succeeds());
  EXPECT_EQ(done->state, SessionState::kComplete);
  EXPECT_EQ(done->result, "ear.jwt");
  EXPECT_EQ(store().sessions().get(kTenant, "s1")->result, "ear.jwt");
  EXPECT_THAT(store().sessions().complete(kTenant, "s1", SessionState::kFailed, "again"),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSessionState));
}

TEST_P(SessionStoreTest, ANonceIsConsumedOnceForever) {
  ASSERT_THAT(store().sessions().create(make_session("s1", "n")), Succeeds());
  ASSERT_THAT(store().sessions().consume(kTenant, "rats", "s1", at(1)), Succeeds());
  EXPECT_THAT(store().sessions().consume(kTenant, "rats", "s1", at(2)),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSessionConsumed));
  EXPECT_THAT(store().sessions().consume_nonce(kTenant, "rats", bytes_of("n"), at(2)),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSessionConsumed));
  ASSERT_THAT(store().sessions().complete(kTenant, "s1", SessionState::kFailed, "bad quote"),
              Succeeds());
  EXPECT_THAT(store().sessions().consume(kTenant, "rats", "s1", at(3)),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSessionConsumed));
  // The nonce cannot be issued again either.
  EXPECT_THAT(store().sessions().create(make_session("s2", "n")),
              FailsWith(ErrorKind::kAlreadyExists, checks::kNonceExists));
  // Survives a restart.
  reopen();
  EXPECT_THAT(store().sessions().consume(kTenant, "rats", "s1", at(4)),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSessionConsumed));
}

TEST_P(SessionStoreTest, ConsumeEnforcesExpiryAndKind) {
  ASSERT_THAT(store().sessions().create(make_session("s1", "n1", 10)), Succeeds());
  EXPECT_THAT(store().sessions().consume(kTenant, "kbs", "s1", at(1)),
              FailsWith(ErrorKind::kNotFound, checks::kSessionNotFound));
  EXPECT_THAT(store().sessions().consume(kTenant, "rats", "s1", at(10)),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSessionExpired));
  EXPECT_THAT(store().sessions().consume_nonce(kTenant, "rats", bytes_of("n1"), at(11)),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSessionExpired));
  // Still pending: a refused consume changes nothing.
  EXPECT_EQ(store().sessions().get(kTenant, "s1")->state, SessionState::kPending);
  EXPECT_THAT(store().sessions().consume(kTenant, "rats", "s1", at(9)), Succeeds());
  EXPECT_THAT(store().sessions().consume(kTenant, "rats", "nope", at(1)),
              FailsWith(ErrorKind::kNotFound, checks::kSessionNotFound));
  EXPECT_THAT(store().sessions().consume_nonce(kTenant, "rats", bytes_of("unknown"), at(1)),
              FailsWith(ErrorKind::kNotFound, checks::kSessionNotFound));
}

TEST_P(SessionStoreTest, ConsumeByNonce) {
  ASSERT_THAT(store().sessions().create(make_session("s1", "abc")), Succeeds());
  auto s = store().sessions().consume_nonce(kTenant, "rats", bytes_of("abc"), at(1));
  ASSERT_THAT(s, Succeeds());
  EXPECT_EQ(s->id, "s1");
  EXPECT_THAT(store().sessions().consume(kTenant, "rats", "s1", at(2)),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSessionConsumed));
}

TEST_P(SessionStoreTest, CreateRefusesDuplicatesAndBadShapes) {
  ASSERT_THAT(store().sessions().create(make_session("s1", "n1")), Succeeds());
  EXPECT_THAT(store().sessions().create(make_session("s1", "n2")),
              FailsWith(ErrorKind::kAlreadyExists, checks::kSessionExists));
  EXPECT_THAT(store().sessions().create(make_session("s2", "n1")),
              FailsWith(ErrorKind::kAlreadyExists, checks::kNonceExists));
  Session s = make_session("s3", "n3", 0);
  EXPECT_THAT(store().sessions().create(s),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
  s = make_session("s3", "n3");
  s.state = SessionState::kConsumed;
  EXPECT_THAT(store().sessions().create(s),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
  s = make_session("s3", "");
  EXPECT_THAT(store().sessions().create(s),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
  EXPECT_THAT(store().sessions().complete(kTenant, "s1", SessionState::kComplete, "x"),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSessionState));
  EXPECT_THAT(store().sessions().complete(kTenant, "s1", SessionState::kPending, "x"),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
  EXPECT_THAT(store().sessions().complete(kTenant, "zz", SessionState::kComplete, "x"),
              FailsWith(ErrorKind::kNotFound, checks::kSessionNotFound));
}

TEST_P(SessionStoreTest, RemoveAndPurgeExpired) {
  ASSERT_THAT(store().sessions().create(make_session("short", "n1", 10)), Succeeds());
  ASSERT_THAT(store().sessions().create(make_session("long", "n2", 1000)), Succeeds());
  ASSERT_THAT(store().sessions().create(make_session("gone", "n3", 1000)), Succeeds());
  ASSERT_THAT(store().sessions().remove(kTenant, "gone"), Succeeds());
  EXPECT_THAT(store().sessions().remove(kTenant, "gone"),
              FailsWith(ErrorKind::kNotFound, checks::kSessionNotFound));
  auto purged = store().sessions().purge_expired(at(10), 100);
  ASSERT_THAT(purged, Succeeds());
  EXPECT_EQ(*purged, 0u);  // expires_at == before is not "before"
  purged = store().sessions().purge_expired(at(11), 100);
  ASSERT_THAT(purged, Succeeds());
  EXPECT_EQ(*purged, 1u);
  EXPECT_THAT(store().sessions().get(kTenant, "short"),
              FailsWith(ErrorKind::kNotFound, checks::kSessionNotFound));
  EXPECT_THAT(store().sessions().get(kTenant, "long"), Succeeds());
}

VOUCH_STORE_BACKENDS(SessionStoreTest);

// ---------------------------------------------------------------------------------------------
// Token status lists

class TokenStatusStoreTest : public StoreTest {};

TEST_P(TokenStatusStoreTest, AllocatesConsecutiveIndicesAndStartsNewLists) {
  std::vector<std::pair<std::int64_t, std::uint32_t>> got;
  for (int i = 0; i < 10; ++i) {
    auto t = store().token_status().allocate(make_allocation("jti" + std::to_string(i), 8));
    ASSERT_THAT(t, Succeeds());
    got.emplace_back(t->list_id, t->index);
  }
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(got[static_cast<std::size_t>(i)], std::make_pair(std::int64_t{1}, std::uint32_t(i)));
  }
  EXPECT_EQ(got[8], std::make_pair(std::int64_t{2}, 0u));
  EXPECT_EQ(got[9], std::make_pair(std::int64_t{2}, 1u));
  EXPECT_THAT(*store().token_status().list_ids(kTenant), ElementsAre(1, 2));
  EXPECT_THAT(store().token_status().allocate(make_allocation("jti3")),
              FailsWith(ErrorKind::kAlreadyExists, checks::kTokenExists));
}

TEST_P(TokenStatusStoreTest, AllocateWithAuditCommitsBothOrNeither) {
  auto both = store().token_status().allocate_with_audit(make_allocation("j1"), at(3),
                                                         "attestation", {{"jti", "j1"}});
  ASSERT_THAT(both, Succeeds());
  EXPECT_EQ(both->first.jti, "j1");
  EXPECT_EQ(both->first.index, 0u);
  EXPECT_EQ(both->second.sequence, 1u);
  EXPECT_EQ(both->second.kind, "attestation");
  EXPECT_THAT(store().token_status().get(kTenant, "j1"), Succeeds());
  auto page = store().audit().page(kTenant, 0, 10);
  ASSERT_THAT(page, Succeeds());
  ASSERT_THAT(*page, SizeIs(1));
  EXPECT_EQ(page->front().hash, both->second.hash);
  // A taken jti fails the whole transaction: no second audit entry.
  EXPECT_THAT(store().token_status().allocate_with_audit(make_allocation("j1"), at(4),
                                                         "attestation", {{"jti", "j1"}}),
              FailsWith(ErrorKind::kAlreadyExists, checks::kTokenExists));
  EXPECT_EQ((*store().audit().head(kTenant))->sequence, 1u);
  // An invalid audit payload fails before anything is written: no status entry either.
  EXPECT_THAT(store().token_status().allocate_with_audit(make_allocation("j2"), at(5),
                                                         "attestation", nlohmann::json::array()),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
  EXPECT_THAT(store().token_status().get(kTenant, "j2"),
              FailsWith(ErrorKind::kNotFound, checks::kTokenNotFound));
  // The chain continues with plain appends.
  ASSERT_THAT(store().audit().append(kTenant, at(6), "policy.set", {{"v", 1}}), Succeeds());
  auto all = store().audit().page(kTenant, 0, 10);
  ASSERT_THAT(all, Succeeds());
  EXPECT_TRUE(verify_chain(*all).ok());
}

TEST_P(TokenStatusStoreTest, RevokeSetsTheBitLeastSignificantFirst) {
  for (int i = 0; i < 12; ++i) {
    ASSERT_THAT(store().token_status().allocate(make_allocation("j" + std::to_string(i))),
                Succeeds());
  }
  auto r = store().token_status().revoke(kTenant, "j1", at(5));
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->revoked_at, at(5));
  ASSERT_THAT(store().token_status().revoke(kTenant, "j9", at(6)), Succeeds());
  // Revoking again keeps the first time.
  EXPECT_EQ(store().token_status().revoke(kTenant, "j1", at(7))->revoked_at, at(5));
  auto list = store().token_status().read_list(kTenant, 1);
  ASSERT_THAT(list, Succeeds());
  EXPECT_EQ(list->capacity, 16u);
  EXPECT_EQ(list->allocated, 12u);
  EXPECT_THAT(list->bits, ElementsAre(0x02, 0x02));
  auto t = store().token_status().get(kTenant, "j9");
  ASSERT_THAT(t, Succeeds());
  EXPECT_EQ(t->index, 9u);
  EXPECT_EQ(t->list_id, 1);
  EXPECT_EQ(t->issued_at, kT0);
  EXPECT_EQ(t->expires_at, at(3600));
  EXPECT_FALSE(store().token_status().get(kTenant, "j2")->revoked_at.has_value());
  EXPECT_THAT(store().token_status().revoke(kTenant, "nope", at(1)),
              FailsWith(ErrorKind::kNotFound, checks::kTokenNotFound));
  EXPECT_THAT(store().token_status().get(kTenant, "nope"),
              FailsWith(ErrorKind::kNotFound, checks::kTokenNotFound));
  EXPECT_THAT(store().token_status().read_list(kTenant, 7),
              FailsWith(ErrorKind::kNotFound, checks::kStatusListNotFound));
}

TEST_P(TokenStatusStoreTest, CapacityMustBeAMultipleOfEightWithinTheLimit) {
  EXPECT_THAT(store().token_status().allocate(make_allocation("a", 12)),
              FailsWith(ErrorKind::kInvalidArgument, checks::kLimit));
  EXPECT_THAT(store().token_status().allocate(make_allocation("a", 0)),
              FailsWith(ErrorKind::kInvalidArgument, checks::kLimit));
  EXPECT_THAT(
      store().token_status().allocate(make_allocation("a", limits::kMaxStatusListCapacity + 8)),
      FailsWith(ErrorKind::kInvalidArgument, checks::kLimit));
}

TEST_P(TokenStatusStoreTest, PurgeExpiredDropsEntriesButNotIndices) {
  StatusAllocation a = make_allocation("old");
  a.expires_at = at(10);
  ASSERT_THAT(store().token_status().allocate(a), Succeeds());
  ASSERT_THAT(store().token_status().revoke(kTenant, "old", at(1)), Succeeds());
  ASSERT_THAT(store().token_status().allocate(make_allocation("new")), Succeeds());
  auto purged = store().token_status().purge_expired(at(11), 100);
  ASSERT_THAT(purged, Succeeds());
  EXPECT_EQ(*purged, 1u);
  EXPECT_THAT(store().token_status().get(kTenant, "old"),
              FailsWith(ErrorKind::kNotFound, checks::kTokenNotFound));
  EXPECT_THAT(store().token_status().read_list(kTenant, 1)->bits, ElementsAre(0, 0));
  EXPECT_EQ(store().token_status().allocate(make_allocation("next"))->index, 2u);
}

VOUCH_STORE_BACKENDS(TokenStatusStoreTest);

// ---------------------------------------------------------------------------------------------
// Audit log

class AuditLogTest : public StoreTest {};

TEST_P(AuditLogTest, AppendBuildsAVerifiableChain) {
  for (int i = 1; i <= 5; ++i) {
    auto e = store().audit().append(kTenant, at(i), "attestation",
                                    {{"verdict", "ok"}, {"n", i}, {"a", {{"z", 1}, {"b", 2}}}});
    ASSERT_THAT(e, Succeeds());
    EXPECT_EQ(e->sequence, static_cast<std::uint64_t>(i));
    EXPECT_EQ(e->hash, audit_entry_hash(*e));
  }
  auto entries = store().audit().page(kTenant, 0, 100);
  ASSERT_THAT(entries, Succeeds());
  ASSERT_THAT(*entries, SizeIs(5));
  EXPECT_EQ((*entries)[0].payload, R"({"a":{"b":2,"z":1},"n":1,"verdict":"ok"})");
  EXPECT_EQ((*entries)[0].prev_hash, Bytes(32, 0));
  EXPECT_EQ((*entries)[1].prev_hash, (*entries)[0].hash);
  EXPECT_EQ((*entries)[4].time, at(5));
  EXPECT_EQ((*entries)[4].kind, "attestation");
  const ChainVerdict v = verify_chain(*entries);
  EXPECT_TRUE(v.ok()) << v.status().error().detail;
  EXPECT_EQ(v.checked, 5u);

  auto head = store().audit().head(kTenant);
  ASSERT_THAT(head, Succeeds());
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->sequence, 5u);
  EXPECT_EQ((*head)->hash, (*entries)[4].hash);
}

TEST_P(AuditLogTest, PagesContinueTheChain) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_THAT(store().audit().append(kTenant, at(i), "policy.set", {{"i", i}}), Succeeds());
  }
  std::optional<ChainHead> previous;
  std::uint64_t after = 0;
  std::size_t total = 0;
  for (;;) {
    auto page = store().audit().page(kTenant, after, 3);
    ASSERT_THAT(page, Succeeds());
    if (page->empty()) {
      break;
    }
    const ChainVerdict v = verify_chain(*page, previous);
    ASSERT_TRUE(v.ok()) << v.status().error().detail;
    previous = v.head;
    after = page->back().sequence;
    total += page->size();
  }
  EXPECT_EQ(total, 7u);
}

TEST_P(AuditLogTest, ChainsArePerTenantAndSurviveTheTenant) {
  ASSERT_THAT(store().audit().append("other", kT0, "x", nlohmann::json::object()), Succeeds());
  ASSERT_THAT(store().audit().append(kTenant, kT0, "x", nlohmann::json::object()), Succeeds());
  ASSERT_THAT(store().audit().append(kTenant, kT0, "x", nlohmann::json::object()), Succeeds());
  EXPECT_EQ((*store().audit().head("other"))->sequence, 1u);
  EXPECT_EQ((*store().audit().head(kTenant))->sequence, 2u);
  EXPECT_FALSE(store().audit().head("none")->has_value());
  EXPECT_THAT(*store().audit().chains(), ElementsAre("other", kTenant));
  ASSERT_THAT(store().tenants().remove(kTenant), Succeeds());
  EXPECT_THAT(*store().audit().page(kTenant, 0, 10), SizeIs(2));
}

TEST_P(AuditLogTest, PayloadMustBeAnObject) {
  EXPECT_THAT(store().audit().append(kTenant, kT0, "x", nlohmann::json::array()),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
  EXPECT_THAT(store().audit().append(kTenant, kT0, "x", "text"),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
  EXPECT_THAT(store().audit().append(kTenant, kT0, "x", {{"bad", std::string("\xff\xfe")}}),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
  EXPECT_FALSE(store().audit().head(kTenant)->has_value());
}

TEST_P(AuditLogTest, TamperingBehindTheStoreIsNamed) {
  for (int i = 0; i < 4; ++i) {
    ASSERT_THAT(store().audit().append(kTenant, at(i), "token.revoke", {{"jti", i}}), Succeeds());
  }
  backend().raw_sql(
      dir_.path(), "UPDATE audit_log SET payload = '{\"jti\":99}' WHERE tenant = 't1' AND seq = 3");
  auto entries = store().audit().page(kTenant, 0, 100);
  ASSERT_THAT(entries, Succeeds());
  ChainVerdict v = verify_chain(*entries);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.broken->sequence, 3u);
  EXPECT_EQ(v.broken->index, 2u);
  EXPECT_EQ(v.checked, 2u);
  EXPECT_THAT(v.status(), FailsWith(ErrorKind::kEvidenceRejected, checks::kAuditHash));

  backend().raw_sql(dir_.path(), "DELETE FROM audit_log WHERE tenant = 't1' AND seq = 2");
  entries = store().audit().page(kTenant, 0, 100);
  v = verify_chain(*entries);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.broken->sequence, 3u);
  EXPECT_THAT(v.status(), FailsWith(ErrorKind::kEvidenceRejected, checks::kAuditSequence));
}

VOUCH_STORE_BACKENDS(AuditLogTest);

// ---------------------------------------------------------------------------------------------
// Collateral cache

class CollateralCacheTest : public StoreTest {};

TEST_P(CollateralCacheTest, PutGetReplaceRemovePurge) {
  CollateralEntry e{
      "https://kds/vcek/x", bytes_of("crl"), bytes_of("chain"), kT0, at(100), "amd-kds"};
  ASSERT_THAT(store().collateral().put(e), Succeeds());
  auto got = store().collateral().get(e.key);
  ASSERT_THAT(got, Succeeds());
  EXPECT_EQ(got->body, bytes_of("crl"));
  EXPECT_EQ(got->issuer_chain, bytes_of("chain"));
  EXPECT_EQ(got->fetched_at, kT0);
  EXPECT_EQ(got->next_update, at(100));
  EXPECT_EQ(got->source, "amd-kds");

  e.body = bytes_of("newer crl");
  e.issuer_chain.clear();
  e.next_update.reset();
  ASSERT_THAT(store().collateral().put(e), Succeeds());
  got = store().collateral().get(e.key);
  EXPECT_EQ(got->body, bytes_of("newer crl"));
  EXPECT_TRUE(got->issuer_chain.empty());
  EXPECT_FALSE(got->next_update.has_value());

  CollateralEntry stale{"stale", bytes_of("b"), {}, kT0, at(5), ""};
  ASSERT_THAT(store().collateral().put(stale), Succeeds());
  auto purged = store().collateral().purge(at(6));
  ASSERT_THAT(purged, Succeeds());
  EXPECT_EQ(*purged, 1u);
  EXPECT_THAT(store().collateral().get("stale"),
              FailsWith(ErrorKind::kNotFound, checks::kCollateralNotFound));
  ASSERT_THAT(store().collateral().remove(e.key), Succeeds());
  EXPECT_THAT(store().collateral().remove(e.key),
              FailsWith(ErrorKind::kNotFound, checks::kCollateralNotFound));
}

VOUCH_STORE_BACKENDS(CollateralCacheTest);

// ---------------------------------------------------------------------------------------------
// Secrets

class SecretStoreTest : public StoreTest {};

TEST_P(SecretStoreTest, CreateRotateAndReadVersions) {
  auto created = store().secrets().create(make_secret("db"));
  ASSERT_THAT(created, Succeeds());
  EXPECT_EQ(created->current_version, 1);
  EXPECT_FALSE(created->deleted);
  EXPECT_THAT(created->trusted_issuers, ElementsAre("https://vouch.example/t1"));
  EXPECT_EQ(created->release_policy_kind, "key-release");

  NewSecretVersion v{kTenant, "db", bytes_of("w2"), bytes_of("c2"), "kek-2", at(10)};
  auto rotated = store().secrets().rotate(v);
  ASSERT_THAT(rotated, Succeeds());
  EXPECT_EQ(rotated->version, 2);
  auto current = store().secrets().current(kTenant, "db");
  ASSERT_THAT(current, Succeeds());
  EXPECT_EQ(current->ciphertext, bytes_of("c2"));
  EXPECT_EQ(current->wrapped_key, bytes_of("w2"));
  EXPECT_EQ(current->kek_id, "kek-2");
  auto first = store().secrets().version(kTenant, "db", 1);
  ASSERT_THAT(first, Succeeds());
  EXPECT_EQ(first->ciphertext, bytes_of("ciphertext:db"));
  EXPECT_THAT(store().secrets().version(kTenant, "db", 3),
              FailsWith(ErrorKind::kNotFound, checks::kSecretNotFound));
  auto meta = store().secrets().get(kTenant, "db");
  EXPECT_EQ(meta->current_version, 2);
  EXPECT_EQ(meta->updated_at, at(10));
  EXPECT_THAT(store().secrets().create(make_secret("db")),
              FailsWith(ErrorKind::kAlreadyExists, checks::kSecretExists));
  EXPECT_THAT(store().secrets().get(kTenant, "none"),
              FailsWith(ErrorKind::kNotFound, checks::kSecretNotFound));
}

TEST_P(SecretStoreTest, UpdateReleaseSettings) {
  ASSERT_THAT(store().secrets().create(make_secret("db")), Succeeds());
  ReleaseSettings r{
      kTenant, "db", "c:[type==\"x\"] => permit();", "claim-rules", {"https://a", "https://b"},
      at(3)};
  auto updated = store().secrets().update_release(r);
  ASSERT_THAT(updated, Succeeds());
  EXPECT_EQ(updated->release_policy, r.release_policy);
  EXPECT_EQ(updated->release_policy_kind, "claim-rules");
  EXPECT_THAT(updated->trusted_issuers, ElementsAre("https://a", "https://b"));
  r.trusted_issuers.clear();
  EXPECT_THAT(store().secrets().update_release(r),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
}

TEST_P(SecretStoreTest, RemoveIsSoftAndPurgeFreesTheName) {
  ASSERT_THAT(store().secrets().create(make_secret("db")), Succeeds());
  ASSERT_THAT(store().secrets().create(make_secret("api")), Succeeds());
  EXPECT_THAT(store().secrets().purge(kTenant, "db"),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSecretNotDeleted));
  auto removed = store().secrets().remove(kTenant, "db", at(7));
  ASSERT_THAT(removed, Succeeds());
  EXPECT_TRUE(removed->deleted);
  EXPECT_EQ(removed->deleted_at, at(7));
  EXPECT_THAT(store().secrets().remove(kTenant, "db", at(8)),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSecretDeleted));
  EXPECT_THAT(store().secrets().current(kTenant, "db"),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSecretDeleted));
  EXPECT_THAT(store().secrets().version(kTenant, "db", 1),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSecretDeleted));
  EXPECT_THAT(store().secrets().rotate({kTenant, "db", bytes_of("w"), bytes_of("c"), "", kT0}),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSecretDeleted));
  EXPECT_THAT(
      store().secrets().update_release({kTenant, "db", "p", "key-release", {"https://a"}, kT0}),
      FailsWith(ErrorKind::kFailedPrecondition, checks::kSecretDeleted));
  EXPECT_THAT(store().secrets().create(make_secret("db")),
              FailsWith(ErrorKind::kAlreadyExists, checks::kSecretExists));
  EXPECT_THAT(*store().secrets().list(kTenant, false), SizeIs(1));
  EXPECT_THAT(*store().secrets().list(kTenant, true), SizeIs(2));
  ASSERT_THAT(store().secrets().purge(kTenant, "db"), Succeeds());
  EXPECT_THAT(store().secrets().get(kTenant, "db"),
              FailsWith(ErrorKind::kNotFound, checks::kSecretNotFound));
  auto again = store().secrets().create(make_secret("db"));
  ASSERT_THAT(again, Succeeds());
  EXPECT_EQ(again->current_version, 1);
}

VOUCH_STORE_BACKENDS(SecretStoreTest);

// ---------------------------------------------------------------------------------------------
// TPM enrolment

class EnrollmentStoreTest : public StoreTest {};

TEST_P(EnrollmentStoreTest, AChallengeIsTakenOnce) {
  ASSERT_THAT(store().enrollment().add_challenge(make_challenge("c1")), Succeeds());
  EXPECT_THAT(store().enrollment().add_challenge(make_challenge("c1")),
              FailsWith(ErrorKind::kAlreadyExists, checks::kChallengeExists));
  auto taken = store().enrollment().take_challenge(kTenant, "c1", at(1));
  ASSERT_THAT(taken, Succeeds());
  EXPECT_EQ(taken->expected, bytes_of("secret-digest:c1"));
  EXPECT_EQ(taken->ak_name, bytes_of("name:c1"));
  EXPECT_EQ(taken->ak_public, bytes_of("public:c1"));
  EXPECT_EQ(taken->ek_certificate_digest, bytes_of("ek-digest:c1"));
  EXPECT_EQ(taken->expires_at, at(60));
  EXPECT_THAT(store().enrollment().take_challenge(kTenant, "c1", at(2)),
              FailsWith(ErrorKind::kNotFound, checks::kChallengeNotFound));
}

TEST_P(EnrollmentStoreTest, AnExpiredChallengeIsRefusedAndGone) {
  ASSERT_THAT(store().enrollment().add_challenge(make_challenge("c1", 10)), Succeeds());
  EXPECT_THAT(store().enrollment().take_challenge(kTenant, "c1", at(10)),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kChallengeExpired));
  EXPECT_THAT(store().enrollment().take_challenge(kTenant, "c1", at(1)),
              FailsWith(ErrorKind::kNotFound, checks::kChallengeNotFound));
  ASSERT_THAT(store().enrollment().add_challenge(make_challenge("c2", 10)), Succeeds());
  ASSERT_THAT(store().enrollment().add_challenge(make_challenge("c3", 100)), Succeeds());
  auto purged = store().enrollment().purge_challenges(at(11));
  ASSERT_THAT(purged, Succeeds());
  EXPECT_EQ(*purged, 1u);
  EXPECT_THAT(store().enrollment().take_challenge(kTenant, "c3", at(1)), Succeeds());
  CredentialChallenge bad = make_challenge("c4", 0);
  EXPECT_THAT(store().enrollment().add_challenge(bad),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
}

TEST_P(EnrollmentStoreTest, RegisterGetListRemoveAks) {
  ASSERT_THAT(store().enrollment().register_ak(make_ak("a")), Succeeds());
  EnrolledAk b = make_ak("b");
  b.enrolled_at = at(5);
  ASSERT_THAT(store().enrollment().register_ak(b), Succeeds());
  EXPECT_THAT(store().enrollment().register_ak(make_ak("a")),
              FailsWith(ErrorKind::kAlreadyExists, checks::kAkExists));
  auto got = store().enrollment().get_ak(kTenant, bytes_of("name:b"));
  ASSERT_THAT(got, Succeeds());
  EXPECT_EQ(got->ak_public, bytes_of("public:b"));
  EXPECT_EQ(got->ek_certificate_digest, bytes_of("ek-digest:b"));
  EXPECT_EQ(got->enrolled_at, at(5));
  EXPECT_THAT(*store().enrollment().list_aks(kTenant), SizeIs(2));
  ASSERT_THAT(store().enrollment().remove_ak(kTenant, bytes_of("name:a")), Succeeds());
  EXPECT_THAT(store().enrollment().remove_ak(kTenant, bytes_of("name:a")),
              FailsWith(ErrorKind::kNotFound, checks::kAkNotFound));
  EXPECT_THAT(store().enrollment().get_ak(kTenant, bytes_of("name:a")),
              FailsWith(ErrorKind::kNotFound, checks::kAkNotFound));
  EXPECT_THAT(*store().enrollment().list_aks(kTenant), SizeIs(1));
}

VOUCH_STORE_BACKENDS(EnrollmentStoreTest);

// ---------------------------------------------------------------------------------------------
// The Store

class WholeStoreTest : public StoreTest {};

TEST_P(WholeStoreTest, PingIntegrityAndSchemaVersion) {
  EXPECT_EQ(store().backend(), backend().name);
  EXPECT_GE(store().schema_version(), 1);
  EXPECT_THAT(store().ping(), Succeeds());
  EXPECT_THAT(store().check_integrity(), Succeeds());
}

TEST_P(WholeStoreTest, EmptyTextAndBytesRoundTrip) {
  // Empty strings and empty byte strings are values, not NULL.
  SigningKey k = make_key("k");
  k.certificate_der.clear();
  ASSERT_THAT(store().keys().add(k), Succeeds());
  EXPECT_TRUE(store().keys().get(kTenant, "k")->certificate_der.empty());
  NewPolicy p = make_policy("Tpm", "x");
  p.author.clear();
  ASSERT_THAT(store().policies().set(p), Succeeds());
  EXPECT_EQ(store().policies().current(kTenant, "Tpm")->author, "");
  // Binary with zero bytes and non-ASCII UTF-8 text survive intact.
  ListEntry e = make_entry("m", "caf\xc3\xa9");
  e.reason = "na\xc3\xafve";
  ASSERT_THAT(store().deny_list().add(e), Succeeds());
  EXPECT_EQ(store().deny_list().get(kTenant, "m", "caf\xc3\xa9")->reason, "na\xc3\xafve");
  ASSERT_THAT(store().sessions().create(make_session("s", std::string("\0\x01\0", 3))), Succeeds());
  EXPECT_EQ(store().sessions().get(kTenant, "s")->nonce, (Bytes{0, 1, 0}));
}

VOUCH_STORE_BACKENDS(WholeStoreTest);

}  // namespace
}  // namespace vouch::store::testing
