// The service's short caches (tenants, policies, signing keys) across nodes sharing one store:
// a change made by another node is seen within the TTL, also when this node's wall clock was
// stepped back after the entry was loaded (issue 8: stateless nodes, clock skew).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "appraisal/verifier.h"
#include "jose/alg.h"
#include "service/attest.h"
#include "service/cache_age.h"
#include "service/keys.h"
#include "service/tenants.h"
#include "store/store.h"

namespace vouch::service {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const Timestamp kT0 = from_unix_seconds(1'750'000'000);

// Two "nodes" (their own caches and clocks) on one SQLite store in a temporary directory.
class SharedStore : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "vouch-cache-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    auto opened = store::open_store("sqlite:" + dir_ + "/vouch.db");
    ASSERT_TRUE(opened) << opened.error().to_string();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_;
  store::StorePtr store_;
};

TEST(CacheFresh, WithinTtlOnlyAndNeverFromTheFuture) {
  EXPECT_TRUE(cache_fresh(kT0, kT0, seconds(5)));
  EXPECT_TRUE(cache_fresh(kT0 + seconds(4), kT0, seconds(5)));
  EXPECT_FALSE(cache_fresh(kT0 + seconds(5), kT0, seconds(5)));
  EXPECT_FALSE(cache_fresh(kT0 - seconds(1), kT0, seconds(5)));  // the clock went back
  EXPECT_FALSE(cache_fresh(kT0 - hours(1), kT0, seconds(5)));
}

TEST_F(SharedStore, TenantChangedOnAnotherNodeIsSeenAfterTheClockSteppedBack) {
  FixedClock clock_a(kT0);
  FixedClock clock_b(kT0);
  Tenants a(store_->tenants(), "http://vouch.test", clock_a);
  Tenants b(store_->tenants(), "http://vouch.test", clock_b);
  ASSERT_TRUE(a.ensure_default(TenantSettings{}));
  auto before = a.get(kDefaultTenant);
  ASSERT_TRUE(before);
  EXPECT_TRUE((*before)->settings.audience.empty());

  TenantSettings changed;
  changed.audience = {"https://rp.example"};
  ASSERT_TRUE(b.update(kDefaultTenant, changed));
  clock_a.set(kT0 - hours(1));  // NTP steps node A's clock back by an hour
  auto after = a.get(kDefaultTenant);
  ASSERT_TRUE(after);
  ASSERT_EQ((*after)->settings.audience.size(), 1u);
  EXPECT_EQ((*after)->settings.audience[0], "https://rp.example");
}

TEST_F(SharedStore, KeyRotatedOnAnotherNodeIsUsedAfterTheClockSteppedBack) {
  FixedClock clock_a(kT0);
  FixedClock clock_b(kT0);
  Tenants tenants(store_->tenants(), "http://vouch.test", clock_a);
  ASSERT_TRUE(tenants.ensure_default(TenantSettings{}));
  const Bytes kek(32, 7);
  KeyRing a(store_->keys(), kek, clock_a);
  KeyRing b(store_->keys(), kek, clock_b);
  auto first = a.active(kDefaultTenant, "http://vouch.test", jose::JwsAlg::kEs256);
  ASSERT_TRUE(first) << first.error().to_string();
  // Node B finds the key node A generated instead of generating its own.
  auto same = b.active(kDefaultTenant, "http://vouch.test", jose::JwsAlg::kEs256);
  ASSERT_TRUE(same);
  EXPECT_EQ((*same)->kid(), (*first)->kid());

  auto rotated = b.rotate(kDefaultTenant, "http://vouch.test", jose::JwsAlg::kEs256, hours(8));
  ASSERT_TRUE(rotated) << rotated.error().to_string();
  clock_a.set(kT0 - hours(1));
  auto now_a = a.active(kDefaultTenant, "http://vouch.test", jose::JwsAlg::kEs256);
  ASSERT_TRUE(now_a);
  EXPECT_EQ((*now_a)->kid(), (*rotated)->kid());
  auto published = a.published(kDefaultTenant);
  ASSERT_TRUE(published);
  EXPECT_EQ(published->keys.size(), 2u);  // the new key and the retiring one
}

TEST_F(SharedStore, PolicySetOnAnotherNodeAppliesAfterTheClockSteppedBack) {
  FixedClock clock_a(kT0);
  FixedClock clock_b(kT0);
  Tenants tenants(store_->tenants(), "http://vouch.test", clock_a);
  ASSERT_TRUE(tenants.ensure_default(TenantSettings{}));
  appraisal::VerifierRegistry verifiers;
  Attestor::Deps da;
  da.store = store_.get();
  da.verifiers = &verifiers;
  da.clock = &clock_a;
  Attestor::Deps db = da;
  db.clock = &clock_b;
  Attestor a(da);
  Attestor b(db);
  const auto type = appraisal::AttestationType::kSevSnpVm;
  auto before = a.active_policy(kDefaultTenant, type);
  ASSERT_TRUE(before) << before.error().to_string();
  EXPECT_EQ(before->version, 0);  // the built-in default

  const std::string deny =
      "version=1.0;\nauthorizationrules\n{\n    => deny();\n};\nissuancerules\n{\n};\n";
  auto set = b.set_policy(kDefaultTenant, type, deny, "node b");
  ASSERT_TRUE(set) << set.error().to_string();
  clock_a.set(kT0 - hours(1));
  auto after = a.active_policy(kDefaultTenant, type);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->version, set->version);
}

}  // namespace
}  // namespace vouch::service
