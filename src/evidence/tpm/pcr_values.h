#pragma once

#include <string_view>

#include "base/result.h"
#include "evidence/tpm/verify.h"

namespace vouch::tpm {

// Parses PCR values from JSON. Two shapes are accepted:
//   {"<index>": "<hex digest>", ...}                 -- values of `default_bank`
//   {"<bank>": {"<index>": "<hex digest>"}, ...}     -- banks by name ("sha1", "sha256", ...)
// Indices are decimal 0-31; digests are hex of exactly the bank's digest size. Errors:
// tpm.pcrs.format (kMalformedEvidence) naming the offending member.
[[nodiscard]] Result<PcrValues> parse_pcr_values_json(std::string_view json,
                                                      crypto::HashAlg default_bank);

}  // namespace vouch::tpm
