#pragma once

// Per-evidence claim tables. Each evidence module's claims live in one file here, so modules can
// grow their tables independently; claims/registry.cc merges them and checks for duplicates.

#include <span>

#include "claims/registry.h"

namespace vouch::claims::tables {

std::span<const ClaimSpec> tpm();
std::span<const ClaimSpec> snp();
std::span<const ClaimSpec> dcap();

}  // namespace vouch::claims::tables
