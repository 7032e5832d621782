#include "claims/tables/tables.h"

namespace vouch::claims::tables {

// Claims of the Intel SGX and TDX DCAP verifiers (evidence/sgx, evidence/tdx, evidence/dcap). Keep
// sorted by name. (Empty until that verifier lands.)
std::span<const ClaimSpec> dcap() {
  return {};
}

}  // namespace vouch::claims::tables
