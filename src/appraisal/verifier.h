#pragma once

// The common shape of every evidence verifier as the pipeline sees it: bytes and bound data in,
// verified claims out. Adapters over evidence/<type> live next to this file; transport DTOs never
// reach them (STYLE.md B9).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "appraisal/attestation_type.h"
#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "claims/claim_set.h"
#include "collateral/intel_pcs.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "evidence/check_log.h"

namespace vouch::collateral {
class AmdKds;
class IntelPcs;
}  // namespace vouch::collateral
namespace vouch::sevsnp {
class TrustAnchors;
}  // namespace vouch::sevsnp
namespace vouch::dcap {
class Verifier;
}  // namespace vouch::dcap

namespace vouch::appraisal {

// BoundData is data the attester bound into its evidence (MAA runtimeData / initTimeData).
struct BoundData {
  Bytes data;
  bool json = false;  // "dataType": "JSON": parsed and echoed as x-ms-runtime / x-ms-inittime
};

// EvidenceRequest is one piece of evidence to appraise.
struct EvidenceRequest {
  AttestationType type = AttestationType::kTpm;
  Bytes evidence;  // SNP report, SGX/TDX quote, or the TPM bundle (evidence/tpm/bundle.h)
  // Certificates that came with the evidence (PEM), e.g. MAA's SevSnpVm VcekCertChain.
  std::string certificates_pem;
  std::optional<BoundData> runtime_data;
  std::optional<BoundData> inittime_data;
  std::optional<Bytes> nonce;  // a challenge the evidence must be bound to (RATS sessions)
};

// binding_digest is what evidence must carry to bind a nonce and runtime data:
// SHA-256(nonce || runtime_data). TPM extraData carries it when runtime data is present (the raw
// nonce when only a nonce is); SEV-SNP, SGX and TDX report data carry it followed by 32 zero
// bytes, which for a request without a nonce is exactly Azure Attestation's rule.
Bytes binding_digest(const std::optional<Bytes>& nonce, const std::optional<BoundData>& runtime);

// TenantTrust is the per-tenant trust configuration verifiers consult.
struct TenantTrust {
  // Anchors for TPM AK certificates (and EK certificates at enrolment).
  const crypto::TrustStore* tpm_ak_anchors = nullptr;
  // Whether the tenant enrolled or pinned the AK with this registration name
  // (tpm::registration_name); nullptr: none is.
  std::function<bool(ByteSpan ak_name)> ak_is_enrolled;
};

// VerifyContext is everything external to the evidence.
struct VerifyContext {
  Timestamp at;
  TenantTrust trust;
  collateral::AmdKds* amd_kds = nullptr;      // VCEK/CRL source behind supplied certificates
  collateral::IntelPcs* intel_pcs = nullptr;  // DCAP collateral; none: SGX/TDX fail closed
  bool require_revocation = false;  // SNP CRL: required, or best effort (recorded as claim)
  // SGX/TDX: the TCB baseline the collateral is requested for (a pinned number is also checked
  // against the TCB Info and QE identity), and how far past nextUpdate cached collateral may be
  // (recorded as the collateral.stale claims).
  collateral::TcbBaseline tcb_baseline;
  std::chrono::seconds collateral_stale_grace{0};
};

// VerifiedEvidence is the verifier's output for one piece of evidence.
struct VerifiedEvidence {
  claims::ClaimSet claims;                   // canonical claims (claims/registry)
  claims::ClaimMap maa_claims;               // Azure Attestation profile claims (x-ms-*, tdx_*)
  std::optional<nlohmann::json> runtime;     // x-ms-runtime (runtime data sent as JSON)
  std::optional<nlohmann::json> inittime;    // x-ms-inittime
  std::optional<crypto::PublicKey> tee_key;  // a key bound in runtime data (cnf), if any
};

// EvidenceVerifier verifies one attestation type.
class EvidenceVerifier {
 public:
  virtual ~EvidenceVerifier() = default;
  virtual AttestationType type() const = 0;
  // RATS media types this verifier accepts.
  virtual std::span<const std::string_view> media_types() const = 0;
  // Verifies; records every step in `log`. Errors carry the failed check id.
  [[nodiscard]] virtual Result<VerifiedEvidence> verify(const EvidenceRequest& request,
                                                        const VerifyContext& context,
                                                        evidence::CheckLog& log) const = 0;
};

// VerifierRegistry holds the verifiers a node serves, built once at start-up.
class VerifierRegistry {
 public:
  void add(std::unique_ptr<EvidenceVerifier> verifier);
  const EvidenceVerifier* find(AttestationType type) const;
  const EvidenceVerifier* find_media_type(std::string_view media_type) const;
  std::vector<std::string_view> media_types() const;

 private:
  std::vector<std::unique_ptr<EvidenceVerifier>> verifiers_;
};

// The built-in verifiers.
std::unique_ptr<EvidenceVerifier> make_tpm_verifier();
std::unique_ptr<EvidenceVerifier> make_sevsnp_verifier();
// An SEV-SNP verifier trusting other ARKs (test PKIs).
std::unique_ptr<EvidenceVerifier> make_sevsnp_verifier(sevsnp::TrustAnchors anchors);
// The AzureGuest verifier (evidence/azure_cvm/guest_verify.h): SEV-SNP reports against
// `anchors`, TD quotes with `dcap`; the no-argument form trusts the built-in AMD and Intel roots.
std::unique_ptr<EvidenceVerifier> make_azure_guest_verifier();
std::unique_ptr<EvidenceVerifier> make_azure_guest_verifier(
    sevsnp::TrustAnchors anchors, std::shared_ptr<const dcap::Verifier> dcap);
// Adds the SgxEnclave, OpenEnclave and TdxVm verifiers, trusting `roots` (empty: Intel's SGX
// Root CA, built in).
void add_dcap_verifiers(VerifierRegistry& registry, std::vector<crypto::Certificate> roots = {});

// Reads runtime/init-time data: JSON data is parsed (kMalformedEvidence appraisal.runtime_data
// when it is not JSON) and a JWK or JWKS inside it yields the TEE key.
[[nodiscard]] Status apply_bound_data(const EvidenceRequest& request, VerifiedEvidence& out);

}  // namespace vouch::appraisal
