#pragma once

// Tenants (Azure's attestation providers): the default tenant at "/", others under
// "/tenants/{name}/", each with its own issuer, signing keys, policies, lists and credentials.
// Settings live in the store as a JSON object; this file gives them types and defaults.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "collateral/intel_pcs.h"
#include "crypto/x509.h"
#include "jose/alg.h"
#include "store/store.h"

namespace vouch::service {

inline constexpr std::string_view kDefaultTenant = "default";

// TenantSettings are a tenant's choices. Unknown members are refused (typos must not pass).
struct TenantSettings {
  std::chrono::seconds token_lifetime{8 * 3600};  // MAA's fixed 8 hours by default
  std::vector<std::string> audience;              // "aud" of issued tokens when non-empty
  jose::JwsAlg signing_alg = jose::JwsAlg::kEs256;
  bool attestation_requires_key = false;  // attest routes need an attester API key
  // Policy management: "open" accepts unsigned policy JWS (Azure's AAD mode) from a
  // verifier-owner; "isolated" requires RS256/PS256/ES256 signed by a policy certificate.
  bool isolated = false;
  std::vector<std::string> policy_certificates;  // base64 DER, isolated mode signers
  std::vector<std::string> tpm_ca_certificates;  // PEM: TPM AK/EK manufacturer anchors
  bool require_revocation = false;               // SNP CRLs must be reachable
  // SGX/TDX TCB baseline: which tcbEvaluationDataNumber the collateral is requested for
  // ("latest" by default; "early" or a number). An SGX policy's x-ms-sgx-tcbidentifier
  // configuration property overrides it for that policy.
  collateral::TcbBaseline tcb_baseline;

  [[nodiscard]] static Result<TenantSettings> from_json(const nlohmann::json& json);
  nlohmann::json to_json() const;
};

// TenantView is a tenant as routes use it: settings parsed, trust anchors loaded.
struct TenantView {
  std::string name;
  std::string issuer;
  TenantSettings settings;
  std::shared_ptr<const crypto::TrustStore> tpm_anchors;  // null when none configured
  std::int64_t revision = 0;
};

// Whether `name` may name a tenant: 1..63 of [a-z0-9-], not starting or ending with '-'.
bool valid_tenant_name(std::string_view name) noexcept;

// Tenants reads and caches tenants (a short TTL, so other nodes' changes show up) and keeps the
// issuer rule: public_url for the default tenant, public_url + "/tenants/" + name for others.
class Tenants {
 public:
  Tenants(store::TenantStore& store, std::string public_url, const Clock& clock)
      : store_(store), public_url_(std::move(public_url)), clock_(clock) {}

  // Creates the default tenant with `defaults` ([tokens] of the configuration) when it does not
  // exist yet.
  [[nodiscard]] Status ensure_default(const TenantSettings& defaults);
  // The tenant, or kNotFound / service.tenant.unknown.
  [[nodiscard]] Result<std::shared_ptr<const TenantView>> get(std::string_view name);
  [[nodiscard]] Result<std::shared_ptr<const TenantView>> create(std::string_view name,
                                                                 const TenantSettings& settings);
  [[nodiscard]] Result<std::shared_ptr<const TenantView>> update(std::string_view name,
                                                                 const TenantSettings& settings);
  [[nodiscard]] Status remove(std::string_view name);
  [[nodiscard]] Result<std::vector<std::string>> names();
  std::string issuer_for(std::string_view name) const;
  void invalidate();

 private:
  [[nodiscard]] Result<std::shared_ptr<const TenantView>> view(const store::Tenant& t);
  store::TenantStore& store_;
  std::string public_url_;
  const Clock& clock_;
  std::mutex mu_;
  struct Cached {
    std::shared_ptr<const TenantView> view;
    Timestamp loaded;
  };
  std::map<std::string, Cached, std::less<>> cache_;
};

}  // namespace vouch::service
