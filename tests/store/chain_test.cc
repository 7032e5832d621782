// The audit chain as pure functions: the documented hash encoding (known answers computed
// independently from the description in store/audit.h) and verify_chain's verdicts.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/encoding.h"
#include "store/audit.h"
#include "store/check_ids.h"
#include "testing/matchers.h"

namespace vouch::store {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

AuditEntry entry(std::uint64_t seq, std::int64_t time, std::string kind, std::string payload,
                 Bytes prev) {
  AuditEntry e{
      "t1", seq, from_unix_seconds(time), std::move(kind), std::move(payload), std::move(prev), {}};
  e.hash = audit_entry_hash(e);
  return e;
}

std::vector<AuditEntry> chain(int n) {
  std::vector<AuditEntry> out;
  Bytes prev(kAuditHashSize, 0);
  for (int i = 1; i <= n; ++i) {
    out.push_back(entry(static_cast<std::uint64_t>(i), 1750000000 + i, "k",
                        "{\"i\":" + std::to_string(i) + "}", prev));
    prev = out.back().hash;
  }
  return out;
}

TEST(AuditHash, KnownAnswers) {
  // python3: sha256(b"vouch.audit.v1\0" + u32(2) + b"t1" + u64(1) + i64(1750000000) +
  //   u32(11) + b"attestation" + u32(7) + b'{"n":1}' + bytes(32))
  const AuditEntry e1 = entry(1, 1750000000, "attestation", R"({"n":1})", Bytes(32, 0));
  EXPECT_EQ(hex_encode(e1.hash),
            "89f6febf976f77c83e20503988f6b04284d93eb40bd0f4da198787c072eec045");
  // A negative time is encoded in two's complement.
  const AuditEntry e2 = entry(2, -5, "policy.set", "{}", e1.hash);
  EXPECT_EQ(hex_encode(e2.hash),
            "430217897de727b34367270c87b541485d5aab5a0655d5e7c7d09c756420406a");
}

TEST(AuditHash, EveryFieldIsCovered) {
  const AuditEntry base = chain(1).front();
  auto changed = [&](auto mutate) {
    AuditEntry e = base;
    mutate(e);
    return audit_entry_hash(e) != base.hash;
  };
  EXPECT_TRUE(changed([](AuditEntry& e) { e.tenant = "t2"; }));
  EXPECT_TRUE(changed([](AuditEntry& e) { e.sequence = 2; }));
  EXPECT_TRUE(changed([](AuditEntry& e) { e.time += std::chrono::seconds(1); }));
  EXPECT_TRUE(changed([](AuditEntry& e) { e.kind = "K"; }));
  EXPECT_TRUE(changed([](AuditEntry& e) { e.payload = "{\"i\":2}"; }));
  EXPECT_TRUE(changed([](AuditEntry& e) { e.prev_hash[31] = 1; }));
  // Lengths keep field boundaries apart: moving a byte from kind to payload changes the hash.
  EXPECT_NE(audit_entry_hash("t", 1, {}, "ab", "c", Bytes(32, 0)),
            audit_entry_hash("t", 1, {}, "a", "bc", Bytes(32, 0)));
}

TEST(VerifyChain, IntactChainsAndContinuations) {
  const std::vector<AuditEntry> c = chain(6);
  ChainVerdict v = verify_chain(c);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.checked, 6u);
  EXPECT_EQ(v.head->sequence, 6u);
  EXPECT_THAT(v.status(), Succeeds());

  const std::span<const AuditEntry> all(c);
  const ChainVerdict first = verify_chain(all.first(3));
  ASSERT_TRUE(first.ok());
  const ChainVerdict second = verify_chain(all.subspan(3), first.head);
  EXPECT_TRUE(second.ok());
  EXPECT_EQ(second.head->hash, c.back().hash);
  // A page from the middle does not verify on its own.
  EXPECT_THAT(verify_chain(all.subspan(3)).status(),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kAuditSequence));

  EXPECT_TRUE(verify_chain({}).ok());
  EXPECT_FALSE(verify_chain({}).head.has_value());
}

TEST(VerifyChain, NamesTheFirstBrokenEntry) {
  struct Case {
    const char* name;
    void (*tamper)(std::vector<AuditEntry>&);
    CheckId check;
    std::uint64_t sequence;
  };
  const Case cases[] = {
      {"payload", [](std::vector<AuditEntry>& c) { c[3].payload = "{\"i\":40}"; },
       checks::kAuditHash, 4},
      {"rehashed entry breaks the next link",
       [](std::vector<AuditEntry>& c) {
         c[2].kind = "forged";
         c[2].hash = audit_entry_hash(c[2]);
       },
       checks::kAuditPrevHash, 4},
      {"removed entry", [](std::vector<AuditEntry>& c) { c.erase(c.begin() + 2); },
       checks::kAuditSequence, 4},
      {"swapped entries", [](std::vector<AuditEntry>& c) { std::swap(c[1], c[2]); },
       checks::kAuditSequence, 3},
      {"other tenant", [](std::vector<AuditEntry>& c) { c[4].tenant = "t2"; }, checks::kAuditTenant,
       5},
      {"first entry not genesis",
       [](std::vector<AuditEntry>& c) {
         c[0].prev_hash[0] = 1;
         c[0].hash = audit_entry_hash(c[0]);
       },
       checks::kAuditPrevHash, 1},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    std::vector<AuditEntry> c = chain(6);
    k.tamper(c);
    const ChainVerdict v = verify_chain(c);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.broken->sequence, k.sequence);
    EXPECT_THAT(v.status(), FailsWith(ErrorKind::kEvidenceRejected, k.check));
  }
}

TEST(CanonicalJson, SortedCompactAndStrict) {
  auto text = canonical_json({{"b", 1}, {"a", {{"d", true}, {"c", nullptr}}}, {"e", "\xc3\xa9"}});
  ASSERT_THAT(text, Succeeds());
  EXPECT_EQ(*text, "{\"a\":{\"c\":null,\"d\":true},\"b\":1,\"e\":\"\xc3\xa9\"}");
  EXPECT_THAT(canonical_json(nlohmann::json("\xff")),
              FailsWith(ErrorKind::kInvalidArgument, checks::kArgument));
}

}  // namespace
}  // namespace vouch::store
