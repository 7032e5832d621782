#pragma once

// Azure Attestation attest request bodies (maa.md section 1.5), parsed as tolerantly as the real
// service: member names case-insensitive ("inittimeData"), base64 or base64url with or without
// padding, the SEV-SNP "report" wrapper JSON {SnpReport, VcekCertChain} unwrapped.

#include <optional>
#include <string>
#include <string_view>

#include "appraisal/verifier.h"
#include "base/result.h"

namespace vouch::service {

struct MaaAttestBody {
  appraisal::EvidenceRequest evidence;
  std::optional<std::string> draft_policy;  // draftPolicyForAttestation
  std::optional<std::string> nonce;         // echoed as "nonce"
};

// The evidence member per type: SgxEnclave and TdxVm "quote", OpenEnclave and SevSnpVm
// "report", Tpm "data" (Vouch's TPM bundle, docs/evidence/tpm.md; Azure's VBS protocol is not
// served). Fails with service.request.json (not a JSON object) or service.request.field naming
// the member that is missing or malformed (kInvalidArgument).
[[nodiscard]] Result<MaaAttestBody> parse_maa_attest(appraisal::AttestationType type,
                                                     std::string_view body);

}  // namespace vouch::service
