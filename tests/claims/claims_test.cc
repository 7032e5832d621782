#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "claims/claim_set.h"
#include "claims/registry.h"

namespace vouch::claims {
namespace {

TEST(Registry, IsSortedAndUnique) {
  const auto specs = registry();
  for (std::size_t i = 1; i < specs.size(); ++i) {
    EXPECT_LT(specs[i - 1].name, specs[i].name) << "registry.cc must stay sorted";
  }
  EXPECT_NE(find_claim("tpm.pcrs"), nullptr);
  EXPECT_EQ(find_claim("tpm.nonexistent"), nullptr);
}

TEST(ClaimSet, CanonicalJsonEncodesBytesAsLowercaseHex) {
  ClaimSet set;
  set.set("tpm.quote.nonce", Bytes{0xAB, 0x01});
  set.set("tpm.clock.safe", true);
  set.set("tpm.clock", std::int64_t{12345});
  ClaimMap bank;
  bank["0"] = Bytes{0x00};
  ClaimMap pcrs;
  pcrs["sha256"] = bank;
  set.set("tpm.pcrs", pcrs);
  EXPECT_EQ(set.to_json().dump(),
            R"({"tpm.clock":12345,"tpm.clock.safe":true,"tpm.pcrs":{"sha256":{"0":"00"}},)"
            R"("tpm.quote.nonce":"ab01"})");
}

TEST(ClaimSetDeathTest, UnregisteredOrMistypedClaimsAbort) {
  ClaimSet set;
  EXPECT_DEATH(set.set("no.such.claim", true), "not registered");
  EXPECT_DEATH(set.set("tpm.clock", "text"), "wrong type");
}

}  // namespace
}  // namespace vouch::claims
