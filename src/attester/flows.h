#pragma once

// The two ways an attester obtains a secret (docs/relying-party.md), over an injected Transport:
//
// Passport:          [TPM: enrol the AK] -> verifier newSession -> bind -> collect evidence ->
//                    POST evidence to the session (Vouch-Runtime-Data header) -> EAR ->
//                    POST {"token","key"} to <rp>/rp/v1/secrets/{name}:release -> decrypt JWE.
//                    Without a secret name the flow stops at the EAR.
// Background check:  [TPM: enrol the AK] -> <rp>/rp/v1/challenge -> bind -> collect evidence ->
//                    POST <rp>/rp/v1/secrets/{name}:attest -> decrypt JWE.
//
// Every step is recorded (FlowResult::steps) so `vouch attest --json` can narrate it. Refusals by
// the verifier or relying party keep their check id (FlowResult::remote_check) and map to an
// ErrorKind: evidence checks and verdict "reject" -> kEvidenceRejected; verdict "deny",
// rp.release_policy.deny and rp.issuer.untrusted -> kPolicyDenied; collateral and revocation
// unavailability -> their kinds; everything else keeps the problem's "kind" or is kUnavailable.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "attester/binding.h"
#include "attester/tpm.h"
#include "attester/transport.h"
#include "base/bytes.h"
#include "base/result.h"

namespace vouch::attester {

enum class Model : std::uint8_t { kPassport, kBackgroundCheck };

// EvidenceSource is the attesting environment: it turns a binding digest into evidence.
class EvidenceSource {
 public:
  virtual ~EvidenceSource() = default;
  virtual std::string media_type() const = 0;
  // Evidence whose report data / extraData carries `binding_digest` (SHA-256(nonce || runtime)).
  [[nodiscard]] virtual Result<Bytes> collect(ByteSpan binding_digest) = 0;
  // The TPM to enrol with the verifier before attesting, if any.
  virtual TpmDevice* tpm_to_enroll() { return nullptr; }
};

// TPM evidence: a serialized TpmBundle (application/vnd.vouch.tpm-quote+json).
class TpmEvidenceSource final : public EvidenceSource {
 public:
  TpmEvidenceSource(TpmDevice& tpm, std::vector<tpm::PcrSelection> selection,
                    std::string event_log_path)
      : tpm_(tpm), selection_(std::move(selection)), event_log_path_(std::move(event_log_path)) {}
  std::string media_type() const override;
  Result<Bytes> collect(ByteSpan binding_digest) override;
  TpmDevice* tpm_to_enroll() override { return &tpm_; }

 private:
  TpmDevice& tpm_;
  std::vector<tpm::PcrSelection> selection_;
  std::string event_log_path_;
};

struct FlowOptions {
  Model model = Model::kPassport;
  std::string verifier_url;       // base URL, e.g. "https://attest.example:8443" (a path is kept)
  std::string relying_party_url;  // empty: the verifier's URL (`vouch serve` is both)
  std::string tenant;             // empty or "default": the default tenant
  std::string api_key;            // Bearer key for the verifier; sent to the relying party only
                                  // when it has the verifier's scheme, host and port
  std::string secret_name;        // passport: optional; background check: required
  bool enroll_tpm_ak = true;      // enrol the TPM's AK via /tpm/v1/enrollments first
  RetryPolicy retry;
};

// One narrated step: {"step": name, "ok": bool, ...details}.
struct Step {
  std::string name;
  bool ok = true;
  nlohmann::json detail = nlohmann::json::object();
};

struct FlowResult {
  std::vector<Step> steps;
  std::optional<Error> error;
  std::string remote_check;  // the check id the verifier or relying party named, if any
  std::string verdict;       // the verifier's appraisal verdict (passport), when known
  std::string ear;           // the attestation result token (passport EAR, or the RP's token)
  std::optional<Bytes> secret;
  std::string secret_name;
  std::int64_t secret_version = 0;
  std::string issuer;

  // The failed check id: remote_check when the other side named one, else the local one.
  std::string failed_check() const;
  // {"model", "ok", "steps", "verdict"?, "ear"?, "secret"? {name, version, issuer, sha256},
  //  "error"? {check, kind, detail}} — never the secret value.
  nlohmann::json to_json() const;
};

// Runs the flow of options.model. Never throws; failures are in FlowResult::error.
FlowResult run_flow(const FlowOptions& options, Transport& transport, EvidenceSource& evidence);
// Same, with a caller-supplied binding (tests pin the ephemeral key).
FlowResult run_flow(const FlowOptions& options, Transport& transport, EvidenceSource& evidence,
                    const Binding& binding);

// Enrols the TPM's AK with the verifier (EK certificate + MakeCredential/ActivateCredential).
// Exposed for tests; run_flow calls it when options.enroll_tpm_ak is set.
[[nodiscard]] Status enroll_ak(const FlowOptions& options, Transport& transport, TpmDevice& tpm,
                               FlowResult& result);

// The path prefix of a tenant: "" for the default tenant, "/tenants/NAME" otherwise.
std::string tenant_prefix(const std::string& tenant);
// Percent-encodes a secret name for one path segment ('/' becomes %2F).
std::string encode_secret_name(std::string_view name);

}  // namespace vouch::attester
