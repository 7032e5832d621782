#pragma once

#include "claims/claim_set.h"
#include "evidence/sevsnp/verify.h"

namespace vouch::sevsnp {

// Maps a verified report to claims: the canonical "snp.*" names and the Azure Attestation
// "x-ms-sevsnpvm-*" names (maa.md section 3.5), all declared in claims/tables/snp.cc. Cannot fail:
// everything it reads was checked by Verifier::verify.
claims::ClaimSet to_claims(const VerifiedReport& verified);

// The "x-ms-sevsnpvm-*" claims alone, as a map (Azure guest attestation nests them inside
// "x-ms-isolation-tee"). The TCB SVNs are those of REPORTED_TCB, the TCB the VCEK certifies.
claims::ClaimMap maa_claims(const VerifiedReport& verified);

}  // namespace vouch::sevsnp
