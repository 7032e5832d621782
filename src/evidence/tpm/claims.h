#pragma once

#include "claims/claim_set.h"
#include "evidence/tpm/verify.h"

namespace vouch::tpm {

// Maps a verified quote to claims (names in claims/registry.cc, "tpm.*"). Cannot fail: everything
// it reads was checked by verify_quote.
claims::ClaimSet to_claims(const VerifiedQuote& quote);

}  // namespace vouch::tpm
