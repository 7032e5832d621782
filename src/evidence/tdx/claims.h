#pragma once

#include "claims/claim_set.h"
#include "evidence/tdx/verify.h"

namespace vouch::tdx {

// Maps a verified TDX quote to claims: the TD report (tdx.*), MAA's tdx_* names and
// attester_tcb_status, the DCAP facts (dcap.*, evidence/dcap/claims.h) and the RTMRs a CCEL
// replay verified. Names are in claims/tables/dcap.cc. Cannot fail.
claims::ClaimSet to_claims(const VerifiedQuote& quote);

}  // namespace vouch::tdx
