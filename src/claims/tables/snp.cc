#include "claims/tables/tables.h"

namespace vouch::claims::tables {

// Claims of the AMD SEV-SNP and Azure confidential VM verifiers (evidence/sevsnp,
// evidence/azure_cvm). Keep sorted by name. (Empty until that verifier lands.)
std::span<const ClaimSpec> snp() {
  return {};
}

}  // namespace vouch::claims::tables
