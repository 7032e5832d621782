#pragma once

// The parameterized fixture and record builders shared by the conformance tests.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "store/check_ids.h"
#include "store/store.h"
#include "testing/matchers.h"
#include "testing/temp_dir.h"
#include "tests/store/backends.h"

namespace vouch::store::testing {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

// A fixed time base: every time in these tests is kT0 plus seconds.
inline const Timestamp kT0 = from_unix_seconds(1750000000);
inline Timestamp at(std::int64_t seconds) {
  return kT0 + std::chrono::seconds(seconds);
}

inline const std::string kTenant = "t1";

Tenant make_tenant(const std::string& name);
NewPolicy make_policy(const std::string& type, const std::string& text);
SigningKey make_key(const std::string& kid, KeyState state = KeyState::kActive);
ListEntry make_entry(const std::string& kind, const std::string& value);
ApiKey make_api_key(const std::string& key_id, Role role);
Session make_session(const std::string& id, const std::string& nonce, std::int64_t ttl = 60);
StatusAllocation make_allocation(const std::string& jti, std::uint32_t capacity = 16);
NewSecret make_secret(const std::string& name);
EnrolledAk make_ak(const std::string& name);
CredentialChallenge make_challenge(const std::string& id, std::int64_t ttl = 60);
Bytes bytes_of(const std::string& s);

// StoreTest gives each test a fresh database on the backend under test, holding tenant kTenant.
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  // reopen closes the store and opens the same database again.
  void reopen();
  Store& store() { return *store_; }
  const Backend& backend() const { return GetParam(); }

  vouch::testing::TempDir dir_;
  StorePtr store_;
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

}  // namespace vouch::store::testing

// Instantiates a StoreTest-derived suite for every backend.
#define VOUCH_STORE_BACKENDS(suite)                                                  \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                          \
                           ::testing::ValuesIn(::vouch::store::testing::backends()), \
                           ::vouch::store::testing::backend_name)
