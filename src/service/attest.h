#pragma once

// Attestor runs one attestation for a tenant: verify the evidence, screen it against the deny
// lists, add reference values, evaluate the tenant's policy, allocate a status-list entry, sign
// the result (MAA profile or EAR), and append the outcome to the audit log. MAA routes, RATS
// sessions and the relying party's background-check flow all come through here.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "appraisal/pipeline.h"
#include "appraisal/verifier.h"
#include "base/result.h"
#include "base/time.h"
#include "crypto/keys.h"
#include "policy/policy.h"
#include "service/keys.h"
#include "service/metrics.h"
#include "service/tenants.h"
#include "store/store.h"
#include "token/profiles.h"
#include "token/result.h"
#include "token/signer.h"

namespace vouch::service {

enum class ResultProfile : std::uint8_t { kMaa, kEar };

struct AttestRequest {
  std::shared_ptr<const TenantView> tenant;
  appraisal::EvidenceRequest evidence;
  ResultProfile profile = ResultProfile::kMaa;
  token::EarNames ear_names = token::EarNames::kDraft03;
  std::optional<std::string> draft_policy;  // MAA draftPolicyForAttestation: unsigned token
  std::optional<std::string> nonce;         // echoed as "nonce" (MAA) / "eat_nonce" (EAR)
  std::string client_address;
  std::string request_id;
};

struct AttestOutcome {
  appraisal::Appraisal appraisal;
  // The signed result. MAA: only when the policy permitted (a denial is an error response).
  // EAR: always, a negative result being contraindicated.
  std::optional<std::string> token;
  std::string jti;
};

// The policy a tenant runs for one type: the stored one, or the built-in default.
struct ActivePolicy {
  std::shared_ptr<const policy::Policy> policy;
  std::int64_t version = 0;  // 0: the built-in default
  // SgxEnclave/OpenEnclave: the x-ms-sgx-tcbidentifier its configurationrules issue, found once
  // when the policy is loaded (finding it evaluates the policy).
  std::optional<std::string> tcb_identifier;
};

class Attestor {
 public:
  struct Deps {
    store::Store* store = nullptr;
    KeyRing* keys = nullptr;
    const appraisal::VerifierRegistry* verifiers = nullptr;
    const Clock* clock = nullptr;
    crypto::Random* random = nullptr;
    Metrics* metrics = nullptr;
    collateral::AmdKds* amd_kds = nullptr;
    collateral::IntelPcs* intel_pcs = nullptr;
    std::chrono::seconds collateral_stale_grace{0};  // [collateral] stale_grace_seconds
    std::string verifier_build;                      // EAR ear_verifier_id.build
    // Runs the signing that follows a commit off the store's committing thread (the service's
    // workers), so that the one committer only commits; unset, it runs where the commit lands.
    std::function<void(std::function<void()>)> defer;
  };
  explicit Attestor(Deps deps) : d_(std::move(deps)) {}

  // Evidence and policy failures come back as an outcome; errors are for what stopped the
  // attestation from running (unsupported type, store down, collateral unavailable, ...).
  // attest_async verifies on this thread and hands the outcome to `done` exactly once, after the
  // token's status entry and audit record are committed, so this thread need not wait for the
  // fsync: `done` runs where Deps::defer puts the signing (the service's workers), else where
  // the commit completes (with SQLite the store's committing thread, where `done` must not wait
  // for a store write).
  using AttestDone = std::function<void(Result<AttestOutcome>)>;
  void attest_async(const AttestRequest& request, AttestDone done);
  // attest waits for the outcome; the signing is not deferred (the caller may be a worker).
  [[nodiscard]] Result<AttestOutcome> attest(const AttestRequest& request);

  // The tenant's current policy for `type` (compiled, cached briefly).
  [[nodiscard]] Result<ActivePolicy> active_policy(std::string_view tenant,
                                                   appraisal::AttestationType type);
  // Sets (text) or resets (nullopt) the policy; compiles first so a broken policy is refused with
  // its line and column. Audited as policy.set / policy.reset.
  [[nodiscard]] Result<store::PolicyVersion> set_policy(std::string_view tenant,
                                                        appraisal::AttestationType type,
                                                        const std::optional<std::string>& text,
                                                        std::string_view author);

  // Drops this node's cached reference values and deny list of `tenant`, so that a change made
  // through the admin API applies to the next attestation (other nodes see it within the TTL).
  void invalidate_lists(std::string_view tenant);
  // Drops everything cached for `tenant` (policies and lists), when the tenant is deleted.
  void invalidate_tenant(std::string_view tenant);

  // The built-in policy of a type: permit, with no issued claims. Owners replace it.
  static std::string default_policy_text(appraisal::AttestationType type);

  // Appends to the tenant's audit chain; a failure is logged by the caller, never swallowed.
  [[nodiscard]] Status audit(std::string_view tenant, std::string_view kind,
                             const nlohmann::json& payload);

  // The TCB baseline SGX/TDX collateral is requested for: the policy's x-ms-sgx-tcbidentifier
  // configuration property (SgxEnclave / OpenEnclave policies; "azuredefault" means the tenant's),
  // else the tenant's tcb_baseline setting. An identifier that is not a baseline fails with
  // collateral.pcs.baseline (kInvalidArgument).
  [[nodiscard]] static Result<collateral::TcbBaseline> tcb_baseline(
      const TenantView& tenant, const std::optional<std::string>& policy_identifier);
  // The x-ms-sgx-tcbidentifier a policy's configurationrules issue (SgxEnclave / OpenEnclave
  // only), for tcb_baseline().
  static std::optional<std::string> tcb_identifier(appraisal::AttestationType type,
                                                   const policy::Policy& policy);

  // Signs `claims` as a JWT with the tenant's active key (policy results, certificates tokens).
  [[nodiscard]] Result<std::string> sign_service_token(const TenantView& tenant,
                                                       nlohmann::json claims);

 private:
  struct Lists {
    std::vector<policy::Claim> reference_claims;
    std::multimap<std::string, std::string, std::less<>> denied;  // claim type -> value
    Timestamp loaded;
  };
  // A signed result waiting for its commit (attest_async).
  struct Signing {
    AttestOutcome outcome;
    token::AppraisalResult result;
    std::shared_ptr<const token::Signer> signer;
    std::string issuer;
    ResultProfile profile;
    token::EarNames ear_names;
    AttestDone done;
  };
  // The body of attest_async and attest: calls `done` (or hands it on) unless it fails.
  [[nodiscard]] Status run_attestation(const AttestRequest& request, AttestDone done,
                                       bool defer_signing);
  [[nodiscard]] Result<std::shared_ptr<const Lists>> lists(std::string_view tenant);
  appraisal::VerifyContext context(const TenantView& tenant,
                                   const collateral::TcbBaseline& baseline);
  void count_cache(const char* cache, bool hit) {
    if (d_.metrics != nullptr) {
      d_.metrics->count_cache(cache, hit);
    }
  }

  Deps d_;
  std::mutex mu_;
  struct CachedPolicy {
    ActivePolicy active;
    Timestamp loaded;
  };
  std::map<std::pair<std::string, appraisal::AttestationType>, CachedPolicy> policies_;
  std::map<std::string, std::shared_ptr<const Lists>, std::less<>> lists_;
};

}  // namespace vouch::service
