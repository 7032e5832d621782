#pragma once

#include "claims/claim_set.h"
#include "evidence/dcap/verify.h"

namespace vouch::dcap {

// Adds the claims every verified DCAP quote yields (names in claims/tables/dcap.cc): the quote
// version and QE vendor, the PCK certificate's facts (FMSPC, PCE-ID/SVN, CPUSVN, TCB components,
// CA, SGX type, platform instance id and configuration), the QE identity and TCB evaluation
// (dcap.tcb_status, dcap.tcb_date, dcap.advisory_ids, ...), the collateral digests and which
// collateral was not checked. Cannot fail: everything it reads was verified.
void add_claims(const VerifiedQuote& quote, claims::ClaimSet& out);

}  // namespace vouch::dcap
