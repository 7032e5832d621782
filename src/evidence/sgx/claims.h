#pragma once

#include "claims/claim_set.h"
#include "evidence/sgx/verify.h"

namespace vouch::sgx {

// Maps a verified SGX quote to claims: the enclave's report (sgx.*), MAA's x-ms-sgx-* names, the
// DCAP facts (dcap.*, evidence/dcap/claims.h) and, for OpenEnclave envelopes, oe.*. Names are
// in claims/tables/dcap.cc. Cannot fail: everything it reads was verified.
claims::ClaimSet to_claims(const VerifiedQuote& quote);

}  // namespace vouch::sgx
