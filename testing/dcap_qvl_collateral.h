#pragma once

// Test-only converter from the dcap-qvl collateral JSON layout (QuoteCollateralV3, see
// ../shared/vectors/MANIFEST.md: hex DER CRLs, PEM issuer chains, the exact signed JSON bodies as
// strings and hex r || s signatures) into the Intel PCS form the product consumes. The product
// never reads this layout.

#include <string_view>

#include "base/result.h"
#include "evidence/dcap/verify.h"

namespace vouch::testing {

[[nodiscard]] Result<dcap::QuoteCollateral> collateral_from_dcap_qvl(std::string_view json);

// The time window in which every supplied collateral item is valid, [max(issueDate/thisUpdate),
// min(nextUpdate)], and the check ids that fail just outside it: the validity check of the item
// that is issued last (before `from`) and of the item that expires first (after `until`).
struct CollateralWindow {
  Timestamp from = Timestamp::min();
  Timestamp until = Timestamp::max();
  CheckId last_issued{"dcap.collateral.missing"};
  CheckId first_expiring{"dcap.collateral.missing"};
};
[[nodiscard]] Result<CollateralWindow> collateral_window(const dcap::QuoteCollateral& collateral);

}  // namespace vouch::testing
